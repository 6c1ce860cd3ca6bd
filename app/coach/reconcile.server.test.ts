/**
 * Reconciliation against a real SQLite file and the in-process Stripe emulator, through the real
 * SDK. Each kind of disagreement is made the way it happens (a webhook that never came, so fulfil
 * never ran; a price that changed under a hold; a booking that says confirmed with no payment
 * behind it; a refund made in Stripe's dashboard and never reported), found, repaired, and checked
 * again: what repair can settle is gone, and what it cannot (a confirmed booking Stripe has no
 * payment for, an amount Stripe took that is not the price) stays, saying what to do by hand. The
 * period is moved with the emulator's clock control, and lists longer than a page are walked.
 */
import { DateTime } from "luxon";
import { beforeEach, describe, expect, it } from "vitest";
import { startCheckout } from "~/payments/checkout.server";
import { fulfil } from "~/payments/fulfil.server";
import {
  APP_URL,
  bookingRow,
  completeDraftFor,
  eventsOf,
  forceStatus,
  offerOf,
  rows,
  sessionIdOf,
  withDomainWorld,
} from "../../tests/support/domain";
import {
  describeReport,
  describeRepair,
  readPeriod,
  reconcile,
  repair,
  type Finding,
  type Period,
} from "./reconcile.server";

const world = withDomainWorld();
const ZONE = "Europe/London";
const DAY_SECONDS = 86_400;

beforeEach(() => {
  // One emulator serves the whole file: each test starts with a Stripe account of its own.
  world.emulator.ledger.reset();
});

/** The default period: the 30 days up to today. */
const lastThirtyDays = (): Period => {
  const read = readPeriod({}, { zone: ZONE, now: new Date() });
  if (!read.ok) throw new Error("the default period is valid");
  return read.period;
};

/** The one day (in the practice's zone) holding the instant `seconds` away from now. */
function dayOf(seconds: number): Period {
  const date = DateTime.now().plus({ seconds }).setZone(ZONE).toISODate()!;
  const read = readPeriod({ from: date, to: date }, { zone: ZONE, now: new Date() });
  if (!read.ok) throw new Error(`${date} is a valid period`);
  return read.period;
}

const check = (period = lastThirtyDays(), options: { pageSize?: number } = {}) =>
  reconcile(world.db, world.stripe, period, options);

const fix = (finding: Finding) => repair(world.db, world.stripe, finding, { appUrl: APP_URL });

/** Pay pressed on a complete draft of a coaching session (£45): a held booking, an open session. */
async function heldAtStripe() {
  const { db, stripe } = world;
  const draft = completeDraftFor(db, offerOf(db, "coaching-session"));
  const { redirectTo } = await startCheckout(db, stripe, draft.id, { appUrl: APP_URL });
  const sessionId = sessionIdOf(redirectTo);
  const [booking] = rows<{ id: string }>(
    db,
    "select id from bookings where checkout_session_id = ?",
    sessionId,
  );
  return { sessionId, bookingId: booking!.id };
}

/** The client pays on Stripe's page; no webhook reaches Kairos (the domain world sends none). */
const pay = (sessionId: string) =>
  world.emulator.ledger.completeCheckoutSession(sessionId, "paid").payment_intent!;

/** Paid and settled as the webhook would: a confirmed booking with its payment stored. */
async function confirmedBooking() {
  const held = await heldAtStripe();
  const paymentIntentId = pay(held.sessionId);
  const settled = await fulfil(world.db, world.stripe, held.sessionId, {
    actor: "stripe",
    appUrl: APP_URL,
  });
  expect(settled.outcome).toBe("confirmed");
  return { ...held, paymentIntentId };
}

/** A refund made in Stripe's dashboard: Kairos hears nothing of it here. */
const refundInDashboard = (paymentIntentId: string, amountMinor?: number) =>
  world.emulator.ledger.createRefund({
    payment_intent: paymentIntentId,
    ...(amountMinor === undefined ? {} : { amount: String(amountMinor) }),
  });

const recordedRefunds = (bookingId: string) =>
  rows<{ id: string; amount_minor: number; currency: string; source: string }>(
    world.db,
    "select id, amount_minor, currency, source from refunds where booking_id = ? order by created_at, id",
    bookingId,
  );

