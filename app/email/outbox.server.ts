/**
 * Emails are written to the outbox in the same transaction as the change they report, so a
 * confirmed booking always has its confirmation queued and a rolled-back one never does. A timer
 * sends them (see the email issue); until then they wait here.
 */
import type { Db } from "~db/database.server";
import { emailOutbox } from "~db/schema";

export type OutgoingEmail = {
  bookingId: string | null;
  recipient: string;
  kind: string;
  subject: string;
  textBody: string;
  ics?: string;
};

export function queueEmail(tx: Pick<Db, "insert">, email: OutgoingEmail, now: Date) {
  tx.insert(emailOutbox)
    .values({ ...email, status: "pending", attempts: 0, nextAttemptAt: now, createdAt: now })
    .run();
}
