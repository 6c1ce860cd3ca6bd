/**
 * What the return page (Stripe's success_url) shows. It calls `fulfil` itself, so the page confirms
 * the booking even when the webhook never comes, and shows the same thing on every refresh.
 * Personal details only for a session Stripe reports paid (or processing) that belongs to a known
 * booking, and only to the browser whose draft made it; anyone else holding the link (it travels
 * in histories and screenshots) learns that the booking stands and that the email has the details.
 */
import type Stripe from "stripe";
import { findBookingView, summariseBooking } from "~/booking/queries.server";
import { log } from "~/lib/log.server";
import { findDraft, type Draft } from "~/wizard/drafts.server";
import type { Db } from "~db/database.server";
import { fulfil, type FulfilOutcome } from "./fulfil.server";

export const CHECKOUT_SESSION_ID = /^cs_(test|live)_[A-Za-z0-9]{10,200}$/;

export type ReturnDetails = {
  service?: string;
  coach?: string;
  when?: string;
  price?: string;
  name?: string;
  email?: string;
};

export type ReturnView =
  /** `details` is null for a browser that did not make the booking. */
  | { state: "confirmed" | "processing"; details: ReturnDetails | null }
  | {
      state: "refunded" | "failed" | "not_paid" | "problem" | "unknown" | "invalid" | "unavailable";
    };

const SHOWN_WITH_DETAILS: Partial<Record<FulfilOutcome, "confirmed" | "processing">> = {
  confirmed: "confirmed",
  already_confirmed: "confirmed",
  processing: "processing",
};

const SHOWN_WITHOUT: Partial<Record<FulfilOutcome, ReturnView["state"]>> = {
  refunded: "refunded",
  payment_failed: "failed",
  expired: "not_paid",
  not_paid: "not_paid",
  amount_mismatch: "problem",
  unknown_session: "unknown",
};

export async function describeReturn(
  db: Db,
  stripe: Stripe,
  sessionId: string | null,
  { appUrl, viewerDraftId }: { appUrl: string; viewerDraftId: string | null },
): Promise<ReturnView> {
  if (!sessionId || !CHECKOUT_SESSION_ID.test(sessionId)) return { state: "invalid" };
  let result;
  try {
    result = await fulfil(db, stripe, sessionId, { actor: "client", appUrl });
  } catch (error) {
    if ((error as Stripe.errors.StripeError).statusCode === 404) return { state: "unknown" };
    log.error({ err: error }, "Return page: Stripe could not be read");
    return { state: "unavailable" };
  }
  const withDetails = SHOWN_WITH_DETAILS[result.outcome];
  if (withDetails && result.bookingId) {
    const owner = findBookingView(db, { id: result.bookingId })?.draftId;
    const isOwner = viewerDraftId !== null && owner === viewerDraftId;
    return {
      state: withDetails,
      details: isOwner ? rehydrate(db, result.session, result.bookingId) : null,
    };
  }
  return { state: SHOWN_WITHOUT[result.outcome] ?? "not_paid" } as ReturnView;
}

/**
 * The confirmation's details, each field from the first source that has it, in this order:
 *  1. the booking, as `fulfil` or the webhook wrote it;
 *  2. the draft the client filled in (found through the booking, or the session's metadata);
 *  3. the booking named by the session's metadata ids (a session whose id never reached our
 *     booking row, because the process stopped between creating it and storing it);
 *  4. the session's `customer_details` (only the email: Stripe knows nothing else we show).
 */
function rehydrate(db: Db, session: Stripe.Checkout.Session, bookingId: string): ReturnDetails {
  const details: ReturnDetails = {};
  const fill = (source: ReturnDetails | null) => {
    if (!source) return;
    for (const [key, value] of Object.entries(source) as [
      keyof ReturnDetails,
      string | undefined,
    ][]) {
      if (details[key] === undefined && value) details[key] = value;
    }
  };
  const booking = bookingDetails(db, bookingId);
  fill(booking?.details ?? null);
  fill(draftDetails(findDraft(db, booking?.draftId ?? session.metadata?.draft_id ?? null)));
  const metadataBookingId = session.metadata?.booking_id ?? session.client_reference_id;
  if (metadataBookingId && metadataBookingId !== bookingId)
    fill(bookingDetails(db, metadataBookingId)?.details ?? null);
  fill({ email: session.customer_details?.email ?? undefined });
  return details;
}

function bookingDetails(
  db: Db,
  bookingId: string,
): { details: ReturnDetails; draftId: string | null } | null {
  const booking = findBookingView(db, { id: bookingId });
  return booking ? { draftId: booking.draftId, details: summariseBooking(booking) } : null;
}

function draftDetails(draft: Draft | null): ReturnDetails | null {
  if (!draft) return null;
  return { name: draft.clientName ?? undefined, email: draft.clientEmail ?? undefined };
}
