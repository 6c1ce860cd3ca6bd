/**
 * The wizard's form schemas. Shared by the server (the authority) and the browser (validation
 * before a round trip, when JavaScript is on), so both say the same thing.
 */
import { z } from "zod";
import { canonicalTimeZone } from "~/timezones";

const SLUG = /^[a-z0-9-]{1,64}$/;

const timezone = z.string({ error: "Choose your timezone." }).transform((zone, ctx) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical) return canonical;
  ctx.addIssue({ code: "custom", message: "Choose a timezone from the list." });
  return z.NEVER;
});

export const serviceStepSchema = z.object({
  service: z.string({ error: "Choose a session." }).regex(SLUG, "Choose a session from the list."),
});

export const coachStepSchema = z.object({
  coach: z.string({ error: "Choose a coach." }).regex(SLUG, "Choose a coach from the list."),
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
    .trim()
    .min(1, "Enter your name.")
    .max(100, "Your name can be at most 100 characters."),
  email: z
    .string({ error: "Enter your email address." })
    .trim()
    .max(254, "Your email address can be at most 254 characters.")
    .pipe(z.email("Enter an email address like name@example.com.")),
  notes: z.string().trim().max(1000, "Notes can be at most 1,000 characters.").optional(),
  timezone,
  [HONEYPOT_FIELD]: z.string().max(0, "Leave this field empty.").optional(),
});

export type DetailsStep = z.infer<typeof detailsStepSchema>;
