/**
 * The booking lifecycle: the one place a booking is created or changes status.
 *
 * `TRANSITIONS` is the whole state machine: for each business event, the statuses it may start from
 * and the status it ends in. Every event is one function below, and every function is one write
 * transaction (a savepoint inside the caller's) that checks the booking's current status against the
 * table, moves it, writes its `booking_events` row (actor, reason, from, to) and queues the emails
 * the change causes. A change the table does not allow is refused with a typed result; nothing is
 * silently skipped. Every other module asks; none writes `bookings` itself (eslint.config.js
 * enforces it). docs/architecture.md draws the table; a test keeps the drawing true.
 */
import { randomBytes } from "node:crypto";
import { and, eq, is, isNull, or, SQL, sql } from "drizzle-orm";
import { isStartAvailable, isTakenByAnother } from "~/availability/availability.server";
import { findBookableOffer, type BookableOffer } from "~/catalogue/catalogue.server";
import type { BookedAnswer } from "~/catalogue/intake.server";
import {
  notifyCancelled,
  notifyConfirmed,
  notifyPaymentFailed,
  notifyProcessing,
  notifyRefunded,
  notifyRescheduled,
  notifySlotConflict,
} from "./notifications.server";
import { writeTransaction, type DbOrTx, type Tx } from "~db/database.server";
import { placeholder, prepared, preparedSet } from "~db/prepared.server";
import { bookingEvents, bookings, type BookingActor, type BookingStatus } from "~db/schema";
import { findBooking, type Booking } from "./queries.server";

/** Statuses of a booking whose money has not arrived (or not settled) yet. */
const AWAITING_PAYMENT = ["held", "processing", "expired", "payment_failed"] as const;
/** Statuses in which money may have been paid and not given back yet. */
const PAID_OR_AWAITING = [...AWAITING_PAYMENT, "confirmed", "completed", "no_show"] as const;

type Transition = {
  /** The statuses the event may start from; empty for the events that create a booking. */
  from: readonly BookingStatus[];
  /** The status it ends in; null for an event that leaves the status as it is. */
  to: BookingStatus | null;
  /** What the event means, for people reading the table and its diagram. */
  means: string;
};

export const TRANSITIONS = {
  hold: {
    from: [],
    to: "held",
    means: "Pay pressed: the slot is held while the client is at Stripe",
  },
  confirmFree: {
    from: [],
    to: "confirmed",
    means: "a free session, booked on the review step",
  },
  confirmPaid: {
    from: AWAITING_PAYMENT,
    to: "confirmed",
    means: "Stripe says paid, and the slot is still this booking's",
  },
  markProcessing: {
    from: ["held", "expired"],
    to: "processing",
    means: "checkout completed with a delayed payment method that has not settled",
  },
  failPayment: {
    from: ["held", "processing"],
    to: "payment_failed",
    means: "the delayed payment failed",
  },
  expire: {
    from: ["held"],
    to: "expired",
    means:
      "the hold ends unpaid: session expired, hold lapsed, Stripe failed, or the client changed",
  },
  refundForSlotConflict: {
    from: AWAITING_PAYMENT,
    to: "refunded",
    means: "paid after the hold lapsed and someone else took the slot: refunded in full",
  },
  recordRefund: {
    // Once the money is all back the booking is refunded, whatever it was (a flagged mismatch
    // waiting in `held` is refunded by the coach in Stripe's dashboard). A cancelled booking stays
    // cancelled: its refund is part of the cancellation.
    from: PAID_OR_AWAITING,
    to: "refunded",
    means: "the payment is refunded in full (by the coach here, or in Stripe's dashboard)",
  },
  recordPartialRefund: {
    from: [...PAID_OR_AWAITING, "cancelled"],
    to: null,
    means: "part of the payment is refunded; the booking stands as it was",
  },
  flagForAttention: {
    from: AWAITING_PAYMENT,
    to: null,
    means: "Stripe took a different amount or currency: not confirmed, the coach must look",
  },
  resolveAttention: {
    from: [...PAID_OR_AWAITING, "cancelled", "refunded"],
    to: null,
    means: "the coach has dealt with what needed their attention",
  },
  cancel: {
    from: ["confirmed"],
    to: "cancelled",
    means: "the coach cancels (refunding all, part or none of the payment)",
  },
  reschedule: {
    from: ["confirmed"],
    to: "confirmed",
    means: "the client moves the session to another time, within the policy",
  },
  complete: {
    from: ["confirmed", "no_show"],
    to: "completed",
    means: "the session took place",
  },
  markNoShow: {
    from: ["confirmed", "completed"],
    to: "no_show",
    means: "the client did not come",
  },
} as const satisfies Record<string, Transition>;

