/**
 * The month's numbers, read from a real SQLite file whose bookings were made through the booking
 * lifecycle at chosen instants: month edges in the viewer's zone across a clock change, money kept
 * per currency, the funnel counting each attempt once per stage, and what a coach sees beside the
 * owner.
 */
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { User } from "~/auth/accounts.server";
import * as lifecycle from "~/booking/lifecycle.server";
import type { BookableOffer } from "~/catalogue/catalogue.server";
import { recordRefunds } from "~/payments/refunds.server";
import { recordReachedReview } from "~/wizard/funnel.server";
import { freeStarts, newBooking, offerOf, rows, withDomainWorld } from "../../tests/support/domain";
import { monthNumbers } from "./stats.server";

const world = withDomainWorld();
const MINUTE = 60_000;
const APP_URL = "http://kairos.test";
const t = (iso: string) => new Date(iso);

function owner(): User {
  return rows<User>(
    world.db,
    "select id, email, name, role, coach_id as coachId from users where role = 'owner'",
  )[0]!;
}

function coachUser(slug: string): User {
  const coach = rows<{ id: number; name: string; email: string }>(
    world.db,
    "select id, name, email from coaches where slug = ?",
    slug,
  )[0]!;
  return {
    id: 1000 + coach.id,
    email: coach.email,
    name: coach.name,
    role: "coach",
    coachId: coach.id,
  };
}

/** A free session confirmed at `at`, at the first time free then. */
function bookFree(at: Date, coach = "maya-okafor"): string {
  const offer = offerOf(world.db, "intro-call", coach);
  const booking = newBooking(world.db, offer, freeStarts(world.db, offer, at)[0]!);
  const made = lifecycle.confirmFree(world.db, booking, {
    actor: "client",
    at,
    reason: "free session",
    appUrl: APP_URL,
  });
  if (!made.ok) throw new Error(`could not book: ${made.refused}`);
  return made.booking.id;
}

/** Pay pressed at `at`: a hold of the offer's first free time, for the draft if given. */
function hold(at: Date, offer: BookableOffer, draftId: string | null = null): string {
  const booking = { ...newBooking(world.db, offer, freeStarts(world.db, offer, at)[0]!), draftId };
  const held = lifecycle.hold(world.db, booking, {
    actor: "client",
    at,
    reason: "checkout started",
    holdExpiresAt: new Date(at.getTime() + 30 * MINUTE),
  });
  if (!held.ok) throw new Error(`could not hold: ${held.refused}`);
  return held.booking.id;
}

function pay(bookingId: string, at: Date) {
  return lifecycle.confirmPaid(world.db, bookingId, {
    actor: "stripe",
    at,
    reason: "payment received",
    paymentIntentId: `pi_${bookingId}`,
    checkoutSessionId: `cs_${bookingId}`,
    appUrl: APP_URL,
  });
}

/** A paid session: held at `at`, paid a minute later. */
function bookPaid(at: Date, offer: BookableOffer, draftId: string | null = null): string {
  const id = hold(at, offer, draftId);
  const paid = pay(id, new Date(at.getTime() + MINUTE));
  if (!paid.ok) throw new Error(`could not pay: ${paid.refused}`);
  return id;
}

function refund(
  bookingId: string,
  refund: { id: string; amount: number; currency: string; at: Date; status?: string },
) {
  const stripeRefund = {
    id: refund.id,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status ?? "succeeded",
    reason: null,
    created: refund.at.getTime() / 1000,
  } as unknown as Stripe.Refund;
  recordRefunds(world.db, bookingId, [stripeRefund], { source: "kairos" });
}

const session = () => offerOf(world.db, "coaching-session");
const inDollars = (offer: BookableOffer): BookableOffer => ({
  ...offer,
  service: { ...offer.service, currency: "usd", priceMinor: 12_000 },
});

