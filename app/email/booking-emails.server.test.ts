/**
 * The words of each booking email, from plain objects: who gets it and what kind it is, times in
 * the recipient's zone (checked against luxon directly), the practice's name, the links each one
 * must carry, what a cancellation says of the money, HTML that escapes what the client typed, and
 * the calendar invite that rides along (read back by ical.js).
 */
import ICAL from "ical.js";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
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
  type BookingForEmail,
  type Practice,
} from "./booking-emails.server";
import { inviteCancel, inviteRequest, type InviteBooking } from "./invite.server";
import type { OutgoingEmail } from "./outbox.server";

/**
 * What notifications pass in (a booking view). 03:00 UTC on a Friday in January is Thursday
 * evening in Los Angeles (the client) and Friday night in London (the coach): the two zones
 * disagree on the date as well as the time.
 */
const booking: BookingForEmail & InviteBooking = {
  id: "bk_7f3a9c",
  startAt: new Date("2027-01-15T03:00:00Z"),
  endAt: new Date("2027-01-15T03:45:00Z"),
  clientName: "Ada Lovelace",
  clientEmail: "ada@example.com",
  clientTimezone: "America/Los_Angeles",
  clientNotes: "Knee injury last year.",
  priceMinor: 4500,
  currency: "gbp",
  serviceName: "Coaching session",
  coachName: "Mira Okafor",
  coachEmail: "mira@okafor.example",
  coachTimezone: "Europe/London",
  location: "12 Harbour Street, Leith",
  icsSequence: 2,
};
const previousStart = new Date("2027-01-13T02:00:00Z");

const practice: Practice = {
  name: "Okafor & Daughters Coaching",
  contactEmail: "hi@okafor.example",
};
const practiceHtml = "Okafor &amp; Daughters Coaching";
const manageUrl = "https://kairos.example/manage/tok_9Zq?from=email&x=1";
const manageHref = `href="https://kairos.example/manage/tok_9Zq?from=email&amp;x=1"`;
const resumeUrl = "https://kairos.example/book/resume/rt_42";
const appUrl = "https://kairos.example";
const bookAgainUrl = `${appUrl}/book/service?service=coaching-session&coach=maya-okafor`;

/** A session as a person reads it, written with luxon from scratch (not the module's helper). */
function session(start: Date, end: Date, zone: string, place: string) {
  const s = DateTime.fromJSDate(start, { zone }).setLocale("en-GB");
  const e = DateTime.fromJSDate(end, { zone });
  const day = `${s.weekdayLong} ${s.day} ${s.monthLong} ${s.year}`;
  return {
    full: `${day}, ${s.toFormat("HH:mm")} to ${e.toFormat("HH:mm")} (${place} time)`,
    start: `${day}, ${s.toFormat("HH:mm")}`,
  };
}
const clientWhen = session(booking.startAt, booking.endAt, "America/Los_Angeles", "Los Angeles");
const coachWhen = session(booking.startAt, booking.endAt, "Europe/London", "London");
const clientBefore = session(
  previousStart,
  new Date(previousStart.getTime() + 45 * 60_000),
  "America/Los_Angeles",
  "Los Angeles",
);
const coachBefore = session(
  previousStart,
  new Date(previousStart.getTime() + 45 * 60_000),
  "Europe/London",
  "London",
);

const requestIcs = inviteRequest(booking, { practice, manageUrl });
const cancelIcs = inviteCancel(booking, { practice });

/** Every email, as notifications.server.ts calls it. */
const emails = (b: BookingForEmail = booking) => ({
  clientConfirmation: clientConfirmation(b, practice, { manageUrl, ics: requestIcs }),
  coachNotification: coachNotification(b, practice, { ics: requestIcs }),
  paymentProcessing: paymentProcessing(b, practice),
  paymentFailedNotice: paymentFailedNotice(b, practice, { resumeUrl }),
  slotConflictApology: slotConflictApology(b, practice, { resumeUrl }),
  bookingCancelled: bookingCancelled(b, practice, {
    refundedMinor: 2250,
    by: "coach",
    bookAgainUrl,
    ics: cancelIcs,
  }),
  coachCancellationNotice: coachCancellationNotice(b, practice, {
    refundedMinor: 2250,
    ics: cancelIcs,
  }),
  bookingRescheduled: bookingRescheduled(b, practice, {
    previousStart,
    manageUrl,
    ics: requestIcs,
  }),
  coachRescheduleNotice: coachRescheduleNotice(b, practice, { previousStart, ics: requestIcs }),
  bookingRefunded: bookingRefunded(b, practice, 4500),
  reminder: reminder(b, practice, { manageUrl }),
});
type Name = keyof ReturnType<typeof emails>;

