/**
 * Emails as they leave Kairos: a real SMTP server in the test process (smtp-support.ts) receives
 * what the built server sends, and each test checks what arrived (once, to whom, what it says,
 * its calendar invite read with ical.js) against the database. One world sends normally; a second
 * one, whose mail server refuses, shows retries, the dead state and "Send again".
 */
import ICAL from "ical.js";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../server-harness";
import { bookFreeCall, ownerLogin, signedIn, text } from "./coach-support";
import { FormClient, weekStarts } from "./form-client";
import {
  hostedPage,
  pressPay,
  readDb,
  startPaymentWorld,
  waitFor,
  writeDb,
  type PaymentWorld,
} from "./payment-support";
import {
  invitePartsOf,
  linksIn,
  smtpEnv,
  startSmtpSink,
  type ReceivedMessage,
  type SmtpSink,
} from "./smtp-support";

const PRACTICE = "Northlight Coaching";
const HOUR = 3_600_000;
/** With emails looked at every second, long enough for any duplicate to have followed. */
const QUIET_MS = 3000;

/** Sends normally. */
let world: PaymentWorld;
let smtp: SmtpSink;
/** Its mail server refuses until told otherwise; attempts are 1 s apart, then the email is dead. */
let refusing: PaymentWorld;
let refusingSmtp: SmtpSink;

