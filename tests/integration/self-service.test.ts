/**
 * Clients changing their own bookings with JavaScript off, from the links their emails carry, in a
 * browser that never booked (no cookie): the manage page, cancelling with the policy's refund
 * through Stripe (the emulator), the notice window, moving with the slot checked again, a wrong
 * token, "My bookings" by a single-use link, Book again, and the coach's calendar feed. The invite
 * files are read with ical.js, not our own code.
 */
import ICAL from "ical.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ownerLogin, signedIn, text } from "./coach-support";
import { DateTime } from "luxon";
import { FormClient, isChecked, weekStarts } from "./form-client";
import { readDb, startPaymentWorld, writeDb, type PaymentWorld } from "./payment-support";
import {
  allEmailsOf,
  bookingById,
  book,
  compactUtc,
  HOUR,
  hrefs,
  linkInEmail,
  NEW_YORK,
  sessionText,
  setPolicy,
  startAtLeast,
  stripeRefunds,
  type Booked,
} from "./self-service-support";

let world: PaymentWorld;
beforeAll(async () => {
  world = await startPaymentWorld();
});
afterAll(() => world?.stop());
beforeEach(() => setPolicy(world.server));

/** A browser on another device: no cookie from the booking. */
const elsewhere = () => new FormClient(world.server.url);
const hoursUntil = (booking: Booked) => (booking.start_at - Date.now()) / HOUR;
const checkoutSessions = () =>
  world.emulator.ledger.events.filter((event) => event.type === "checkout.session.completed")
    .length;

/** The single event of an .ics file, read by ical.js. */
function icsEvent(body: string) {
  const calendar = new ICAL.Component(ICAL.parse(body));
  const [event, ...more] = calendar.getAllSubcomponents("vevent");
  expect(more).toEqual([]);
  const instant = (name: string) => (event!.getFirstPropertyValue(name) as ICAL.Time).toJSDate();
  return {
    method: calendar.getFirstPropertyValue("method"),
    uid: event!.getFirstPropertyValue("uid"),
    sequence: event!.getFirstPropertyValue("sequence"),
    start: instant("dtstart").getTime(),
    end: instant("dtend").getTime(),
  };
}

