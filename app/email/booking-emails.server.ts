/**
 * The words of the emails a booking's life sends. Plain text: it reads everywhere, and the
 * calendar invite (a later issue) rides along as an attachment.
 */
import { formatSession } from "~/lib/time-format";
import { formatPrice } from "~/lib/format";
import type { OutgoingEmail } from "./outbox.server";

export type BookingForEmail = {
  id: string;
  startAt: Date;
  endAt: Date;
  clientName: string;
  clientEmail: string;
  clientTimezone: string;
  clientNotes: string;
  priceMinor: number;
  currency: string;
  serviceName: string;
  coachName: string;
  coachEmail: string;
  coachTimezone: string;
};

const signOff = (practice: string) => `\n\n${practice}`;

export function clientConfirmation(b: BookingForEmail, practice: string): OutgoingEmail {
  return {
    bookingId: b.id,
    recipient: b.clientEmail,
    kind: "booking_confirmed",
    subject: `Booked: ${b.serviceName} with ${b.coachName}`,
    textBody:
      `Hello ${b.clientName},\n\nYour ${b.serviceName.toLowerCase()} with ${b.coachName} is confirmed:\n\n` +
      `  ${formatSession(b.startAt, b.endAt, b.clientTimezone)}\n` +
      `  Paid: ${formatPrice(b.priceMinor, b.currency)}\n\n` +
      `Reply to this email if you need to change anything.` +
      signOff(practice),
  };
}

export function coachNotification(b: BookingForEmail): OutgoingEmail {
  return {
    bookingId: b.id,
    recipient: b.coachEmail,
    kind: "coach_new_booking",
    subject: `New booking: ${b.clientName}, ${b.serviceName}`,
    textBody:
      `${b.clientName} <${b.clientEmail}> booked a ${b.serviceName.toLowerCase()}:\n\n` +
      `  ${formatSession(b.startAt, b.endAt, b.coachTimezone)}\n` +
      `  Price: ${formatPrice(b.priceMinor, b.currency)}\n` +
      (b.clientNotes ? `\nTheir notes:\n${b.clientNotes}\n` : ""),
  };
}

export function slotConflictApology(
  b: BookingForEmail,
  practice: string,
  appUrl: string,
): OutgoingEmail {
  return {
    bookingId: b.id,
    recipient: b.clientEmail,
    kind: "booking_refunded_slot_conflict",
    subject: `Sorry: that time was taken, and you have been refunded`,
    textBody:
      `Hello ${b.clientName},\n\nYour payment for a ${b.serviceName.toLowerCase()} with ${b.coachName} on ` +
      `${formatSession(b.startAt, b.endAt, b.clientTimezone)} arrived after that time had gone to someone else. ` +
      `We are sorry. We have refunded the full ${formatPrice(b.priceMinor, b.currency)}; ` +
      `it can take a few days to show on your statement.\n\n` +
      `Pick another time here: ${appUrl}/book/time` +
      signOff(practice),
  };
}

export function paymentFailedNotice(
  b: BookingForEmail,
  practice: string,
  appUrl: string,
): OutgoingEmail {
  return {
    bookingId: b.id,
    recipient: b.clientEmail,
    kind: "payment_failed",
    subject: `Your payment didn't go through`,
    textBody:
      `Hello ${b.clientName},\n\nThe payment for your ${b.serviceName.toLowerCase()} with ${b.coachName} on ` +
      `${formatSession(b.startAt, b.endAt, b.clientTimezone)} did not go through, so the time is not booked. ` +
      `Nothing was charged.\n\nTry again here: ${appUrl}/book/review` +
      signOff(practice),
  };
}

/** What the client hears of a refund: the amount, and when to expect it. */
function refundSentence(amountMinor: number, b: BookingForEmail): string {
  return amountMinor >= b.priceMinor
    ? `We have refunded the full ${formatPrice(b.priceMinor, b.currency)}`
    : `We have refunded ${formatPrice(amountMinor, b.currency)} of the ${formatPrice(b.priceMinor, b.currency)} you paid`;
}

export function bookingCancelled(
  b: BookingForEmail,
  practice: string,
  refundedMinor: number,
  appUrl: string,
): OutgoingEmail {
  const money =
    b.priceMinor === 0
      ? ""
      : refundedMinor > 0
        ? `${refundSentence(refundedMinor, b)}; it can take a few days to show on your statement.\n\n`
        : `No refund was made for this session.\n\n`;
  return {
    bookingId: b.id,
    recipient: b.clientEmail,
    kind: "booking_cancelled",
    subject: `Cancelled: ${b.serviceName} on ${formatSession(b.startAt, b.endAt, b.clientTimezone)}`,
    textBody:
      `Hello ${b.clientName},\n\n${b.coachName} has cancelled your ${b.serviceName.toLowerCase()} on ` +
      `${formatSession(b.startAt, b.endAt, b.clientTimezone)}.\n\n` +
      money +
      `To book another time: ${appUrl}/book` +
      signOff(practice),
  };
}

export function bookingRefunded(
  b: BookingForEmail,
  practice: string,
  amountMinor: number,
): OutgoingEmail {
  return {
    bookingId: b.id,
    recipient: b.clientEmail,
    kind: "booking_refunded",
    subject: `Refund for your ${b.serviceName.toLowerCase()}`,
    textBody:
      `Hello ${b.clientName},\n\n${refundSentence(amountMinor, b)} for your ` +
      `${b.serviceName.toLowerCase()} with ${b.coachName} on ` +
      `${formatSession(b.startAt, b.endAt, b.clientTimezone)}. ` +
      `It can take a few days to show on your statement.` +
      signOff(practice),
  };
}
