/**
 * Pay: from a finished draft to Stripe Checkout (DESIGN.md section 4 step 2).
 *
 * 1. One immediate transaction re-checks the slot and creates the `held` booking.
 * 2. The Checkout Session is created with an idempotency key derived from that booking, and every
 *    parameter derived from it too, so a double-click (which finds the same hold) gets the same
 *    session back instead of a second one.
 * 3. A second transaction stores the session id on the booking and the draft.
 * If Stripe fails, the hold is released and the client is told, with everything still filled in.
 */
import { and, eq, gt, isNull, or } from "drizzle-orm";
import type Stripe from "stripe";
import type { BookableOffer } from "~/booking/availability.server";
import { changeStatus, findBooking, type Booking } from "~/booking/booking-status.server";
import {
  IncompleteDraftError,
  insertBookingFromDraft,
  keepDraftTimeIfFree,
  requireCompleteDraft,
  SlotTakenError,
} from "~/booking/bookings.server";
import type { Draft } from "~/booking/drafts.server";
import type { Db } from "~db/database.server";
import { bookingDrafts, bookings } from "~db/schema";
import { fulfil } from "./fulfil.server";

/**
 * How long a slot is held for a client at Stripe. Stripe wants a session's `expires_at` at least
 * 30 minutes after creation; the extra minute absorbs the time the request takes to get there.
 */
export const CHECKOUT_HOLD_MS = 31 * 60_000;

/** Stripe could not be reached or refused the session: nothing was charged and the hold is gone. */
export class CheckoutUnavailableError extends Error {}

export type CheckoutStart = { redirectTo: string };

type Hold = { booking: Booking; offer: BookableOffer; draft: Draft };

/** What a held booking must still agree with for the draft to reuse it (and its session). */
function holdMatchesDraft(booking: Booking, draft: Draft, offer: BookableOffer) {
  return (
    booking.coachId === offer.coach.id &&
    booking.serviceId === offer.service.id &&
    booking.startAt.getTime() === draft.startAt?.getTime() &&
    booking.priceMinor === offer.service.priceMinor &&
    booking.clientEmail === draft.clientEmail &&
    booking.clientName === draft.clientName
  );
}

function holdSlot(db: Db, draftId: string, now: Date): Hold & { released: Booking | null } {
  const hold = db.transaction(
    (tx) => {
      const complete = requireCompleteDraft(tx, draftId, now);
      const { draft, offer } = complete;
      if (offer.service.priceMinor === 0)
        throw new IncompleteDraftError("This session is free: confirm it instead.");

      const existing =
        tx
          .select()
          .from(bookings)
          .where(
            and(
              eq(bookings.draftId, draft.id),
              eq(bookings.status, "held"),
              gt(bookings.holdExpiresAt, now),
            ),
          )
          .get() ?? null;
      if (existing && holdMatchesDraft(existing, draft, offer))
        return { booking: existing, offer, draft, released: null };
      if (existing) {
        changeStatus(tx, {
          booking: existing,
          from: ["held"],
          to: "expired",
          actor: "client",
          reason: "changed before paying",
          at: now,
          set: { holdExpiresAt: null },
        });
      }
      // Returning (not throwing) commits the draft losing its time.
      if (!keepDraftTimeIfFree(tx, draft, offer, now)) return null;
      const booking = insertBookingFromDraft(
        tx,
        complete,
        {
          status: "held",
          reason: "checkout started",
          holdExpiresAt: new Date(now.getTime() + CHECKOUT_HOLD_MS),
        },
        now,
      );
      tx.update(bookingDrafts)
        .set({ status: "checkout", updatedAt: now })
        .where(eq(bookingDrafts.id, draft.id))
        .run();
      return { booking, offer, draft, released: existing };
    },
    { behavior: "immediate" },
  );
  if (!hold) throw new SlotTakenError();
  return hold;
}

/** Every parameter comes from the booking, so a repeat with the same idempotency key is identical. */
function checkoutParams(
  { booking, offer }: Hold,
  appUrl: string,
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: booking.currency,
          unit_amount: booking.priceMinor,
          product_data: { name: `${offer.service.name} with ${offer.coach.name}` },
        },
      },
    ],
    customer_email: booking.clientEmail,
    client_reference_id: booking.id,
    // Ids only: no personal data goes to Stripe's metadata.
    metadata: { booking_id: booking.id, draft_id: booking.draftId ?? "" },
    payment_intent_data: { metadata: { booking_id: booking.id } },
    expires_at: Math.floor(booking.holdExpiresAt!.getTime() / 1000),
    success_url: `${appUrl}/book/return?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${appUrl}/book/review?checkout=cancelled`,
  };
}

