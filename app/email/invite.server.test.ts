/**
 * Calendar invites, read back by an independent parser (ical.js), never by our own code: what a
 * calendar would see of a new, moved or cancelled session, its times as exact UTC instants (across
 * a DST change too), awkward text, refused addresses, and the coach's feed.
 */
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import {
  calendarOf,
  inviteCancel,
  inviteRequest,
  type InviteBooking,
  type InviteOptions,
} from "./invite.server";

const booking: InviteBooking = {
  id: "bk_7f3a9c",
  startAt: new Date("2027-03-15T10:00:00Z"),
  endAt: new Date("2027-03-15T10:45:00Z"),
  serviceName: "Coaching session",
  coachName: "Mira Okafor",
  clientName: "Ada Lovelace",
  clientEmail: "ada@example.com",
  location: "12 Harbour Street, Leith",
  icsSequence: 3,
};

const manageUrl = "https://kairos.example/manage/tok_9Zq?from=email&x=1";
const options: InviteOptions = {
  practice: { name: "Okafor Coaching", contactEmail: "hello@okafor.example" },
  manageUrl,
};

/** The file parsed by ical.js: it throws on anything it cannot read. */
function calendar(ics: string) {
  const parsed = new ICAL.Component(ICAL.parse(ics));
  expect(parsed.name).toBe("vcalendar");
  return parsed;
}

/** The only VEVENT of a single invite. */
function onlyEvent(ics: string) {
  const cal = calendar(ics);
  const events = cal.getAllSubcomponents("vevent");
  expect(events).toHaveLength(1);
  return { cal, event: events[0]! };
}

/** A DATE-TIME property as an instant (ms), checking it is written in UTC. */
function utcInstant(component: InstanceType<typeof ICAL.Component>, name: string): number {
  const value = component.getFirstPropertyValue(name);
  if (!(value instanceof ICAL.Time)) throw new Error(`${name} is not a date-time: ${value}`);
  expect(value.isDate).toBe(false);
  expect(value.zone?.tzid).toBe("UTC");
  return value.toJSDate().getTime();
}

function textOf(component: InstanceType<typeof ICAL.Component>, name: string): string | null {
  const value = component.getFirstPropertyValue(name);
  return value === null ? null : String(value);
}