const GBP = (amountMinor: number) => ({ amountMinor, currency: "gbp" });

describe("when everything agrees", () => {
  it("finds nothing, and says what it checked", async () => {
    await confirmedBooking();
    await heldAtStripe(); // still at Stripe's page: not paid, nothing to say
    const expired = await heldAtStripe();
    await world.stripe.checkout.sessions.expire(expired.sessionId);

    const report = await check();

    expect(report.findings).toEqual([]);
    expect(report.checked).toEqual({
      sessions: 3,
      paidSessions: 1,
      bookings: 1,
      refunds: 0,
      notKairos: { sessions: 0, refunds: 0 },
    });
    expect(describeReport(report, lastThirtyDays()).at(-1)).toBe(
      "Stripe and the bookings agree for this period.",
    );
  });
});

describe("a paid session whose webhook never came", () => {
  it("is found, and repair confirms its booking as fulfil would; then all agrees", async () => {
    const held = await heldAtStripe();
    const paymentIntentId = pay(held.sessionId);

    const report = await check();

    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: "paid_without_booking",
        id: held.sessionId,
        sessionId: held.sessionId,
        bookingId: held.bookingId,
        bookingStatus: "held",
        paid: GBP(4500),
        repairable: true,
        summary: `£45 was paid through Checkout Session ${held.sessionId}, but booking ${held.bookingId} is held.`,
      }),
    ]);

    const repaired = await fix(report.findings[0]!);

    expect(repaired).toEqual({
      outcome: "confirmed",
      bookingId: held.bookingId,
      message: describeRepair("confirmed"),
    });
    expect(bookingRow(world.db, held.bookingId)).toMatchObject({
      status: "confirmed",
      checkout_session_id: held.sessionId,
      payment_intent_id: paymentIntentId,
    });
    expect(eventsOf(world.db, held.bookingId).at(-1)).toMatchObject({
      from_status: "held",
      to_status: "confirmed",
      actor: "coach",
    });
    expect((await check()).findings).toEqual([]);
    // Repairing again is harmless: fulfil's repeat changes nothing.
    expect((await fix(report.findings[0]!)).outcome).toBe("unchanged");
    expect(
      eventsOf(world.db, held.bookingId).filter((e) => e.to_status === "confirmed"),
    ).toHaveLength(1);
  });

  it("of a booking Kairos does not have: found, and repair cannot invent one", async () => {
    const session = await world.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: { currency: "gbp", unit_amount: 4500, product_data: { name: "Session" } },
        },
      ],
      customer_email: "lost@example.com",
      client_reference_id: "bk_restored_away",
      metadata: { booking_id: "bk_restored_away" },
      success_url: `${APP_URL}/book/return`,
    });
    pay(session.id);

    const [finding, ...rest] = (await check()).findings;

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      kind: "paid_without_booking",
      id: session.id,
      bookingId: null,
      repairable: false,
    });
    expect(finding!.advice).toMatch(/refund the payment in Stripe’s dashboard/);
    expect(await fix(finding!)).toMatchObject({ outcome: "unchanged", bookingId: null });
    expect((await check()).findings).toHaveLength(1);
  });
});

