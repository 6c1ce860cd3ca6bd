/**
 * Booking drafts: the wizard's progress, kept on the server under an unguessable id that only the
 * client's cookie holds. Nothing typed lives only in the browser.
 */
import { randomBytes } from "node:crypto";
import { and, eq, gt, inArray, lt } from "drizzle-orm";
import type { Db } from "~db/database.server";
import { bookingDrafts } from "~db/schema";

export type Draft = typeof bookingDrafts.$inferSelect;
export type DraftFields = Partial<
  Pick<
    Draft,
    | "serviceId"
    | "coachId"
    | "startAt"
    | "clientTimezone"
    | "clientName"
    | "clientEmail"
    | "clientNotes"
  >
>;

/** A draft lives 24 hours after its last change. */
export const DRAFT_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** 192 random bits, base64url: unguessable, and safe in a cookie. */
export function newDraftId(): string {
  return randomBytes(24).toString("base64url");
}

/** The draft with this id if it is still being filled in, else null. */
export function findOpenDraft(db: Pick<Db, "select">, id: string | null, now: Date): Draft | null {
  if (!id) return null;
  return (
    db
      .select()
      .from(bookingDrafts)
      .where(
        and(
          eq(bookingDrafts.id, id),
          gt(bookingDrafts.expiresAt, now),
          inArray(bookingDrafts.status, ["editing", "checkout"]),
        ),
      )
      .get() ?? null
  );
}

/** Any draft with this id, whatever its status (the confirmation page reads completed ones). */
export function findDraft(db: Pick<Db, "select">, id: string | null): Draft | null {
  if (!id) return null;
  return db.select().from(bookingDrafts).where(eq(bookingDrafts.id, id)).get() ?? null;
}

/**
 * Writes `fields` to the open draft `id`, or to a new draft when there is none (first step, or an
 * expired or finished one). Every write pushes the expiry 24 hours ahead. Returns the draft.
 */
export function saveDraft(db: Db, id: string | null, fields: DraftFields, now: Date): Draft {
  const expiresAt = new Date(now.getTime() + DRAFT_LIFETIME_MS);
  const existing = findOpenDraft(db, id, now);
  if (existing) {
    return db
      .update(bookingDrafts)
      .set({ ...fields, updatedAt: now, expiresAt })
      .where(eq(bookingDrafts.id, existing.id))
      .returning()
      .get();
  }
  return db
    .insert(bookingDrafts)
    .values({ id: newDraftId(), ...fields, createdAt: now, updatedAt: now, expiresAt })
    .returning()
    .get();
}

/** Deletes drafts whose 24 hours have passed. Returns how many. */
export function sweepExpiredDrafts(db: Db, now: Date): number {
  return db.delete(bookingDrafts).where(lt(bookingDrafts.expiresAt, now)).run().changes;
}
