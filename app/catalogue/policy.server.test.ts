/**
 * The cancellation policy's arithmetic and its words, as clients read them before paying.
 */
import { describe, expect, it } from "vitest";
import { describePolicy, parseRefundTiers, refundPercent, type Policy } from "./policy.server";

const policy: Policy = {
  selfServiceNoticeHours: 24,
  refundTiers: parseRefundTiers(
    '[{"hoursBefore":24,"percent":50},{"hoursBefore":48,"percent":100}]',
  ),
};

describe("the cancellation policy", () => {
  it("orders tiers by notice and refunds by the first one reached", () => {
    expect(policy.refundTiers).toEqual([
      { hoursBefore: 48, percent: 100 },
      { hoursBefore: 24, percent: 50 },
    ]);
    expect(refundPercent(policy, 72)).toBe(100);
    expect(refundPercent(policy, 48)).toBe(100);
    expect(refundPercent(policy, 47.9)).toBe(50);
    expect(refundPercent(policy, 24)).toBe(50);
    expect(refundPercent(policy, 23)).toBe(0);
  });

  it("says it in words, refunds only for a paid session", () => {
    expect(describePolicy(policy, { paid: true })).toEqual([
      "You can cancel or move this booking yourself until 24 hours before it starts, with the link in your confirmation email.",
      "A full refund if you cancel at least 48 hours before, a 50% refund if you cancel at least 24 hours before; after that, no refund.",
    ]);
    expect(describePolicy(policy, { paid: false })).toHaveLength(1);
    expect(describePolicy({ selfServiceNoticeHours: 1, refundTiers: [] }, { paid: true })[1]).toBe(
      "Cancelled bookings are not refunded.",
    );
  });

  it("ignores a stored policy it cannot read, rather than refunding by guesswork", () => {
    expect(parseRefundTiers('[{"hoursBefore":-1,"percent":100}]')).toEqual([]);
    expect(parseRefundTiers('{"nope":1}')).toEqual([]);
  });
});
