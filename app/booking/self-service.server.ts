/**
 * What a client can do with their booking from its manage link (`/bookings/<token>`): see it, and,
 * until the practice's notice window closes, move it to another free time of the same service and
 * coach (without paying again) or cancel it (app/payments/cancellation.server.ts, for the refund).
 * After the window, or for a booking that is no longer confirmed, the answer says why not and whom
 * to ask. The token is the only key: no account, no cookie.
 */
import { isStartAvailable } from "~/availability/availability.server";
import { buildWeek, type WeekView } from "~/availability/week.server";
import { findBookableOffer, getPracticeContact } from "~/catalogue/catalogue.server";
import { readPolicy, refundPercent, type Policy } from "~/catalogue/policy.server";
import { googleCalendarUrl, outlookCalendarUrl } from "~/lib/calendar-links";
import { formatDay, formatTime, zoneLabel } from "~/lib/time-format";
import type { Db, DbOrTx } from "~db/database.server";
import * as lifecycle from "./lifecycle.server";
import { bookingIdOfManageToken, issueManageToken } from "./manage-links.server";
import { findBookingView, type BookingView } from "./queries.server";

const HOUR = 60 * 60_000;

/** Why the client cannot change the booking themselves any more. */
export type NoChange = "not_confirmed" | "too_late";

export type ManagedBooking = {
  booking: BookingView;
  policy: Policy;
  /** Until when the client may cancel or move it themselves; null when they may not. */
  changeUntil: Date | null;
  cannotChange: NoChange | null;
  /** The share of the payment a cancellation now gives back (0 for a free session). */
  refundPercentNow: number;
  practice: { name: string; contactEmail: string | null };
};

export function findManagedBooking(db: DbOrTx, token: string, now: Date): ManagedBooking | null {
  const id = bookingIdOfManageToken(db, token);
  const booking = id ? findBookingView(db, { id }) : null;
  return booking ? managedBooking(db, booking, now) : null;
}

/** The booking the draft made, as its client may manage it (the confirmation page's next steps). */
export function findManagedBookingOfDraft(
  db: DbOrTx,
  draftId: string,
  now: Date,
): ManagedBooking | null {
  const booking = findBookingView(db, { draftId });
  return booking?.status === "confirmed" ? managedBooking(db, booking, now) : null;
}

function managedBooking(db: DbOrTx, booking: BookingView, now: Date): ManagedBooking {
  const policy = readPolicy(db);
  const changeUntil = new Date(booking.startAt.getTime() - policy.selfServiceNoticeHours * HOUR);
  const cannotChange: NoChange | null =
    booking.status !== "confirmed" ? "not_confirmed" : now >= changeUntil ? "too_late" : null;
  const hoursBefore = (booking.startAt.getTime() - now.getTime()) / HOUR;
  return {
    booking,
    policy,
    changeUntil: cannotChange ? null : changeUntil,
    cannotChange,
    refundPercentNow: booking.priceMinor > 0 ? refundPercent(policy, hoursBefore) : 0,
    practice: getPracticeContact(db),
  };
}

/** The free times the booking could move to, a week at a time, in the client's zone. */
export function rescheduleWeek(
  db: DbOrTx,
  managed: ManagedBooking,
  {
    requestedWeek,
    requestedDay = null,
    now,
  }: { requestedWeek: string | null; requestedDay?: string | null; now: Date },
): WeekView | null {
  const { booking } = managed;
  const offer = findBookableOffer(db, booking.coachId, booking.serviceId);
  if (!offer) return null;
  return buildWeek(db, {
    offer,
    zone: booking.clientTimezone,
    requestedWeek,
    requestedDay,
    selected: null,
    // Its own time is free to it, but moving there is no move.
    hidden: booking.startAt,
    now,
    viewer: { exceptBooking: booking.id },
  });
}

/** Whether the booking could move to `startAt` now (the question before the confirmation step). */
export function canMoveTo(db: DbOrTx, managed: ManagedBooking, startAt: Date, now: Date): boolean {
  const { booking } = managed;
  if (managed.cannotChange || startAt.getTime() === booking.startAt.getTime()) return false;
  const offer = findBookableOffer(db, booking.coachId, booking.serviceId);
  return Boolean(
    offer &&
    isStartAvailable(db, offer, startAt.getTime(), now.getTime(), { exceptBooking: booking.id }),
  );
}

export type RescheduleOutcome =
  { ok: true } | { ok: false; refused: "not_found" | NoChange | "slot_taken" | "same_time" };

/**
 * Moves the booking to `startAt`, if the policy still allows the client to and the time is free
 * (checked again in the lifecycle's transaction). The emails carry a new manage link.
 */
export function rescheduleForClient(
  db: Db,
  token: string,
  startAt: Date,
  { now, appUrl }: { now: Date; appUrl: string },
): RescheduleOutcome {
  const managed = findManagedBooking(db, token, now);
  if (!managed) return { ok: false, refused: "not_found" };
  if (managed.cannotChange) return { ok: false, refused: managed.cannotChange };
  if (startAt.getTime() === managed.booking.startAt.getTime())
    return { ok: false, refused: "same_time" };
  const moved = lifecycle.reschedule(db, managed.booking.id, {
    actor: "client",
    at: now,
    startAt,
    appUrl,
  });
  if (moved.ok) return { ok: true };
  if (moved.refused === "slot_taken") return { ok: false, refused: "slot_taken" };
  if (moved.refused === "not_allowed") return { ok: false, refused: "not_confirmed" };
  return { ok: false, refused: "not_found" };
}

/**
 * A manage link for the confirmed booking the draft made: the confirmation page's actions, for the
 * browser that booked (its draft cookie is the key). Null when the draft made no confirmed booking.
 */
export function manageTokenForDraft(db: Db, draftId: string, now: Date): string | null {
  const booking = findBookingView(db, { draftId });
  if (!booking || booking.status !== "confirmed") return null;
  return issueManageToken(db, booking.id, now);
}

/** "Add to calendar" for the web calendars (the file is the invite, from its own route). */
export function calendarLinks(booking: BookingView, manageUrl: string | null) {
  const event = {
    title: `${booking.serviceName} with ${booking.coachName}`,
    startAt: booking.startAt,
    endAt: booking.endAt,
    details: manageUrl
      ? `To change or cancel: ${manageUrl}`
      : "To change or cancel, use the link in your confirmation email.",
    location: booking.location,
  };
  return { google: googleCalendarUrl(event), outlook: outlookCalendarUrl(event) };
}

/** "Until Monday 15 March 2027 at 10:00 (London time)", in the client's zone; null when past. */
export function changeDeadline(managed: ManagedBooking): string | null {
  const until = managed.changeUntil;
  const zone = managed.booking.clientTimezone;
  return until
    ? `${formatDay(until, zone)} at ${formatTime(until, zone)} (${zoneLabel(zone)})`
    : null;
}

/** What the confirmation pages say comes next, and their "Add to calendar" links. */
export function nextSteps(managed: ManagedBooking) {
  return {
    email: managed.booking.clientEmail,
    changeUntil: changeDeadline(managed),
    calendar: calendarLinks(managed.booking, null),
  };
}
