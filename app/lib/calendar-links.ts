/**
 * "Add to calendar" links for the calendars people use on the web, which take an event in the
 * address rather than as a file: Google Calendar and Outlook. Times go as UTC instants.
 */
export type CalendarEvent = {
  title: string;
  startAt: Date;
  endAt: Date;
  details: string;
  location: string | null;
};

/** 20270315T100000Z */
const compactUtc = (at: Date) =>
  at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

export function googleCalendarUrl(event: CalendarEvent): string {
  const query = new URLSearchParams({
    action: "TEMPLATE",
    text: event.title,
    dates: `${compactUtc(event.startAt)}/${compactUtc(event.endAt)}`,
    details: event.details,
    ...(event.location ? { location: event.location } : {}),
  });
  return `https://calendar.google.com/calendar/render?${query}`;
}

export function outlookCalendarUrl(event: CalendarEvent): string {
  const query = new URLSearchParams({
    path: "/calendar/action/compose",
    rru: "addevent",
    subject: event.title,
    startdt: event.startAt.toISOString(),
    enddt: event.endAt.toISOString(),
    body: event.details,
    ...(event.location ? { location: event.location } : {}),
  });
  return `https://outlook.live.com/calendar/0/action/compose?${query}`;
}
