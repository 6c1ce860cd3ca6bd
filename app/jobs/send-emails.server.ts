/**
 * Sends what the outbox holds that is due, oldest first. A refused or failed attempt is tried
 * again after the next of `retryWaitsMs` (growing waits); after the last, the email is dead and
 * the coach sees it under "Needs attention", with "Send again". An email whose sending succeeded
 * but whose row could not be marked (the process stopped in between) is sent again with the same
 * Message-ID, which lets mail programs recognise the repeat.
 */
import type { Transport } from "~/email/delivery.server";
import {
  dueEmails,
  markFailed,
  markSent,
  withdrawRemindersOfUnconfirmed,
} from "~/email/outbox.server";
import type { Db } from "~db/database.server";
import type { Job } from "./scheduler.server";

export type SendResult = { sent: number; failed: number };

export async function sendDueEmails(
  db: Db,
  transport: Transport,
  { now = () => new Date(), retryWaitsMs, batch = 25 }: SendOptions,
): Promise<SendResult> {
  const result = { sent: 0, failed: 0 };
  withdrawRemindersOfUnconfirmed(db, now());
  for (const email of dueEmails(db, now(), batch)) {
    try {
      await transport.send(email);
      markSent(db, email.id, now());
      result.sent++;
    } catch (error) {
      markFailed(db, email, describeError(error), now(), retryWaitsMs);
      result.failed++;
    }
  }
  return result;
}

type SendOptions = { now?: () => Date; retryWaitsMs: number[]; batch?: number };

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const response = (error as { response?: string }).response;
  return response ? `${error.message} (${response})` : error.message;
}

export function sendEmailsJob(
  db: Db,
  transport: Transport,
  { everyMs, retryWaitsMs }: { everyMs: number; retryWaitsMs: number[] },
): Job {
  return {
    name: "send-emails",
    everyMs,
    run: async () => {
      const { sent, failed } = await sendDueEmails(db, transport, { retryWaitsMs });
      if (sent + failed === 0) return undefined;
      return `Emails: ${sent} sent${failed ? `, ${failed} failed (to be retried)` : ""}`;
    },
  };
}
