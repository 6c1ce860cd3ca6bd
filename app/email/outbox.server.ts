/**
 * The outbox: every email is a row written in the same transaction as the change it reports, so a
 * change that commits always has its email queued and one that rolls back never does. A job sends
 * what is due (`app/jobs/send-emails.server.ts`), retrying with growing waits; an email that fails
 * every attempt is dead, shown to the coach, who can send it again. Reminders wait here until
 * their time, and are cancelled when their session is moved or cancelled.
 *
 * This module is the only writer of `email_outbox` (eslint.config.js).
 */
import { randomBytes } from "node:crypto";
import { and, asc, eq, exists, lte, ne } from "drizzle-orm";
import type { DbOrTx } from "~db/database.server";
import { placeholder, prepared } from "~db/prepared.server";
import { bookings, emailOutbox } from "~db/schema";

export type OutgoingEmail = {
  bookingId: string | null;
  recipient: string;
  /** What it is about, for the coach's outbox and for tests: `booking_confirmed`, `reminder`… */
  kind: string;
  subject: string;
  textBody: string;
  htmlBody?: string;
  /** An iCalendar invite to attach. */
  ics?: string;
};

export type QueuedEmail = typeof emailOutbox.$inferSelect;

/** The domain of our Message-IDs: any stable name will do; the sender's domain reads best. */
let messageIdDomain = "kairos.local";

export function setMessageIdDomain(from: string) {
  const domain = from.match(/@([\w.-]+)>?\s*$/)?.[1];
  if (domain) messageIdDomain = domain;
}

/** Queues an email, to go at once or at `sendAt` (a reminder). */
export function queueEmail(tx: DbOrTx, email: OutgoingEmail, now: Date, sendAt: Date = now) {
  insertEmail(tx).run({
    bookingId: email.bookingId,
    recipient: email.recipient,
    kind: email.kind,
    subject: email.subject,
    textBody: email.textBody,
    htmlBody: email.htmlBody ?? null,
    ics: email.ics ?? null,
    messageId: `<${randomBytes(12).toString("hex")}@${messageIdDomain}>`,
    nextAttemptAt: sendAt,
    createdAt: now,
  });
}

/** Prepared once: a confirmation queues several emails in the payment's write transaction. */
const insertEmail = (tx: DbOrTx) =>
  prepared(tx, "queueEmail", (tx) =>
    tx
      .insert(emailOutbox)
      .values({
        bookingId: placeholder("bookingId"),
        recipient: placeholder("recipient"),
        kind: placeholder("kind"),
        subject: placeholder("subject"),
        textBody: placeholder("textBody"),
        htmlBody: placeholder("htmlBody"),
        ics: placeholder("ics"),
        messageId: placeholder("messageId"),
        status: "pending",
        attempts: 0,
        nextAttemptAt: placeholder("nextAttemptAt"),
        createdAt: placeholder("createdAt"),
      })
      .prepare(),
  );

/** Reminders of a session that will not take place at the time they were written for. */
export function cancelPendingReminders(tx: DbOrTx, bookingId: string): number {
  return tx
    .update(emailOutbox)
    .set({ status: "cancelled" })
    .where(
      and(
        eq(emailOutbox.bookingId, bookingId),
        eq(emailOutbox.kind, "reminder"),
        eq(emailOutbox.status, "pending"),
      ),
    )
    .run().changes;
}

/**
 * Reminders now due whose session is no longer confirmed (refunded in full, say, which the
 * lifecycle does not count as a cancellation): withdrawn just before sending, so no reminder ever
 * goes for a session that will not take place. Only due ones are looked at (the outbox's due
 * index), each booking by its key: the job runs every few seconds.
 */
export function withdrawRemindersOfUnconfirmed(db: DbOrTx, now: Date): number {
  return db
    .update(emailOutbox)
    .set({ status: "cancelled" })
    .where(
      and(
        eq(emailOutbox.status, "pending"),
        lte(emailOutbox.nextAttemptAt, now),
        eq(emailOutbox.kind, "reminder"),
        exists(
          db
            .select({ id: bookings.id })
            .from(bookings)
            .where(and(eq(bookings.id, emailOutbox.bookingId), ne(bookings.status, "confirmed"))),
        ),
      ),
    )
    .run().changes;
}

export function dueEmails(db: Pick<DbOrTx, "select">, now: Date, limit: number): QueuedEmail[] {
  return db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.status, "pending"), lte(emailOutbox.nextAttemptAt, now)))
    .orderBy(asc(emailOutbox.nextAttemptAt), asc(emailOutbox.id))
    .limit(limit)
    .all();
}

export function markSent(db: DbOrTx, id: number, now: Date) {
  db.update(emailOutbox)
    .set({ status: "sent", sentAt: now, lastError: null })
    .where(and(eq(emailOutbox.id, id), eq(emailOutbox.status, "pending")))
    .run();
}

/**
 * An attempt failed: try again after the next wait of `retryWaitsMs`, or give up (dead) when
 * every wait has been used.
 */
export function markFailed(
  db: DbOrTx,
  email: Pick<QueuedEmail, "id" | "attempts">,
  error: string,
  now: Date,
  retryWaitsMs: number[],
) {
  const attempts = email.attempts + 1;
  const wait = retryWaitsMs[attempts - 1];
  db.update(emailOutbox)
    .set({
      attempts,
      lastError: error.slice(0, 500),
      ...(wait === undefined
        ? { status: "dead" as const }
        : { nextAttemptAt: new Date(now.getTime() + wait) }),
    })
    .where(and(eq(emailOutbox.id, email.id), eq(emailOutbox.status, "pending")))
    .run();
}

/** A dead email queued again by the coach, with its attempts counted afresh. */
export function sendAgain(db: DbOrTx, id: number, now: Date): boolean {
  return (
    db
      .update(emailOutbox)
      .set({ status: "pending", attempts: 0, nextAttemptAt: now })
      .where(and(eq(emailOutbox.id, id), eq(emailOutbox.status, "dead")))
      .run().changes > 0
  );
}
