/**
 * The emails each booking event causes, queued in the lifecycle's transaction (so exactly one per
 * event, however often a webhook repeats): the client's and the coach's, with calendar invites
 * (same UID, SEQUENCE raised on every change), reminders waiting for their time, and links that
 * carry their own token.
 */
import { getPracticeContact, reminderOffsetsOf } from "~/catalogue/catalogue.server";
import {
  bookingCancelled,
  bookingRefunded,
  bookingRescheduled,
  clientConfirmation,
  coachCancellationNotice,
  coachNotification,
  coachRescheduleNotice,
  paymentFailedNotice,
  paymentProcessing,
  reminder,
  slotConflictApology,
  type Practice,
} from "~/email/booking-emails.server";
import { inviteCancel, inviteRequest } from "~/email/invite.server";
import { cancelPendingReminders, queueEmail, type OutgoingEmail } from "~/email/outbox.server";
import type { DbOrTx } from "~db/database.server";
import { bookAgainPath, issueManageToken, manageUrlOf } from "./manage-links.server";
import { findBookingView, type BookingView } from "./queries.server";

function load(tx: DbOrTx, bookingId: string): { view: BookingView; practice: Practice } {
  return { view: findBookingView(tx, { id: bookingId })!, practice: getPracticeContact(tx) };
}

function queueAll(tx: DbOrTx, emails: OutgoingEmail[], at: Date) {
  for (const email of emails) queueEmail(tx, email, at);
}

/** A manage link of the email's own, so one leaked or forwarded email can be revoked alone. */
const newManageUrl = (tx: DbOrTx, bookingId: string, appUrl: string, at: Date) =>
  manageUrlOf(appUrl, issueManageToken(tx, bookingId, at));

/** Reminders at the service's offsets before the session, those still in the future. */
function queueReminders(
  tx: DbOrTx,
  view: BookingView,
  practice: Practice,
  { appUrl, at }: { appUrl: string; at: Date },
) {
  for (const minutesBefore of reminderOffsetsOf(tx, view.serviceId)) {
    const sendAt = new Date(view.startAt.getTime() - minutesBefore * 60_000);
    if (sendAt <= at) continue;
    const manageUrl = newManageUrl(tx, view.id, appUrl, at);
    queueEmail(tx, reminder(view, practice, { manageUrl }), at, sendAt);
  }
}

export function notifyConfirmed(
  tx: DbOrTx,
  bookingId: string,
  { appUrl, at }: { appUrl: string; at: Date },
) {
  const { view, practice } = load(tx, bookingId);
  const manageUrl = newManageUrl(tx, bookingId, appUrl, at);
  queueAll(
    tx,
    [
      clientConfirmation(view, practice, {
        manageUrl,
        ics: inviteRequest(view, { practice, manageUrl }),
      }),
      coachNotification(view, practice, { ics: inviteRequest(view, { practice }) }),
    ],
    at,
  );
  queueReminders(tx, view, practice, { appUrl, at });
}

export function notifyProcessing(tx: DbOrTx, bookingId: string, at: Date) {
  const { view, practice } = load(tx, bookingId);
  queueAll(tx, [paymentProcessing(view, practice)], at);
}

export function notifyPaymentFailed(
  tx: DbOrTx,
  bookingId: string,
  { resumeUrl, at }: { resumeUrl: string | null; at: Date },
) {
  const { view, practice } = load(tx, bookingId);
  queueAll(tx, [paymentFailedNotice(view, practice, { resumeUrl })], at);
}

export function notifySlotConflict(
  tx: DbOrTx,
  bookingId: string,
  { resumeUrl, at }: { resumeUrl: string | null; at: Date },
) {
  const { view, practice } = load(tx, bookingId);
  queueAll(tx, [slotConflictApology(view, practice, { resumeUrl })], at);
}

export function notifyCancelled(
  tx: DbOrTx,
  bookingId: string,
  {
    by,
    refundedMinor,
    appUrl,
    at,
  }: { by: "client" | "coach"; refundedMinor: number; appUrl: string; at: Date },
) {
  cancelPendingReminders(tx, bookingId);
  const { view, practice } = load(tx, bookingId);
  const ics = inviteCancel(view, { practice });
  queueAll(
    tx,
    [
      bookingCancelled(view, practice, {
        refundedMinor,
        by,
        bookAgainUrl: `${appUrl}${bookAgainPath(view)}`,
        ics,
      }),
      ...(by === "client" ? [coachCancellationNotice(view, practice, { refundedMinor, ics })] : []),
    ],
    at,
  );
}

export function notifyRescheduled(
  tx: DbOrTx,
  bookingId: string,
  { previousStart, appUrl, at }: { previousStart: Date; appUrl: string; at: Date },
) {
  cancelPendingReminders(tx, bookingId);
  const { view, practice } = load(tx, bookingId);
  const manageUrl = newManageUrl(tx, bookingId, appUrl, at);
  queueAll(
    tx,
    [
      bookingRescheduled(view, practice, {
        previousStart,
        manageUrl,
        ics: inviteRequest(view, { practice, manageUrl }),
      }),
      coachRescheduleNotice(view, practice, {
        previousStart,
        ics: inviteRequest(view, { practice }),
      }),
    ],
    at,
  );
  queueReminders(tx, view, practice, { appUrl, at });
}

export function notifyRefunded(
  tx: DbOrTx,
  bookingId: string,
  { amountMinor, at }: { amountMinor: number; at: Date },
) {
  const { view, practice } = load(tx, bookingId);
  queueAll(tx, [bookingRefunded(view, practice, amountMinor)], at);
}
