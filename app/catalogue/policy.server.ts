/**
 * The practice's cancellation policy: until how long before a session a client may cancel or
 * reschedule it themselves, and how much of the payment a cancellation gives back, by notice
 * (for example all of it until 48 hours before, half until 24, none after). Clients read it before
 * they pay; their own cancellations are refunded by it.
 */
import * as z from "zod";
import type { DbOrTx } from "~db/database.server";
import { practiceSettings } from "~db/schema";

export type RefundTier = { hoursBefore: number; percent: number };
export type Policy = {
  /** A client may cancel or reschedule until this many hours before the session starts. */
  selfServiceNoticeHours: number;
  /** Most notice first; with less notice than the last tier, nothing is refunded. */
  refundTiers: RefundTier[];
};

const tiersSchema = z.array(
  z.object({
    hoursBefore: z.number().int().min(0).max(8760),
    percent: z.number().int().min(0).max(100),
  }),
);

/** Tiers in the order they apply: the most notice first. */
export function orderTiers(tiers: RefundTier[]): RefundTier[] {
  return [...tiers].sort((a, b) => b.hoursBefore - a.hoursBefore);
}

export function parseRefundTiers(json: string): RefundTier[] {
  const parsed = tiersSchema.safeParse(JSON.parse(json));
  return parsed.success ? orderTiers(parsed.data) : [];
}

export function readPolicy(db: Pick<DbOrTx, "select">): Policy {
  const row = db
    .select({
      selfServiceNoticeHours: practiceSettings.selfServiceNoticeHours,
      refundPolicy: practiceSettings.refundPolicy,
    })
    .from(practiceSettings)
    .get();
  return {
    selfServiceNoticeHours: row?.selfServiceNoticeHours ?? 24,
    refundTiers: row ? parseRefundTiers(row.refundPolicy) : [{ hoursBefore: 24, percent: 100 }],
  };
}

/** The share of the payment a cancellation made `hoursBefore` the session gives back. */
export function refundPercent(policy: Policy, hoursBefore: number): number {
  return policy.refundTiers.find((tier) => hoursBefore >= tier.hoursBefore)?.percent ?? 0;
}

const hours = (n: number) => (n === 1 ? "1 hour" : `${n} hours`);

/** The policy in words, as clients read it before paying (refunds only for a paid session). */
export function describePolicy(policy: Policy, { paid }: { paid: boolean }): string[] {
  const change =
    policy.selfServiceNoticeHours > 0
      ? `You can cancel or move this booking yourself until ${hours(policy.selfServiceNoticeHours)} before it starts, with the link in your confirmation email.`
      : "You can cancel or move this booking yourself until it starts, with the link in your confirmation email.";
  const tiers = policy.refundTiers;
  if (!paid) return [change];
  if (tiers.length === 0) return [change, "Cancelled bookings are not refunded."];
  const parts = tiers.map((tier) => {
    const share =
      tier.percent === 100
        ? "a full refund"
        : tier.percent === 0
          ? "no refund"
          : `a ${tier.percent}% refund`;
    return `${share} if you cancel at least ${hours(tier.hoursBefore)} before`;
  });
  const last = tiers.at(-1)!;
  const after = last.hoursBefore > 0 && last.percent > 0 ? "; after that, no refund" : "";
  return [change, `${capitalise(parts.join(", "))}${after}.`];
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
