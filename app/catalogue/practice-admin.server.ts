/**
 * The practice's own settings, as the owner edits them: its name and how clients reach it, the
 * zone of its pages, and the cancellation policy clients book under. One row; the first save of a
 * new install creates it.
 */
import * as z from "zod";
import { canonicalTimeZone } from "~/lib/timezones";
import type { DbOrTx } from "~db/database.server";
import { practiceSettings } from "~db/schema";
import { orderTiers, parseRefundTiers } from "./policy.server";

/** How many refund tiers the form offers. */
export const REFUND_TIER_ROWS = 3;

const optionalWhole = (label: string, max: number) =>
  z.preprocess(
    (value) => (value === "" || value === undefined ? undefined : value),
    z.coerce
      .number({ message: `${label} must be a whole number.` })
      .int(`${label} must be a whole number.`)
      .min(0, `${label} can’t be negative.`)
      .max(max, `${label} can be at most ${max}.`)
      .optional(),
  );

export const practiceSchema = z
  .object({
    name: z
      .string({ message: "Enter the practice’s name." })
      .trim()
      .min(1, "Enter the practice’s name.")
      .max(100, "The name can be at most 100 characters."),
    tagline: z.string().trim().max(200, "The tagline can be at most 200 characters.").optional(),
    contactEmail: z
      .email({ message: "Enter an email address like hello@example.com." })
      .max(254, "The email address can be at most 254 characters."),
    timezone: z
      .string({ message: "Choose the practice’s timezone." })
      .refine((zone) => canonicalTimeZone(zone) !== null, "Choose a timezone from the list.")
      .transform((zone) => canonicalTimeZone(zone)!),
    selfServiceNoticeHours: z.coerce
      .number({ message: "Enter a number of hours." })
      .int("Enter a whole number of hours.")
      .min(0, "The notice can’t be negative.")
      .max(720, "The notice can be at most 720 hours (30 days)."),
    tiers: z
      .array(
        z
          .object({
            hoursBefore: optionalWhole("The notice", 8760),
            percent: optionalWhole("The refund", 100),
          })
          .superRefine((tier, ctx) => {
            if ((tier.hoursBefore === undefined) !== (tier.percent === undefined))
              ctx.addIssue({
                code: "custom",
                path: [tier.hoursBefore === undefined ? "hoursBefore" : "percent"],
                message: "Fill in both the notice and the refund, or neither.",
              });
          }),
      )
      .max(REFUND_TIER_ROWS)
      .default([]),
  })
  .superRefine((value, ctx) => {
    const notices = value.tiers.flatMap((t) =>
      t.hoursBefore === undefined ? [] : [t.hoursBefore],
    );
    const repeated = notices.findIndex((n, i) => notices.indexOf(n) !== i);
    if (repeated >= 0)
      ctx.addIssue({
        code: "custom",
        path: ["tiers", repeated, "hoursBefore"],
        message: "Each refund needs a different notice.",
      });
  });

export type PracticeInput = z.infer<typeof practiceSchema>;

export type PracticeValues = {
  name: string;
  tagline: string;
  contactEmail: string;
  timezone: string;
  selfServiceNoticeHours: string;
  tiers: { hoursBefore: string; percent: string }[];
};

/** The form's values today (a new install: empty, with sensible defaults). */
export function practiceValues(db: Pick<DbOrTx, "select">): PracticeValues {
  const row = db.select().from(practiceSettings).get();
  const tiers = row ? parseRefundTiers(row.refundPolicy) : [{ hoursBefore: 24, percent: 100 }];
  return {
    name: row?.name ?? "",
    tagline: row?.tagline ?? "",
    contactEmail: row?.contactEmail ?? "",
    timezone: row?.timezone ?? "Europe/London",
    selfServiceNoticeHours: String(row?.selfServiceNoticeHours ?? 24),
    tiers: Array.from({ length: REFUND_TIER_ROWS }, (_, i) => ({
      hoursBefore: tiers[i] ? String(tiers[i].hoursBefore) : "",
      percent: tiers[i] ? String(tiers[i].percent) : "",
    })),
  };
}

export function savePractice(db: DbOrTx, input: PracticeInput, now: Date) {
  const tiers = orderTiers(
    input.tiers.flatMap((t) =>
      t.hoursBefore === undefined || t.percent === undefined
        ? []
        : [{ hoursBefore: t.hoursBefore, percent: t.percent }],
    ),
  );
  const values = {
    name: input.name,
    tagline: input.tagline || null,
    contactEmail: input.contactEmail,
    timezone: input.timezone,
    selfServiceNoticeHours: input.selfServiceNoticeHours,
    refundPolicy: JSON.stringify(tiers),
    updatedAt: now,
  };
  db.insert(practiceSettings)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: practiceSettings.id, set: values })
    .run();
}