const forClient: Name[] = [
  "clientConfirmation",
  "paymentProcessing",
  "paymentFailedNotice",
  "slotConflictApology",
  "bookingCancelled",
  "bookingRescheduled",
  "bookingRefunded",
  "reminder",
];
const forCoach: Name[] = ["coachNotification", "coachCancellationNotice", "coachRescheduleNotice"];
const all = Object.entries(emails()) as [Name, OutgoingEmail][];

const html = (email: OutgoingEmail) => {
  expect(email.htmlBody).toBeTypeOf("string");
  return email.htmlBody!;
};

describe("recipients and kinds", () => {
  it.each([
    ["clientConfirmation", "ada@example.com", "booking_confirmed"],
    ["coachNotification", "mira@okafor.example", "coach_new_booking"],
    ["paymentProcessing", "ada@example.com", "payment_processing"],
    ["paymentFailedNotice", "ada@example.com", "payment_failed"],
    ["slotConflictApology", "ada@example.com", "booking_refunded_slot_conflict"],
    ["bookingCancelled", "ada@example.com", "booking_cancelled"],
    ["coachCancellationNotice", "mira@okafor.example", "coach_booking_cancelled"],
    ["bookingRescheduled", "ada@example.com", "booking_rescheduled"],
    ["coachRescheduleNotice", "mira@okafor.example", "coach_booking_rescheduled"],
    ["bookingRefunded", "ada@example.com", "booking_refunded"],
    ["reminder", "ada@example.com", "reminder"],
  ] as [Name, string, string][])("%s goes to %s as %s", (name, recipient, kind) => {
    const email = emails()[name];
    expect(email.recipient).toBe(recipient);
    expect(email.kind).toBe(kind);
    expect(email.bookingId).toBe("bk_7f3a9c");
    expect(email.subject).not.toBe("");
  });

  it("covers every email the module writes", () => {
    expect([...forClient, ...forCoach].sort()).toEqual(all.map(([name]) => name).sort());
  });
});

describe("times in the recipient's zone", () => {
  it("the expectations really differ between the two zones", () => {
    expect(clientWhen.full).toBe("Thursday 14 January 2027, 19:00 to 19:45 (Los Angeles time)");
    expect(coachWhen.full).toBe("Friday 15 January 2027, 03:00 to 03:45 (London time)");
    expect(clientBefore.full).toBe("Tuesday 12 January 2027, 18:00 to 18:45 (Los Angeles time)");
    expect(coachBefore.start).toBe("Wednesday 13 January 2027, 02:00");
  });

  it.each(forClient)("%s shows the client's time, never the coach's", (name) => {
    const email = emails()[name];
    for (const body of [email.textBody, html(email)]) {
      expect(body).toContain(clientWhen.full);
      expect(body).not.toContain("London time");
      expect(body).not.toContain("Friday 15 January");
    }
  });

  it.each(forCoach)("%s shows the coach's time", (name) => {
    const email = emails()[name];
    for (const body of [email.textBody, html(email)]) expect(body).toContain(coachWhen.full);
  });

  it("the coach's new-booking email gives the client's time too, labelled", () => {
    const { textBody } = emails().coachNotification;
    expect(textBody).toContain(`When: ${coachWhen.full}`);
    expect(textBody).toContain(`Client’s time: ${clientWhen.full}`);
  });

  it("client emails' subjects name the time in the client's zone", () => {
    const e = emails();
    expect(e.bookingCancelled.subject).toBe(`Cancelled: Coaching session on ${clientWhen.full}`);
    expect(e.bookingRescheduled.subject).toBe(
      `Moved: Coaching session is now on ${clientWhen.full}`,
    );
    expect(e.reminder.subject).toBe(
      `Reminder: Coaching session with Mira Okafor, ${clientWhen.full}`,
    );
  });

  it("a move names the old time in each recipient's zone", () => {
    const e = emails();
    for (const body of [e.bookingRescheduled.textBody, html(e.bookingRescheduled)]) {
      expect(body).toContain(`from ${clientBefore.full} to the time below`);
    }
    for (const body of [e.coachRescheduleNotice.textBody, html(e.coachRescheduleNotice)]) {
      expect(body).toContain(`It was on ${coachBefore.full}; it is now on ${coachWhen.full}.`);
    }
  });

  it("a client in the same zone as the coach sees that zone", () => {
    const londoner = { ...booking, clientTimezone: "Europe/London" };
    expect(emails(londoner).clientConfirmation.textBody).toContain(coachWhen.full);
  });
});