describe("the month, in the viewer's zone", () => {
  // New York leaves summer time on 2 November 2025: the month runs from 04:00 UTC on 1 November
  // (midnight EDT) to 05:00 UTC on 1 December (midnight EST), and 2 November lasts 25 hours.
  it("starts and ends at local midnights across a clock change, and buckets days locally", () => {
    const zone = "America/New_York";
    bookFree(t("2025-11-01T03:30:00Z")); // 31 October, 23:30 EDT
    bookFree(t("2025-11-01T04:30:00Z")); // 1 November, 00:30 EDT
    bookFree(t("2025-11-03T04:30:00Z")); // 2 November, 23:30 EST (a 24-hour step says 3 November)
    bookFree(t("2025-12-01T04:30:00Z")); // 30 November, 23:30 EST
    bookFree(t("2025-12-01T05:30:00Z")); // 1 December, 00:30 EST

    const november = monthNumbers(world.db, owner(), { now: t("2025-11-15T12:00:00Z"), zone });
    expect(november.month).toEqual({
      label: "November 2025",
      firstDay: "2025-11-01",
      lastDay: "2025-11-30",
      zone,
    });
    expect(november.bookings).toEqual({ total: 3, paid: 0, free: 3 });
    expect(november.perDay).toHaveLength(30);
    expect(november.perDay.filter((day) => day.bookings > 0)).toEqual([
      { date: "2025-11-01", bookings: 1 },
      { date: "2025-11-02", bookings: 1 },
      { date: "2025-11-30", bookings: 1 },
    ]);
    expect(november.perDay.map((day) => day.date).slice(0, 3)).toEqual([
      "2025-11-01",
      "2025-11-02",
      "2025-11-03",
    ]);

    // The same instants seen from the neighbouring months, and from another zone.
    const at = (iso: string, z = zone) => monthNumbers(world.db, owner(), { now: t(iso), zone: z });
    expect(at("2025-10-31T12:00:00Z").bookings.total).toBe(1);
    expect(at("2025-12-10T12:00:00Z").bookings.total).toBe(1);
    // In UTC, November holds the first three (the first is 1 November there) and not the fourth.
    expect(at("2025-11-15T12:00:00Z", "UTC").bookings.total).toBe(3);
  });

  it("has the days of the month the viewer is in, not the month in UTC", () => {
    // 1 March 2026, 02:00 in Auckland is still February in UTC.
    const numbers = monthNumbers(world.db, owner(), {
      now: t("2026-02-28T13:00:00Z"),
      zone: "Pacific/Auckland",
    });
    expect(numbers.month.label).toBe("March 2026");
    expect(numbers.perDay).toHaveLength(31);
    expect(numbers.perDay.every((day) => day.bookings === 0)).toBe(true);
  });
});

describe("money", () => {
  it("adds up received money and refunds per currency, never across currencies", () => {
    const now = t("2026-03-16T12:00:00Z");
    const gbp1 = bookPaid(t("2026-03-02T10:00:00Z"), session()); // £45
    bookPaid(t("2026-03-03T10:00:00Z"), offerOf(world.db, "deep-dive")); // £85
    const usd = bookPaid(t("2026-03-04T10:00:00Z"), inDollars(session())); // $120
    const february = bookPaid(t("2026-02-20T10:00:00Z"), session()); // paid last month
    bookFree(t("2026-03-05T10:00:00Z")); // free: no money

    refund(gbp1, { id: "re_part", amount: 1_000, currency: "gbp", at: t("2026-03-10T10:00:00Z") });
    refund(usd, { id: "re_all", amount: 12_000, currency: "usd", at: t("2026-03-11T10:00:00Z") });
    refund(gbp1, {
      id: "re_failed",
      amount: 500,
      currency: "gbp",
      at: t("2026-03-12T10:00:00Z"),
      status: "failed",
    });
    refund(february, { id: "re_old", amount: 700, currency: "gbp", at: t("2026-02-25T10:00:00Z") });

    const numbers = monthNumbers(world.db, owner(), { now, zone: "Europe/London" });
    expect(numbers.bookings).toEqual({ total: 4, paid: 3, free: 1 });
    expect(numbers.revenue).toEqual([
      { currency: "gbp", amountMinor: 13_000, count: 2 },
      { currency: "usd", amountMinor: 12_000, count: 1 },
    ]);
    expect(numbers.refunds).toEqual({
      count: 2,
      amounts: [
        { currency: "gbp", amountMinor: 1_000, count: 1 },
        { currency: "usd", amountMinor: 12_000, count: 1 },
      ],
    });
  });

  it("counts a payment that arrived after its slot was lost, but not one still processing", () => {
    const offer = session();
    const lost = hold(t("2026-03-02T10:00:00Z"), offer);
    lifecycle.refundForSlotConflict(world.db, lost, {
      actor: "system",
      at: t("2026-03-02T11:00:00Z"),
      paymentIntentId: "pi_lost",
      checkoutSessionId: "cs_lost",
      resumeUrl: () => null,
    });
    const slow = hold(t("2026-03-03T10:00:00Z"), offer);
    lifecycle.markProcessing(world.db, slow, {
      actor: "stripe",
      at: t("2026-03-03T10:05:00Z"),
      paymentIntentId: "pi_slow",
    });
    const gaveUp = hold(t("2026-03-04T10:00:00Z"), offer);
    lifecycle.expire(world.db, gaveUp, { actor: "system", at: t("2026-03-04T10:30:00Z") });

    const numbers = monthNumbers(world.db, owner(), {
      now: t("2026-03-20T12:00:00Z"),
      zone: "Europe/London",
    });
    expect(numbers.revenue).toEqual([{ currency: "gbp", amountMinor: 4_500, count: 1 }]);
    expect(numbers.bookings).toEqual({ total: 0, paid: 0, free: 0 });
    expect(numbers.funnel).toEqual({ reachedReview: 0, payPressed: 3, paid: 1, confirmed: 0 });

    // Once the slow payment settles (next month), it counts then.
    expect(pay(slow, t("2026-04-01T09:00:00Z")).ok).toBe(true);
    const april = monthNumbers(world.db, owner(), {
      now: t("2026-04-10T12:00:00Z"),
      zone: "Europe/London",
    });
    expect(april.revenue).toEqual([{ currency: "gbp", amountMinor: 4_500, count: 1 }]);
    expect(april.funnel).toEqual({ reachedReview: 0, payPressed: 0, paid: 1, confirmed: 1 });
  });
});