export type LifecycleEvent = keyof typeof TRANSITIONS;

/** Why an event changed nothing. */
export type Refusal =
  | { ok: false; refused: "not_found" }
  /** The table does not allow the event from the booking's current status. */
  | { ok: false; refused: "not_allowed"; status: BookingStatus }
  /** Another booking holds the time. */
  | { ok: false; refused: "slot_taken" }
  /** The booking already waits for the coach's eye. */
  | { ok: false; refused: "already_flagged" }
  /** Nothing about the booking waits for the coach's eye. */
  | { ok: false; refused: "not_flagged" }
  /** The session has not started yet: it cannot have taken place, or been missed. */
  | { ok: false; refused: "not_yet" };

export type Moved = { ok: true; booking: Booking; from: BookingStatus | null };

/** Who made a change, when, and (when the event's meaning is not enough) why. */
export type Change = { actor: BookingActor; at: Date; reason?: string };

/** What creating a booking needs: the offer (copied, so later price changes never touch it). */
export type NewBooking = {
  offer: BookableOffer;
  startAt: Date;
  draftId: string | null;
  client: { name: string; email: string; timezone: string; notes: string };
  /** Where it takes place, as the client is told (a link, an address), fixed now. */
  location?: string | null;
  /** The service's questions as asked, with the client's answers. */
  answers?: BookedAnswer[];
};

// ---- Events that create a booking ----------------------------------------------------------------

/**
 * Holds the slot for a client on their way to Stripe. Refused when another booking holds the time;
 * the check and the insert share one write transaction, so two clients can never both win.
 */
export function hold(
  db: DbOrTx,
  booking: NewBooking,
  change: Change & { holdExpiresAt: Date },
): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    if (!isSlotFree(tx, booking, change.at)) return { ok: false, refused: "slot_taken" };
    const inserted = insert(tx, "hold", booking, change, { holdExpiresAt: change.holdExpiresAt });
    return { ok: true, booking: inserted, from: null };
  });
}

/** Books a free session outright, with the client's and coach's emails. Refused when the time is held. */
export function confirmFree(
  db: DbOrTx,
  booking: NewBooking,
  change: Change & { appUrl: string },
): Moved | Refusal {
  if (booking.offer.service.priceMinor !== 0)
    throw new Error(`confirmFree: ${booking.offer.service.name} is not free`);
  return writeTransaction(db, (tx) => {
    if (!isSlotFree(tx, booking, change.at)) return { ok: false, refused: "slot_taken" };
    const inserted = insert(tx, "confirmFree", booking, change, { holdExpiresAt: null });
    notifyConfirmed(tx, inserted.id, { appUrl: change.appUrl, at: change.at });
    return { ok: true, booking: inserted, from: null };
  });
}

// ---- Events on an existing booking ---------------------------------------------------------------

/** What Stripe tells us about the payment, stored on the booking as it moves. */
type Payment = { paymentIntentId: string | null };
/** Links in emails need the public address. */
type WithLinks = { appUrl: string };
/**
 * Makes the link (with its token) that reopens the client's draft on any device; null without a
 * draft. Called only when the event happens, so a repeat never replaces the link already sent.
 */
type WithResume = { resumeUrl: (tx: Tx) => string | null };

/**
 * Stripe says paid: confirmed, and the client's and coach's emails queued.
 * Refused (`slot_taken`) when the hold lapsed and another booking took the time meanwhile.
 */
export function confirmPaid(
  db: DbOrTx,
  bookingId: string,
  change: Change & Payment & WithLinks & { checkoutSessionId: string },
): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (!booking) return { ok: false, refused: "not_found" };
    if (!allows("confirmPaid", booking.status))
      return { ok: false, refused: "not_allowed", status: booking.status };
    if (isTakenByAnother(tx, booking, change.at.getTime()))
      return { ok: false, refused: "slot_taken" };
    const moved = move(tx, "confirmPaid", booking, change, {
      paymentIntentId: change.paymentIntentId,
      checkoutSessionId: change.checkoutSessionId,
    });
    notifyConfirmed(tx, booking.id, { appUrl: change.appUrl, at: change.at });
    return moved;
  });
}

