/**
 * Reading bookings: by id, by Checkout Session or PaymentIntent, the holds that need settling, and
 * a booking with the names of what and whom it books, as pages and emails show it. Nothing here
 * writes; changes go through the lifecycle.
 */
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import { formatPrice } from "~/lib/format";
import { formatSession } from "~/lib/time-format";
import type { DbOrTx } from "~db/database.server";
import { placeholder, prepared } from "~db/prepared.server";
import { bookings, coaches, services } from "~db/schema";

export type Booking = typeof bookings.$inferSelect;
type Reader = Pick<DbOrTx, "select">;

/** A booking by one of its keys; prepared once per key (a payment reads a booking several times). */
const bookingBy = (key: "id" | "checkoutSessionId" | "paymentIntentId") => (db: Reader) =>
  db
    .select()
    .from(bookings)
    .where(eq(bookings[key], placeholder("value")))
    .prepare();

export function findBooking(db: Reader, id: string): Booking | null {
  return prepared(db, "bookingById", bookingBy("id")).get({ value: id }) ?? null;
}

export function findBookingBySession(db: Reader, sessionId: string): Booking | null {
  return (
    prepared(db, "bookingBySession", bookingBy("checkoutSessionId")).get({ value: sessionId }) ??
    null
  );
}

export function findBookingByPaymentIntent(db: Reader, paymentIntentId: string): Booking | null {
  return (
    prepared(db, "bookingByPaymentIntent", bookingBy("paymentIntentId")).get({
      value: paymentIntentId,
    }) ?? null
  );
}

/** The draft's hold that is still running, if it has one. */
export function findLiveHold(db: Reader, draftId: string, now: Date): Booking | null {
  return (
    db
      .select()
      .from(bookings)
      .where(
        and(
          eq(bookings.draftId, draftId),
          eq(bookings.status, "held"),
          gt(bookings.holdExpiresAt, now),
        ),
      )
      .get() ?? null
  );
}

/** Holds whose time ran out, oldest first, at most `limit`. */
export function findLapsedHolds(db: Reader, now: Date, limit: number): Booking[] {
  return db
    .select()
    .from(bookings)
    .where(and(eq(bookings.status, "held"), lt(bookings.holdExpiresAt, now)))
    .orderBy(asc(bookings.holdExpiresAt))
    .limit(limit)
    .all();
}

export type BookingView = Pick<
  Booking,
  | "id"
  | "status"
  | "draftId"
  | "startAt"
  | "endAt"
  | "clientName"
  | "clientEmail"
  | "clientTimezone"
  | "clientNotes"
  | "priceMinor"
  | "currency"
  | "location"
  | "intakeAnswers"
  | "serviceId"
  | "coachId"
  | "icsSequence"
> & {
  serviceName: string;
  serviceSlug: string;
  coachName: string;
  coachSlug: string;
  coachEmail: string;
  coachTimezone: string;
};

/** A booking with the names of what and whom it books: what pages and emails show. */
export function findBookingView(
  db: Reader,
  by: { id: string } | { draftId: string },
): BookingView | null {
  const key = "id" in by ? "id" : "draftId";
  return (
    prepared(db, `bookingViewBy:${key}`, bookingViewBy(key)).get({
      value: "id" in by ? by.id : by.draftId,
    }) ?? null
  );
}

const bookingViewBy = (key: "id" | "draftId") => (db: Reader) =>
  db
    .select({
      id: bookings.id,
      status: bookings.status,
      draftId: bookings.draftId,
      startAt: bookings.startAt,
      endAt: bookings.endAt,
      clientName: bookings.clientName,
      clientEmail: bookings.clientEmail,
      clientTimezone: bookings.clientTimezone,
      clientNotes: bookings.clientNotes,
      priceMinor: bookings.priceMinor,
      currency: bookings.currency,
      location: bookings.location,
      intakeAnswers: bookings.intakeAnswers,
      serviceId: bookings.serviceId,
      coachId: bookings.coachId,
      icsSequence: bookings.icsSequence,
      serviceName: services.name,
      serviceSlug: services.slug,
      coachName: coaches.name,
      coachSlug: coaches.slug,
      coachEmail: coaches.email,
      coachTimezone: coaches.timezone,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId))
    .where(eq(bookings[key], placeholder("value")))
    .orderBy(desc(bookings.createdAt))
    .prepare();

/** A booking as its client reads it: names, their local time with the zone named, the price. */
export function summariseBooking(booking: BookingView) {
  return {
    service: booking.serviceName,
    coach: booking.coachName,
    when: formatSession(booking.startAt, booking.endAt, booking.clientTimezone),
    price: formatPrice(booking.priceMinor, booking.currency),
    name: booking.clientName,
    email: booking.clientEmail,
  };
}
