/**
 * Refunds: made through Stripe with an idempotency key (so a repeated request makes one refund),
 * and recorded against their booking, whether Kairos made them or someone did in Stripe's
 * dashboard. This module is the only writer of the `refunds` table (eslint.config.js).
 */
import { and, eq, notInArray, sum } from "drizzle-orm";
import type Stripe from "stripe";
import type { DbOrTx } from "~db/database.server";
import { refunds, type REFUND_SOURCES } from "~db/schema";

export type RefundSource = (typeof REFUND_SOURCES)[number];
export type RecordedRefund = typeof refunds.$inferSelect;

/**
 * Refunds `amountMinor` (all that is left when not given) of a PaymentIntent. The same
 * `idempotencyKey` always yields the same refund, however often it is asked for.
 */
export function refundPayment(
  stripe: Stripe,
  {
    paymentIntentId,
    amountMinor,
    bookingId,
    idempotencyKey,
  }: { paymentIntentId: string; amountMinor?: number; bookingId: string; idempotencyKey: string },
): Promise<Stripe.Refund> {
  return stripe.refunds.create(
    {
      payment_intent: paymentIntentId,
      ...(amountMinor === undefined ? {} : { amount: amountMinor }),
      reason: "requested_by_customer",
      metadata: { booking_id: bookingId },
    },
    { idempotencyKey },
  );
}

/**
 * Records Stripe's refunds against the booking; returns the ones not known before (a refund seen
 * again, from a webhook repeat or our own request, is recorded once).
 */
export function recordRefunds(
  tx: DbOrTx,
  bookingId: string,
  stripeRefunds: Stripe.Refund[],
  { source, reason }: { source: RefundSource; reason?: string },
): Stripe.Refund[] {
  const known = new Set(
    tx
      .select({ id: refunds.id })
      .from(refunds)
      .where(eq(refunds.bookingId, bookingId))
      .all()
      .map((row) => row.id),
  );
  return stripeRefunds.filter(
    (refund) =>
      tx
        .insert(refunds)
        .values({
          id: refund.id,
          bookingId,
          amountMinor: refund.amount,
          currency: refund.currency,
          status: refund.status ?? "succeeded",
          reason: reason ?? refund.reason ?? null,
          source,
          createdAt: new Date(refund.created * 1000),
        })
        // Seen before: only its status can have moved on (pending → succeeded, or failed).
        .onConflictDoUpdate({ target: refunds.id, set: { status: refund.status ?? "succeeded" } })
        .run().changes > 0 && !known.has(refund.id),
  );
}

export function refundsOf(db: Pick<DbOrTx, "select">, bookingId: string): RecordedRefund[] {
  return db
    .select()
    .from(refunds)
    .where(eq(refunds.bookingId, bookingId))
    .orderBy(refunds.createdAt)
    .all();
}

/** How much of the booking's payment has gone back, or is on its way (minor units). */
export function refundedSoFar(db: Pick<DbOrTx, "select">, bookingId: string): number {
  const row = db
    .select({ total: sum(refunds.amountMinor) })
    .from(refunds)
    .where(
      and(eq(refunds.bookingId, bookingId), notInArray(refunds.status, ["failed", "canceled"])),
    )
    .get();
  return Number(row?.total ?? 0);
}

export function knownRefundIds(db: Pick<DbOrTx, "select">): Set<string> {
  return new Set(
    db
      .select({ id: refunds.id })
      .from(refunds)
      .all()
      .map((row) => row.id),
  );
}