/** A delayed payment method is on its way: the slot stays taken until it settles. */
export function markProcessing(db: DbOrTx, bookingId: string, change: Change & Payment) {
  return transition(
    db,
    "markProcessing",
    bookingId,
    change,
    { paymentIntentId: change.paymentIntentId },
    (tx) => notifyProcessing(tx, bookingId, change.at),
  );
}

/** The delayed payment failed: the slot is freed and the client told how to try again. */
export function failPayment(db: DbOrTx, bookingId: string, change: Change & Payment & WithResume) {
  return transition(
    db,
    "failPayment",
    bookingId,
    change,
    { paymentIntentId: change.paymentIntentId, needsAttention: "The client's payment failed." },
    (tx) => notifyPaymentFailed(tx, bookingId, { resumeUrl: change.resumeUrl(tx), at: change.at }),
  );
}

/** The hold ends without payment; the slot is free again. */
export function expire(db: DbOrTx, bookingId: string, change: Change) {
  return transition(db, "expire", bookingId, change, {});
}

/** Paid after someone else took the slot: the caller has refunded in Stripe; this records it. */
export function refundForSlotConflict(
  db: DbOrTx,
  bookingId: string,
  change: Change & Payment & WithResume & { checkoutSessionId: string },
) {
  return transition(
    db,
    "refundForSlotConflict",
    bookingId,
    { ...change, reason: SLOT_CONFLICT },
    {
      paymentIntentId: change.paymentIntentId,
      checkoutSessionId: change.checkoutSessionId,
      needsAttention:
        "Paid after the hold lapsed and the time went to someone else: refunded in full.",
    },
    (tx) => notifySlotConflict(tx, bookingId, { resumeUrl: change.resumeUrl(tx), at: change.at }),
  );
}

/** The reason a booking was refunded because its slot went to someone else. */
export const SLOT_CONFLICT = "slot_conflict";

/**
 * The payment is refunded in full. With `notifyClient` (a refund the coach made here), the client
 * is told; a refund reported by Stripe was told by whoever made it.
 */
export function recordRefund(
  db: DbOrTx,
  bookingId: string,
  change: Change & { notifyClient?: { amountMinor: number } },
) {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    // A slot-conflict refund keeps saying why it happened when Stripe's report of it arrives.
    const reason = booking?.statusReason === SLOT_CONFLICT ? SLOT_CONFLICT : change.reason;
    const refund = change.notifyClient;
    return transition(
      tx,
      "recordRefund",
      bookingId,
      { ...change, reason },
      {},
      refund
        ? (tx) => notifyRefunded(tx, bookingId, { amountMinor: refund.amountMinor, at: change.at })
        : undefined,
    );
  });
}

/** Part of the payment went back; the history says how much, and the client is told when asked. */
export function recordPartialRefund(
  db: DbOrTx,
  bookingId: string,
  change: Change & { amountMinor: number; notifyClient?: boolean },
) {
  return transition(
    db,
    "recordPartialRefund",
    bookingId,
    change,
    {},
    change.notifyClient
      ? (tx) => notifyRefunded(tx, bookingId, { amountMinor: change.amountMinor, at: change.at })
      : undefined,
  );
}

/**
 * The coach cancels a confirmed session. Any refund was made in Stripe first (`refundedMinor`, 0
 * for none); the client is told, with the amount.
 */
export function cancel(
  db: DbOrTx,
  bookingId: string,
  change: Change & { refundedMinor: number; appUrl: string },
) {
  return transition(
    db,
    "cancel",
    bookingId,
    change,
    { icsSequence: sql`${bookings.icsSequence} + 1` },
    (tx) =>
      notifyCancelled(tx, bookingId, {
        by: change.actor === "client" ? "client" : "coach",
        refundedMinor: change.refundedMinor,
        appUrl: change.appUrl,
        at: change.at,
      }),
  );
}

/**
 * The client moves a confirmed session to another time of the same service and coach, without
 * paying again: the new time is checked in this transaction against every booking that holds time
 * (the booking's own excepted), the calendar invite is updated (same UID, SEQUENCE + 1) and the
 * reminders follow. Refused (`slot_taken`) when the new time is not bookable.
 */
