/**
 * Calendar invites (iCalendar, through the `ics` library): one stable UID per booking, so that a
 * moved session updates the event in the client's calendar (`METHOD:REQUEST`, `SEQUENCE` + 1) and
 * a cancelled one removes it (`METHOD:CANCEL`); times in UTC; the place and the manage link; an
 * alarm before. The coach's private feed is the same events, many at once.
 */
import { createEvent, createEvents, type EventAttributes, type ReturnObject } from "ics";

export type InviteBooking = {
  id: string;
  startAt: Date;
  endAt: Date;
  serviceName: string;
  coachName: string;
  clientName: string;
  clientEmail: string;
  location: string | null;
  icsSequence: number;
};

export type InviteOptions = {
  practice: { name: string; contactEmail: string | null };
  /** The client's manage link, for the description. */
  manageUrl?: string;
  /** Minutes before the session the calendar reminds its owner. */
  alarmMinutes?: number;
};

/** The same UID in every invite of the booking: calendars match updates and cancellations by it. */
export const inviteUid = (bookingId: string) => `${bookingId}@kairos`;

/**
 * A name as a parameter value (`CN=`): the library quotes it but writes a `"` inside as `\"`, which
 * iCalendar has no such escape for, and a line break raw; RFC 6868 writes them `^'` and `^n`.
 */
const paramText = (text: string) =>
  text.replace(/\^|"|\r?\n|\r/g, (c) => (c === "^" ? "^^" : c === '"' ? "^'" : "^n"));

function eventOf(
  booking: InviteBooking,
  { practice, manageUrl, alarmMinutes = 60 }: InviteOptions,
  cancelled: boolean,
): EventAttributes {
  const description = [
    `${booking.serviceName} with ${booking.coachName}.`,
    booking.location ? `Where: ${booking.location}` : "",
    manageUrl ? `To change or cancel: ${manageUrl}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  return {
    uid: inviteUid(booking.id),
    sequence: booking.icsSequence,
    start: booking.startAt.getTime(),
    startInputType: "utc",
    startOutputType: "utc",
    end: booking.endAt.getTime(),
    endInputType: "utc",
    endOutputType: "utc",
    title: `${booking.serviceName} with ${booking.coachName}`,
    description,
    ...(booking.location ? { location: booking.location } : {}),
    ...(manageUrl ? { url: manageUrl } : {}),
    status: cancelled ? "CANCELLED" : "CONFIRMED",
    // ORGANIZER's value is an address: without one there is no ORGANIZER (the library would write
    // the name with no value, a line parsers refuse).
    ...(practice.contactEmail
      ? { organizer: { name: paramText(practice.name), email: practice.contactEmail } }
      : {}),
    attendees: [
      {
        name: paramText(booking.clientName),
        email: booking.clientEmail,
        rsvp: false,
        partstat: "ACCEPTED",
        role: "REQ-PARTICIPANT",
      },
    ],
    ...(cancelled
      ? {}
      : {
          alarms: [
            {
              action: "display" as const,
              description: `${booking.serviceName} with ${booking.coachName}`,
              trigger: { minutes: alarmMinutes, before: true },
            },
          ],
        }),
    productId: "kairos/booking",
  };
}

/**
 * The library validates addresses more strictly than the mail system does; an address it refuses
 * (one we accepted, or one stored before) must not stop a booking from being confirmed, so the
 * event is written again without the people's addresses (and so without ATTENDEE and ORGANIZER,
 * whose values are addresses).
 */
function withoutAddresses(event: EventAttributes): EventAttributes {
  const { attendees: _attendees, organizer: _organizer, ...rest } = event;
  return rest;
}

function written(write: (events: EventAttributes[]) => ReturnObject, events: EventAttributes[]) {
  let result = write(events);
  if (result.error) result = write(events.map(withoutAddresses));
  if (result.error || !result.value)
    throw result.error ?? new Error("the calendar invite could not be written");
  return result.value;
}

const one = (method: "REQUEST" | "CANCEL" | "PUBLISH") => (events: EventAttributes[]) =>
  createEvent({ ...events[0]!, method });

/** An invite for a new or moved session. */
export function inviteRequest(booking: InviteBooking, options: InviteOptions): string {
  return written(one("REQUEST"), [eventOf(booking, options, false)]);
}

/** The session as a file to open ("Add to calendar"): the same event, published, not an invitation. */
export function inviteForDownload(booking: InviteBooking, options: InviteOptions): string {
  return written(one("PUBLISH"), [eventOf(booking, options, false)]);
}

/** The invite that removes a cancelled session from the calendar. */
export function inviteCancel(booking: InviteBooking, options: InviteOptions): string {
  return written(one("CANCEL"), [eventOf(booking, options, true)]);
}

/**
 * A calendar of many bookings: a coach's feed, so each event is titled with the client's name
 * (the coach knows whom they see), and carries the same UID as the client's invite.
 */
export function calendarOf(bookings: InviteBooking[], options: InviteOptions): string {
  if (bookings.length === 0)
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:kairos/booking\r\nEND:VCALENDAR\r\n";
  return written(
    (events) => createEvents(events),
    bookings.map((booking) => ({
      ...eventOf(booking, options, false),
      title: `${booking.serviceName}: ${booking.clientName}`,
    })),
  );
}
