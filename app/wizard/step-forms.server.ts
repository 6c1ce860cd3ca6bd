/**
 * Each wizard step's form read with its schema, on the server, the only place forms are checked:
 * routes call these in their actions, so no schema (and no zod) reaches a browser.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { AskedQuestion } from "./fields";
import {
  coachStepSchema,
  detailsStepSchemaFor,
  serviceStepSchema,
  timeStepSchema,
  timezoneSchema,
} from "./schemas";

export const readServiceStep = (form: FormData) =>
  parseWithZod(form, { schema: serviceStepSchema });

export const readCoachStep = (form: FormData) => parseWithZod(form, { schema: coachStepSchema });

export const readTimeStep = (form: FormData) => parseWithZod(form, { schema: timeStepSchema });

export const readTimezone = (form: FormData) => parseWithZod(form, { schema: timezoneSchema });

/** The details, with an answer for each question the session asks. */
export const readDetailsStep = (form: FormData, questions: AskedQuestion[]) =>
  parseWithZod(form, { schema: detailsStepSchemaFor(questions) });
