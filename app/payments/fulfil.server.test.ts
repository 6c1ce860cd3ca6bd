/**
 * `fulfil` and `recordStripeRefund`, called directly against a real SQLite file and the in-process
 * Stripe emulator through the real SDK (which sends no webhooks: each test decides when fulfil
 * runs). Every held booking comes from `startCheckout` on a complete draft, so it has a real
 * Checkout Session. For each thing Stripe can say about a session (paid, still open, expired, a
 * delayed payment processing, settling or failing, a different amount, paid after the slot went
 * to someone else, a session of no booking) the final state of the booking, its audit rows, its
 * emails, its draft and Stripe's own records is checked, and checked again after fulfil runs
 * again and concurrently: a repeat never confirms, emails or refunds twice. `onCommit` runs in
 * the transaction that applies the outcome, and rolls it back when it throws.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as lifecycle from "~/booking/lifecycle.server";
import { findBooking } from "~/booking/queries.server";
import { SlotTakenError } from "~/wizard/draft-booking.server";
import { stripeEvents } from "~db/schema";
import {
  APP_URL,
  bookingRow,
  completeDraftFor,
  draftRow,
  eventsOf,
  freeStarts,
  manageTokenCount,
  newBooking,
  offerOf,
  outboxOf,
  rows,
  sessionIdOf,
  withDomainWorld,
} from "../../tests/support/domain";
import type { CompletionOutcome } from "../../stripe-emulator/ledger";
import { startCheckout } from "./checkout.server";
import { fulfil, recordStripeRefund, type FulfilOptions } from "./fulfil.server";
import { findDraftByResumeToken } from "~/wizard/drafts.server";

const world = withDomainWorld();

/** The test world's `asyncPaymentDelayMs`. */
const TEST_WORLD_SETTLE_MS = 50;
/** How long a delayed payment takes in the tests that must see it processing first. */
const SLOW_SETTLE_MS = 1_000;

afterEach(() => world.emulator.ledger.setAsyncPaymentDelay(TEST_WORLD_SETTLE_MS));

/** Pay pressed on a complete draft of a coaching session: a held booking with an open session. */
async function heldAtStripe() {
  const { db, stripe } = world;
  const offer = offerOf(db, "coaching-session");
  const draft = completeDraftFor(db, offer);
  const { redirectTo } = await startCheckout(db, stripe, draft.id, { appUrl: APP_URL });
  const sessionId = sessionIdOf(redirectTo);
  const [booking] = rows<{ id: string; client_email: string; price_minor: number }>(
    db,
    "select id, client_email, price_minor from bookings where checkout_session_id = ?",
    sessionId,
  );
  return {
    offer,
    sessionId,
    bookingId: booking!.id,
    draftId: draft.id,
    startAt: draft.startAt!,
    clientEmail: booking!.client_email,
    priceMinor: booking!.price_minor,
  };
}

const settle = (sessionId: string, options: Partial<FulfilOptions> = {}) =>
  fulfil(world.db, world.stripe, sessionId, { actor: "stripe", appUrl: APP_URL, ...options });

/** The payer finishes on the hosted page. */
const pay = (sessionId: string, outcome: CompletionOutcome = "paid") =>
  world.emulator.ledger.completeCheckoutSession(sessionId, outcome);

/**
 * The payer finishes with a delayed method. Its settlement is slowed for this one session, so
 * that the first fulfil reliably reads it still processing; `settlementOf` waits for it.
 */
function payWithDelayedMethod(sessionId: string, outcome: "delayed_success" | "delayed_failure") {
  const { ledger } = world.emulator;
  ledger.setAsyncPaymentDelay(SLOW_SETTLE_MS);
  try {
    ledger.completeCheckoutSession(sessionId, outcome);
  } finally {
    ledger.setAsyncPaymentDelay(TEST_WORLD_SETTLE_MS);
  }
}

type EmulatedPaymentIntent = { id: string; status: string; latest_charge: string | null };

/** The session's PaymentIntent as the emulator holds it. */
function paymentIntentOf(sessionId: string): EmulatedPaymentIntent {
  const session = world.emulator.ledger.retrieveCheckoutSession(sessionId, ["payment_intent"]);
  const paymentIntent = session.payment_intent as EmulatedPaymentIntent | null;
  if (!paymentIntent) throw new Error(`session ${sessionId} has no payment yet`);
  return paymentIntent;
}