describe("the practice", () => {
  it.each(all)("%s names the practice and its contact address, in text and HTML", (_, email) => {
    expect(email.textBody).toContain("Okafor & Daughters Coaching");
    expect(email.textBody).toContain("hi@okafor.example");
    expect(html(email)).toContain(practiceHtml);
    expect(html(email)).toContain("hi@okafor.example");
  });

  it("a practice without a contact address still signs off with its name", () => {
    const email = reminder(booking, { name: "Quiet Practice", contactEmail: null }, { manageUrl });
    expect(email.textBody.trimEnd().endsWith("Quiet Practice")).toBe(true);
    expect(html(email)).toContain("<p>Quiet Practice</p>");
    expect(email.textBody + html(email)).not.toMatch(/null|undefined/);
  });
});

describe("links", () => {
  it.each(["clientConfirmation", "bookingRescheduled", "reminder"] as Name[])(
    "%s carries the manage link in text and HTML",
    (name) => {
      const email = emails()[name];
      expect(email.textBody).toContain(manageUrl);
      expect(html(email)).toContain(manageHref);
    },
  );

  it.each(["paymentFailedNotice", "slotConflictApology"] as Name[])(
    "%s carries the resume link when there is one",
    (name) => {
      const email = emails()[name];
      expect(email.textBody).toContain(resumeUrl);
      expect(html(email)).toContain(`href="${resumeUrl}"`);
    },
  );

  it("without a resume link, the payment-failed email points to the website instead", () => {
    const email = paymentFailedNotice(booking, practice, { resumeUrl: null });
    expect(email.textBody).toContain("did not go through, so the time is not booked");
    expect(email.textBody).toContain("Nothing was charged.");
    expect(email.textBody).toContain("You are welcome to book again from our website.");
    expect(html(email)).not.toContain("<a ");
    expect(email.textBody + html(email)).not.toMatch(/null|undefined|https?:/);
  });

  it("without a resume link, the slot-conflict apology points to the website instead", () => {
    const email = slotConflictApology(booking, practice, { resumeUrl: null });
    expect(email.textBody).toContain("We have refunded the full £45");
    expect(email.textBody).toContain("You are welcome to book another time from our website.");
    expect(html(email)).not.toContain("<a ");
    expect(email.textBody + html(email)).not.toMatch(/null|undefined|https?:/);
  });

  it("the cancellation offers to book the same session with the same coach again", () => {
    const email = emails().bookingCancelled;
    expect(email.textBody).toContain(bookAgainUrl);
    expect(html(email)).toContain(`href="${bookAgainUrl.replace("&", "&amp;")}"`);
  });

  it("emails that have no manage link carry none", () => {
    for (const name of ["paymentProcessing", "bookingRefunded", "coachNotification"] as Name[]) {
      expect(emails()[name].textBody).not.toContain("/bookings/");
    }
  });
});