describe("inviteRequest", () => {
  it("is a REQUEST with one confirmed event: UID, SEQUENCE, exact UTC times, title, place", () => {
    const { cal, event } = onlyEvent(inviteRequest(booking, options));

    expect(cal.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(cal.getFirstPropertyValue("version")).toBe("2.0");
    expect(textOf(event, "uid")).toBe("bk_7f3a9c@kairos");
    expect(event.getFirstPropertyValue("sequence")).toBe(3);
    expect(utcInstant(event, "dtstart")).toBe(booking.startAt.getTime());
    expect(utcInstant(event, "dtend")).toBe(booking.endAt.getTime());
    expect(textOf(event, "summary")).toBe("Coaching session with Mira Okafor");
    expect(textOf(event, "location")).toBe("12 Harbour Street, Leith");
    expect(textOf(event, "status")).toBe("CONFIRMED");
  });

  it("keeps the same UID on every invite of the booking, and follows icsSequence", () => {
    const first = onlyEvent(inviteRequest({ ...booking, icsSequence: 0 }, options)).event;
    const moved = onlyEvent(
      inviteRequest(
        {
          ...booking,
          icsSequence: 1,
          startAt: new Date("2027-03-16T14:00:00Z"),
          endAt: new Date("2027-03-16T14:45:00Z"),
        },
        options,
      ),
    ).event;

    expect(textOf(moved, "uid")).toBe(textOf(first, "uid"));
    expect(textOf(moved, "uid")).toBe(`${booking.id}@kairos`);
    // SEQUENCE defaults to 0 when absent (RFC 5545 3.8.7.4).
    expect(first.getFirstPropertyValue("sequence") ?? 0).toBe(0);
    expect(moved.getFirstPropertyValue("sequence")).toBe(1);
    expect(utcInstant(moved, "dtstart")).toBe(Date.parse("2027-03-16T14:00:00Z"));

    const other = onlyEvent(inviteRequest({ ...booking, id: "bk_other" }, options)).event;
    expect(textOf(other, "uid")).toBe("bk_other@kairos");
  });

  it("has no LOCATION when the booking has no place", () => {
    const { event } = onlyEvent(inviteRequest({ ...booking, location: null }, options));
    expect(event.getFirstProperty("location")).toBeNull();
    expect(textOf(event, "description")).not.toContain("Where:");
  });

  it("names the practice as ORGANIZER, with its contact address", () => {
    const { event } = onlyEvent(inviteRequest(booking, options));
    const organizers = event.getAllProperties("organizer");
    expect(organizers).toHaveLength(1);
    const organizer = organizers[0]!;
    expect(organizer.getParameter("cn")).toBe("Okafor Coaching");
    expect(String(organizer.getFirstValue()).toLowerCase()).toBe("mailto:hello@okafor.example");
  });

  it("is still a readable file when the practice has no contact address", () => {
    const ics = inviteRequest(booking, {
      practice: { name: "Okafor Coaching", contactEmail: null },
      manageUrl,
    });
    const { event } = onlyEvent(ics);
    // ORGANIZER's value must be an address; without one there is no ORGANIZER at all, rather than
    // a line with a name and no value that parsers refuse.
    for (const organizer of event.getAllProperties("organizer")) {
      expect(String(organizer.getFirstValue())).toMatch(/^mailto:\S+@\S+$/i);
    }
    expect(textOf(event, "uid")).toBe("bk_7f3a9c@kairos");
    expect(event.getAllProperties("attendee")).toHaveLength(1);
  });

  it("invites the client as ATTENDEE by address and name", () => {
    const { event } = onlyEvent(inviteRequest(booking, options));
    const attendees = event.getAllProperties("attendee");
    expect(attendees).toHaveLength(1);
    expect(String(attendees[0]!.getFirstValue()).toLowerCase()).toBe("mailto:ada@example.com");
    expect(attendees[0]!.getParameter("cn")).toBe("Ada Lovelace");
  });

  it("keeps names with quotes, semicolons and line breaks intact in CN", () => {
    const { event } = onlyEvent(
      inviteRequest(
        { ...booking, clientName: 'Bob "Bobby" O\'Neil; Jr, ^x\nSecond line' },
        { ...options, practice: { name: 'The "Calm" Practice; Ltd', contactEmail: "a@b.example" } },
      ),
    );
    expect(event.getFirstProperty("attendee")!.getParameter("cn")).toBe(
      'Bob "Bobby" O\'Neil; Jr, ^x\nSecond line',
    );
    expect(event.getFirstProperty("organizer")!.getParameter("cn")).toBe(
      'The "Calm" Practice; Ltd',
    );
    expect(String(event.getFirstProperty("attendee")!.getFirstValue()).toLowerCase()).toBe(
      "mailto:ada@example.com",
    );
  });

  it("reminds with a display alarm before the start (60 minutes unless told)", () => {
    const alarmOf = (opts: InviteOptions) => {
      const alarms = onlyEvent(inviteRequest(booking, opts)).event.getAllSubcomponents("valarm");
      expect(alarms).toHaveLength(1);
      return alarms[0]!;
    };
    const alarm = alarmOf(options);
    expect(textOf(alarm, "action")).toBe("DISPLAY");
    expect(textOf(alarm, "description")).toBe("Coaching session with Mira Okafor");
    const trigger = alarm.getFirstPropertyValue("trigger");
    if (!(trigger instanceof ICAL.Duration)) throw new Error("TRIGGER is not a duration");
    // Relative to the start by default (no RELATED=END), and negative: before it.
    expect(alarm.getFirstProperty("trigger")!.getParameter("related")).toBeUndefined();
    expect(trigger.toSeconds()).toBe(-60 * 60);

    const soon = alarmOf({ ...options, alarmMinutes: 15 }).getFirstPropertyValue("trigger");
    if (!(soon instanceof ICAL.Duration)) throw new Error("TRIGGER is not a duration");
    expect(soon.toSeconds()).toBe(-15 * 60);
  });

  it("puts the manage link in the description (and URL) when given, and not otherwise", () => {
    const { event } = onlyEvent(inviteRequest(booking, options));
    const description = textOf(event, "description")!;
    expect(description).toContain(manageUrl);
    expect(description).toContain("Coaching session with Mira Okafor.");
    expect(description).toContain("Where: 12 Harbour Street, Leith");
    expect(textOf(event, "url")).toBe(manageUrl);

    const coachCopy = onlyEvent(inviteRequest(booking, { practice: options.practice })).event;
    expect(textOf(coachCopy, "description")).not.toContain("https://");
    expect(coachCopy.getFirstProperty("url")).toBeNull();
  });

  it("writes times across a DST change as the exact UTC instants", () => {
    // Europe/London springs forward at 01:00 UTC on 29 March 2026, in the middle of this hour.
    const spring = {
      ...booking,
      startAt: new Date("2026-03-29T00:30:00Z"),
      endAt: new Date("2026-03-29T01:30:00Z"),
    };
    const { event } = onlyEvent(inviteRequest(spring, options));
    expect(utcInstant(event, "dtstart")).toBe(spring.startAt.getTime());
    expect(utcInstant(event, "dtend")).toBe(spring.endAt.getTime());
    const start = event.getFirstPropertyValue("dtstart") as InstanceType<typeof ICAL.Time>;
    const end = event.getFirstPropertyValue("dtend") as InstanceType<typeof ICAL.Time>;
    expect(end.subtractDateTz(start).toSeconds()).toBe(60 * 60);

    // …and back at 01:00 UTC on 25 October 2026.
    const autumn = {
      ...booking,
      startAt: new Date("2026-10-25T00:30:00Z"),
      endAt: new Date("2026-10-25T01:30:00Z"),
    };
    const back = onlyEvent(inviteRequest(autumn, options)).event;
    expect(utcInstant(back, "dtstart")).toBe(autumn.startAt.getTime());
    expect(utcInstant(back, "dtend")).toBe(autumn.endAt.getTime());
  });

  it.each(["=cmd|'/c calc'!A1@example.com", "@ada@example.com"])(
    "still writes a valid invite, without the attendee, for an address the library refuses: %s",
    (clientEmail) => {
      const ics = inviteRequest({ ...booking, clientEmail }, options);
      const { cal, event } = onlyEvent(ics);
      expect(cal.getFirstPropertyValue("method")).toBe("REQUEST");
      expect(event.getAllProperties("attendee")).toHaveLength(0);
      expect(ics).not.toContain(clientEmail);
      expect(textOf(event, "uid")).toBe("bk_7f3a9c@kairos");
      expect(utcInstant(event, "dtstart")).toBe(booking.startAt.getTime());
      expect(utcInstant(event, "dtend")).toBe(booking.endAt.getTime());
      expect(textOf(event, "summary")).toBe("Coaching session with Mira Okafor");
      expect(textOf(event, "description")).toContain(manageUrl);
      expect(event.getAllSubcomponents("valarm")).toHaveLength(1);
    },
  );
});

describe("inviteCancel", () => {
  it("is a CANCEL of the same UID, CANCELLED, without an alarm", () => {
    const { cal, event } = onlyEvent(inviteCancel(booking, options));
    expect(cal.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(textOf(event, "status")).toBe("CANCELLED");
    expect(textOf(event, "uid")).toBe(
      textOf(onlyEvent(inviteRequest(booking, options)).event, "uid"),
    );
    expect(textOf(event, "uid")).toBe("bk_7f3a9c@kairos");
    expect(event.getFirstPropertyValue("sequence")).toBe(3);
    expect(event.getAllSubcomponents("valarm")).toHaveLength(0);
    expect(utcInstant(event, "dtstart")).toBe(booking.startAt.getTime());
  });

  it("is still written for an address the library refuses", () => {
    const { cal, event } = onlyEvent(
      inviteCancel({ ...booking, clientEmail: "@ada@example.com" }, options),
    );
    expect(cal.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(textOf(event, "uid")).toBe("bk_7f3a9c@kairos");
    expect(event.getAllProperties("attendee")).toHaveLength(0);
  });
});

describe("calendarOf", () => {
  it("is a valid, empty calendar without bookings", () => {
    const cal = calendar(calendarOf([], options));
    expect(cal.getFirstPropertyValue("version")).toBe("2.0");
    expect(cal.getFirstPropertyValue("prodid")).toBeTruthy();
    expect(cal.getAllSubcomponents("vevent")).toHaveLength(0);
  });

  it("has one event per booking, each with its own UID and times, titled for the coach", () => {
    const second: InviteBooking = {
      ...booking,
      id: "bk_second",
      startAt: new Date("2027-04-02T08:15:00Z"),
      endAt: new Date("2027-04-02T09:00:00Z"),
      serviceName: "Intro call",
      location: null,
      icsSequence: 0,
    };
    const events = calendar(calendarOf([booking, second], options)).getAllSubcomponents("vevent");
    expect(events).toHaveLength(2);
    const byUid = new Map(events.map((event) => [textOf(event, "uid"), event]));
    expect([...byUid.keys()].sort()).toEqual(["bk_7f3a9c@kairos", "bk_second@kairos"]);

    const a = byUid.get("bk_7f3a9c@kairos")!;
    expect(utcInstant(a, "dtstart")).toBe(booking.startAt.getTime());
    expect(utcInstant(a, "dtend")).toBe(booking.endAt.getTime());
    expect(textOf(a, "summary")).toBe("Coaching session: Ada Lovelace");
    const b = byUid.get("bk_second@kairos")!;
    expect(utcInstant(b, "dtstart")).toBe(second.startAt.getTime());
    expect(utcInstant(b, "dtend")).toBe(second.endAt.getTime());
    expect(textOf(b, "summary")).toBe("Intro call: Ada Lovelace");
    expect(b.getFirstProperty("location")).toBeNull();
  });

  it("is still written when one booking's address is refused", () => {
    const events = calendar(
      calendarOf([booking, { ...booking, id: "bk_bad", clientEmail: "@bad@example.com" }], options),
    ).getAllSubcomponents("vevent");
    expect(events.map((event) => textOf(event, "uid")).sort()).toEqual([
      "bk_7f3a9c@kairos",
      "bk_bad@kairos",
    ]);
  });
});

describe("text", () => {
  it("round-trips commas, semicolons, line breaks and non-ASCII in SUMMARY and LOCATION", () => {
    const awkward = "Zoë; Café, Room 2\nFloor 3";
    const ics = inviteRequest(
      { ...booking, serviceName: awkward, coachName: "Søren Ødegård", location: awkward },
      options,
    );
    const { event } = onlyEvent(ics);
    expect(textOf(event, "summary")).toBe(`${awkward} with Søren Ødegård`);
    expect(textOf(event, "location")).toBe(awkward);
    expect(textOf(event, "description")).toContain(`Where: ${awkward}`);
  });

  it("round-trips a backslash and long non-ASCII text folded over several lines", () => {
    const long = `Ünïcödé ${"—é€😀".repeat(40)} C:\\path\\n end`;
    const { event } = onlyEvent(inviteRequest({ ...booking, location: long }, options));
    expect(textOf(event, "location")).toBe(long);
  });
});