describe("the manage link", () => {
  it("shows the booking in the client's zone on any device, with Add to calendar", async () => {
    const booking = await book(world, { email: "manage@example.com", timezone: "Asia/Tokyo" });
    const page = await elsewhere().get(`/bookings/${booking.token}`);
    expect(page.status).toBe(200);
    const shown = text(page.html);
    expect(shown).toContain("Your booking, Ada");
    expect(shown).toContain(
      sessionText(booking.start_at, booking.end_at, "Asia/Tokyo", "Tokyo time"),
    );
    expect(shown).toContain("You can move or cancel this booking yourself until");
    expect(shown).toContain("If you cancel now, you get £45 back.");

    const links = hrefs(page);
    const google = links.find((link) => link.startsWith("https://calendar.google.com/"));
    expect(decodeURIComponent(google!)).toContain(
      `${compactUtc(booking.start_at)}/${compactUtc(booking.end_at)}`,
    );
    expect(links.some((link) => link.startsWith("https://outlook.live.com/"))).toBe(true);
    expect(links).toContain(`/bookings/${booking.token}/invite.ics`);

    const file = await elsewhere().get(`/bookings/${booking.token}/invite.ics`);
    expect(file.status).toBe(200);
    expect(file.response.headers.get("content-type")).toMatch(/^text\/calendar/);
    expect(icsEvent(file.html)).toMatchObject({
      uid: `${booking.id}@kairos`,
      start: booking.start_at,
      end: booking.end_at,
    });
  });

  it("a token that is no booking's is a 404 that shows nothing", async () => {
    const booking = await book(world, { email: "wrong-token@example.com" });
    const wrong = `${booking.token.slice(0, -4)}${booking.token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    for (const path of ["", "/cancel", "/reschedule", "/invite.ics"]) {
      for (const token of [wrong, "short", booking.token.toUpperCase()]) {
        const page = await elsewhere().get(`/bookings/${token}${path}`);
        expect(page.status, `${token}${path}`).toBe(404);
        expect(page.html).not.toContain("Ada");
        expect(page.html).not.toContain("wrong-token@example.com");
      }
    }
    const posted = await elsewhere().post(`/bookings/${wrong}/cancel`, { refund: "4500" });
    expect(posted.status).toBe(404);
    expect(bookingById(world.server, booking.id).status).toBe("confirmed");
  });
});

describe("cancelling", () => {
  /** The amount the cancel step promises, as the form carries it. */
  const promised = (html: string) => html.match(/name="refund" value="(\d+)"/)?.[1];

  it("refunds all of it with the demo policy's 48 hours' notice, once however often it is sent", async () => {
    const booking = await book(world, { email: "full-refund@example.com", hoursAhead: 96 });
    expect(hoursUntil(booking)).toBeGreaterThan(48);
    const client = elsewhere();
    const ask = await client.get(`/bookings/${booking.token}/cancel`);
    expect(text(ask.html)).toContain("You will be refunded £45 of the £45 you paid.");
    expect(promised(ask.html)).toBe("4500");

    // A double click, or two tabs: one refund, one cancellation, both answered with the result.
    const answers = await Promise.all(
      [1, 2, 3].map(() => client.post(`/bookings/${booking.token}/cancel`, { refund: "4500" })),
    );
    for (const answer of answers) expect(answer.status).toBe(303);
    expect(stripeRefunds(world, booking.payment_intent_id!)).toEqual([
      { id: expect.any(String), amount: 4500 },
    ]);
    expect(bookingById(world.server, booking.id).status).toBe("cancelled");
    const kinds = allEmailsOf(world.server, booking.id).map((row) => `${row.kind} (${row.status})`);
    expect(kinds.filter((kind) => kind.startsWith("booking_cancelled"))).toHaveLength(1);
    expect(kinds.filter((kind) => kind.startsWith("coach_booking_cancelled"))).toHaveLength(1);
    expect(kinds).toContain("reminder (cancelled)");

    const done = await client.follow(answers[0]!);
    expect(text(done.html)).toContain("Your booking is cancelled");
    expect(text(done.html)).toContain("£45 is refunded to the card you paid with");
    expect(text(done.html)).toContain("This booking was cancelled; there is nothing to change.");
    expect(done.html).not.toContain(`/bookings/${booking.token}/cancel"`);
  });

  it("refunds the middle tier's half, and nothing in the last tier, as each page said", async () => {
    const half = await book(world, { email: "half-refund@example.com" });
    const hours = hoursUntil(half);
    // The same tiers' shape as the demo's, placed around this booking's notice.
    setPolicy(world.server, {
      noticeHours: 1,
      tiers: [
        { hoursBefore: Math.ceil(hours) + 10, percent: 100 },
        { hoursBefore: Math.floor(hours) - 10, percent: 50 },
      ],
    });
    const client = elsewhere();
    expect(text((await client.get(`/bookings/${half.token}`)).html)).toContain(
      "If you cancel now, you get £22.50 back.",
    );
    const ask = await client.get(`/bookings/${half.token}/cancel`);
    expect(text(ask.html)).toContain("You will be refunded £22.50 of the £45 you paid.");
    await client.post(`/bookings/${half.token}/cancel`, { refund: promised(ask.html)! });
    expect(stripeRefunds(world, half.payment_intent_id!).map((r) => r.amount)).toEqual([2250]);

    const none = await book(world, { email: "no-refund@example.com" });
    setPolicy(world.server, {
      noticeHours: 1,
      tiers: [{ hoursBefore: Math.ceil(hoursUntil(none)) + 10, percent: 100 }],
    });
    const askNone = await client.get(`/bookings/${none.token}/cancel`);
    expect(text(askNone.html)).toContain("None of the £45 you paid will be refunded.");
    const cancelled = await client.post(`/bookings/${none.token}/cancel`, {
      refund: promised(askNone.html)!,
    });
    expect(cancelled.status).toBe(303);
    expect(bookingById(world.server, none.id).status).toBe("cancelled");
    expect(stripeRefunds(world, none.payment_intent_id!)).toEqual([]);
  });

  it("asks again, refunding nothing, when the refund changed after the page was shown", async () => {
    const booking = await book(world, { email: "refund-changed@example.com" });
    const client = elsewhere();
    const ask = await client.get(`/bookings/${booking.token}/cancel`);
    expect(promised(ask.html)).toBe("4500");
    // Time passes into the next tier while the page is open.
    setPolicy(world.server, {
      tiers: [
        { hoursBefore: Math.ceil(hoursUntil(booking)) + 10, percent: 100 },
        { hoursBefore: 24, percent: 50 },
      ],
    });
    const answer = await client.post(`/bookings/${booking.token}/cancel`, { refund: "4500" });
    expect(answer.status).toBe(409);
    expect(text(answer.html)).toContain("The refund has changed since this page was shown");
    expect(text(answer.html)).toContain("You will be refunded £22.50 of the £45 you paid.");
    expect(promised(answer.html)).toBe("2250");
    expect(bookingById(world.server, booking.id).status).toBe("confirmed");
    expect(stripeRefunds(world, booking.payment_intent_id!)).toEqual([]);

    const again = await client.post(`/bookings/${booking.token}/cancel`, { refund: "2250" });
    expect(again.status).toBe(303);
    expect(stripeRefunds(world, booking.payment_intent_id!).map((r) => r.amount)).toEqual([2250]);
  });

  it("a tampered amount is refused with nothing changed", async () => {
    const booking = await book(world, { email: "tampered@example.com" });
    for (const refund of ["", "-1", "45.00", "9999999999"]) {
      const answer = await elsewhere().post(`/bookings/${booking.token}/cancel`, { refund });
      expect(answer.status, refund).toBe(400);
    }
    const more = await elsewhere().post(`/bookings/${booking.token}/cancel`, { refund: "9000" });
    expect(more.status).toBe(409);
    expect(bookingById(world.server, booking.id).status).toBe("confirmed");
    expect(stripeRefunds(world, booking.payment_intent_id!)).toEqual([]);
  });
});

