/**
 * From a finished draft to a booking: what a booking needs from the draft, and booking a free
 * session outright. The slot check and the insert are the booking lifecycle's (one write
 * transaction); what happens to the draft commits in the same transaction.
 */
import * as lifecycle from "~/booking/lifecycle.server";
import { findBookableOffer, type BookableOffer } from "~/catalogue/catalogue.server";
import {
  bookedAnswers,
  listQuestions,
  missingAnswers,
  readDraftAnswers,
  resolveLocation,
  type Question,
} from "~/catalogue/intake.server";
import { writeTransaction, type Db, type DbOrTx } from "~db/database.server";
import { completeDraft, findOpenDraft, forgetDraftTime, type Draft } from "./drafts.server";

/** The slot went to someone else between choosing it and confirming. */
export class SlotTakenError extends Error {
  constructor() {
    super("That time was just taken.");
  }
}

/** The draft is missing something the booking needs (a forged or stale post). */
export class IncompleteDraftError extends Error {}

export type CompleteDraft = Draft & {
  startAt: Date;
  clientName: string;
  clientEmail: string;
  clientTimezone: string;
};

export type CompleteDraftAndOffer = {
  draft: CompleteDraft;
  offer: BookableOffer;
  questions: Question[];
};

/** The open draft with everything a booking needs, and what it books; IncompleteDraftError if not. */
export function requireCompleteDraft(
  tx: Pick<DbOrTx, "select">,
  draftId: string,
  now: Date,
): CompleteDraftAndOffer {
  const draft = findOpenDraft(tx, draftId, now);
  const offer =
    draft?.serviceId && draft.coachId
      ? findBookableOffer(tx, draft.coachId, draft.serviceId)
      : null;
  if (
    !draft ||
    !offer ||
    !draft.startAt ||
    !draft.clientName ||
    !draft.clientEmail ||
    !draft.clientTimezone
  ) {
    throw new IncompleteDraftError("The booking is missing some details.");
  }
  const questions = listQuestions(tx, offer.service.id);
  if (missingAnswers(questions, readDraftAnswers(draft.intakeAnswers)).length > 0)
    throw new IncompleteDraftError("The booking is missing an answer the session needs.");
  return { draft: draft as CompleteDraft, offer, questions };
}

/** The booking a complete draft describes, with its place and its answers fixed now. */
export function newBookingFrom({
  draft,
  offer,
  questions,
}: CompleteDraftAndOffer): lifecycle.NewBooking {
  return {
    offer,
    startAt: draft.startAt,
    draftId: draft.id,
    client: {
      name: draft.clientName,
      email: draft.clientEmail,
      timezone: draft.clientTimezone,
      notes: draft.clientNotes ?? "",
    },
    location: resolveLocation(
      offer.service.locationKind,
      offer.service.locationDetail,
      offer.coach.videoLink,
    ),
    answers: bookedAnswers(questions, readDraftAnswers(draft.intakeAnswers)),
  };
}

/**
 * Confirms the draft's free session and returns the booking's id. Throws
 * SlotTakenError when the time is no longer free (the draft then loses its time, keeping everything
 * else) and IncompleteDraftError when the draft is not a complete free booking.
 */
export function confirmFreeBooking(
  db: Db,
  draftId: string,
  { now, appUrl }: { now: Date; appUrl: string },
): { bookingId: string } {
  const confirmed = writeTransaction(db, (tx) => {
    const complete = requireCompleteDraft(tx, draftId, now);
    if (complete.offer.service.priceMinor !== 0)
      throw new IncompleteDraftError("This session needs payment.");
    const result = lifecycle.confirmFree(tx, newBookingFrom(complete), {
      actor: "client",
      at: now,
      reason: "free session",
      appUrl,
    });
    // Returning (not throwing) commits the draft losing its time.
    if (!result.ok) {
      forgetDraftTime(tx, draftId, now);
      return null;
    }
    completeDraft(tx, draftId, now);
    return result;
  });
  if (!confirmed) throw new SlotTakenError();
  return { bookingId: confirmed.booking.id };
}