describe("an amount Stripe took that is not the booking's price", () => {
  it("is found (not as unconfirmed), flagged by repair, and agrees once refunded in Stripe", async () => {
    const held = await heldAtStripe();
    // The price changes under the hold: Stripe charges the session's £45, the booking says £50.
    world.db.$client
      .prepare("update bookings set price_minor = 5000 where id = ?")
      .run(held.bookingId);
    const paymentIntentId = pay(held.sessionId);

    const [found, ...others] = (await check()).findings;

    expect(others).toEqual([]);
    expect(found).toMatchObject({
      kind: "amount_mismatch",
      id: held.sessionId,
      bookingId: held.bookingId,
      paid: GBP(4500),
      booked: GBP(5000),
      flagged: false,
      repairable: true,
      summary: `Stripe took £45 through Checkout Session ${held.sessionId} for booking ${held.bookingId}, which costs £50.`,
    });

    expect(await fix(found!)).toMatchObject({ outcome: "flagged", bookingId: held.bookingId });
    const flagged = bookingRow(world.db, held.bookingId)!;
    expect(flagged.status).toBe("held");
    expect(flagged.needs_attention).toMatch(/4500 gbp paid for a booking of 5000 gbp/);

    // Repair cannot make the amounts agree: the finding stays, flagged, saying what to do.
    const [still, ...none] = (await check()).findings;
    expect(none).toEqual([]);
    expect(still).toMatchObject({ kind: "amount_mismatch", flagged: true, repairable: false });
    expect(still!.advice).toMatch(/Refund the payment in Stripe’s dashboard/);
    expect((await fix(still!)).outcome).toBe("unchanged");

    // The owner refunds it in Stripe's dashboard: that refund is found, and recording it settles all.
    const refund = refundInDashboard(paymentIntentId);
    const afterRefund = (await check()).findings;
    expect(afterRefund.map((f) => [f.kind, f.id])).toEqual([
      ["amount_mismatch", held.sessionId],
      ["refund_not_recorded", refund.id],
    ]);
    expect(await fix(afterRefund[1]!)).toMatchObject({
      outcome: "refunded",
      bookingId: held.bookingId,
    });
    expect(bookingRow(world.db, held.bookingId)!.status).toBe("refunded");
    expect((await check()).findings).toEqual([]);
  });
});

describe("a booking confirmed without a payment in Stripe", () => {
  /** A held booking put in `confirmed` by hand (as a bug or a restore might), its session as given. */
  async function confirmedByHand(sessionId: (held: { sessionId: string }) => string | null) {
    const held = await heldAtStripe();
    forceStatus(world.db, held.bookingId, "confirmed");
    world.db.$client
      .prepare("update bookings set checkout_session_id = ? where id = ?")
      .run(sessionId(held), held.bookingId);
    return held;
  }

  it("is found whatever Stripe says of its session; repair cannot undo it, so it stays", async () => {
    const expired = await confirmedByHand((held) => held.sessionId);
    await world.stripe.checkout.sessions.expire(expired.sessionId);
    const open = await confirmedByHand((held) => held.sessionId);
    const unknown = await confirmedByHand(() => "cs_test_never_made");
    const missing = await confirmedByHand(() => null);

    const report = await check();

    const found = report.findings.map((f) =>
      f.kind === "booking_without_payment"
        ? { id: f.id, stripeSays: f.stripeSays, booked: f.booked, repairable: f.repairable }
        : f.kind,
    );
    expect(found).toEqual([
      { id: expired.bookingId, stripeSays: "expired", booked: GBP(4500), repairable: false },
      { id: open.bookingId, stripeSays: "open", booked: GBP(4500), repairable: false },
      {
        id: unknown.bookingId,
        stripeSays: "unknown_session",
        booked: GBP(4500),
        repairable: false,
      },
      { id: missing.bookingId, stripeSays: "no_session", booked: GBP(4500), repairable: false },
    ]);
    expect(report.findings[0]!.summary).toBe(
      `Booking ${expired.bookingId} is confirmed at £45, but Stripe says its Checkout Session ${expired.sessionId} expired unpaid.`,
    );
    expect(report.findings[0]!.advice).toMatch(/ask the client to pay, or cancel the booking/);

    // fulfil runs and the lifecycle refuses to take a confirmed booking back: nothing changes.
    for (const finding of report.findings)
      expect(await fix(finding)).toMatchObject({ outcome: "unchanged", bookingId: finding.id });
    for (const held of [expired, open, unknown, missing])
      expect(bookingRow(world.db, held.bookingId)!.status).toBe("confirmed");
    expect((await check()).findings.map((f) => f.id)).toEqual(report.findings.map((f) => f.id));
  });

  it("is not found when its paid session is older than the period (it is asked for by id)", async () => {
    world.emulator.ledger.setCreatedOffset(-40 * DAY_SECONDS);
    const paidLongAgo = await confirmedBooking();
    const unpaidLongAgo = await heldAtStripe();
    world.emulator.ledger.setCreatedOffset(0);
    forceStatus(world.db, unpaidLongAgo.bookingId, "confirmed");

    const report = await check();

    expect(report.checked).toMatchObject({ sessions: 0, bookings: 2 });
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: "booking_without_payment",
        id: unpaidLongAgo.bookingId,
        stripeSays: "open",
      }),
    ]);
    expect(report.findings.map((f) => f.bookingId)).not.toContain(paidLongAgo.bookingId);
  });
});

