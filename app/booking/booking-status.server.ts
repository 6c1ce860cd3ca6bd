/**
 * Every booking status change goes through here: a conditional update (only from the statuses the
 * caller expects, so a concurrent change is never overwritten) and its audit row, in the caller's
 * transaction.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "~db/database.server";
import { bookingEvents, bookings, type BookingActor, type BookingStatus } from "~db/schema";

type Tx = Pick<Db, "select" | "update" | "insert">;
export type Booking = typeof bookings.$inferSelect;

export function findBooking(tx: Pick<Db, "select">, id: string): Booking | null {
  return tx.select().from(bookings).where(eq(bookings.id, id)).get() ?? null;
}

export function findBookingBySession(tx: Pick<Db, "select">, sessionId: string): Booking | null {
  return tx.select().from(bookings).where(eq(bookings.checkoutSessionId, sessionId)).get() ?? null;
}

/**
 * Moves the booking from one of `from` to `to`, recording who and why. Returns false (changing
 * nothing) when the booking is not in one of `from`.
 */
export function changeStatus(
  tx: Tx,
  change: {
    booking: Pick<Booking, "id" | "status">;
    from: BookingStatus[];
    to: BookingStatus;
    actor: BookingActor;
    reason: string;
    at: Date;
    set?: Partial<
      Pick<
        Booking,
        | "paymentIntentId"
        | "holdExpiresAt"
        | "statusReason"
        | "needsAttention"
        | "checkoutSessionId"
      >
    >;
  },
): boolean {
  const { booking, from, to, actor, reason, at } = change;
  const updated = tx
    .update(bookings)
    .set({ status: to, updatedAt: at, statusReason: reason, ...change.set })
    .where(and(eq(bookings.id, booking.id), inArray(bookings.status, from)))
    .run();
  if (updated.changes === 0) return false;
  tx.insert(bookingEvents)
    .values({ bookingId: booking.id, fromStatus: booking.status, toStatus: to, actor, reason, at })
    .run();
  return true;
}
