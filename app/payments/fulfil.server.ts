/**
 * `fulfil(sessionId)`: brings a booking in line with what Stripe says about its Checkout Session.
 * The webhook, the return page, the cancel link and the sweeper all call it; it is idempotent and
 * safe to run concurrently, so whichever arrives first (or twice, or never) the outcome is the same:
 * every paid session ends as exactly one confirmed booking or one refund.
 *
 * It never trusts a webhook body or a URL: it re-reads the session (and its PaymentIntent) from
 * Stripe and compares amount and currency with the booking before acting.
 */
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { isTakenByAnother } from "~/booking/availability.server";
import { findBookingView } from "~/booking/bookings.server";
import {
  changeStatus,
  findBooking,
  findBookingBySession,
  type Booking,
} from "~/booking/booking-status.server";
import {
  clientConfirmation,
  coachNotification,
  paymentFailedNotice,
  slotConflictApology,
  type BookingForEmail,
} from "~/email/booking-emails.server";
import { queueEmail } from "~/email/outbox.server";
import type { Db } from "~db/database.server";
import {
  bookingDrafts,
  bookings,
  practiceSettings,
  type BookingActor,
  type BookingStatus,
} from "~db/schema";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

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

/** Statuses a booking waiting for its money can be in. */
const AWAITING_PAYMENT: BookingStatus[] = ["held", "processing", "expired", "payment_failed"];

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

/** Applies an outcome (and the caller's record of it) in one immediate transaction. */
function commit(
  { db, session, options }: Settlement,
  outcome: FulfilOutcome,
  booking: Booking | null,
  apply?: (tx: Tx) => void,
): FulfilResult {
  db.transaction(
    (tx) => {
      apply?.(tx);
      options.onCommit?.(tx, outcome);
    },
    { behavior: "immediate" },
  );
  return { outcome, bookingId: booking?.id ?? null, session };
}

function settleUnpaid(settlement: Settlement, booking: Booking): FulfilResult {
  const { session, options, now, paymentIntentId } = settlement;
  if (session.status === "expired") {
    return commit(settlement, "expired", booking, (tx) => {
      const moved = changeStatus(tx, {
        booking: current(tx, booking),
        from: ["held"],
        to: "expired",
        actor: options.actor,
        reason: "checkout expired",
        at: now(),
        set: { holdExpiresAt: null },
      });
      if (moved) reopenDraft(tx, booking, now(), { keepTime: true });
    });
  }
  if (session.status !== "complete") return commit(settlement, "not_paid", booking);

  const paymentIntent = typeof session.payment_intent === "object" ? session.payment_intent : null;
  if (paymentIntent && ["requires_payment_method", "canceled"].includes(paymentIntent.status)) {
    return commit(settlement, "payment_failed", booking, (tx) => {
      const moved = changeStatus(tx, {
        booking: current(tx, booking),
        from: ["held", "processing"],
        to: "payment_failed",
        actor: options.actor,
        reason: "delayed payment failed",
        at: now(),
        set: { holdExpiresAt: null, paymentIntentId },
      });
      if (!moved) return;
      reopenDraft(tx, booking, now(), { keepTime: true });
      const email = paymentFailedNotice(
        emailView(tx, booking.id),
        practiceName(tx),
        options.appUrl,
      );
      queueEmail(tx, email, now());
    });
  }
  // A delayed method (a bank debit) is on its way: the slot stays taken until it settles.
  return commit(settlement, "processing", booking, (tx) => {
    changeStatus(tx, {
      booking: current(tx, booking),
      from: ["held", "expired"],
      to: "processing",
      actor: options.actor,
      reason: "payment processing",
      at: now(),
      set: { holdExpiresAt: null, paymentIntentId },
    });
  });
}

/**
 * Stripe took a different amount than the booking's: not confirmed, flagged for the coach. The hold
 * is dropped (the slot is not this booking's until someone looks), so the sweeper leaves it alone.
 */
function flagAmountMismatch(settlement: Settlement, booking: Booking): FulfilResult {
  const { session, now, paymentIntentId } = settlement;
  const note =
    `Stripe reported ${session.amount_total} ${session.currency} paid for a booking of ` +
    `${booking.priceMinor} ${booking.currency} (session ${session.id}); not confirmed, check and refund by hand.`;
  return commit(settlement, "amount_mismatch", booking, (tx) => {
    tx.update(bookings)
      .set({ needsAttention: note, paymentIntentId, holdExpiresAt: null, updatedAt: now() })
      .where(eq(bookings.id, booking.id))
      .run();
  });
}

