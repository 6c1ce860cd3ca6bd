/**
 * Pay: from a finished draft to Stripe Checkout (docs/architecture.md, "Pay, Stripe, fulfil").
 *
 * 1. One immediate transaction re-checks the slot and creates the `held` booking.
 * 2. The Checkout Session is created with an idempotency key derived from that booking, and every
 *    parameter derived from it too, so a double-click (which finds the same hold) gets the same
 *    session back instead of a second one.
 * 3. A second transaction stores the session id on the booking and the draft.
 * If Stripe fails, the hold is released and the client is told, with everything still filled in.
 */
import type Stripe from "stripe";
import * as lifecycle from "~/booking/lifecycle.server";
import { findLiveHold, type Booking } from "~/booking/queries.server";
import type { BookableOffer } from "~/catalogue/catalogue.server";
import { formatSession } from "~/lib/time-format";
import {
  IncompleteDraftError,
  newBookingFrom,
  requireCompleteDraft,
  SlotTakenError,
} from "~/wizard/draft-booking.server";
import {
  attachDraftCheckoutSession,
  forgetDraftTime,
  markDraftInCheckout,
  reopenDraft,
  type Draft,
} from "~/wizard/drafts.server";
import { writeTransaction, type Db } from "~db/database.server";
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

/**
 * Holds the draft's slot, reusing a live hold that still matches it. A hold for an earlier choice
 * is released and handed back (`released`), whether or not the new time could be held, so that its
 * Checkout Session can be ended too: its page must not stay payable for a time the client left.
 */
function holdSlot(
  db: Db,
  draftId: string,
  now: Date,
): { hold: Hold | null; released: Booking | null } {
  return writeTransaction(db, (tx) => {
    const complete = requireCompleteDraft(tx, draftId, now);
    const { draft, offer } = complete;
    if (offer.service.priceMinor === 0)
      throw new IncompleteDraftError("This session is free: confirm it instead.");

    const existing = findLiveHold(tx, draft.id, now);
    if (existing && holdMatchesDraft(existing, draft, offer))
      return { hold: { booking: existing, offer, draft }, released: null };
    if (existing) {
      lifecycle.expire(tx, existing.id, {
        actor: "client",
        at: now,
        reason: "changed before paying",
      });
    }
    const held = lifecycle.hold(tx, newBookingFrom(complete), {
      actor: "client",
      at: now,
      reason: "checkout started",
      holdExpiresAt: new Date(now.getTime() + CHECKOUT_HOLD_MS),
    });
    // Returning (not throwing) commits the draft losing its time.
    if (!held.ok) {
      forgetDraftTime(tx, draft.id, now);
      return { hold: null, released: existing };
    }
    markDraftInCheckout(tx, draft.id, now);
    return { hold: { booking: held.booking, offer, draft }, released: existing };
  });
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
          // What is paid for, as the client will read it on Stripe's page and receipt: the
          // session, and its time in the client's own zone (named, since it may not be the
          // coach's).
          product_data: {
            name: `${offer.service.name} with ${offer.coach.name}`,
            description: formatSession(booking.startAt, booking.endAt, booking.clientTimezone),
          },
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
  const { hold, released } = holdSlot(db, draftId, now);
  if (released?.checkoutSessionId) await expireQuietly(stripe, released.checkoutSessionId);
  if (!hold) throw new SlotTakenError();

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

  writeTransaction(db, (tx) => {
    lifecycle.attachCheckoutSession(tx, hold.booking.id, session.id, now);
    attachDraftCheckoutSession(tx, hold.draft.id, session.id, now);
  });
  if (!session.url)
    throw new CheckoutUnavailableError("Stripe did not return a payment page. Please try again.");
  return { redirectTo: session.url };
}

function releaseHold(db: Db, hold: Hold, reason: string, now: Date) {
  writeTransaction(db, (tx) => {
    const released = lifecycle.expire(tx, hold.booking.id, { actor: "system", at: now, reason });
    if (released.ok) reopenDraft(tx, hold.draft.id, now, { keepTime: true });
  });
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
