/**
 * `fulfil(sessionId)`: brings a booking in line with what Stripe says about its Checkout Session.
 * The webhook, the return page, the cancel link and the sweeper all call it; it is idempotent and
 * safe to run concurrently, so whichever arrives first (or twice, or never) the outcome is the same:
 * every paid session ends as exactly one confirmed booking or one refund.
 *
 * It never trusts a webhook body or a URL: it re-reads the session (and its PaymentIntent) from
 * Stripe and compares amount and currency with the booking before acting. It decides; the booking
 * lifecycle makes each change (and refuses the ones its table does not allow, which is what makes
 * a repeat harmless).
 */
import type Stripe from "stripe";
import * as lifecycle from "~/booking/lifecycle.server";
import {
  findBooking,
  findBookingByPaymentIntent,
  findBookingBySession,
  type Booking,
} from "~/booking/queries.server";
import { formatPrice } from "~/lib/format";
import { completeDraft, issueResumeToken, reopenDraft } from "~/wizard/drafts.server";
import { writeTransaction, type Db, type Tx } from "~db/database.server";
import { recordRefunds, refundPayment } from "./refunds.server";
import type { BookingActor } from "~db/schema";

export type FulfilOutcome =
  | "confirmed"
  | "already_confirmed"
  | "processing"
  | "payment_failed"
  | "expired"
  | "refunded"
  | "not_paid"
  | "amount_mismatch"
  | "unknown_session";

export type FulfilResult = {
  outcome: FulfilOutcome;
  bookingId: string | null;
  session: Stripe.Checkout.Session;
};

export type FulfilOptions = {
  actor: BookingActor;
  appUrl: string;
  now?: () => Date;
  /** Runs inside the transaction that applies the outcome (the webhook records its event there). */
  onCommit?: (tx: Tx, outcome: string) => void;
};

export async function fulfil(
  db: Db,
  stripe: Stripe,
  sessionId: string,
  options: FulfilOptions,
): Promise<FulfilResult> {
  const session = await stripe.checkout.sessions.retrieve(sessionId, {
    expand: ["payment_intent"],
  });
  return settle(db, stripe, session, options);
}

/** What every step of settling a session needs. */
type Settlement = {
  db: Db;
  session: Stripe.Checkout.Session;
  options: FulfilOptions;
  now: () => Date;
  paymentIntentId: string | null;
};

async function settle(
  db: Db,
  stripe: Stripe,
  session: Stripe.Checkout.Session,
  options: FulfilOptions,
): Promise<FulfilResult> {
  const paymentIntentId =
    typeof session.payment_intent === "string"
      ? session.payment_intent
      : (session.payment_intent?.id ?? null);
  const settlement = {
    db,
    session,
    options,
    now: options.now ?? (() => new Date()),
    paymentIntentId,
  };
  const booking = locateBooking(db, session);
  if (!booking) return commit(settlement, "unknown_session", null);
  if (session.payment_status !== "paid") return settleUnpaid(settlement, booking);
  if (session.amount_total !== booking.priceMinor || session.currency !== booking.currency) {
    return flagAmountMismatch(settlement, booking);
  }
  return settlePaid(settlement, stripe, booking);
}

/** Applies an outcome (and the caller's record of it) in one write transaction. */
function commit(
  { db, session, options }: Settlement,
  outcome: FulfilOutcome,
  booking: Booking | null,
  apply?: (tx: Tx) => void,
): FulfilResult {
  writeTransaction(db, (tx) => {
    apply?.(tx);
    options.onCommit?.(tx, outcome);
  });
  return { outcome, bookingId: booking?.id ?? null, session };
}

function settleUnpaid(settlement: Settlement, booking: Booking): FulfilResult {
  const { session, options, now, paymentIntentId } = settlement;
  const change = () => ({ actor: options.actor, at: now() });
  if (session.status === "expired") {
    return commit(settlement, "expired", booking, (tx) => {
      const expired = lifecycle.expire(tx, booking.id, { ...change(), reason: "checkout expired" });
      if (expired.ok) reopen(tx, booking, now(), { keepTime: true });
    });
  }
  if (session.status !== "complete") return commit(settlement, "not_paid", booking);

  const paymentIntent = typeof session.payment_intent === "object" ? session.payment_intent : null;
  if (paymentIntent && ["requires_payment_method", "canceled"].includes(paymentIntent.status)) {
    return commit(settlement, "payment_failed", booking, (tx) => {
      const failed = lifecycle.failPayment(tx, booking.id, {
        ...change(),
        reason: "delayed payment failed",
        paymentIntentId,
        resumeUrl: resumeLink(booking, options.appUrl),
      });
      if (failed.ok) reopen(tx, booking, now(), { keepTime: true });
    });
  }
  // A delayed method (a bank debit) is on its way: the slot stays taken until it settles.
  return commit(settlement, "processing", booking, (tx) => {
    lifecycle.markProcessing(tx, booking.id, {
      ...change(),
      reason: "payment processing",
      paymentIntentId,
    });
  });
}

/** Stripe took a different amount than the booking's: not confirmed, flagged for the coach. */
function flagAmountMismatch(settlement: Settlement, booking: Booking): FulfilResult {
  const { session, options, now, paymentIntentId } = settlement;
  const note =
    `Stripe reported ${session.amount_total} ${session.currency} paid for a booking of ` +
    `${booking.priceMinor} ${booking.currency} (session ${session.id}); not confirmed, check and refund by hand.`;
  return commit(settlement, "amount_mismatch", booking, (tx) => {
    lifecycle.flagForAttention(tx, booking.id, {
      actor: options.actor,
      at: now(),
      note,
      paymentIntentId,
    });
  });
}