describe("money in a cancellation", () => {
  const cancelled = (refundedMinor: number, by: "client" | "coach", b = booking) =>
    bookingCancelled(b, practice, { refundedMinor, by, bookAgainUrl, ics: cancelIcs });
  const coachNotice = (refundedMinor: number, b = booking) =>
    coachCancellationNotice(b, practice, { refundedMinor, ics: cancelIcs });

  it.each(["client", "coach"] as const)("by the %s, a partial refund states its amount", (by) => {
    const email = cancelled(2250, by);
    for (const body of [email.textBody, html(email)]) {
      expect(body).toContain("We have refunded £22.50 of the £45 you paid");
    }
  });

  it.each(["client", "coach"] as const)("by the %s, a full refund says so", (by) => {
    expect(cancelled(4500, by).textBody).toContain("We have refunded the full £45");
  });

  it.each(["client", "coach"] as const)("by the %s, no refund says no money came back", (by) => {
    const email = cancelled(0, by);
    expect(email.textBody).toContain("No refund was made for this session.");
    expect(email.textBody).not.toMatch(/We have refunded|£/);
  });

  it("says who cancelled", () => {
    expect(cancelled(0, "coach").textBody).toContain(
      `Mira Okafor has cancelled your coaching session on ${clientWhen.full}.`,
    );
    expect(cancelled(0, "client").textBody).toContain(
      `Your coaching session on ${clientWhen.full} is cancelled, as you asked.`,
    );
  });

  it("a free session's cancellation says nothing of money", () => {
    const email = cancelled(0, "client", { ...booking, priceMinor: 0 });
    expect(email.textBody).not.toMatch(/refund|£|Free/i);
  });

  it("the coach hears what was refunded, or that nothing was due", () => {
    expect(coachNotice(2250).textBody).toContain("£22.50 was refunded, as the policy says.");
    expect(coachNotice(0).textBody).toContain("No refund was due.");
    expect(coachNotice(0).textBody).not.toContain("£");
    expect(coachNotice(0, { ...booking, priceMinor: 0 }).textBody).not.toMatch(/refund/i);
  });

  it("a refund outside a cancellation states its amount", () => {
    expect(bookingRefunded(booking, practice, 4500).textBody).toContain(
      "We have refunded the full £45",
    );
    expect(bookingRefunded(booking, practice, 1000).textBody).toContain(
      "We have refunded £10 of the £45 you paid",
    );
  });
});

describe("HTML escaping", () => {
  const hostile: BookingForEmail = {
    ...booking,
    clientName: `<script>alert(1)</script> & "Bob"`,
    clientEmail: `"><img src=x onerror=alert(2)>@example.com`,
    clientNotes: `</td><iframe src="https://evil.example"></iframe>`,
    location: `<b onmouseover="x()">Room 1</b>`,
  };
  const allowedTags = new Set([
    "!doctype",
    "html",
    "body",
    "p",
    "a",
    "table",
    "tr",
    "th",
    "td",
    "br",
  ]);

  it.each(Object.entries(emails(hostile)) as [Name, OutgoingEmail][])(
    "%s writes no tag or attribute of the client's",
    (_, email) => {
      const body = html(email);
      expect(body).not.toMatch(/<script|<img|<iframe|<b |onmouseover="|src="https/i);
      expect(body).not.toContain(`& "Bob"`);
      const tags = [...body.matchAll(/<\/?([!a-z]+)/gi)].map((m) => m[1]!.toLowerCase());
      expect(tags.filter((tag) => !allowedTags.has(tag))).toEqual([]);
    },
  );

  it("shows what the client typed, escaped", () => {
    const e = emails(hostile);
    expect(html(e.coachNotification)).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bob&quot;",
    );
    expect(html(e.coachNotification)).toContain(
      "&lt;/td&gt;&lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;",
    );
    expect(html(e.clientConfirmation)).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;,");
    // The plain text part is text: it shows the name as typed.
    expect(e.coachNotification.textBody).toContain(`<script>alert(1)</script> & "Bob"`);
  });
});

describe("calendar invites", () => {
  const methodOf = (email: OutgoingEmail) => {
    expect(email.ics).toBeTypeOf("string");
    const calendar = new ICAL.Component(ICAL.parse(email.ics!));
    const event = calendar.getFirstSubcomponent("vevent")!;
    return {
      method: calendar.getFirstPropertyValue("method"),
      uid: event.getFirstPropertyValue("uid"),
    };
  };

  it.each([
    ["clientConfirmation", "REQUEST"],
    ["coachNotification", "REQUEST"],
    ["bookingRescheduled", "REQUEST"],
    ["coachRescheduleNotice", "REQUEST"],
    ["bookingCancelled", "CANCEL"],
    ["coachCancellationNotice", "CANCEL"],
  ] as [Name, string][])("%s carries an invite with METHOD:%s", (name, method) => {
    expect(methodOf(emails()[name])).toEqual({ method, uid: "bk_7f3a9c@kairos" });
  });

  it.each([
    "paymentProcessing",
    "paymentFailedNotice",
    "slotConflictApology",
    "bookingRefunded",
    "reminder",
  ] as Name[])("%s carries no invite", (name) => {
    expect(emails()[name].ics).toBeUndefined();
  });
});