/** Waits (polling, with a deadline) until the session's delayed payment has settled either way. */
async function settlementOf(sessionId: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (paymentIntentOf(sessionId).status === "processing") {
    if (Date.now() > deadline) throw new Error(`payment of ${sessionId} never settled`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return paymentIntentOf(sessionId).status;
}

/** The refunds Stripe made of a PaymentIntent's charge (one `charge.refunded` event each). */
const refundsOf = (paymentIntentId: string) =>
  world.emulator.ledger.events.filter(
    (event) =>
      event.type === "charge.refunded" &&
      (event.data.object as { payment_intent?: string }).payment_intent === paymentIntentId,
  );

/** Every row fulfil may write, to show that nothing changed. */
const everything = () => ({
  bookings: rows(world.db, "select * from bookings order by id"),
  events: rows(world.db, "select * from booking_events order by id"),
  emails: rows(world.db, "select * from email_outbox order by id"),
  drafts: rows(world.db, "select * from booking_drafts order by id"),
  stripeEvents: rows(world.db, "select * from stripe_events order by id"),
});

const CONFIRMATION_EMAILS = (clientEmail: string) => [
  `booking_confirmed to ${clientEmail}`,
  "coach_new_booking to maya@example.com",
];

/** Confirms a free intro call with the same coach at `startAt`: someone else takes the time. */
function anotherClientBooks(startAt: Date) {
  return lifecycle.confirmFree(
    world.db,
    newBooking(world.db, offerOf(world.db, "intro-call"), startAt),
    {
      actor: "client",
      at: new Date(),
      reason: "free session",
      appUrl: APP_URL,
    },
  );
}

/** The hold's time ran out a minute ago, and nobody has swept it yet. */
function lapseHold(bookingId: string) {
  world.db.$client
    .prepare("update bookings set hold_expires_at = ? where id = ?")
    .run(Date.now() - 60_000, bookingId);
}

const isOffered = (held: Awaited<ReturnType<typeof heldAtStripe>>) =>
  freeStarts(world.db, held.offer).some((start) => start.getTime() === held.startAt.getTime());

describe("a paid session", () => {
  it("confirms the booking: payment stored, audit row, both emails, draft completed, manage token", async () => {
    const held = await heldAtStripe();
    const paid = pay(held.sessionId);

    const result = await settle(held.sessionId, { actor: "client" });

    expect(result).toMatchObject({ outcome: "confirmed", bookingId: held.bookingId });
    expect(result.session.id).toBe(held.sessionId);
    const booking = bookingRow(world.db, held.bookingId)!;
    expect(booking).toMatchObject({
      status: "confirmed",
      status_reason: "payment received",
      checkout_session_id: held.sessionId,
      payment_intent_id: paid.payment_intent,
      hold_expires_at: null,
      needs_attention: null,
    });
    expect(paid.payment_intent).toMatch(/^pi_/);
    expect(eventsOf(world.db, held.bookingId)).toEqual([
      { from_status: null, to_status: "held", actor: "client", reason: "checkout started" },
      { from_status: "held", to_status: "confirmed", actor: "client", reason: "payment received" },
    ]);
    expect(outboxOf(world.db, held.bookingId)).toEqual(CONFIRMATION_EMAILS(held.clientEmail));
    expect(draftRow(world.db, held.draftId)!.status).toBe("completed");
    expect(manageTokenCount(world.db, held.bookingId)).toBe(1);
  });

  it("records the actor it is given", async () => {
    const held = await heldAtStripe();
    pay(held.sessionId);
    await settle(held.sessionId, { actor: "system" });
    expect(eventsOf(world.db, held.bookingId).at(-1)).toMatchObject({
      to_status: "confirmed",
      actor: "system",
    });
  });

  it("run again: already_confirmed, with no second confirmation, email or link", async () => {
    const held = await heldAtStripe();
    pay(held.sessionId);
    await settle(held.sessionId);
    const after = everything();

    const again = await settle(held.sessionId);

    expect(again).toMatchObject({ outcome: "already_confirmed", bookingId: held.bookingId });
    expect(everything()).toEqual(after);
    expect(manageTokenCount(world.db, held.bookingId)).toBe(1);
  });

  it("run five times at once: one confirmation, one pair of emails, one manage link", async () => {
    const held = await heldAtStripe();
    pay(held.sessionId);

    const results = await Promise.all([1, 2, 3, 4, 5].map(() => settle(held.sessionId)));

    expect(results.map((r) => r.outcome).sort()).toEqual([
      "already_confirmed",
      "already_confirmed",
      "already_confirmed",
      "already_confirmed",
      "confirmed",
    ]);
    expect(bookingRow(world.db, held.bookingId)!.status).toBe("confirmed");
    expect(manageTokenCount(world.db, held.bookingId)).toBe(1);
    expect(
      eventsOf(world.db, held.bookingId).filter((e) => e.to_status === "confirmed"),
    ).toHaveLength(1);
    expect(outboxOf(world.db, held.bookingId)).toEqual(CONFIRMATION_EMAILS(held.clientEmail));
    expect(draftRow(world.db, held.draftId)!.status).toBe("completed");
  });
});

describe("an unpaid session", () => {
  it("still open: not_paid, and nothing changes", async () => {
    const held = await heldAtStripe();
    const before = everything();

    const result = await settle(held.sessionId);

    expect(result).toMatchObject({ outcome: "not_paid", bookingId: held.bookingId });
    expect(everything()).toEqual(before);
    expect(bookingRow(world.db, held.bookingId)!.status).toBe("held");
  });

  it("expired: the booking expires and the draft reopens with its time; a repeat adds nothing", async () => {
    const held = await heldAtStripe();
    world.emulator.ledger.expireCheckoutSession(held.sessionId);

    const result = await settle(held.sessionId);

    expect(result).toMatchObject({ outcome: "expired", bookingId: held.bookingId });
    expect(bookingRow(world.db, held.bookingId)).toMatchObject({
      status: "expired",
      status_reason: "checkout expired",
      hold_expires_at: null,
      payment_intent_id: null,
    });
    expect(eventsOf(world.db, held.bookingId).slice(1)).toEqual([
      { from_status: "held", to_status: "expired", actor: "stripe", reason: "checkout expired" },
    ]);
    expect(outboxOf(world.db, held.bookingId)).toEqual([]);
    expect(draftRow(world.db, held.draftId)).toEqual({
      status: "editing",
      start_at: held.startAt.getTime(),
      checkout_session_id: null,
    });
    // The time is free again.
    expect(isOffered(held)).toBe(true);

    const after = everything();
    expect((await settle(held.sessionId)).outcome).toBe("expired");
    expect(everything()).toEqual(after);
  });
});

describe("a delayed payment", () => {
  it("processing keeps the slot taken; once it succeeds, the booking is confirmed", async () => {
    const held = await heldAtStripe();
    payWithDelayedMethod(held.sessionId, "delayed_success");

    const first = await settle(held.sessionId);

    expect(first).toMatchObject({ outcome: "processing", bookingId: held.bookingId });
    const paymentIntentId = paymentIntentOf(held.sessionId).id;
    expect(bookingRow(world.db, held.bookingId)).toMatchObject({
      status: "processing",
      status_reason: "payment processing",
      payment_intent_id: paymentIntentId,
      hold_expires_at: null,
    });
    expect(eventsOf(world.db, held.bookingId).slice(1)).toEqual([
      {
        from_status: "held",
        to_status: "processing",
        actor: "stripe",
        reason: "payment processing",
      },
    ]);
    expect(outboxOf(world.db, held.bookingId)).toEqual([
      `payment_processing to ${held.clientEmail}`,
    ]);
    expect(draftRow(world.db, held.draftId)!.status).toBe("checkout");
    // Nobody else can have the time while the money is on its way.
    expect(isOffered(held)).toBe(false);
    expect(anotherClientBooks(held.startAt)).toEqual({ ok: false, refused: "slot_taken" });
    const rival = completeDraftFor(world.db, held.offer, held.startAt);
    await expect(
      startCheckout(world.db, world.stripe, rival.id, { appUrl: APP_URL }),
    ).rejects.toThrow(SlotTakenError);

    expect(await settlementOf(held.sessionId)).toBe("succeeded");
    const settled = await settle(held.sessionId);

    expect(settled).toMatchObject({ outcome: "confirmed", bookingId: held.bookingId });
    expect(bookingRow(world.db, held.bookingId)).toMatchObject({
      status: "confirmed",
      payment_intent_id: paymentIntentId,
    });
    expect(manageTokenCount(world.db, held.bookingId)).toBe(1);
    expect(eventsOf(world.db, held.bookingId).slice(2)).toEqual([
      {
        from_status: "processing",
        to_status: "confirmed",
        actor: "stripe",
        reason: "payment received",
      },
    ]);
    expect(outboxOf(world.db, held.bookingId)).toEqual([
      `payment_processing to ${held.clientEmail}`,
      ...CONFIRMATION_EMAILS(held.clientEmail),
    ]);
    expect(draftRow(world.db, held.draftId)!.status).toBe("completed");
  });

  it("fails: payment_failed, an email that reopens the draft anywhere, the slot free again", async () => {
    const held = await heldAtStripe();
    payWithDelayedMethod(held.sessionId, "delayed_failure");
    expect((await settle(held.sessionId)).outcome).toBe("processing");
    expect(isOffered(held)).toBe(false);

    expect(await settlementOf(held.sessionId)).toBe("requires_payment_method");
    const result = await settle(held.sessionId);

    expect(result).toMatchObject({ outcome: "payment_failed", bookingId: held.bookingId });
    expect(bookingRow(world.db, held.bookingId)).toMatchObject({
      status: "payment_failed",
      status_reason: "delayed payment failed",
      payment_intent_id: paymentIntentOf(held.sessionId).id,
    });
    expect(eventsOf(world.db, held.bookingId).slice(1)).toEqual([
      {
        from_status: "held",
        to_status: "processing",
        actor: "stripe",
        reason: "payment processing",
      },
      {
        from_status: "processing",
        to_status: "payment_failed",
        actor: "stripe",
        reason: "delayed payment failed",
      },
    ]);
    expect(outboxOf(world.db, held.bookingId)).toEqual([
      `payment_processing to ${held.clientEmail}`,
      `payment_failed to ${held.clientEmail}`,
    ]);
    expect(draftRow(world.db, held.draftId)).toEqual({
      status: "editing",
      start_at: held.startAt.getTime(),
      checkout_session_id: null,
    });
    expect(isOffered(held)).toBe(true);
    const [failed] = rows<{ text_body: string }>(
      world.db,
      "select text_body from email_outbox where booking_id = ? and kind = 'payment_failed'",
      held.bookingId,
    );
    const resumeToken = failed!.text_body.match(/\/book\/resume\/([\w-]{43})/)?.[1];
    expect(findDraftByResumeToken(world.db, resumeToken!, new Date())?.id).toBe(held.draftId);

    // Told once.
    const after = everything();
    expect((await settle(held.sessionId)).outcome).toBe("payment_failed");
    expect(everything()).toEqual(after);
  });
});

describe("Stripe took a different amount", () => {
  it("does not confirm: the booking is flagged once for the coach and its hold dropped", async () => {
    const held = await heldAtStripe();
    // The booking's price no longer matches what the session charges.
    world.db.$client
      .prepare("update bookings set price_minor = 1 where id = ?")
      .run(held.bookingId);
    const paid = pay(held.sessionId);

    const result = await settle(held.sessionId);

    expect(result).toMatchObject({ outcome: "amount_mismatch", bookingId: held.bookingId });
    expect(manageTokenCount(world.db, held.bookingId)).toBe(0);
    const booking = bookingRow(world.db, held.bookingId)!;
    expect(booking).toMatchObject({
      status: "held",
      hold_expires_at: null,
      payment_intent_id: paid.payment_intent,
    });
    expect(booking.needs_attention).toBe(
      `Stripe reported ${held.priceMinor} gbp paid for a booking of 1 gbp (session ${held.sessionId}); not confirmed, check and refund by hand.`,
    );
    expect(eventsOf(world.db, held.bookingId).slice(1)).toEqual([
      { from_status: "held", to_status: "held", actor: "stripe", reason: booking.needs_attention },
    ]);
    expect(outboxOf(world.db, held.bookingId)).toEqual([]);
    expect(draftRow(world.db, held.draftId)!.status).not.toBe("completed");
    // Nothing was given back automatically: the coach decides.
    expect(refundsOf(paid.payment_intent!)).toEqual([]);

    const after = everything();
    expect((await settle(held.sessionId)).outcome).toBe("amount_mismatch");
    expect(everything()).toEqual(after);
  });
});

describe("paid after the hold lapsed", () => {
  it("nobody took the time: confirmed, nothing refunded", async () => {
    const held = await heldAtStripe();
    lapseHold(held.bookingId);
    const paid = pay(held.sessionId);

    expect((await settle(held.sessionId)).outcome).toBe("confirmed");

    expect(bookingRow(world.db, held.bookingId)!.status).toBe("confirmed");
    expect(outboxOf(world.db, held.bookingId)).toEqual(CONFIRMATION_EMAILS(held.clientEmail));
    expect(refundsOf(paid.payment_intent!)).toEqual([]);
  });
});

describe("paid after the slot went to someone else", () => {
  const setups = {
    "the lapsed hold not yet swept": (bookingId: string) => lapseHold(bookingId),
    "the lapsed hold already expired": (bookingId: string) => {
      lapseHold(bookingId);
      const expired = lifecycle.expire(world.db, bookingId, {
        actor: "system",
        at: new Date(),
        reason: "hold lapsed",
      });
      if (!expired.ok) throw new Error(`could not expire: ${expired.refused}`);
    },
  };

  it.each(Object.entries(setups))(
    "%s: refunded once in Stripe, however often fulfil runs; apology once; draft loses its time",
    async (_, lapse) => {
      const held = await heldAtStripe();
      lapse(held.bookingId);
      const other = anotherClientBooks(held.startAt);
      expect(other.ok).toBe(true);
      const statusBefore = bookingRow(world.db, held.bookingId)!.status;
      const paid = pay(held.sessionId);
      const paymentIntentId = paid.payment_intent!;

      const concurrent = await Promise.all([1, 2, 3].map(() => settle(held.sessionId)));
      const later = await settle(held.sessionId);

      expect([...concurrent, later].map((r) => r.outcome)).toEqual([
        "refunded",
        "refunded",
        "refunded",
        "refunded",
      ]);
      expect(manageTokenCount(world.db, held.bookingId)).toBe(0);
      // Stripe: one full refund of the one charge.
      expect(refundsOf(paymentIntentId)).toHaveLength(1);
      const charge = world.emulator.ledger.retrieveCharge(
        paymentIntentOf(held.sessionId).latest_charge!,
      );
      expect(charge).toMatchObject({ refunded: true, amount_refunded: held.priceMinor });
      // The booking: refunded, saying why, never confirmed.
      expect(bookingRow(world.db, held.bookingId)).toMatchObject({
        status: "refunded",
        status_reason: "slot_conflict",
        payment_intent_id: paymentIntentId,
        checkout_session_id: held.sessionId,
      });
      expect(eventsOf(world.db, held.bookingId).slice(-1)).toEqual([
        {
          from_status: statusBefore,
          to_status: "refunded",
          actor: "system",
          reason: "slot_conflict",
        },
      ]);
      expect(
        eventsOf(world.db, held.bookingId).filter((e) => e.to_status === "refunded"),
      ).toHaveLength(1);
      expect(eventsOf(world.db, held.bookingId).some((e) => e.to_status === "confirmed")).toBe(
        false,
      );
      expect(outboxOf(world.db, held.bookingId)).toEqual([
        `booking_refunded_slot_conflict to ${held.clientEmail}`,
      ]);
      // The client picks another time.
      expect(draftRow(world.db, held.draftId)).toEqual({
        status: "editing",
        start_at: null,
        checkout_session_id: null,
      });
      // The other client's booking stands.
      if (other.ok) expect(bookingRow(world.db, other.booking.id)!.status).toBe("confirmed");
    },
  );
});

describe("a session of no booking", () => {
  /** A session made straight in Stripe, not by Pay. */
  const foreignSession = (params: { client_reference_id?: string } = {}) =>
    world.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: { currency: "gbp", unit_amount: 4500, product_data: { name: "Something" } },
        },
      ],
      customer_email: "stranger@example.com",
      success_url: `${APP_URL}/elsewhere`,
      ...params,
    });

  it("paid or not: unknown_session, and nothing is written or refunded", async () => {
    const held = await heldAtStripe();
    const open = await foreignSession();
    const paid = await foreignSession();
    const paidIntent = pay(paid.id).payment_intent!;
    const before = everything();

    for (const session of [open, paid]) {
      const result = await settle(session.id);
      expect(result).toMatchObject({ outcome: "unknown_session", bookingId: null });
      expect(result.session.id).toBe(session.id);
    }

    expect(everything()).toEqual(before);
    expect(bookingRow(world.db, held.bookingId)!.status).toBe("held");
    expect(refundsOf(paidIntent)).toEqual([]);
  });

  it("naming a booking that has its own session: unknown_session, that booking untouched", async () => {
    const held = await heldAtStripe();
    const forged = await foreignSession({ client_reference_id: held.bookingId });
    pay(forged.id);
    const before = everything();

    expect(await settle(forged.id)).toMatchObject({ outcome: "unknown_session", bookingId: null });

    expect(everything()).toEqual(before);
  });
});