async function settlePaid(
  settlement: Settlement,
  stripe: Stripe,
  booking: Booking,
): Promise<FulfilResult> {
  const { db, session, options, now, paymentIntentId } = settlement;
  // Confirm if the slot is still ours; otherwise decide to refund. One immediate transaction, so a
  // concurrent call sees the result rather than deciding again.
  const decision = db.transaction(
    (tx): "confirmed" | "already_confirmed" | "refunded" | "conflict" => {
      const latest = current(tx, booking);
      const settled =
        latest.status === "confirmed" || latest.status === "completed"
          ? "already_confirmed"
          : latest.status === "refunded" || latest.status === "cancelled"
            ? "refunded"
            : null;
      if (settled) {
        options.onCommit?.(tx, settled);
        return settled;
      }
      if (isTakenByAnother(tx, latest, now().getTime())) return "conflict";
      changeStatus(tx, {
        booking: latest,
        from: AWAITING_PAYMENT,
        to: "confirmed",
        actor: options.actor,
        reason: "payment received",
        at: now(),
        set: { paymentIntentId, holdExpiresAt: null, checkoutSessionId: session.id },
      });
      completeDraft(tx, booking, now());
      const view = emailView(tx, booking.id);
      queueEmail(tx, clientConfirmation(view, practiceName(tx)), now());
      queueEmail(tx, coachNotification(view), now());
      options.onCommit?.(tx, "confirmed");
      return "confirmed";
    },
    { behavior: "immediate" },
  );
  if (decision !== "conflict") return { outcome: decision, bookingId: booking.id, session };

  // Paid, but the slot went to someone else after this hold lapsed: give the money back. The
  // idempotency key makes a second attempt (a retried webhook, the sweeper) return the same refund.
  if (paymentIntentId) await refundOnce(stripe, paymentIntentId, booking.id);
  return commit(settlement, "refunded", booking, (tx) => {
    const moved = changeStatus(tx, {
      booking: current(tx, booking),
      from: AWAITING_PAYMENT,
      to: "refunded",
      actor: "system",
      reason: "slot_conflict",
      at: now(),
      set: { paymentIntentId, holdExpiresAt: null, checkoutSessionId: session.id },
    });
    if (!moved) return;
    reopenDraft(tx, booking, now(), { keepTime: false });
    const email = slotConflictApology(emailView(tx, booking.id), practiceName(tx), options.appUrl);
    queueEmail(tx, email, now());
  });
}

async function refundOnce(stripe: Stripe, paymentIntentId: string, bookingId: string) {
  try {
    await stripe.refunds.create(
      {
        payment_intent: paymentIntentId,
        reason: "requested_by_customer",
        metadata: { booking_id: bookingId },
      },
      { idempotencyKey: `kairos-slot-conflict-refund-${bookingId}` },
    );
  } catch (error) {
    // Refunded already by other means (the coach, in Stripe's dashboard): the money is back.
    if ((error as Stripe.errors.StripeError).code !== "charge_already_refunded") throw error;
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

function current(tx: Tx, booking: Booking): Booking {
  return findBooking(tx, booking.id) ?? booking;
}

function completeDraft(tx: Tx, booking: Booking, now: Date) {
  if (!booking.draftId) return;
  tx.update(bookingDrafts)
    .set({ status: "completed", updatedAt: now })
    .where(eq(bookingDrafts.id, booking.draftId))
    .run();
}

/** The client can carry on from their draft: pay again, or (the slot being gone) pick another time. */
function reopenDraft(tx: Tx, booking: Booking, now: Date, { keepTime }: { keepTime: boolean }) {
  if (!booking.draftId) return;
  tx.update(bookingDrafts)
    .set({
      status: "editing",
      checkoutSessionId: null,
      updatedAt: now,
      ...(keepTime ? {} : { startAt: null }),
    })
    .where(eq(bookingDrafts.id, booking.draftId))
    .run();
}

function practiceName(tx: Pick<Db, "select">): string {
  return tx.select({ name: practiceSettings.name }).from(practiceSettings).get()?.name ?? "Kairos";
}

function emailView(tx: Pick<Db, "select">, bookingId: string): BookingForEmail {
  return findBookingView(tx, { id: bookingId })!;
}

/** `charge.refunded`: a full refund (from anywhere) makes the booking `refunded`. */
export async function recordStripeRefund(
  db: Db,
  stripe: Stripe,
  chargeId: string,
  options: Pick<FulfilOptions, "onCommit" | "now">,
): Promise<"refunded" | "partial_refund" | "unknown_charge"> {
  const now = options.now ?? (() => new Date());
  const charge = await stripe.charges.retrieve(chargeId);
  const paymentIntentId =
    typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  const booking = paymentIntentId
    ? (db.select().from(bookings).where(eq(bookings.paymentIntentId, paymentIntentId)).get() ??
      null)
    : null;
  const outcome = !booking ? "unknown_charge" : charge.refunded ? "refunded" : "partial_refund";
  // Partial refunds leave the booking as it is: the coach gave some money back, the session stands.
  db.transaction(
    (tx) => {
      if (booking && charge.refunded) {
        changeStatus(tx, {
          booking: current(tx, booking),
          from: ["confirmed", "cancelled", "completed", "processing"],
          to: "refunded",
          actor: "stripe",
          reason: booking.statusReason === "slot_conflict" ? "slot_conflict" : "refunded in Stripe",
          at: now(),
        });
      }
      options.onCommit?.(tx, outcome);
    },
    { behavior: "immediate" },
  );
  return outcome;
}
