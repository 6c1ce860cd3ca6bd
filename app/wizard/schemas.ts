/**
 * The wizard's form schemas. Shared by the server (the authority) and the browser (validation
 * before a round trip, when JavaScript is on), so both say the same thing. Written with `zod/mini`,
 * whose functions tree-shake: the browser gets a few kilobytes of it rather than all of zod.
 */
import * as z from "zod/mini";
import { emailAddress } from "~/lib/fields";
import { canonicalTimeZone } from "~/lib/timezones";

const SLUG = /^[a-z0-9-]{1,64}$/;

const timezone = z.pipe(
  z
    .string({ error: "Choose your timezone." })
    .check(
      z.refine((zone) => canonicalTimeZone(zone) !== null, "Choose a timezone from the list."),
    ),
  z.transform((zone: string) => canonicalTimeZone(zone)!),
);

export const serviceStepSchema = z.object({
  service: z
    .string({ error: "Choose a session." })
    .check(z.regex(SLUG, "Choose a session from the list.")),
  /** "Book again" names the coach too; one who does not offer the session is simply not kept. */
  coach: z.optional(z.string().check(z.regex(SLUG))),
});

export const coachStepSchema = z.object({
  coach: z
    .string({ error: "Choose a coach." })
    .check(z.regex(SLUG, "Choose a coach from the list.")),
});

export const timeStepSchema = z.object({
  startAt: z.iso.datetime({ error: "Choose one of the times shown." }),
});

export const timezoneSchema = z.object({ timezone });

/** The field a person never sees or fills; bots that fill every field do. */
export const HONEYPOT_FIELD = "fax_number";

export const detailsStepSchema = z.object({
  name: z
    .string({ error: "Enter your name." })
    .check(
      z.trim(),
      z.minLength(1, "Enter your name."),
      z.maxLength(100, "Your name can be at most 100 characters."),
    ),
  email: emailAddress,
  notes: z.optional(
    z.string().check(z.trim(), z.maxLength(1000, "Notes can be at most 1,000 characters.")),
  ),
  timezone,
  [HONEYPOT_FIELD]: z.optional(z.string().check(z.maxLength(0, "Leave this field empty."))),
});

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

function textAnswer(question: AskedQuestion, maxLength: number) {
  return z
    .string({ error: "Answer this question." })
    .check(
      z.trim(),
      ...(question.required ? [z.minLength(1, "Answer this question.")] : []),
      z.maxLength(
        maxLength,
        `Your answer can be at most ${maxLength.toLocaleString("en-GB")} characters.`,
      ),
    );
}

function answerSchema(question: AskedQuestion) {
  const schema =
    question.kind === "choice"
      ? z
          .string({ error: "Choose one of the options." })
          .check(
            z.refine((answer) => question.options.includes(answer), "Choose one of the options."),
          )
      : question.kind === "consent"
        ? z.literal(CONSENT_VALUE, { error: "Tick this box to book the session." })
        : textAnswer(question, ANSWER_MAX_LENGTH[question.kind]);
  return question.required ? schema : z.optional(schema);
}

/**
 * The details step for a service that asks questions: the fields above, and `answers` holding one
 * field per question (`answers.q12`), each validated for its kind. Built from the questions, on the
 * server for each post and in the browser from the same list.
 */
export function detailsStepSchemaFor(questions: AskedQuestion[]) {
  return z.extend(detailsStepSchema, {
    answers: z.object(
      Object.fromEntries(
        questions.map((question) => [answerKey(question.id), answerSchema(question)]),
      ),
    ),
  });
}

export type DetailsStep = z.infer<typeof detailsStepSchema> & {
  /** Answers by `answerKey`; those left empty are absent. */
  answers?: Record<string, string | undefined>;
};
