/**
 * The wizard's form schemas, checked on the server only (step-forms.server.ts): the browser gets
 * none of them (decision 013), and the page it is sent back shows what the server said. The
 * field names and limits the forms render come from ./fields.ts, which has no zod in it.
 */
import * as z from "zod/mini";
import { emailAddress } from "~/lib/fields";
import { canonicalTimeZone } from "~/lib/timezones";
import {
  ANSWER_MAX_LENGTH,
  answerKey,
  CONSENT_VALUE,
  HONEYPOT_FIELD,
  type AskedQuestion,
} from "./fields";

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
