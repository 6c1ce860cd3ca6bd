/**
 * The hold sweeper: holds whose time ran out are settled against Stripe (paid: confirmed; still
 * open: expired through the API; expired: released). Bounded per run; safe to run twice at once,
 * since every step goes through the idempotent `fulfil` or the booking lifecycle.
 */
import type Stripe from "stripe";
import * as lifecycle from "~/booking/lifecycle.server";
import { findLapsedHolds } from "~/booking/queries.server";
import { fulfil } from "~/payments/fulfil.server";
import type { Db } from "~db/database.server";
import type { Job } from "./scheduler.server";
import { log } from "~/lib/log.server";

export async function sweepLapsedHolds(
  db: Db,
  stripe: Stripe,
  { appUrl, now = new Date(), batch = 25 }: { appUrl: string; now?: Date; batch?: number },
): Promise<number> {
  const lapsed = findLapsedHolds(db, now, batch);
  for (const booking of lapsed) {
    try {
      if (!booking.checkoutSessionId) {
        // Stripe never gave this hold a session (it failed, or the process stopped in between).
        lifecycle.expire(db, booking.id, {
          actor: "system",
          at: now,
          reason: "hold lapsed without a checkout",
        });
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
      log.error(
        { err: error, bookingId: booking.id },
        "Sweeping a hold failed; the next run will try again",
      );
    }
  }
  return lapsed.length;
}

export function sweepHoldsJob(
  db: Db,
  stripe: () => Stripe,
  { appUrl, everyMs }: { appUrl: string; everyMs: number },
): Job {
  return {
    name: "sweep-holds",
    everyMs,
    run: async () => {
      await sweepLapsedHolds(db, stripe(), { appUrl });
    },
  };
}
