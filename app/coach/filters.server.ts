/**
 * The dashboard's filters, read from the query string and validated: what a coach may narrow the
 * list of bookings by. A bad value is reported next to its field, and the list shows unfiltered.
 */
import { DateTime } from "luxon";
import * as z from "zod";
import { FILTERABLE_STATUSES } from "./bookings.server";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Enter a date like 2027-03-15.", abort: true })
  .refine((text) => DateTime.fromISO(text).isValid, "That date does not exist.")
  .optional();

export const filtersSchema = z
  .object({
    when: z.enum(["upcoming", "past"]).default("upcoming"),
    status: z.enum(FILTERABLE_STATUSES, { message: "Choose a status from the list." }).optional(),
    coach: z.coerce.number().int().positive("Choose a coach from the list.").optional(),
    from: day,
    to: day,
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    message: "The end date must not be before the start date.",
    path: ["to"],
  });

export type Filters = z.infer<typeof filtersSchema>;
export const DEFAULT_FILTERS: Filters = filtersSchema.parse({});

/** The query string's filters; empty values mean "not filtered". */
export function readFilters(url: URL) {
  const raw = Object.fromEntries(
    [...url.searchParams].filter(([key, value]) => value !== "" && key !== "index"),
  );
  const result = filtersSchema.safeParse(raw);
  const parsed = result.success
    ? ({ success: true, data: result.data } as const)
    : ({
        success: false,
        errors: z.flattenError(result.error).fieldErrors as Record<string, string[] | undefined>,
      } as const);
  return { raw, parsed };
}