export function reschedule(
  db: DbOrTx,
  bookingId: string,
  change: Change & { startAt: Date; appUrl: string },
): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (!booking) return { ok: false, refused: "not_found" };
    if (!allows("reschedule", booking.status))
      return { ok: false, refused: "not_allowed", status: booking.status };
    const offer = findBookableOffer(tx, booking.coachId, booking.serviceId);
    const free =
      offer &&
      isStartAvailable(tx, offer, change.startAt.getTime(), change.at.getTime(), {
        exceptBooking: booking.id,
      });
    if (!free) return { ok: false, refused: "slot_taken" };
    const duration = booking.endAt.getTime() - booking.startAt.getTime();
    const moved = move(tx, "reschedule", booking, change, {
      startAt: change.startAt,
      endAt: new Date(change.startAt.getTime() + duration),
      icsSequence: booking.icsSequence + 1,
    });
    notifyRescheduled(tx, booking.id, {
      previousStart: booking.startAt,
      appUrl: change.appUrl,
      at: change.at,
    });
    return moved;
  });
}

/** The session took place. Refused before it has started. */
export function complete(db: DbOrTx, bookingId: string, change: Change) {
  return afterStart(db, "complete", bookingId, change);
}

/** The client did not come. Refused before the session has started. */
export function markNoShow(db: DbOrTx, bookingId: string, change: Change) {
  return afterStart(db, "markNoShow", bookingId, change);
}

function afterStart(
  db: DbOrTx,
  event: "complete" | "markNoShow",
  bookingId: string,
  change: Change,
): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (booking && allows(event, booking.status) && change.at < booking.startAt)
      return { ok: false, refused: "not_yet" };
    return transition(tx, event, bookingId, change, {});
  });
}

/** The coach has dealt with what was flagged; the note stays in the history. */
export function resolveAttention(db: DbOrTx, bookingId: string, change: Change): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (booking && allows("resolveAttention", booking.status) && !booking.needsAttention)
      return { ok: false, refused: "not_flagged" };
    return transition(tx, "resolveAttention", bookingId, change, { needsAttention: null });
  });
}

/**
 * Stripe took a different amount or currency than the booking's: it is not confirmed, and the coach
 * is asked to look. The hold is dropped (the slot is not this booking's until someone decides), so
 * the sweeper leaves it alone. Flagged once: a repeat is refused.
 */
export function flagForAttention(
  db: DbOrTx,
  bookingId: string,
  change: Change & Payment & { note: string },
): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (!booking) return { ok: false, refused: "not_found" };
    if (!allows("flagForAttention", booking.status))
      return { ok: false, refused: "not_allowed", status: booking.status };
    if (booking.needsAttention) return { ok: false, refused: "already_flagged" };
    return move(
      tx,
      "flagForAttention",
      booking,
      { ...change, reason: change.note },
      { needsAttention: change.note, paymentIntentId: change.paymentIntentId, holdExpiresAt: null },
    );
  });
}

/**
 * Stores the Checkout Session Stripe made for a held booking. Not a status change, but a write to
 * the booking, so it lives here: only a booking without a session (or with this one) takes it.
 */
export function attachCheckoutSession(db: DbOrTx, bookingId: string, sessionId: string, at: Date) {
  db.update(bookings)
    .set({ checkoutSessionId: sessionId, updatedAt: at })
    .where(
      and(
        eq(bookings.id, bookingId),
        or(isNull(bookings.checkoutSessionId), eq(bookings.checkoutSessionId, sessionId)),
      ),
    )
    .run();
}

// ---- The machinery -------------------------------------------------------------------------------

export function allows(event: LifecycleEvent, status: BookingStatus): boolean {
  return (TRANSITIONS[event].from as readonly BookingStatus[]).includes(status);
}

type Extra = Partial<
  Pick<
    Booking,
    | "paymentIntentId"
    | "checkoutSessionId"
    | "needsAttention"
    | "holdExpiresAt"
    | "startAt"
    | "endAt"
  >
> & { icsSequence?: number | SQL };

/** Queues what the event tells people, in its transaction. */
type Notify = (tx: Tx) => void;

/** Looks the booking up, checks the table, moves it and queues its emails, in one transaction. */
function transition(
  db: DbOrTx,
  event: LifecycleEvent,
  bookingId: string,
  change: Change,
  extra: Extra,
  notify?: Notify,
): Moved | Refusal {
  return writeTransaction(db, (tx) => {
    const booking = findBooking(tx, bookingId);
    if (!booking) return { ok: false, refused: "not_found" };
    if (!allows(event, booking.status))
      return { ok: false, refused: "not_allowed", status: booking.status };
    const moved = move(tx, event, booking, change, extra);
    notify?.(tx);
    return moved;
  });
}

