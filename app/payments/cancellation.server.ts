/**
 * Cancelling a confirmed booking with its refund: the money goes back through Stripe first (with an
 * idempotency key, so a repeated request makes one refund), then one transaction records the refund
 * and cancels the booking through the lifecycle, which emails the client (and, when the client
 * cancelled, the coach). The coach chooses the amount (app/coach/actions.server.ts); a client who
 * cancels from their manage link gets what the practice's policy gives for the notice they give.
 */
import type Stripe from "stripe";
import * as lifecycle from "~/booking/lifecycle.server";
import { findBooking, type Booking } from "~/booking/queries.server";
import {
  findManagedBooking,
  type ManagedBooking,
  type NoChange,
} from "~/booking/self-service.server";
import { formatPrice } from "~/lib/format";
import { log } from "~/lib/log.server";
import { writeTransaction, type Db, type DbOrTx } from "~db/database.server";
import { recordRefunds, refundedSoFar, refundPayment } from "./refunds.server";

/** How much of the booking's payment may still go back. */
export function refundable(db: Pick<DbOrTx, "select">, booking: Booking): number {
  if (!booking.paymentIntentId) return 0;
  return Math.max(0, booking.priceMinor - refundedSoFar(db, booking.id));
}

export type CancelResult =
  | { ok: true; refundedMinor: number }
  | lifecycle.Refusal
  | { ok: false; refused: "stripe_failed"; message: string };

export async function cancelWithRefund(
  db: Db,
  stripe: Stripe,
  booking: Booking,
  change: {
    actor: "client" | "coach";
    amountMinor: number;
    idempotencyKey: string;
    reason: (refundedMinor: number) => string;
    now: Date;
    appUrl: string;
  },
): Promise<CancelResult> {
  if (!lifecycle.allows("cancel", booking.status))
    return { ok: false, refused: "not_allowed", status: booking.status };
  let refund: Stripe.Refund | null = null;
  if (change.amountMinor > 0) {
    try {
      refund = await refundPayment(stripe, {
        paymentIntentId: booking.paymentIntentId!,
        amountMinor: change.amountMinor,
        bookingId: booking.id,
        idempotencyKey: change.idempotencyKey,
      });
    } catch (error) {
      log.error({ err: error, bookingId: booking.id }, "A cancellation's refund failed at Stripe");
      const message =
        (error as Stripe.errors.StripeError).message ?? "Stripe could not be reached.";
      return { ok: false, refused: "stripe_failed", message };
    }
  }
  const refundedMinor = refund?.amount ?? 0;
  const cancelled = writeTransaction(db, (tx) => {
    if (refund)
      recordRefunds(tx, booking.id, [refund], {
        source: "kairos",
        reason: `cancelled by the ${change.actor}`,
      });
    return lifecycle.cancel(tx, booking.id, {
      actor: change.actor,
      at: change.now,
      reason: change.reason(refundedMinor),
      refundedMinor,
      appUrl: change.appUrl,
    });
  });
  return cancelled.ok ? { ok: true, refundedMinor } : cancelled;
}

/** What cancelling now gives back to the client, by the policy (within what is still refundable). */
function clientRefundNow(db: Pick<DbOrTx, "select">, managed: ManagedBooking): number {
  const booking = findBooking(db, managed.booking.id)!;
  const byPolicy = Math.floor((booking.priceMinor * managed.refundPercentNow) / 100);
  return Math.min(refundable(db, booking), byPolicy);
}

/** The manage page's booking, with what was refunded and what a cancellation would refund now. */
export function managedBookingWithRefund(db: Db, token: string, now: Date) {
  const managed = findManagedBooking(db, token, now);
  if (!managed) return null;
  return {
    ...managed,
    refundedMinor: refundedSoFar(db, managed.booking.id),
    refundNowMinor: managed.cannotChange ? 0 : clientRefundNow(db, managed),
  };
}

export type ClientCancelOutcome =
  | { ok: true; refundedMinor: number }
  | { ok: false; refused: "not_found" | NoChange }
  /** The refund is no longer what the client was shown (time passed a tier): ask again. */
  | { ok: false; refused: "refund_changed"; refundMinor: number }
  | { ok: false; refused: "stripe_failed"; message: string };

/**
 * The client cancels from their manage link, having been shown `expectedRefundMinor`. One
 * cancellation per booking, so one idempotency key per booking: a repeat gets the same refund.
 */
export async function cancelForClient(
  db: Db,
  stripe: Stripe,
  token: string,
  { expectedRefundMinor, now, appUrl }: { expectedRefundMinor: number; now: Date; appUrl: string },
): Promise<ClientCancelOutcome> {
  const managed = findManagedBooking(db, token, now);
  if (!managed) return { ok: false, refused: "not_found" };
  if (managed.cannotChange) return { ok: false, refused: managed.cannotChange };
  const refundMinor = clientRefundNow(db, managed);
  if (refundMinor !== expectedRefundMinor)
    return { ok: false, refused: "refund_changed", refundMinor };
  const booking = findBooking(db, managed.booking.id)!;
  const result = await cancelWithRefund(db, stripe, booking, {
    actor: "client",
    amountMinor: refundMinor,
    idempotencyKey: `kairos-client-cancel-${booking.id}`,
    reason: (refunded) =>
      `cancelled by the client${refunded ? `, refunded ${formatPrice(refunded, booking.currency)}` : ", no refund"}`,
    now,
    appUrl,
  });
  if (result.ok || result.refused === "stripe_failed") return result;
  return { ok: false, refused: result.refused === "not_found" ? "not_found" : "not_confirmed" };
}
