/**
 * Turning a finished draft into a booking. The slot check and the insert share one
 * `BEGIN IMMEDIATE` transaction: SQLite's write lock is taken before the check, so two clients can
 * never both see the slot free and both book it.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "~db/database.server";
import { bookingDrafts, bookingEvents, bookings, coaches, services } from "~db/schema";
import { findBookableOffer, isStartAvailable } from "./availability.server";
import { findOpenDraft } from "./drafts.server";

/** The slot went to someone else between choosing it and confirming. */
export class SlotTakenError extends Error {
  constructor() {
    super("That time was just taken.");
  }
}

/** The draft is missing something the booking needs (a forged or stale post). */
export class IncompleteDraftError extends Error {}

export function newBookingId(): string {
  return `bk_${randomBytes(12).toString("base64url")}`;
}

/** A token for the client's manage link; only its hash is stored. */
export function newManageToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashManageToken(token) };
}

export function hashManageToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Confirms the draft's free session. Throws SlotTakenError when the time is no longer free (the
 * draft then loses its time, keeping everything else) and IncompleteDraftError when the draft is
 * not a complete free booking.
 */
export function confirmFreeBooking(db: Db, draftId: string, now: Date): { bookingId: string } {
  const result = db.transaction(
    (tx) => {
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
      if (offer.service.priceMinor !== 0)
        throw new IncompleteDraftError("This session needs payment.");
      const startAt = draft.startAt.getTime();
      if (!isStartAvailable(tx, offer, startAt, now.getTime())) {
        // Committed with the transaction: the client picks a new time, keeping everything else.
        tx.update(bookingDrafts)
          .set({ startAt: null, updatedAt: now })
          .where(eq(bookingDrafts.id, draft.id))
          .run();
        return null;
      }
      const bookingId = newBookingId();
      tx.insert(bookings)
        .values({
          id: bookingId,
          coachId: offer.coach.id,
          serviceId: offer.service.id,
          draftId: draft.id,
          startAt: draft.startAt,
          endAt: new Date(startAt + offer.service.durationMinutes * 60_000),
          clientName: draft.clientName,
          clientEmail: draft.clientEmail,
          clientTimezone: draft.clientTimezone,
          clientNotes: draft.clientNotes ?? "",
          priceMinor: 0,
          currency: offer.service.currency,
          status: "confirmed",
          manageTokenHash: newManageToken().hash,
          createdAt: now,
          updatedAt: now,
        })
        .run();
      tx.insert(bookingEvents)
        .values({
          bookingId,
          fromStatus: null,
          toStatus: "confirmed",
          actor: "client",
          reason: "free session",
          at: now,
        })
        .run();
      tx.update(bookingDrafts)
        .set({ status: "completed", updatedAt: now })
        .where(eq(bookingDrafts.id, draft.id))
        .run();
      return { bookingId };
    },
    { behavior: "immediate" },
  );
  if (!result) throw new SlotTakenError();
  return result;
}

export type BookingSummary = {
  id: string;
  status: string;
  startAt: Date;
  endAt: Date;
  clientName: string;
  clientEmail: string;
  clientTimezone: string;
  priceMinor: number;
  currency: string;
  serviceName: string;
  coachName: string;
};

/** The latest booking made from this draft (the confirmation page's subject). */
export function findBookingForDraft(db: Db, draftId: string): BookingSummary | null {
  return (
    db
      .select({
        id: bookings.id,
        status: bookings.status,
        startAt: bookings.startAt,
        endAt: bookings.endAt,
        clientName: bookings.clientName,
        clientEmail: bookings.clientEmail,
        clientTimezone: bookings.clientTimezone,
        priceMinor: bookings.priceMinor,
        currency: bookings.currency,
        serviceName: services.name,
        coachName: coaches.name,
      })
      .from(bookings)
      .innerJoin(services, eq(services.id, bookings.serviceId))
      .innerJoin(coaches, eq(coaches.id, bookings.coachId))
      .where(and(eq(bookings.draftId, draftId)))
      .orderBy(desc(bookings.createdAt))
      .get() ?? null
  );
}
