/**
 * The numbers a practice asks for, one calendar month at a time: bookings made, money received and
 * refunded (per currency: amounts in different currencies are never added together), the payment
 * funnel, and bookings per day for the dashboard's chart. Everything is read from the audit trail
 * (`booking_events`), the `refunds` table and `funnel_events`, so it counts what happened in the
 * month, whatever the bookings' statuses are now.
 *
 * What counts, and when:
 * - A booking is made when it is confirmed: a free one by `confirmFree`, a paid one by
 *   `confirmPaid`. It counts in the month (and on the day) of that confirmation, in the viewer's
 *   zone; a later cancellation or refund does not un-make it.
 * - Money is received when a payment arrives: a paid confirmation, or a payment that arrived after
 *   its slot went to someone else (`refundForSlotConflict`: received, then refunded in full, so the
 *   refund shows under refunds and received minus refunded stays true). A payment still processing
 *   has not arrived: it counts when it settles (`confirmPaid`) and never if it fails. A payment
 *   Stripe took in a different amount (flagged for attention) is not counted: its amount is not the
 *   booking's, and the coach settles it by hand.
 * - A refund counts in the month Stripe made it, unless it failed or was cancelled.
 * - The funnel counts attempts, one per draft (a booking without a draft counts on its own), so
 *   a client who changes the time and presses Pay twice is one "Pay pressed". Each stage counts the
 *   attempts that reached it during the month; an attempt that spans the month's end counts in each
 *   month for the stages it reached in it.
 * - A coach sees their own bookings only (`visibleTo`). `funnel_events` carry no coach (a draft
 *   reaching review may not even have one yet, and is deleted a day later), so the first stage of
 *   the funnel is the owner's only: for a coach it is `null`, and their funnel starts at Pay pressed.
 */
import { and, eq, gte, inArray, lt, notInArray } from "drizzle-orm";
import { DateTime } from "luxon";
import type { User } from "~/auth/accounts.server";
import { SLOT_CONFLICT, TRANSITIONS } from "~/booking/lifecycle.server";
import { countReachedReview } from "~/wizard/funnel.server";
import type { DbOrTx } from "~db/database.server";
import { bookingEvents, bookings, refunds, type BookingStatus } from "~db/schema";
import { visibleTo } from "./bookings.server";

type Reader = Pick<DbOrTx, "select">;

/** A sum in one currency (minor units, lowercase ISO 4217 code) and how many items made it. */
export type Amount = { currency: string; amountMinor: number; count: number };

/** One local day of the month (`YYYY-MM-DD` in the viewer's zone) and the bookings made on it. */
export type DayCount = { date: string; bookings: number };

/** The payment funnel, in attempts (one per draft). `reachedReview` is null for a coach. */
export type Funnel = {
  reachedReview: number | null;
  payPressed: number;
  paid: number;
  confirmed: number;
};

export type MonthNumbers = {
  month: {
    /** "March 2026" */
    label: string;
    /** The month's first and last local days, `YYYY-MM-DD`. */
    firstDay: string;
    lastDay: string;
    zone: string;
  };
  /** Bookings confirmed in the month: paid plus free. */
  bookings: { total: number; paid: number; free: number };
  /** Money received in the month, one entry per currency (sorted by code; none when nothing). */
  revenue: Amount[];
  /** Refunds made in the month: how many, and how much per currency. */
  refunds: { count: number; amounts: Amount[] };
  funnel: Funnel;
  /** Every day of the month in order, including the days still to come. */
  perDay: DayCount[];
};

/** The calendar month containing `now` in `zone`, as instants [start, end) and local days. */
export function monthOf(now: Date, zone: string) {
  const start = DateTime.fromJSDate(now, { zone }).startOf("month");
  if (!start.isValid) throw new Error(`monthOf: not a time zone: ${zone}`);
  const end = start.plus({ months: 1 });
  return { start, end, days: start.daysInMonth! };
}

/** The numbers of the calendar month containing `now`, read in `zone`, for what `user` may see. */
export function monthNumbers(
  db: Reader,
  user: User,
  { now, zone }: { now: Date; zone: string },
): MonthNumbers {
  const { start, end, days } = monthOf(now, zone);
  const from = start.toJSDate();
  const to = end.toJSDate();
  const events = classify(eventsBetween(db, user, from, to));
  const confirmations = events.filter((e) => e.kind === "free" || e.kind === "paid");
  const payments = events.filter((e) => e.kind === "paid" || e.kind === "slot_conflict_refund");
  const refunded = refundsBetween(db, user, from, to);
  return {
    month: {
      label: start.setLocale("en-GB").toFormat("LLLL yyyy"),
      firstDay: start.toISODate()!,
      lastDay: end.minus({ days: 1 }).toISODate()!,
      zone,
    },
    bookings: {
      total: distinct(confirmations, (e) => e.bookingId),
      paid: distinct(
        confirmations.filter((e) => e.kind === "paid"),
        (e) => e.bookingId,
      ),
      free: distinct(
        confirmations.filter((e) => e.kind === "free"),
        (e) => e.bookingId,
      ),
    },
    revenue: byCurrency(uniqueBy(payments, (e) => e.bookingId)),
    refunds: { count: refunded.length, amounts: byCurrency(refunded) },
    funnel: {
      reachedReview: user.role === "owner" ? countReachedReview(db, from, to) : null,
      payPressed: distinct(
        events.filter((e) => e.kind === "hold"),
        attempt,
      ),
      paid: distinct(payments, attempt),
      confirmed: distinct(
        events.filter((e) => e.kind === "paid"),
        attempt,
      ),
    },
    perDay: perDay(
      start,
      days,
      uniqueBy(confirmations, (e) => e.bookingId),
    ),
  };
}