describe("the payment funnel", () => {
  it("counts each attempt once at each stage it reached in the month", () => {
    const offer = session();
    const at = (day: string, time = "10:00") => t(`2026-03-${day}T${time}:00Z`);

    // A: reloads the review page, changes the time after pressing Pay, pays; the webhook repeats.
    recordReachedReview(world.db, "draft-a", at("02"));
    recordReachedReview(world.db, "draft-a", at("02", "10:05"));
    const first = hold(at("02", "10:10"), offer, "draft-a");
    lifecycle.expire(world.db, first, {
      actor: "client",
      at: at("02", "10:15"),
      reason: "changed before paying",
    });
    const second = hold(at("02", "10:15"), offer, "draft-a");
    expect(pay(second, at("02", "10:20")).ok).toBe(true);
    expect(pay(second, at("02", "10:21")).ok).toBe(false);
    // B: presses Pay and lets the hold lapse.
    recordReachedReview(world.db, "draft-b", at("03"));
    lifecycle.expire(world.db, hold(at("03", "10:01"), offer, "draft-b"), {
      actor: "system",
      at: at("03", "10:40"),
    });
    // C: looks at the review page and leaves.
    recordReachedReview(world.db, "draft-c", at("04"));
    // D: reached review in February, pays in March.
    recordReachedReview(world.db, "draft-d", t("2026-02-27T10:00:00Z"));
    recordReachedReview(world.db, "draft-d", at("05")); // the first time is the one kept
    bookPaid(at("05", "10:01"), offer, "draft-d");

    const numbers = monthNumbers(world.db, owner(), {
      now: at("20"),
      zone: "Europe/London",
    });
    expect(numbers.funnel).toEqual({ reachedReview: 3, payPressed: 3, paid: 2, confirmed: 2 });
    expect(numbers.bookings).toEqual({ total: 2, paid: 2, free: 0 });
    expect(numbers.revenue).toEqual([{ currency: "gbp", amountMinor: 9_000, count: 2 }]);

    const february = monthNumbers(world.db, owner(), {
      now: t("2026-02-10T12:00:00Z"),
      zone: "Europe/London",
    });
    expect(february.funnel).toEqual({ reachedReview: 1, payPressed: 0, paid: 0, confirmed: 0 });
  });
});

describe("who sees what", () => {
  it("shows a coach their own bookings and money, and the review stage only to the owner", () => {
    const now = t("2026-03-20T12:00:00Z");
    const mayas = bookPaid(t("2026-03-02T10:00:00Z"), session(), "draft-maya");
    bookPaid(t("2026-03-02T10:00:00Z"), offerOf(world.db, "coaching-session", "daniel-reyes"));
    bookFree(t("2026-03-03T10:00:00Z"), "daniel-reyes");
    recordReachedReview(world.db, "draft-maya", t("2026-03-02T09:55:00Z"));
    refund(mayas, { id: "re_maya", amount: 4_500, currency: "gbp", at: t("2026-03-09T10:00:00Z") });

    const everyone = monthNumbers(world.db, owner(), { now, zone: "Europe/London" });
    expect(everyone.bookings).toEqual({ total: 3, paid: 2, free: 1 });
    expect(everyone.revenue).toEqual([{ currency: "gbp", amountMinor: 9_000, count: 2 }]);
    expect(everyone.refunds.count).toBe(1);
    expect(everyone.funnel).toEqual({ reachedReview: 1, payPressed: 2, paid: 2, confirmed: 2 });

    const daniel = monthNumbers(world.db, coachUser("daniel-reyes"), {
      now,
      zone: "America/New_York",
    });
    expect(daniel.bookings).toEqual({ total: 2, paid: 1, free: 1 });
    expect(daniel.revenue).toEqual([{ currency: "gbp", amountMinor: 4_500, count: 1 }]);
    expect(daniel.refunds).toEqual({ count: 0, amounts: [] });
    expect(daniel.funnel).toEqual({ reachedReview: null, payPressed: 1, paid: 1, confirmed: 1 });
    expect(daniel.perDay.filter((day) => day.bookings > 0)).toEqual([
      { date: "2026-03-02", bookings: 1 },
      { date: "2026-03-03", bookings: 1 },
    ]);

    const maya = monthNumbers(world.db, coachUser("maya-okafor"), { now, zone: "Europe/London" });
    expect(maya.bookings).toEqual({ total: 1, paid: 1, free: 0 });
    expect(maya.refunds).toEqual({
      count: 1,
      amounts: [{ currency: "gbp", amountMinor: 4_500, count: 1 }],
    });
    expect(maya.funnel.reachedReview).toBeNull();
  });
});
