/**
 * The coach's view of the outbox: the emails Kairos has queued, sent, given up on or withdrawn,
 * newest first, each readable as it was sent; dead ones (every attempt refused) are also under
 * "Needs attention", with "Send again". A coach sees the emails of their own bookings; the owner
 * sees every email, including those about no booking (sign-in links).
 */
import { and, count, desc, eq, getTableColumns } from "drizzle-orm";
import type { User } from "~/auth/accounts.server";
import { sendAgain } from "~/email/outbox.server";
import type { DbOrTx } from "~db/database.server";
import { bookings, emailOutbox } from "~db/schema";
import { visibleTo } from "./bookings.server";

type Reader = Pick<DbOrTx, "select">;

export const OUTBOX_PAGE_SIZE = 25;

/** Emails with their booking's coach, and the condition for those the user may see. */
function visibleEmails(db: Reader, user: User) {
  const query = db
    .select({ ...getTableColumns(emailOutbox), coachId: bookings.coachId })
    .from(emailOutbox)
    .leftJoin(bookings, eq(bookings.id, emailOutbox.bookingId));
  // A coach's condition is on the booking, so emails about no booking are the owner's alone.
  return { query, where: visibleTo(user) };
}

export function outboxPage(db: Reader, user: User, page: number) {
  const { query, where } = visibleEmails(db, user);
  const emails = query
    .where(where)
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(OUTBOX_PAGE_SIZE)
    .offset((page - 1) * OUTBOX_PAGE_SIZE)
    .all();
  const [{ total } = { total: 0 }] = db
    .select({ total: count() })
    .from(emailOutbox)
    .leftJoin(bookings, eq(bookings.id, emailOutbox.bookingId))
    .where(where)
    .all();
  return { emails, total, pages: Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE)) };
}

/** Emails that failed every attempt, for "Needs attention". */
export function deadEmailsFor(db: Reader, user: User) {
  // What the dashboard lists: not the bodies, which the outbox page shows.
  return db
    .select({
      id: emailOutbox.id,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      attempts: emailOutbox.attempts,
      lastError: emailOutbox.lastError,
    })
    .from(emailOutbox)
    .leftJoin(bookings, eq(bookings.id, emailOutbox.bookingId))
    .where(and(visibleTo(user), eq(emailOutbox.status, "dead")))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(20)
    .all();
}

export type SendAgainOutcome = "queued" | "not_found" | "not_dead";

/** Queues a dead email again, if the user may see it. */
export function sendEmailAgain(db: DbOrTx, user: User, id: number, now: Date): SendAgainOutcome {
  const { query, where } = visibleEmails(db, user);
  const email = query.where(and(where, eq(emailOutbox.id, id))).get();
  if (!email) return "not_found";
  return sendAgain(db, id, now) ? "queued" : "not_dead";
}
