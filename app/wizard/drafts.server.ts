/**
 * Booking drafts: the wizard's progress, kept on the server under an unguessable id that only the
 * client's cookie holds. Nothing typed lives only in the browser.
 *
 * This module owns a draft's status (`editing` → `checkout` → `completed`, and back to `editing`
 * when a payment does not happen): nothing else writes `booking_drafts` (eslint.config.js enforces
 * it). The functions that take a `tx` run inside the caller's transaction, beside the booking
 * lifecycle change that causes them.
 */
import { randomBytes } from "node:crypto";
import { and, eq, gt, inArray, lt } from "drizzle-orm";
import { hashSecretToken, newSecretToken } from "~/lib/secret-token.server";
import type { Db, DbOrTx } from "~db/database.server";
import { placeholder, prepared, preparedSet } from "~db/prepared.server";
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
    | "intakeAnswers"
  >
>;

/** A draft lives 24 hours after its last change. */
export const DRAFT_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** 192 random bits, base64url: unguessable, and safe in a cookie. */
export function newDraftId(): string {
  return randomBytes(24).toString("base64url");
}

/** The draft with this id if it is still being filled in, else null. */
export function findOpenDraft(
  db: Pick<DbOrTx, "select">,
  id: string | null,
  now: Date,
): Draft | null {
  if (!id) return null;
  // Every wizard page reads it: prepared once (an instant is bound as epoch milliseconds).
  const openDraft = prepared(db, "openDraft", (db) =>
    db
      .select()
      .from(bookingDrafts)
      .where(
        and(
          eq(bookingDrafts.id, placeholder("id")),
          gt(bookingDrafts.expiresAt, placeholder("now")),
          inArray(bookingDrafts.status, ["editing", "checkout"]),
        ),
      )
      .prepare(),
  );
  return openDraft.get({ id, now: now.getTime() }) ?? null;
}

/** Any draft with this id, whatever its status (the confirmation page reads completed ones). */
export function findDraft(db: Pick<DbOrTx, "select">, id: string | null): Draft | null {
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

/**
 * The draft's slot went to someone else: it loses its time (nothing else it was given) and is
 * edited again, with no checkout of its own any more.
 */
export function forgetDraftTime(tx: DbOrTx, id: string, now: Date) {
  update(tx, id, { startAt: null, status: "editing", checkoutSessionId: null, updatedAt: now });
}

/** Pay was pressed: the draft's booking is held while the client is at Stripe. */
export function markDraftInCheckout(tx: DbOrTx, id: string, now: Date) {
  update(tx, id, { status: "checkout", updatedAt: now });
}

export function attachDraftCheckoutSession(tx: DbOrTx, id: string, sessionId: string, now: Date) {
  update(tx, id, { checkoutSessionId: sessionId, updatedAt: now });
}

/** The draft became a confirmed booking. */
export function completeDraft(tx: DbOrTx, id: string, now: Date) {
  update(tx, id, { status: "completed", updatedAt: now });
}

/**
 * No payment came of the draft's checkout: the client carries on from it (pay again, or, when the
 * slot is gone, pick another time).
 */
export function reopenDraft(
  tx: DbOrTx,
  id: string,
  now: Date,
  { keepTime }: { keepTime: boolean },
) {
  update(tx, id, {
    status: "editing",
    checkoutSessionId: null,
    updatedAt: now,
    ...(keepTime ? {} : { startAt: null }),
  });
}

/**
 * A token that reopens the draft on any device (the link in a "payment failed" or "your time was
 * taken" email). Only its hash is kept, so a new token replaces the one before: the latest email's
 * link is the one that works.
 */
export function issueResumeToken(tx: DbOrTx, id: string): string {
  const { token, hash } = newSecretToken();
  update(tx, id, { resumeTokenHash: hash });
  return token;
}

/** The open draft a resume link points at, else null (wrong, replaced, finished or expired). */
export function findDraftByResumeToken(
  db: Pick<DbOrTx, "select">,
  token: string,
  now: Date,
): Draft | null {
  const draft = db
    .select({ id: bookingDrafts.id })
    .from(bookingDrafts)
    .where(eq(bookingDrafts.resumeTokenHash, hashSecretToken(token)))
    .get();
  return draft ? findOpenDraft(db, draft.id, now) : null;
}

/** Prepared once per set of columns (a draft's events each set the same ones every time). */
function update(tx: DbOrTx, id: string, fields: Partial<Omit<Draft, "id">>) {
  const { key, set } = preparedSet(fields);
  prepared(tx, `updateDraft:${key}`, (tx) =>
    tx
      .update(bookingDrafts)
      .set(set)
      .where(eq(bookingDrafts.id, placeholder("id")))
      .prepare(),
  ).run({ ...fields, id });
}

/** Deletes drafts whose 24 hours have passed. Returns how many. */
export function sweepExpiredDrafts(db: DbOrTx, now: Date): number {
  return db.delete(bookingDrafts).where(lt(bookingDrafts.expiresAt, now)).run().changes;
}