async function settlePaid(
  settlement: Settlement,
  stripe: Stripe,
  booking: Booking,
): Promise<FulfilResult> {
  const { db, session, options, now, paymentIntentId } = settlement;
  // Confirm if the slot is still ours; otherwise decide to refund. One write transaction, so a
  // concurrent call sees the result rather than deciding again.
  const decision = writeTransaction(db, (tx) => {
    const confirmed = lifecycle.confirmPaid(tx, booking.id, {
      actor: options.actor,
      at: now(),
      reason: "payment received",
      paymentIntentId,
      checkoutSessionId: session.id,
      appUrl: options.appUrl,
    });
    if (confirmed.ok) {
      if (booking.draftId) completeDraft(tx, booking.draftId, now());
      options.onCommit?.(tx, "confirmed");
      return { outcome: "confirmed" as const };
    }
    if (confirmed.refused === "slot_taken") return { outcome: "conflict" as const };
    // Settled already (a repeat, or a race lost to another caller): report what it is.
    const current = findBooking(tx, booking.id);
    const outcome =
      current?.status === "confirmed" || current?.status === "completed"
        ? ("already_confirmed" as const)
        : ("refunded" as const);
    options.onCommit?.(tx, outcome);
    return { outcome };
  });
  if (decision.outcome !== "conflict") return { ...decision, bookingId: booking.id, session };

  // Paid, but the slot went to someone else after this hold lapsed: give the money back. The
  // idempotency key makes a second attempt (a retried webhook, the sweeper) return the same refund.
  const refund = paymentIntentId ? await refundOnce(stripe, paymentIntentId, booking.id) : null;
  return commit(settlement, "refunded", booking, (tx) => {
    if (refund)
      recordRefunds(tx, booking.id, [refund], { source: "kairos", reason: "slot conflict" });
    const refunded = lifecycle.refundForSlotConflict(tx, booking.id, {
      actor: "system",
      at: now(),
      paymentIntentId,
      checkoutSessionId: session.id,
      resumeUrl: resumeLink(booking, options.appUrl),
    });
    if (refunded.ok) reopen(tx, booking, now(), { keepTime: false });
  });
}

/** The slot-conflict refund; null when the money was already given back by other means. */
async function refundOnce(stripe: Stripe, paymentIntentId: string, bookingId: string) {
  try {
    return await refundPayment(stripe, {
      paymentIntentId,
      bookingId,
      idempotencyKey: `kairos-slot-conflict-refund-${bookingId}`,
    });
  } catch (error) {
    // Refunded already by other means (the coach, in Stripe's dashboard): the money is back, and
    // Stripe's report of that refund records it.
    if ((error as Stripe.errors.StripeError).code !== "charge_already_refunded") throw error;
    return null;
  }
}

/** The booking a session belongs to: by its stored session id, else by the ids in its metadata. */
function locateBooking(db: Db, session: Stripe.Checkout.Session): Booking | null {
  const stored = findBookingBySession(db, session.id);
  if (stored) return stored;
  const bookingId = session.client_reference_id ?? session.metadata?.booking_id;
  const byId = bookingId ? findBooking(db, bookingId) : null;
  // A booking created before Stripe answered (the process stopped in between) has no session id yet.
  return byId && byId.checkoutSessionId === null ? byId : null;
}

/** The link in the client's email that reopens their draft on any device (null without one). */
function resumeLink(booking: Booking, appUrl: string) {
  return (tx: Tx) =>
    booking.draftId ? `${appUrl}/book/resume/${issueResumeToken(tx, booking.draftId)}` : null;
}

/** The client carries on from their draft: pay again, or (the slot being gone) pick another time. */
function reopen(tx: Tx, booking: Booking, now: Date, options: { keepTime: boolean }) {
  if (booking.draftId) reopenDraft(tx, booking.draftId, now, options);
}

export type RefundOutcome = "refunded" | "already_refunded" | "partial_refund" | "unknown_charge";

/**
 * `charge.refunded`: every refund of the charge is recorded against its booking (one made in
 * Stripe's dashboard shows up in the booking's history); when all the money is back the booking
 * is `refunded`, and a partial refund leaves it as it is (the session stands).
 */
export async function recordStripeRefund(
  db: Db,
  stripe: Stripe,
  chargeId: string,
  options: Pick<FulfilOptions, "onCommit" | "now">,
): Promise<RefundOutcome> {
  const now = options.now ?? (() => new Date());
  const charge = await stripe.charges.retrieve(chargeId);
  const paymentIntentId =
    typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  const booking = paymentIntentId ? findBookingByPaymentIntent(db, paymentIntentId) : null;
  const stripeRefunds = booking
    ? (await stripe.refunds.list({ charge: chargeId, limit: 100 })).data
    : [];
  return writeTransaction(db, (tx) => {
    let outcome: RefundOutcome;
    if (!booking) outcome = "unknown_charge";
    else {
      const fresh = recordRefunds(tx, booking.id, stripeRefunds, { source: "stripe" });
      if (charge.refunded) {
        const moved = lifecycle.recordRefund(tx, booking.id, {
          actor: "stripe",
          at: now(),
          reason: "refunded in Stripe",
        });
        outcome = moved.ok ? "refunded" : "already_refunded";
      } else {
        for (const refund of fresh) {
          lifecycle.recordPartialRefund(tx, booking.id, {
            actor: "stripe",
            at: now(),
            amountMinor: refund.amount,
            reason: `${formatPrice(refund.amount, refund.currency)} refunded in Stripe`,
          });
        }
        outcome = "partial_refund";
      }
    }
    options.onCommit?.(tx, outcome);
    return outcome;
  });
}