/**
 * The one UPDATE of a booking's status. Conditional on the status just read, so a change made by
 * anyone else in between is never overwritten; leaving `held` always drops the hold's expiry.
 */
function move(
  tx: Tx,
  event: LifecycleEvent,
  booking: Booking,
  change: Change,
  extra: Extra,
): Moved {
  const to = TRANSITIONS[event].to ?? booking.status;
  const reason = change.reason ?? event;
  const updated = updateBooking(tx, booking, {
    status: to,
    updatedAt: change.at,
    // The reason describes the status: an event that keeps the status keeps its reason too.
    ...(to === booking.status ? {} : { statusReason: reason }),
    ...(to === "held" ? {} : { holdExpiresAt: null }),
    ...extra,
  });
  // Inside a write transaction nobody else can have moved it since it was read.
  if (!updated) throw new Error(`booking ${booking.id} changed under an open write transaction`);
  audit(tx, booking.id, booking.status, to, change.actor, reason, change.at);
  return { ok: true, booking: updated, from: booking.status };
}

type BookingChanges = Extra & Pick<Booking, "status" | "updatedAt"> & { statusReason?: string };

/**
 * The UPDATE, if the booking still has the status just read. Prepared once per set of columns
 * (each event sets the same ones every time: `preparedSet`); a value that is SQL (a counter raised
 * in place) makes a statement that is not kept.
 */
function updateBooking(tx: Tx, booking: Booking, changes: BookingChanges): Booking | undefined {
  const where = (id: unknown, status: unknown) =>
    and(eq(bookings.id, id as string), eq(bookings.status, status as BookingStatus));
  if (Object.values(changes).some((value) => is(value, SQL))) {
    return tx
      .update(bookings)
      .set(changes)
      .where(where(booking.id, booking.status))
      .returning()
      .get();
  }
  const { key, set } = preparedSet(changes);
  return prepared(tx, `updateBooking:${key}`, (tx) =>
    tx
      .update(bookings)
      .set(set)
      .where(where(placeholder("id"), placeholder("fromStatus")))
      .returning()
      .prepare(),
  ).get({ ...changes, id: booking.id, fromStatus: booking.status });
}

function insert(
  tx: Tx,
  event: "hold" | "confirmFree",
  { offer, startAt, draftId, client, location, answers }: NewBooking,
  change: Change,
  extra: Pick<Booking, "holdExpiresAt">,
): Booking {
  const status = TRANSITIONS[event].to;
  const reason = change.reason ?? event;
  const inserted = tx
    .insert(bookings)
    .values({
      id: newBookingId(),
      coachId: offer.coach.id,
      serviceId: offer.service.id,
      draftId,
      startAt,
      endAt: new Date(startAt.getTime() + offer.service.durationMinutes * 60_000),
      clientName: client.name,
      clientEmail: client.email,
      clientTimezone: client.timezone,
      clientNotes: client.notes,
      // Copied, so later price changes never touch a booking.
      priceMinor: offer.service.priceMinor,
      currency: offer.service.currency,
      location: location ?? null,
      intakeAnswers: answers?.length ? JSON.stringify(answers) : null,
      status,
      statusReason: reason,
      createdAt: change.at,
      updatedAt: change.at,
      ...extra,
    })
    .returning()
    .get();
  audit(tx, inserted.id, null, status, change.actor, reason, change.at);
  return inserted;
}

function audit(
  tx: Tx,
  bookingId: string,
  fromStatus: BookingStatus | null,
  toStatus: BookingStatus,
  actor: BookingActor,
  reason: string,
  at: Date,
) {
  prepared(tx, "auditBooking", (tx) =>
    tx
      .insert(bookingEvents)
      .values({
        bookingId: placeholder("bookingId"),
        fromStatus: placeholder("fromStatus"),
        toStatus: placeholder("toStatus"),
        actor: placeholder("actor"),
        reason: placeholder("reason"),
        at: placeholder("at"),
      })
      .prepare(),
  ).run({ bookingId, fromStatus, toStatus, actor, reason, at });
}

/** The new booking's time is free of every booking that holds time (buffers, hours and notice). */
function isSlotFree(tx: Tx, booking: NewBooking, at: Date): boolean {
  return isStartAvailable(tx, booking.offer, booking.startAt.getTime(), at.getTime());
}

function newBookingId(): string {
  return `bk_${randomBytes(12).toString("base64url")}`;
}