// ---- Reading ------------------------------------------------------------------------------------

type EventRow = {
  bookingId: string;
  draftId: string | null;
  from: BookingStatus | null;
  to: BookingStatus;
  reason: string | null;
  at: Date;
  priceMinor: number;
  currency: string;
};

/** The status changes in [from, to) that can matter here, of the bookings the user may see. */
function eventsBetween(db: Reader, user: User, from: Date, to: Date): EventRow[] {
  return db
    .select({
      bookingId: bookingEvents.bookingId,
      draftId: bookings.draftId,
      from: bookingEvents.fromStatus,
      to: bookingEvents.toStatus,
      reason: bookingEvents.reason,
      at: bookingEvents.at,
      priceMinor: bookings.priceMinor,
      currency: bookings.currency,
    })
    .from(bookingEvents)
    .innerJoin(bookings, eq(bookings.id, bookingEvents.bookingId))
    .where(
      and(
        visibleTo(user),
        inArray(bookingEvents.toStatus, ["held", "confirmed", "refunded"]),
        gte(bookingEvents.at, from),
        lt(bookingEvents.at, to),
      ),
    )
    .all();
}

/** Refunds made in [from, to) of the bookings the user may see; failed or cancelled ones aside. */
function refundsBetween(db: Reader, user: User, from: Date, to: Date) {
  return db
    .select({ currency: refunds.currency, amountMinor: refunds.amountMinor })
    .from(refunds)
    .innerJoin(bookings, eq(bookings.id, refunds.bookingId))
    .where(
      and(
        visibleTo(user),
        notInArray(refunds.status, ["failed", "canceled"]),
        gte(refunds.createdAt, from),
        lt(refunds.createdAt, to),
      ),
    )
    .all();
}

// ---- Classifying --------------------------------------------------------------------------------

type Kind = "hold" | "free" | "paid" | "slot_conflict_refund";
type Classified = EventRow & { kind: Kind; amountMinor: number };

/** Statuses a payment can arrive in: the ones `confirmPaid` starts from. */
const AWAITING_PAYMENT: readonly BookingStatus[] = TRANSITIONS.confirmPaid.from;

/**
 * Which business event a status change was, from its shape rather than its free-text reason
 * (except for the slot conflict, whose reason the lifecycle itself sets).
 */
function kindOf(event: EventRow): Kind | null {
  const awaiting = event.from !== null && AWAITING_PAYMENT.includes(event.from);
  if (event.from === null && event.to === "held") return "hold";
  if (event.from === null && event.to === "confirmed") return "free";
  if (awaiting && event.to === "confirmed") return "paid";
  if (awaiting && event.to === "refunded" && event.reason === SLOT_CONFLICT)
    return "slot_conflict_refund";
  return null;
}

function classify(events: EventRow[]): Classified[] {
  return events.flatMap((event) => {
    const kind = kindOf(event);
    return kind ? [{ ...event, kind, amountMinor: event.priceMinor }] : [];
  });
}

// ---- Counting -----------------------------------------------------------------------------------

/** An attempt to book: its draft, or the booking itself when it came without one. */
const attempt = (event: EventRow) => event.draftId ?? event.bookingId;

function distinct<T>(items: T[], key: (item: T) => string): number {
  return new Set(items.map(key)).size;
}

/** The first item of each key, in order. */
function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/** Sums per currency, sorted by currency code. */
function byCurrency(items: { currency: string; amountMinor: number }[]): Amount[] {
  const totals = new Map<string, Amount>();
  for (const { currency, amountMinor } of items) {
    const total = totals.get(currency) ?? { currency, amountMinor: 0, count: 0 };
    totals.set(currency, {
      currency,
      amountMinor: total.amountMinor + amountMinor,
      count: total.count + 1,
    });
  }
  return [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Each local day of the month with the confirmations made on it. */
function perDay(start: DateTime, days: number, confirmations: { at: Date }[]): DayCount[] {
  const counts = new Map<string, number>();
  for (const { at } of confirmations) {
    const date = DateTime.fromJSDate(at, { zone: start.zone }).toISODate()!;
    counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return Array.from({ length: days }, (_, i) => {
    const date = start.plus({ days: i }).toISODate()!;
    return { date, bookings: counts.get(date) ?? 0 };
  });
}
