/**
 * Turning a finished draft into a booking. The slot check and the insert share one
 * `BEGIN IMMEDIATE` transaction: SQLite's write lock is taken before the check, so two clients can
 * never both see the slot free and both book it.
 */
import { createHash, randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import type { Db } from "~db/database.server";
import {
  bookingDrafts,
  bookingEvents,
  bookings,
  coaches,
  services,
  type BookingStatus,
} from "~db/schema";
import { findBookableOffer, isStartAvailable, type BookableOffer } from "./availability.server";
import type { Booking } from "./booking-status.server";
import { findOpenDraft, type Draft } from "./drafts.server";

type Tx = Pick<Db, "select" | "insert" | "update">;

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

export type CompleteDraft = Draft & {
  startAt: Date;
  clientName: string;
  clientEmail: string;
  clientTimezone: string;
};

/** The open draft with everything a booking needs, and what it books; IncompleteDraftError if not. */
export function requireCompleteDraft(
  tx: Tx,
  draftId: string,
  now: Date,
): { draft: CompleteDraft; offer: BookableOffer } {
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
  return { draft: draft as CompleteDraft, offer };
}

/** Whether the draft's time is still bookable; if not, the draft loses its time (nothing else). */
export function keepDraftTimeIfFree(
  tx: Tx,
  draft: CompleteDraft,
  offer: BookableOffer,
  now: Date,
): boolean {
  if (isStartAvailable(tx, offer, draft.startAt.getTime(), now.getTime())) return true;
  tx.update(bookingDrafts)
    .set({ startAt: null, status: "editing", updatedAt: now })
    .where(eq(bookingDrafts.id, draft.id))
    .run();
  return false;
}

/** Inserts the booking the draft describes, with its first audit row. */
export function insertBookingFromDraft(
  tx: Tx,
  { draft, offer }: { draft: CompleteDraft; offer: BookableOffer },
  booking: { status: BookingStatus; reason: string; holdExpiresAt?: Date },
  now: Date,
): Booking {
  const inserted = tx
    .insert(bookings)
    .values({
      id: newBookingId(),
      coachId: offer.coach.id,
      serviceId: offer.service.id,
      draftId: draft.id,
      startAt: draft.startAt,
      endAt: new Date(draft.startAt.getTime() + offer.service.durationMinutes * 60_000),
      clientName: draft.clientName,
      clientEmail: draft.clientEmail,
      clientTimezone: draft.clientTimezone,
      clientNotes: draft.clientNotes ?? "",
      // Copied, so later price changes never touch a booking.
      priceMinor: offer.service.priceMinor,
      currency: offer.service.currency,
      status: booking.status,
      holdExpiresAt: booking.holdExpiresAt ?? null,
      manageTokenHash: newManageToken().hash,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  tx.insert(bookingEvents)
    .values({
      bookingId: inserted.id,
      fromStatus: null,
      toStatus: booking.status,
      actor: "client",
      reason: booking.reason,
      at: now,
    })
    .run();
  return inserted;
}

/**
 * Confirms the draft's free session. Throws SlotTakenError when the time is no longer free (the
 * draft then loses its time, keeping everything else) and IncompleteDraftError when the draft is
 * not a complete free booking.
 */
export function confirmFreeBooking(db: Db, draftId: string, now: Date): { bookingId: string } {
  const booking = db.transaction(
    (tx) => {
      const complete = requireCompleteDraft(tx, draftId, now);
      if (complete.offer.service.priceMinor !== 0)
        throw new IncompleteDraftError("This session needs payment.");
      // Returning (not throwing) commits the draft losing its time.
      if (!keepDraftTimeIfFree(tx, complete.draft, complete.offer, now)) return null;
      const inserted = insertBookingFromDraft(
        tx,
        complete,
        { status: "confirmed", reason: "free session" },
        now,
      );
      tx.update(bookingDrafts)
        .set({ status: "completed", updatedAt: now })
        .where(eq(bookingDrafts.id, draftId))
        .run();
      return inserted;
    },
    { behavior: "immediate" },
  );
  if (!booking) throw new SlotTakenError();
  return { bookingId: booking.id };
}

export type BookingView = Pick<
  Booking,
  | "id"
  | "status"
  | "draftId"
  | "startAt"
  | "endAt"
  | "clientName"
  | "clientEmail"
  | "clientTimezone"
  | "clientNotes"
  | "priceMinor"
  | "currency"
> & { serviceName: string; coachName: string; coachEmail: string; coachTimezone: string };

/** A booking with the names of what and whom it books: what pages and emails show. */
export function findBookingView(
  db: Pick<Db, "select">,
  by: { id: string } | { draftId: string },
): BookingView | null {
  return (
    db
      .select({
        id: bookings.id,
        status: bookings.status,
        draftId: bookings.draftId,
        startAt: bookings.startAt,
        endAt: bookings.endAt,
        clientName: bookings.clientName,
        clientEmail: bookings.clientEmail,
        clientTimezone: bookings.clientTimezone,
        clientNotes: bookings.clientNotes,
        priceMinor: bookings.priceMinor,
        currency: bookings.currency,
        serviceName: services.name,
        coachName: coaches.name,
        coachEmail: coaches.email,
        coachTimezone: coaches.timezone,
      })
      .from(bookings)
      .innerJoin(services, eq(services.id, bookings.serviceId))
      .innerJoin(coaches, eq(coaches.id, bookings.coachId))
      .where("id" in by ? eq(bookings.id, by.id) : eq(bookings.draftId, by.draftId))
      .orderBy(desc(bookings.createdAt))
      .get() ?? null
  );
}