describe("inside the notice window", () => {
  it("explains why not and how to reach the practice, and changes nothing when asked anyway", async () => {
    const booking = await book(world, { email: "too-late@example.com" });
    setPolicy(world.server, { noticeHours: Math.ceil(hoursUntil(booking)) + 1 });
    const client = elsewhere();
    const page = await client.get(`/bookings/${booking.token}`);
    expect(page.status).toBe(200);
    const shown = text(page.html);
    expect(shown).toContain("The session is too close to change online");
    expect(shown).toMatch(/contact Northlight Coaching (at \S+@\S+|directly)/);
    expect(page.html).not.toContain(`/bookings/${booking.token}/cancel"`);
    expect(page.html).not.toContain(`/bookings/${booking.token}/reschedule"`);

    for (const path of ["cancel", "reschedule"])
      expect((await client.get(`/bookings/${booking.token}/${path}`)).location).toBe(
        `/bookings/${booking.token}`,
      );
    const cancel = await client.post(`/bookings/${booking.token}/cancel`, { refund: "4500" });
    const move = await client.post(`/bookings/${booking.token}/reschedule`, {
      startAt: new Date(booking.start_at + 24 * HOUR).toISOString(),
    });
    for (const answer of [cancel, move]) {
      expect(answer.status).toBe(303);
      expect(answer.location).toBe(`/bookings/${booking.token}`);
    }
    const after = bookingById(world.server, booking.id);
    expect(after).toMatchObject({
      status: "confirmed",
      start_at: booking.start_at,
      ics_sequence: 0,
    });
    expect(stripeRefunds(world, booking.payment_intent_id!)).toEqual([]);
  });
});

