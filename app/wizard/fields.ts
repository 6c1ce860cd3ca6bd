/**
 * The wizard's field names and limits, as the forms render them (and the schemas check them, in
 * schemas.ts). Kept apart from the schemas so a page's JavaScript carries no zod.
 */

/** The field a person never sees or fills; bots that fill every field do. */
export const HONEYPOT_FIELD = "fax_number";

/** A question of the chosen service, as the details step asks it. */
export type AskedQuestion = {
  id: number;
  kind: "short_text" | "long_text" | "choice" | "consent";
  label: string;
  required: boolean;
  /** A choice's options; empty for other kinds. */
  options: string[];
};

/** How long an answer may be, by kind of question. */
export const ANSWER_MAX_LENGTH = { short_text: 200, long_text: 2000 } as const;
/** The value a ticked consent box sends, and the answer a booking keeps. */
export const CONSENT_VALUE = "yes";

/** The name of a question's field inside `answers` (`answers.q12`): by question id. */
export function answerKey(questionId: number): string {
  return `q${questionId}`;
}