describe("a refund made in Stripe's dashboard and never reported", () => {
  it("is found; repair records it, partial then full, and the booking ends refunded", async () => {
    const { bookingId, paymentIntentId } = await confirmedBooking();
    const part = refundInDashboard(paymentIntentId, 1500);

    const report = await check();

    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: "refund_not_recorded",
        id: part.id,
        refundId: part.id,
        chargeId: part.charge,
        bookingId,
        bookingStatus: "confirmed",
        refunded: GBP(1500),
        refundStatus: "succeeded",
        repairable: true,
      }),
    ]);
    expect(report.checked.refunds).toBe(1);

    expect(await fix(report.findings[0]!)).toMatchObject({ outcome: "refund_recorded", bookingId });
    expect(recordedRefunds(bookingId)).toEqual([
      { id: part.id, amount_minor: 1500, currency: "gbp", source: "stripe" },
    ]);
    expect(bookingRow(world.db, bookingId)!.status).toBe("confirmed");
    expect((await check()).findings).toEqual([]);

    const rest = refundInDashboard(paymentIntentId);
    const [restFound, ...none] = (await check()).findings;
    expect(none).toEqual([]);
    expect(restFound).toMatchObject({
      kind: "refund_not_recorded",
      id: rest.id,
      refunded: GBP(3000),
    });
    expect(await fix(restFound!)).toMatchObject({ outcome: "refunded", bookingId });
    expect(bookingRow(world.db, bookingId)!.status).toBe("refunded");
    expect(
      recordedRefunds(bookingId)
        .map((r) => r.id)
        .sort(),
    ).toEqual([part.id, rest.id].sort());
    expect((await check()).findings).toEqual([]);
  });

  it("of a payment the booking never recorded: found by the booking id in Stripe's metadata, recorded once the session is repaired", async () => {
    const held = await heldAtStripe();
    const paymentIntentId = pay(held.sessionId);
    const refund = refundInDashboard(paymentIntentId);

    const first = await check();

    expect(first.findings.map((f) => [f.kind, f.id, f.repairable])).toEqual([
      ["paid_without_booking", held.sessionId, true],
      ["refund_not_recorded", refund.id, false],
    ]);
    expect(first.findings[1]!.advice).toMatch(/repair its Checkout Session first/);
    expect(await fix(first.findings[1]!)).toMatchObject({ outcome: "unchanged" });

    expect((await fix(first.findings[0]!)).outcome).toBe("confirmed");
    const [refundFinding, ...none] = (await check()).findings;
    expect(none).toEqual([]);
    expect(refundFinding).toMatchObject({ kind: "refund_not_recorded", repairable: true });
    expect((await fix(refundFinding!)).outcome).toBe("refunded");
    expect(bookingRow(world.db, held.bookingId)!.status).toBe("refunded");
    expect((await check()).findings).toEqual([]);
  });

  it("of a sale that is not Kairos's: counted, not judged", async () => {
    const session = await world.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: { currency: "gbp", unit_amount: 1200, product_data: { name: "A book" } },
        },
      ],
      customer_email: "reader@example.com",
      success_url: "https://shop.example.com/thanks",
    });
    refundInDashboard(pay(session.id));

    const report = await check();

    expect(report.findings).toEqual([]);
    expect(report.checked).toMatchObject({
      sessions: 1,
      paidSessions: 0,
      refunds: 1,
      notKairos: { sessions: 1, refunds: 1 },
    });
  });
});