describe("moving", () => {
  it("offers the engine's free times, re-checks the slot on the POST, and moves without paying again", async () => {
    const booking = await book(world, { email: "mover@example.com", timezone: NEW_YORK });
    const client = elsewhere();
    const path = `/bookings/${booking.token}/reschedule`;
    const first = await client.get(path);
    expect(first.status).toBe(200);
    expect(await weekStarts(client, path)).not.toContain(new Date(booking.start_at).toISOString());
    const taken = await startAtLeast(client, path, hoursUntil(booking) + 1);

    // The confirmation step (a GET: nothing moves yet) names the new time in New York.
    const confirm = await client.get(`${path}?startAt=${encodeURIComponent(taken)}`);
    const newEnd = Date.parse(taken) + (booking.end_at - booking.start_at);
    expect(text(confirm.html)).toContain(
      sessionText(Date.parse(taken), newEnd, NEW_YORK, "New York time"),
    );
    expect(bookingById(world.server, booking.id).start_at).toBe(booking.start_at);

    // Another client books that time meanwhile: the move is refused, nothing changes.
    await book(world, { email: "quicker@example.com", startAt: taken });
    const paymentsBefore = checkoutSessions();
    const refused = await client.post(path, { startAt: taken });
    expect(refused.status).toBe(409);
    expect(text(refused.html)).toContain("That time was just taken");
    const takenDay = DateTime.fromISO(taken, { zone: NEW_YORK }).toISODate();
    expect(await weekStarts(client, `${path}?week=${takenDay}`)).not.toContain(taken);
    expect(bookingById(world.server, booking.id)).toMatchObject({
      start_at: booking.start_at,
      ics_sequence: 0,
    });

    const other = await startAtLeast(client, path, hoursUntil(booking) + 1);
    const moved = await client.post(path, { startAt: other });
    expect(moved.status).toBe(303);
    const after = bookingById(world.server, booking.id);
    expect(after).toMatchObject({
      status: "confirmed",
      start_at: Date.parse(other),
      end_at: Date.parse(other) + (booking.end_at - booking.start_at),
      ics_sequence: 1,
      payment_intent_id: booking.payment_intent_id,
    });
    expect(checkoutSessions()).toBe(paymentsBefore);
    const page = await client.follow(moved);
    expect(text(page.html)).toContain(
      `Your session is moved to ${sessionText(after.start_at, after.end_at, NEW_YORK, "New York time")}`,
    );

    // Updated invites: same UID, higher SEQUENCE, the new time; the old reminder withdrawn.
    const emails = allEmailsOf(world.server, booking.id);
    expect(emails.filter((row) => row.kind.endsWith("rescheduled")).map((row) => row.kind)).toEqual(
      ["booking_rescheduled", "coach_booking_rescheduled"],
    );
    expect(emails.filter((row) => row.kind === "reminder").map((row) => row.status)).toEqual([
      "cancelled",
      "pending",
    ]);
    const file = await elsewhere().get(`/bookings/${booking.token}/invite.ics`);
    expect(icsEvent(file.html)).toMatchObject({
      uid: `${booking.id}@kairos`,
      sequence: 1,
      start: after.start_at,
      end: after.end_at,
    });
    // Its own time again is refused; any time not offered is too.
    const same = await client.post(path, { startAt: other });
    expect(same.status).toBe(400);
    const nowhere = await client.post(path, { startAt: "2020-01-01T03:00:00.000Z" });
    expect(nowhere.status).toBe(409);
    expect(bookingById(world.server, booking.id).start_at).toBe(after.start_at);
  });
});

