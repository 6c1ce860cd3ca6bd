/**
 * What a service asks on the details step, and where it takes place. The questions are the
 * service's own; a booking keeps a copy of the questions as asked with the client's answers, and
 * of the place as told, so later edits of the service never change what a client was told.
 */
import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "~db/database.server";
import { serviceQuestions, type LOCATION_KINDS, type QUESTION_KINDS } from "~db/schema";

export type QuestionKind = (typeof QUESTION_KINDS)[number];
export type LocationKind = (typeof LOCATION_KINDS)[number];

export type Question = {
  id: number;
  kind: QuestionKind;
  label: string;
  required: boolean;
  /** The options of a choice, in order; empty for other kinds. */
  options: string[];
};

/** Answers as a draft keeps them: by question id, text (a ticked consent is "yes"). */
export type DraftAnswers = Record<string, string>;
/** Answers as a booking keeps them: each question as it was asked, with its answer. */
export type BookedAnswer = { question: string; kind: QuestionKind; answer: string };

export function listQuestions(db: Pick<DbOrTx, "select">, serviceId: number): Question[] {
  return db
    .select()
    .from(serviceQuestions)
    .where(eq(serviceQuestions.serviceId, serviceId))
    .orderBy(asc(serviceQuestions.position), asc(serviceQuestions.id))
    .all()
    .map((row) => ({
      id: row.id,
      kind: row.kind,
      label: row.label,
      required: row.required,
      options: row.options ? (JSON.parse(row.options) as string[]) : [],
    }));
}

export function readDraftAnswers(json: string | null): DraftAnswers {
  if (!json) return {};
  const parsed: unknown = JSON.parse(json);
  return parsed && typeof parsed === "object" ? (parsed as DraftAnswers) : {};
}

/** The questions a draft has not answered that must be: a booking cannot be made without them. */
export function missingAnswers(questions: Question[], answers: DraftAnswers): Question[] {
  return questions.filter((q) => q.required && !answers[String(q.id)]?.trim());
}

/** The answers as a booking keeps them, in the questions' order; unanswered optional ones left out. */
export function bookedAnswers(questions: Question[], answers: DraftAnswers): BookedAnswer[] {
  return questions.flatMap((q) => {
    const answer = answers[String(q.id)]?.trim();
    return answer ? [{ question: q.label, kind: q.kind, answer }] : [];
  });
}

/**
 * Where a booking takes place, as the client is told: the coach's video link, a room of its own
 * made from the service's pattern (`https://meet.jit.si/{room}`), an address, or a phone call.
 */
export function resolveLocation(
  kind: LocationKind,
  detail: string | null,
  coachVideoLink: string | null,
): string | null {
  switch (kind) {
    case "video_fixed":
      return coachVideoLink;
    case "video_room": {
      // Unguessable, so a stranger cannot walk into the session.
      const room = `kairos-${randomBytes(9).toString("base64url")}`;
      const pattern = detail ?? "https://meet.jit.si/{room}";
      return pattern.includes("{room}") ? pattern.replace("{room}", room) : `${pattern}/${room}`;
    }
    case "address":
      return detail;
    case "phone":
      return detail ? `By phone: ${detail}` : "By phone";
    default:
      return null;
  }
}