describe("the period", () => {
  it("holds only what Stripe created in it", async () => {
    world.emulator.ledger.setCreatedOffset(-40 * DAY_SECONDS);
    const old = await heldAtStripe();
    const oldPayment = pay(old.sessionId);
    world.emulator.ledger.setCreatedOffset(-38 * DAY_SECONDS);
    const oldRefund = refundInDashboard(oldPayment, 500);
    world.emulator.ledger.setCreatedOffset(0);
    const recent = await heldAtStripe();
    pay(recent.sessionId);

    const thisMonth = await check();
    const fortyDaysAgo = await check(dayOf(-40 * DAY_SECONDS));
    const thirtyEightDaysAgo = await check(dayOf(-38 * DAY_SECONDS));

    expect(thisMonth.findings.map((f) => f.id)).toEqual([recent.sessionId]);
    expect(thisMonth.checked).toMatchObject({ sessions: 1, refunds: 0 });
    expect(fortyDaysAgo.findings.map((f) => f.id)).toEqual([old.sessionId]);
    expect(fortyDaysAgo.checked).toMatchObject({ sessions: 1, refunds: 0 });
    // Its booking has not recorded the payment: the refund is known by its metadata's booking id.
    expect(thirtyEightDaysAgo.findings.map((f) => [f.kind, f.id])).toEqual([
      ["refund_not_recorded", oldRefund.id],
    ]);
    expect(thirtyEightDaysAgo.checked).toMatchObject({ sessions: 0, refunds: 1 });
  });

  it("is read as days in the practice's zone, both included, 30 days by default", () => {
    const now = new Date("2026-10-30T12:00:00Z");
    expect(readPeriod({}, { zone: ZONE, now })).toEqual({
      ok: true,
      period: {
        from: new Date("2026-09-30T23:00:00Z"),
        // The clocks went back on the 25th: the period ends at midnight GMT.
        to: new Date("2026-10-31T00:00:00Z"),
        fromDay: "2026-10-01",
        toDay: "2026-10-30",
        zone: ZONE,
      },
    });
    // Across the clock change at the end of October, each end is its own day's midnight.
    expect(readPeriod({ from: "2026-10-20", to: "2026-10-25" }, { zone: ZONE, now })).toMatchObject(
      {
        period: { from: new Date("2026-10-19T23:00:00Z"), to: new Date("2026-10-26T00:00:00Z") },
      },
    );
    expect(readPeriod({ from: "", to: " 2026-10-10 " }, { zone: ZONE, now })).toMatchObject({
      period: { fromDay: "2026-09-11", toDay: "2026-10-10" },
    });
  });

  it("refuses dates that are not dates, backwards periods and periods over a year", () => {
    const now = new Date("2026-10-30T12:00:00Z");
    const read = (from: string, to: string) => readPeriod({ from, to }, { zone: ZONE, now });
    expect(read("30/10/2026", "")).toEqual({
      ok: false,
      errors: { from: ["Enter a date like 2027-03-15."] },
    });
    expect(read("2026-10-01", "2026-02-30")).toEqual({
      ok: false,
      errors: { to: ["That date does not exist."] },
    });
    expect(read("2026-10-10", "2026-10-09")).toEqual({
      ok: false,
      errors: { to: ["The end date must not be before the start date."] },
    });
    expect(read("2025-09-30", "2026-10-01")).toEqual({
      ok: false,
      errors: { from: ["Choose at most 366 days at a time."] },
    });
    expect(read("2025-10-01", "2026-10-01").ok).toBe(true);
  });
});

describe("lists longer than a page", () => {
  it("walks every page of sessions and refunds", async () => {
    const lost = [];
    for (let i = 0; i < 26; i++) {
      const held = await heldAtStripe();
      pay(held.sessionId);
      lost.push(held.sessionId);
    }
    const { bookingId, paymentIntentId } = await confirmedBooking();
    const refunds = Array.from({ length: 12 }, () => refundInDashboard(paymentIntentId, 100).id);

    const report = await check(lastThirtyDays(), { pageSize: 10 });

    expect(report.checked).toMatchObject({ sessions: 27, paidSessions: 27, refunds: 12 });
    const ids = (kind: string) =>
      report.findings
        .filter((f) => f.kind === kind)
        .map((f) => f.id)
        .sort();
    expect(ids("paid_without_booking")).toEqual([...lost].sort());
    expect(ids("refund_not_recorded")).toEqual([...refunds].sort());

    for (const finding of report.findings.filter((f) => f.kind === "paid_without_booking"))
      expect((await fix(finding)).outcome).toBe("confirmed");
    // Recording one refund of a charge records all of them.
    const firstRefund = report.findings.find((f) => f.kind === "refund_not_recorded")!;
    expect((await fix(firstRefund)).outcome).toBe("refund_recorded");
    expect(recordedRefunds(bookingId)).toHaveLength(12);
    expect((await check(lastThirtyDays(), { pageSize: 10 })).findings).toEqual([]);
  });
});