export async function startCheckout(
  db: Db,
  stripe: Stripe,
  draftId: string,
  { appUrl, now = new Date() }: { appUrl: string; now?: Date },
): Promise<CheckoutStart> {
  const hold = holdSlot(db, draftId, now);
  if (hold.released?.checkoutSessionId)
    await expireQuietly(stripe, hold.released.checkoutSessionId);

  // A hold that already has its session (Pay pressed again after going back): carry on with it.
  if (hold.booking.checkoutSessionId) {
    const session = await stripe.checkout.sessions.retrieve(hold.booking.checkoutSessionId);
    if (session.status === "open" && session.url) return { redirectTo: session.url };
    if (session.status === "complete")
      return { redirectTo: `/book/return?session_id=${session.id}` };
    await fulfil(db, stripe, session.id, { actor: "system", appUrl });
    return startCheckout(db, stripe, draftId, { appUrl, now });
  }

  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(checkoutParams(hold, appUrl), {
      idempotencyKey: `kairos-checkout-${hold.booking.id}`,
    });
  } catch (error) {
    releaseHold(db, hold, describeStripeFailure(error), now);
    throw new CheckoutUnavailableError(
      "We couldn’t reach our payment provider, so nothing was charged. Please try again in a moment.",
      { cause: error },
    );
  }

  db.transaction(
    (tx) => {
      tx.update(bookings)
        .set({ checkoutSessionId: session.id, updatedAt: now })
        .where(
          and(
            eq(bookings.id, hold.booking.id),
            or(isNull(bookings.checkoutSessionId), eq(bookings.checkoutSessionId, session.id)),
          ),
        )
        .run();
      tx.update(bookingDrafts)
        .set({ checkoutSessionId: session.id, updatedAt: now })
        .where(eq(bookingDrafts.id, hold.draft.id))
        .run();
    },
    { behavior: "immediate" },
  );
  if (!session.url)
    throw new CheckoutUnavailableError("Stripe did not return a payment page. Please try again.");
  return { redirectTo: session.url };
}

function releaseHold(db: Db, hold: Hold, reason: string, now: Date) {
  db.transaction(
    (tx) => {
      const booking = findBooking(tx, hold.booking.id);
      if (!booking) return;
      changeStatus(tx, {
        booking,
        from: ["held"],
        to: "expired",
        actor: "system",
        reason,
        at: now,
        set: { holdExpiresAt: null },
      });
      tx.update(bookingDrafts)
        .set({ status: "editing", updatedAt: now })
        .where(eq(bookingDrafts.id, hold.draft.id))
        .run();
    },
    { behavior: "immediate" },
  );
}

function describeStripeFailure(error: unknown): string {
  const stripeError = error as Partial<Stripe.errors.StripeError>;
  return `checkout could not start: ${stripeError.type ?? "error"} ${stripeError.statusCode ?? ""} ${stripeError.message ?? String(error)}`
    .replace(/\s+/g, " ")
    .slice(0, 300);
}

async function expireQuietly(stripe: Stripe, sessionId: string) {
  try {
    await stripe.checkout.sessions.expire(sessionId);
  } catch {
    // Already expired or completed: fulfil() will read whichever it is.
  }
}

/**
 * Stripe's cancel link: the client left the payment page. Their session is expired through the
 * API and the hold released (through fulfil, which reads the result from Stripe: a session that
 * was paid in the meantime is confirmed instead). Returns where the client should go.
 */
export async function cancelCheckout(
  db: Db,
  stripe: Stripe,
  draft: Draft,
  { appUrl }: { appUrl: string },
): Promise<"review" | { paidSession: string }> {
  if (draft.status !== "checkout" || !draft.checkoutSessionId) return "review";
  await expireQuietly(stripe, draft.checkoutSessionId);
  const result = await fulfil(db, stripe, draft.checkoutSessionId, { actor: "client", appUrl });
  if (
    result.outcome === "confirmed" ||
    result.outcome === "already_confirmed" ||
    result.outcome === "processing"
  ) {
    return { paidSession: draft.checkoutSessionId };
  }
  return "review";
}