beforeAll(async () => {
  [smtp, refusingSmtp] = await Promise.all([startSmtpSink(), startSmtpSink()]);
  refusingSmtp.refuse();
  [world, refusing] = await Promise.all([
    startPaymentWorld(smtpEnv(smtp)),
    startPaymentWorld({ ...smtpEnv(refusingSmtp), EMAIL_RETRY_SECONDS: "1,1" }),
  ]);
});
afterAll(async () => {
  await Promise.all([world?.stop(), refusing?.stop()]);
  await Promise.all([smtp?.stop(), refusingSmtp?.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Booking = {
  id: string;
  status: string;
  start_at: number;
  end_at: number;
  client_name: string;
  client_email: string;
  service_name: string;
  service_slug: string;
  ics_sequence: number;
};
type OutboxRow = {
  id: number;
  booking_id: string | null;
  recipient: string;
  kind: string;
  subject: string;
  status: string;
  attempts: number;
  message_id: string;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
};

const bookingsFor = (server: RunningServer, email: string) =>
  readDb<Booking>(
    server,
    `select b.*, s.name as service_name, s.slug as service_slug from bookings b join services s on s.id = b.service_id
     where b.client_email = ? order by b.created_at`,
    email,
  );
const bookingById = (server: RunningServer, id: string) =>
  readDb<Booking>(
    server,
    "select b.*, s.name as service_name, s.slug as service_slug from bookings b join services s on s.id = b.service_id where b.id = ?",
    id,
  )[0];
const outboxRows = (server: RunningServer, bookingId: string) =>
  readDb<OutboxRow>(
    server,
    "select * from email_outbox where booking_id = ? order by id",
    bookingId,
  );
const rowByMessageId = (server: RunningServer, messageId: string) =>
  readDb<OutboxRow>(server, "select * from email_outbox where message_id = ?", messageId)[0];

const only = <T>(rows: T[]): T => {
  expect(rows).toHaveLength(1);
  return rows[0]!;
};
const rowOf = (rows: OutboxRow[], kind: string) => only(rows.filter((row) => row.kind === kind));
const withId = (sink: SmtpSink, messageId: string) =>
  sink.messages.filter((message) => message.parsed.messageId === messageId);

/** "Tuesday 24 November 2026, 10:00 to 10:30 (Tokyo time)", written with luxon from scratch. */
function sessionIn(booking: Booking, zone: string, place: string) {
  const start = DateTime.fromMillis(booking.start_at, { zone }).setLocale("en-GB");
  const end = DateTime.fromMillis(booking.end_at, { zone });
  return `${start.weekdayLong} ${start.day} ${start.monthLong} ${start.year}, ${start.toFormat("HH:mm")} to ${end.toFormat("HH:mm")} (${place} time)`;
}

/** The invite a message carries, read by ical.js (not our code), after checking both its parts. */
function inviteOf(message: ReceivedMessage) {
  const parts = invitePartsOf(message);
  expect(parts.calendar, "a text/calendar part").not.toBeNull();
  expect(parts.file, "the invite.ics attachment is the same calendar").toBe(parts.calendar);
  const calendar = new ICAL.Component(ICAL.parse(parts.calendar!));
  const event = only(calendar.getAllSubcomponents("vevent"));
  const instant = (name: string) => {
    const value = event.getFirstPropertyValue(name);
    if (!(value instanceof ICAL.Time)) throw new Error(`${name} is not a date-time`);
    return value.toJSDate().getTime();
  };
  return {
    partMethod: parts.method,
    method: calendar.getFirstPropertyValue("method"),
    uid: event.getFirstPropertyValue("uid"),
    start: instant("dtstart"),
    end: instant("dtend"),
    sequence: event.getFirstPropertyValue("sequence"),
    status: event.getFirstPropertyValue("status"),
    alarms: event.getAllSubcomponents("valarm").length,
  };
}

/**
 * A client at the review step with everything filled in, on the first time offered with this
 * coach at or after `notBefore` (looking up to a few weeks ahead).
 */
async function clientAtReview(
  server: RunningServer,
  options: {
    service: string;
    coach: string;
    email: string;
    name?: string;
    timezone?: string;
    notBefore?: number;
  },
) {
  const client = new FormClient(server.url);
  await client.post("/book/service", { service: options.service });
  await client.post("/book/coach", { coach: options.coach });
  let path = "/book/time";
  let slot: string | undefined;
  for (let week = 0; week < 5 && !slot; week++) {
    const page = await client.get(path);
    slot = (await weekStarts(client, path)).find(
      (start) => Date.parse(start) >= (options.notBefore ?? 0),
    );
    const weeks = [...page.html.matchAll(/week=(\d{4}-\d{2}-\d{2})/g)].map((m) => m[1]!).sort();
    path = `/book/time?week=${weeks.at(-1)}`;
  }
  if (!slot) throw new Error(`no time offered with ${options.coach}`);
  const chosen = await client.post("/book/time", { startAt: slot });
  if (chosen.location !== "/book/details")
    throw new Error(`could not choose ${slot}: ${chosen.status}`);
  const details = await client.post("/book/details", {
    name: options.name ?? "Ada Lovelace",
    email: options.email,
    notes: "",
    timezone: options.timezone ?? "Europe/London",
  });
  if (details.location !== "/book/review") throw new Error(`details refused: ${details.status}`);
  return client;
}

/** A free intro call at or after `notBefore`, confirmed; returns its booking. */
async function freeBookingAfter(
  server: RunningServer,
  options: { coach: string; email: string; notBefore: number },
): Promise<Booking> {
  const client = await clientAtReview(server, { service: "intro-call", ...options });
  const confirmed = await client.post("/book/review", { intent: "confirm" });
  if (confirmed.location !== "/book/confirmed")
    throw new Error(`the free booking failed: ${confirmed.status}`);
  const booking = only(bookingsFor(server, options.email));
  expect(booking.status).toBe("confirmed");
  return booking;
}

/** The manage link of a message (its one `/bookings/<token>` address). */
function manageLinkOf(message: ReceivedMessage, server: RunningServer): string {
  const links = linksIn(message).filter((link) => link.includes("/bookings/"));
  const link = only([...new Set(links)]);
  expect(link).toMatch(new RegExp(`^${server.url}/bookings/[\\w-]{43}$`));
  return link;
}

describe("a paid booking whose webhook comes six times", () => {
  it("sends one confirmation to the client and one to the coach, in their zones, with the invite", async () => {
    const email = "six-webhooks@example.com";
    const client = await clientAtReview(world.server, {
      service: "coaching-session",
      coach: "daniel-reyes",
      email,
      timezone: "Asia/Tokyo",
    });
    // The first delivery and five more race each other (as in payments.test.ts's "delivered five
    // more times", but without waiting for the first to be answered).
    world.emulator.webhooks.hold();
    const { sessionId, url } = await pressPay(client);
    await hostedPage(url, "pay");
    const completed = world.emulator.ledger.events.find(
      (event) =>
        event.type === "checkout.session.completed" &&
        (event.data.object as { id: string }).id === sessionId,
    )!;
    expect(completed).toBeDefined();
    world.emulator.webhooks.release();
    world.emulator.webhooks.redeliver(completed, { times: 5, concurrent: true });
    await world.emulator.webhooks.idle();
    expect(
      world.emulator.webhooks
        .deliveries()
        .filter((d) => d.eventId === completed.id)
        .map((d) => d.outcome),
    ).toEqual([200, 200, 200, 200, 200, 200]);

    const booking = only(bookingsFor(world.server, email));
    expect(booking.status).toBe("confirmed");
    const rows = outboxRows(world.server, booking.id).filter((row) => row.kind !== "reminder");
    expect(rows.map((row) => `${row.kind} to ${row.recipient}`)).toEqual([
      `booking_confirmed to ${email}`,
      "coach_new_booking to daniel@example.com",
    ]);
    const ids = rows.map((row) => row.message_id);
    await smtp.waitForMessages((m) => ids.includes(m.parsed.messageId ?? ""), 2);
    await sleep(QUIET_MS);

    // Exactly one each, however often the webhook came: by address, and by what they say.
    const toClient = only(smtp.messagesTo(email));
    const toCoach = only(
      smtp.messagesTo("daniel@example.com").filter((m) => m.parsed.text?.includes(email)),
    );
    for (const row of outboxRows(world.server, booking.id).filter((r) => r.kind !== "reminder")) {
      expect(row).toMatchObject({ status: "sent", attempts: 0, last_error: null });
      expect(row.sent_at).not.toBeNull();
    }
    const clientRow = rowOf(rows, "booking_confirmed");
    const coachRow = rowOf(rows, "coach_new_booking");
    expect(toClient.parsed.messageId).toBe(clientRow.message_id);
    expect(toCoach.parsed.messageId).toBe(coachRow.message_id);

    // The client's: the practice, the time in Tokyo (never New York), text and HTML.
    const tokyo = sessionIn(booking, "Asia/Tokyo", "Tokyo");
    const newYork = sessionIn(booking, "America/New_York", "New York");
    expect(tokyo).not.toBe(newYork);
    expect(toClient.parsed.subject).toBe("Booked: Coaching session with Daniel Reyes");
    const clientHtml = toClient.parsed.html;
    expect(clientHtml).toBeTypeOf("string");
    for (const body of [toClient.parsed.text ?? "", clientHtml as string]) {
      expect(body).toContain(PRACTICE);
      expect(body).toContain(tokyo);
      expect(body).not.toContain("New York time");
    }
    expect(toClient.parsed.text).toContain("is confirmed and paid");
    manageLinkOf(toClient, world.server);
    // The coach's: their own zone first, the client's labelled.
    expect(toCoach.parsed.subject).toBe("New booking: Ada Lovelace, Coaching session");
    expect(toCoach.parsed.html).toBeTypeOf("string");
    expect(toCoach.parsed.text).toContain(`When: ${newYork}`);
    expect(toCoach.parsed.text).toContain(`Client’s time: ${tokyo}`);
    expect(toCoach.parsed.text).toContain(PRACTICE);

    for (const message of [toClient, toCoach]) {
      expect(inviteOf(message)).toEqual({
        partMethod: "REQUEST",
        method: "REQUEST",
        uid: `${booking.id}@kairos`,
        start: booking.start_at,
        end: booking.end_at,
        sequence: 0,
        status: "CONFIRMED",
        alarms: 1,
      });
    }
  });
});

describe("a free booking", () => {
  it("sends the client's confirmation and the coach's notice, once each", async () => {
    const email = "free-call@example.com";
    const booking = await bookFreeCall(world.server, { coach: "maya-okafor", email });
    const rows = outboxRows(world.server, booking.id).filter((row) => row.kind !== "reminder");
    expect(rows.map((row) => `${row.kind} to ${row.recipient}`)).toEqual([
      `booking_confirmed to ${email}`,
      "coach_new_booking to maya@example.com",
    ]);
    const [clientMessage, coachMessage] = await Promise.all(
      rows.map(async (row) =>
        only(await smtp.waitForMessages((m) => m.parsed.messageId === row.message_id)),
      ),
    );
    const full = bookingById(world.server, booking.id)!;
    const london = sessionIn(full, "Europe/London", "London");
    expect(clientMessage!.to).toEqual([email]);
    expect(clientMessage!.parsed.subject).toBe("Booked: Free intro call with Maya Okafor");
    expect(clientMessage!.parsed.text).toContain("is confirmed. The invite is attached");
    expect(clientMessage!.parsed.text).toContain(london);
    expect(coachMessage!.to).toEqual(["maya@example.com"]);
    expect(coachMessage!.parsed.subject).toBe("New booking: Ada Lovelace, Free intro call");
    for (const message of [clientMessage!, coachMessage!]) {
      expect(message.parsed.html).toContain(PRACTICE);
      expect(inviteOf(message)).toMatchObject({
        method: "REQUEST",
        uid: `${booking.id}@kairos`,
        start: full.start_at,
        sequence: 0,
      });
    }
    await waitFor(
      () => outboxRows(world.server, booking.id).filter((row) => row.kind !== "reminder"),
      (now) => now.every((row) => row.status === "sent"),
    );
  });
});

describe("retries, the dead state, and Send again", () => {
  it("a refused email is tried three times, shown to the owner, and sent once when asked again", async () => {
    const email = "refused@example.com";
    const booking = await bookFreeCall(refusing.server, { coach: "maya-okafor", email });
    const clientRow = rowOf(outboxRows(refusing.server, booking.id), "booking_confirmed");
    const coachRow = rowOf(outboxRows(refusing.server, booking.id), "coach_new_booking");

    // Every state the row passes through, polled far more often than attempts come (1 s apart).
    const states: string[] = [];
    await waitFor(
      () => {
        const row = rowByMessageId(refusing.server, clientRow.message_id)!;
        const state = `${row.status} after ${row.attempts}`;
        if (states.at(-1) !== state) states.push(state);
        return row;
      },
      (row) => row.status === "dead",
      15_000,
    );
    expect(states.filter((state) => state !== "pending after 0")).toEqual([
      "pending after 1",
      "pending after 2",
      "dead after 3",
    ]);
    const dead = rowByMessageId(refusing.server, clientRow.message_id)!;
    expect(dead.last_error).toContain("451 Mailbox temporarily unavailable, try later");
    expect(dead.sent_at).toBeNull();
    await waitFor(
      () => rowByMessageId(refusing.server, coachRow.message_id)!.status,
      (status) => status === "dead",
      15_000,
    );
    expect(refusingSmtp.messages).toEqual([]);
    expect(refusingSmtp.refused.filter((r) => r.to.includes(email))).toHaveLength(3);

    // The owner sees both under "Needs attention" and in the outbox, each with Send again.
    const owner = await signedIn(refusing.server, ownerLogin(refusing.server));
    const home = await owner.get("/coach");
    expect(home.status).toBe(200);
    const homeText = text(home.html);
    expect(homeText).toContain("Needs attention (2)");
    expect(homeText).toContain(
      `An email could not be sent to ${email}: “${clientRow.subject}”. The mail server refused it 3 times (`,
    );
    expect(homeText).toContain("451 Mailbox temporarily unavailable, try later");
    expect(home.html).toContain(`name="emailId" value="${clientRow.id}"`);
    const outbox = await owner.get("/coach/outbox");
    expect(outbox.status).toBe(200);
    const entry = outbox.html.match(
      new RegExp(`<li[^>]*id="email-${clientRow.id}"[\\s\\S]*?</li>`),
    )?.[0];
    expect(entry).toBeDefined();
    expect(text(entry!)).toContain("Not sent: gave up after 3 attempts (");
    expect(text(entry!)).toContain("451 Mailbox temporarily unavailable");
    expect(entry).toContain(`name="emailId" value="${clientRow.id}"`);
    // Dead means no more attempts.
    expect(refusingSmtp.refused.filter((r) => r.to.includes(email))).toHaveLength(3);

    refusingSmtp.accept();
    const again = await owner.post("/coach/outbox", {
      intent: "send-again",
      emailId: String(clientRow.id),
    });
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/coach/outbox?queued=${clientRow.id}`);
    const [arrived] = await refusingSmtp.waitForMessages(
      (m) => m.parsed.messageId === clientRow.message_id,
    );
    expect(arrived!.to).toEqual([email]);
    expect(arrived!.parsed.subject).toBe(clientRow.subject);
    // Pressed again once sent: nothing more goes.
    const twice = await owner.post("/coach/outbox", {
      intent: "send-again",
      emailId: String(clientRow.id),
    });
    expect(twice.location).toBe(`/coach/outbox?already=${clientRow.id}`);
    await sleep(QUIET_MS);

    expect(withId(refusingSmtp, clientRow.message_id)).toHaveLength(1);
    expect(rowByMessageId(refusing.server, clientRow.message_id)).toMatchObject({
      status: "sent",
      last_error: null,
    });
    // Only the email asked for went: the coach's is still dead, and still needs attention.
    expect(refusingSmtp.messagesTo("maya@example.com")).toEqual([]);
    expect(rowByMessageId(refusing.server, coachRow.message_id)!.status).toBe("dead");
    const after = text((await owner.get("/coach")).html);
    expect(after).toContain("Needs attention (1)");
    expect(after).not.toContain(`An email could not be sent to ${email}`);
    expect(after).toContain("An email could not be sent to maya@example.com");
  });
});

describe("reminders", () => {
  it("one goes at its time, once; a cancelled session's does not, and its cancellation does", async () => {
    // Far enough off that the 24-hour reminder is still to come and the client may cancel.
    const notBefore = Date.now() + 50 * HOUR;
    const kept = await freeBookingAfter(world.server, {
      coach: "maya-okafor",
      email: "reminded@example.com",
      notBefore,
    });
    const cancelled = await freeBookingAfter(world.server, {
      coach: "daniel-reyes",
      email: "reminder-cancelled@example.com",
      notBefore,
    });
    const reminderOf = (booking: Booking) =>
      rowOf(outboxRows(world.server, booking.id), "reminder");
    for (const booking of [kept, cancelled]) {
      expect(reminderOf(booking)).toMatchObject({
        status: "pending",
        next_attempt_at: booking.start_at - 24 * HOUR,
      });
    }

    // The cancelled booking is cancelled by its client, through the link in their email.
    const cancelledConfirmation = rowOf(
      outboxRows(world.server, cancelled.id),
      "booking_confirmed",
    );
    const [confirmation] = await smtp.waitForMessages(
      (m) => m.parsed.messageId === cancelledConfirmation.message_id,
    );
    const manage = new URL(manageLinkOf(confirmation!, world.server)).pathname;
    const browser = new FormClient(world.server.url);
    const ask = await browser.get(`${manage}/cancel`);
    expect(ask.status).toBe(200);
    const refund = ask.html.match(/name="refund" value="(\d+)"/)?.[1];
    expect(refund).toBe("0");
    const done = await browser.post(`${manage}/cancel`, { refund: refund! });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${manage}?done=cancelled`);
    expect(bookingById(world.server, cancelled.id)!.status).toBe("cancelled");
    expect(reminderOf(cancelled).status).toBe("cancelled");

    // Time passes (standing in for it: the reminders' send times are moved to now). Both are due
    // by the clock; only the kept booking's may go.
    writeDb(
      world.server,
      "update email_outbox set next_attempt_at = ? where id in (?, ?)",
      Date.now(),
      reminderOf(kept).id,
      reminderOf(cancelled).id,
    );
    const rows = outboxRows(world.server, cancelled.id);
    const cancelNotices = [
      rowOf(rows, "booking_cancelled"),
      rowOf(rows, "coach_booking_cancelled"),
    ];
    expect(cancelNotices.map((row) => row.recipient)).toEqual([
      "reminder-cancelled@example.com",
      "daniel@example.com",
    ]);
    const ids = [reminderOf(kept).message_id, ...cancelNotices.map((row) => row.message_id)];
    await smtp.waitForMessages((m) => ids.includes(m.parsed.messageId ?? ""), 3);
    await sleep(QUIET_MS);

    const reminders = smtp
      .messagesTo("reminded@example.com")
      .filter((m) => m.parsed.subject?.startsWith("Reminder:"));
    const reminder = only(reminders);
    expect(reminder.parsed.messageId).toBe(reminderOf(kept).message_id);
    expect(reminder.parsed.subject).toBe(
      `Reminder: Free intro call with Maya Okafor, ${sessionIn(kept, "Europe/London", "London")}`,
    );
    expect(reminder.parsed.text).toContain(PRACTICE);
    manageLinkOf(reminder, world.server);
    expect(reminderOf(kept).status).toBe("sent");

    const toCancelledClient = smtp.messagesTo("reminder-cancelled@example.com");
    expect(toCancelledClient.filter((m) => m.parsed.subject?.startsWith("Reminder:"))).toEqual([]);
    expect(reminderOf(cancelled)).toMatchObject({ status: "cancelled", sent_at: null });
    const cancellation = only(withId(smtp, cancelNotices[0]!.message_id));
    expect(toCancelledClient.map((m) => m.parsed.messageId)).toEqual([
      cancelledConfirmation.message_id,
      cancelNotices[0]!.message_id,
    ]);
    expect(cancellation.parsed.subject).toBe(
      `Cancelled: Free intro call on ${sessionIn(cancelled, "Europe/London", "London")}`,
    );
    expect(cancellation.parsed.text).toContain("is cancelled, as you asked");
    const coachNotice = only(withId(smtp, cancelNotices[1]!.message_id));
    for (const message of [cancellation, coachNotice]) {
      expect(inviteOf(message)).toEqual({
        partMethod: "CANCEL",
        method: "CANCEL",
        uid: `${cancelled.id}@kairos`,
        start: cancelled.start_at,
        end: cancelled.end_at,
        sequence: 1,
        status: "CANCELLED",
        alarms: 0,
      });
    }
    expect(inviteOf(confirmation!).uid).toBe(`${cancelled.id}@kairos`);
  });
});

describe("a delayed payment that fails", () => {
  it("emails the client a link to try again", async () => {
    const email = "failed-payment@example.com";
    const client = await clientAtReview(world.server, {
      service: "coaching-session",
      coach: "daniel-reyes",
      email,
      name: "Grace Hopper",
    });
    const { url } = await pressPay(client);
    await hostedPage(url, "delayed_fails");
    await waitFor(
      () => bookingsFor(world.server, email)[0]?.status,
      (status) => status === "payment_failed",
    );
    await world.emulator.webhooks.idle();
    const booking = only(bookingsFor(world.server, email));
    const rows = outboxRows(world.server, booking.id);
    expect(rows.map((row) => row.kind)).toEqual(["payment_processing", "payment_failed"]);
    const [failed] = await smtp.waitForMessages(
      (m) => m.parsed.messageId === rowOf(rows, "payment_failed").message_id,
    );
    expect(failed!.parsed.subject).toBe("Your payment didn’t go through");
    const resume = linksIn(failed!).filter((link) => link.includes("/book/resume/"));
    expect(resume).toHaveLength(1);
    expect(resume[0]).toMatch(new RegExp(`^${world.server.url}/book/resume/[\\w-]+$`));
  });
});

describe("links in the emails", () => {
  it("every link in every email received opens in a browser with no cookie", async () => {
    const seen = { manage: 0, resume: 0, bookAgain: 0 };
    for (const [server, sink] of [
      [world.server, smtp],
      [refusing.server, refusingSmtp],
    ] as const) {
      expect(sink.messages.length).toBeGreaterThan(0);
      for (const message of sink.messages) {
        const row = rowByMessageId(server, message.parsed.messageId ?? "");
        expect(row, `a row for ${message.parsed.subject}`).toBeDefined();
        const booking = row!.booking_id ? bookingById(server, row!.booking_id) : undefined;
        for (const link of linksIn(message)) {
          expect(link.startsWith(`${server.url}/`), link).toBe(true);
          const { pathname: path, search } = new URL(link);
          const browser = new FormClient(server.url);
          const first = await browser.get(path + search);
          const landed = await browser.follow(first);
          const where = `${link} in "${message.parsed.subject}"`;
          if (/^\/bookings\/[\w-]{43}$/.test(path)) {
            seen.manage++;
            expect(first.status, where).toBe(200);
            expect(text(first.html), where).toContain(booking!.service_name);
          } else if (/^\/book\/resume\/[\w-]+$/.test(path)) {
            seen.resume++;
            expect(first.status, where).toBe(303);
            expect(first.location, where).toBe("/book/review");
            expect(landed.status, where).toBe(200);
            const review = text(landed.html);
            expect(review).toContain(booking!.client_name);
            expect(review).toContain(booking!.client_email);
            expect(review).toContain(booking!.service_name);
          } else if (path === "/book/service" && search) {
            // Book again: the session and coach of the cancelled booking already chosen.
            seen.bookAgain++;
            expect(landed.status, where).toBe(200);
            const checked = [...landed.html.matchAll(/<input[^>]*name="service"[^>]*>/g)]
              .map(([input]) => input)
              .filter((input) => /\schecked/.test(input));
            expect(checked, where).toEqual([
              expect.stringContaining(`value="${booking!.service_slug}"`),
            ]);
            expect(text(landed.html), where).toContain("as last time");
          } else if (/^\/my-bookings\/[\w-]+$/.test(path)) {
            expect(landed.status, where).toBe(200);
          } else {
            throw new Error(`an unexpected link: ${where}`);
          }
        }
      }
    }
    expect(seen.manage).toBeGreaterThanOrEqual(4);
    expect(seen.resume).toBe(1);
    expect(seen.bookAgain).toBe(1);
  });

  it("each email carries a manage link of its own", () => {
    // The reminder and the confirmation of the same booking (reminders.test above).
    const messages = smtp.messagesTo("reminded@example.com");
    expect(messages.map((m) => m.parsed.subject?.split(":")[0])).toEqual(["Booked", "Reminder"]);
    const [confirmation, reminder] = messages.map((m) => manageLinkOf(m, world.server));
    expect(reminder).not.toBe(confirmation);
  });
});

describe("what arrived", () => {
  it("every email went exactly once, and only those the outbox says were sent", () => {
    for (const [server, sink] of [
      [world.server, smtp],
      [refusing.server, refusingSmtp],
    ] as const) {
      const sent = readDb<{ message_id: string }>(
        server,
        "select message_id from email_outbox where status = 'sent'",
      )
        .map((row) => row.message_id)
        .sort();
      const arrived = sink.messages.map((m) => m.parsed.messageId ?? "").sort();
      expect(arrived).toEqual(sent);
    }
  });
});