describe("onCommit", () => {
  /** Records the outcome in stripe_events, as the webhook does, through the transaction it gets. */
  const recordAs =
    (eventId: string, seen: string[] = []): NonNullable<FulfilOptions["onCommit"]> =>
    (tx, outcome) => {
      seen.push(outcome);
      tx.insert(stripeEvents)
        .values({ id: eventId, type: "test", receivedAt: new Date(), outcome })
        .run();
    };
  const recorded = () => rows(world.db, "select id, outcome from stripe_events order by id");

  it("runs inside the transaction that confirms: it sees the change, and commits with it", async () => {
    const held = await heldAtStripe();
    pay(held.sessionId);
    const statusSeen: string[] = [];

    await settle(held.sessionId, {
      onCommit: (tx, outcome) => {
        statusSeen.push(`${outcome}:${findBooking(tx, held.bookingId)!.status}`);
        recordAs("evt_1")(tx, outcome);
      },
    });

    expect(statusSeen).toEqual(["confirmed:confirmed"]);
    expect(recorded()).toEqual([{ id: "evt_1", outcome: "confirmed" }]);
  });

  it("is called with every outcome, the ones that change nothing too", async () => {
    const held = await heldAtStripe();
    const seen: string[] = [];

    await settle(held.sessionId, { onCommit: recordAs("evt_open", seen) });
    pay(held.sessionId);
    await settle(held.sessionId, { onCommit: recordAs("evt_paid", seen) });
    await settle(held.sessionId, { onCommit: recordAs("evt_again", seen) });

    expect(seen).toEqual(["not_paid", "confirmed", "already_confirmed"]);
    expect(recorded()).toEqual([
      { id: "evt_again", outcome: "already_confirmed" },
      { id: "evt_open", outcome: "not_paid" },
      { id: "evt_paid", outcome: "confirmed" },
    ]);
  });

  it("when it throws, the confirmation rolls back with it, and a later run confirms", async () => {
    const held = await heldAtStripe();
    pay(held.sessionId);
    const before = everything();

    await expect(
      settle(held.sessionId, {
        onCommit: (tx, outcome) => {
          recordAs("evt_lost")(tx, outcome);
          throw new Error("recording failed");
        },
      }),
    ).rejects.toThrow("recording failed");

    expect(everything()).toEqual(before);
    expect(bookingRow(world.db, held.bookingId)!.status).toBe("held");

    expect((await settle(held.sessionId)).outcome).toBe("confirmed");
    expect(outboxOf(world.db, held.bookingId)).toEqual(CONFIRMATION_EMAILS(held.clientEmail));
  });

  it("when it throws on an expiry, the expiry rolls back with it", async () => {
    const held = await heldAtStripe();
    world.emulator.ledger.expireCheckoutSession(held.sessionId);
    const before = everything();

    await expect(
      settle(held.sessionId, {
        onCommit: () => {
          throw new Error("recording failed");
        },
      }),
    ).rejects.toThrow("recording failed");

    expect(everything()).toEqual(before);
  });
});

