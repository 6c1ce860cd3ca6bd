/**
 * The hold sweeper, run every minute in the server process: holds whose time ran out are settled
 * against Stripe (paid: confirmed; still open: expired through the API; expired: released). Bounded
 * per pass; safe to run twice at once, since every step goes through the idempotent `fulfil`.
 */
import { and, asc, eq, lt } from "drizzle-orm";
import type Stripe from "stripe";
import { changeStatus } from "~/booking/booking-status.server";
import type { Db } from "~db/database.server";
import { bookings } from "~db/schema";
import { fulfil } from "./fulfil.server";

export async function sweepLapsedHolds(
  db: Db,
  stripe: Stripe,
  { appUrl, now = new Date(), batch = 25 }: { appUrl: string; now?: Date; batch?: number },
): Promise<number> {
  const lapsed = db
    .select()
    .from(bookings)
    .where(and(eq(bookings.status, "held"), lt(bookings.holdExpiresAt, now)))
    .orderBy(asc(bookings.holdExpiresAt))
    .limit(batch)
    .all();
  for (const booking of lapsed) {
    try {
      if (!booking.checkoutSessionId) {
        // Stripe never gave this hold a session (it failed, or the process stopped in between).
        db.transaction((tx) =>
          changeStatus(tx, {
            booking,
            from: ["held"],
            to: "expired",
            actor: "system",
            reason: "hold lapsed without a checkout",
            at: now,
            set: { holdExpiresAt: null },
          }),
        );
        continue;
      }
      const session = await stripe.checkout.sessions.retrieve(booking.checkoutSessionId);
      if (session.status === "open") {
        try {
          await stripe.checkout.sessions.expire(session.id);
        } catch {
          // Completed or expired a moment ago: fulfil reads which.
        }
      }
      await fulfil(db, stripe, session.id, { actor: "system", appUrl });
    } catch (error) {
      console.error(`Sweeping hold ${booking.id} failed; will try again next minute:`, error);
    }
  }
  return lapsed.length;
}
