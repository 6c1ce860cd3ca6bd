/**
 * The wizard's form schemas. Shared by the server (the authority) and the browser (validation
 * before a round trip, when JavaScript is on), so both say the same thing. Written with `zod/mini`,
 * whose functions tree-shake: the browser gets a few kilobytes of it rather than all of zod.
 */
import * as z from "zod/mini";
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
  email: z.pipe(
    z
      .string({ error: "Enter your email address." })
      .check(z.trim(), z.maxLength(254, "Your email address can be at most 254 characters.")),
    z.email("Enter an email address like name@example.com."),
  ),
  notes: z.optional(
    z.string().check(z.trim(), z.maxLength(1000, "Notes can be at most 1,000 characters.")),
  ),
  timezone,
  [HONEYPOT_FIELD]: z.optional(z.string().check(z.maxLength(0, "Leave this field empty."))),
});

export type DetailsStep = z.infer<typeof detailsStepSchema>;