describe("recordStripeRefund", () => {
  /** A confirmed booking and the charge that paid for it. */
  async function confirmedBooking() {
    const held = await heldAtStripe();
    pay(held.sessionId);
    expect((await settle(held.sessionId)).outcome).toBe("confirmed");
    const paymentIntent = paymentIntentOf(held.sessionId);
    return { ...held, paymentIntentId: paymentIntent.id, chargeId: paymentIntent.latest_charge! };
  }

  const record = (chargeId: string, options: Parameters<typeof recordStripeRefund>[3] = {}) =>
    recordStripeRefund(world.db, world.stripe, chargeId, options);

  it("a full refund: the booking is refunded, by Stripe; reported again, nothing more", async () => {
    const paid = await confirmedBooking();
    world.emulator.ledger.createRefund({ payment_intent: paid.paymentIntentId });
    const seen: string[] = [];

    expect(await record(paid.chargeId, { onCommit: (_, outcome) => seen.push(outcome) })).toBe(
      "refunded",
    );

    expect(seen).toEqual(["refunded"]);
    expect(bookingRow(world.db, paid.bookingId)).toMatchObject({
      status: "refunded",
      status_reason: "refunded in Stripe",
    });
    expect(eventsOf(world.db, paid.bookingId).slice(-1)).toEqual([
      {
        from_status: "confirmed",
        to_status: "refunded",
        actor: "stripe",
        reason: "refunded in Stripe",
      },
    ]);
    // Only the confirmation emails: a refund made in Stripe's dashboard sends nothing of ours.
    expect(outboxOf(world.db, paid.bookingId)).toEqual(CONFIRMATION_EMAILS(paid.clientEmail));

    const after = everything();
    expect(await record(paid.chargeId)).toBe("already_refunded");
    expect(everything()).toEqual(after);
  });

  it("a flagged mismatch the coach refunds in Stripe: the booking is refunded too", async () => {
    const held = await heldAtStripe();
    world.db.$client
      .prepare("update bookings set price_minor = 1 where id = ?")
      .run(held.bookingId);
    const paid = pay(held.sessionId);
    expect((await settle(held.sessionId)).outcome).toBe("amount_mismatch");
    world.emulator.ledger.createRefund({ payment_intent: paid.payment_intent! });
    const chargeId = paymentIntentOf(held.sessionId).latest_charge!;

    expect(await record(chargeId)).toBe("refunded");

    expect(bookingRow(world.db, held.bookingId)).toMatchObject({ status: "refunded" });
    expect(eventsOf(world.db, held.bookingId).at(-1)).toEqual({
      from_status: "held",
      to_status: "refunded",
      actor: "stripe",
      reason: "refunded in Stripe",
    });
  });

  it("a partial refund: recorded in the booking's history once, and the booking stands", async () => {
    const paid = await confirmedBooking();
    const refund = world.emulator.ledger.createRefund({
      payment_intent: paid.paymentIntentId,
      amount: "1000",
    });
    const seen: string[] = [];

    expect(await record(paid.chargeId, { onCommit: (_, outcome) => seen.push(outcome) })).toBe(
      "partial_refund",
    );

    expect(seen).toEqual(["partial_refund"]);
    expect(bookingRow(world.db, paid.bookingId)!.status).toBe("confirmed");
    expect(
      rows(
        world.db,
        "select id, amount_minor, source from refunds where booking_id = ?",
        paid.bookingId,
      ),
    ).toEqual([{ id: refund.id, amount_minor: 1000, source: "stripe" }]);
    expect(eventsOf(world.db, paid.bookingId).at(-1)).toEqual({
      from_status: "confirmed",
      to_status: "confirmed",
      actor: "stripe",
      reason: "£10 refunded in Stripe",
    });
    // Reported again (a webhook repeat): nothing more.
    const after = everything();
    expect(await record(paid.chargeId)).toBe("partial_refund");
    expect(everything()).toEqual(after);
  });

  it("a charge of no booking: unknown_charge, and nothing is written", async () => {
    await confirmedBooking();
    const stranger = await world.stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: { currency: "gbp", unit_amount: 2000, product_data: { name: "Something" } },
        },
      ],
      customer_email: "stranger@example.com",
      success_url: `${APP_URL}/elsewhere`,
    });
    pay(stranger.id);
    const { id: paymentIntentId, latest_charge: chargeId } = paymentIntentOf(stranger.id);
    world.emulator.ledger.createRefund({ payment_intent: paymentIntentId });
    const before = everything();

    expect(await record(chargeId!)).toBe("unknown_charge");

    expect(everything()).toEqual(before);
  });
});