describe("My bookings", () => {
  const ask = (client: FormClient, email: string) => client.post("/my-bookings", { email });
  const linksTo = (email: string) =>
    readDb<{ text_body: string }>(
      world.server,
      "select text_body from email_outbox where kind = 'my_bookings_link' and recipient = ?",
      email,
    );
  const tokenIn = (email: string) =>
    linkInEmail(
      world.server,
      { recipient: email, kind: "my_bookings_link" },
      /\/my-bookings\/([\w-]{43})/,
    );

  it("says the same for any address, and emails a link only to one that booked", async () => {
    await book(world, { email: "lister@example.com" });
    const known = await ask(elsewhere(), "Lister@Example.com");
    const unknown = await ask(elsewhere(), "stranger@example.com");
    expect([known.status, known.location]).toEqual([303, "/my-bookings?sent=1"]);
    expect([unknown.status, unknown.location]).toEqual([known.status, known.location]);
    expect(linksTo("lister@example.com")).toHaveLength(1);
    expect(linksTo("stranger@example.com")).toHaveLength(0);
    const bad = await ask(elsewhere(), "not an address");
    expect(bad.status).toBe(400);
  });

  it("lists upcoming and past bookings once per link, and leads to manage and Book again", async () => {
    const email = "two-bookings@example.com";
    const upcoming = await book(world, { email });
    const past = await book(world, { email });
    writeDb(
      world.server,
      "update bookings set start_at = ?, end_at = ? where id = ?",
      Date.now() - 48 * HOUR,
      Date.now() - 47.5 * HOUR,
      past.id,
    );
    await ask(elsewhere(), email);
    const token = tokenIn(email);

    // Opening the link (a mail scanner would) changes nothing; the button uses it.
    const phone = elsewhere();
    expect((await phone.get(`/my-bookings/${token}`)).status).toBe(200);
    expect((await elsewhere().get(`/my-bookings/${token}`)).status).toBe(200);
    const used = await phone.post(`/my-bookings/${token}`, {});
    expect([used.status, used.location]).toEqual([303, "/my-bookings"]);
    const list = await phone.follow(used);
    const shown = text(list.html);
    const upcomingPart = shown.slice(
      shown.indexOf("Upcoming"),
      shown.indexOf("Past and cancelled"),
    );
    const pastPart = shown.slice(shown.indexOf("Past and cancelled"));
    expect(upcomingPart).toContain(
      sessionText(upcoming.start_at, upcoming.end_at, NEW_YORK, "New York time"),
    );
    const pastRow = bookingById(world.server, past.id);
    expect(pastPart).toContain(
      sessionText(pastRow.start_at, pastRow.end_at, NEW_YORK, "New York time"),
    );

    // Used once: another browser, or the same one again, is told so.
    for (const browser of [elsewhere(), phone]) {
      const again = await browser.post(`/my-bookings/${token}`, {});
      expect(again.status).toBe(410);
      expect(text(again.html)).toContain("This link has been used already");
    }

    // Manage: a fresh manage link for that booking.
    const manage = await phone.post("/my-bookings", { intent: "manage", bookingId: upcoming.id });
    expect(manage.location).toMatch(/^\/bookings\/[\w-]{43}$/);
    expect(manage.location).not.toBe(`/bookings/${upcoming.token}`);
    expect(text((await phone.follow(manage)).html)).toContain("Your booking, Ada");
    // Not someone else's booking, whatever id is posted.
    const stranger = await book(world, { email: "someone-else@example.com" });
    const theirs = await phone.post("/my-bookings", { intent: "manage", bookingId: stranger.id });
    expect(theirs.location).toBe("/my-bookings");

    // Book again, without JavaScript: the session chosen and the coach kept.
    const again = hrefs(list).find((href) => href.startsWith("/book/service?"))!;
    expect(again).toBe("/book/service?service=coaching-session&coach=maya-okafor");
    const wizard = await elsewhere().get(again);
    expect(isChecked(wizard.html, "coaching-session")).toBe(true);
    expect(text(wizard.html)).toContain("With Maya Okafor, as last time.");
  });

  it("a link older than 15 minutes is refused", async () => {
    const email = "slow-reader@example.com";
    await book(world, { email });
    await ask(elsewhere(), email);
    const token = tokenIn(email);
    writeDb(
      world.server,
      "update magic_links set expires_at = ?, created_at = ? where email = ?",
      Date.now() - 1000,
      Date.now() - 16 * 60_000,
      email,
    );
    const page = await elsewhere().get(`/my-bookings/${token}`);
    expect(page.status).toBe(410);
    const used = await elsewhere().post(`/my-bookings/${token}`, {});
    expect(used.status).toBe(410);
    expect(used.response.headers.get("set-cookie")).toBeNull();
  });

  it("sends at most three links an hour to an address, answering the same each time", async () => {
    const email = "impatient@example.com";
    await book(world, { email });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await ask(elsewhere(), email));
    for (const answer of answers) expect(answer.location).toBe("/my-bookings?sent=1");
    expect(linksTo(email)).toHaveLength(3);
  });
});

describe("the coach's calendar feed", () => {
  it("is a private .ics of the coach's sessions that stops working when renewed", async () => {
    const booking = await book(world, { email: "in-the-feed@example.com" });
    const coach = await signedIn(world.server, ownerLogin(world.server));
    const made = await coach.post("/coach/calendar-feed", {});
    const url = text(made.html).match(/http:\/\/\S+\/feeds\/[\w-]{43}\.ics/)?.[0];
    expect(url).toBeDefined();
    const feedPath = new URL(url!).pathname;
    const feed = await elsewhere().get(feedPath);
    expect(feed.status).toBe(200);
    expect(feed.response.headers.get("content-type")).toMatch(/^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(feed.html));
    const event = calendar
      .getAllSubcomponents("vevent")
      .find((e) => e.getFirstPropertyValue("uid") === `${booking.id}@kairos`);
    expect(event).toBeDefined();
    expect((event!.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().getTime()).toBe(
      booking.start_at,
    );

    await coach.post("/coach/calendar-feed", {});
    expect((await elsewhere().get(feedPath)).status).toBe(404);
  });
});
