/**
 * What a client can do from their manage link, against a real SQLite file of the demo practice
 * (Maya works 09:00–12:30 and 13:30–17:00 London time on weekdays). Every booking is made through
 * the lifecycle at fixed instants, so nothing depends on today's date: the token is read from the
 * confirmation email the lifecycle queued, and every `now` is passed in. The notice window, the
 * refund tiers and the slot interval are set with SQL, as the coach's settings would.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { findAvailableStarts } from "~/availability/availability.server";
import { newSecretToken } from "~/lib/secret-token.server";
import {
  APP_URL,
  bookingRow,
  completeDraftFor,
  eventsOf,
  manageTokenCount,
  newBooking,
  offerOf,
  outboxOf,
  rows,
  withDomainWorld,
} from "../../tests/support/domain";
import * as lifecycle from "./lifecycle.server";
import { bookAgainPath } from "./manage-links.server";
import {
  canMoveTo,
  changeDeadline,
  findManagedBooking,
  findManagedBookingOfDraft,
  manageTokenForDraft,
  nextSteps,
  rescheduleForClient,
  rescheduleWeek,
  type ManagedBooking,
} from "./self-service.server";

const world = withDomainWorld();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** When the bookings are made: a Monday, two weeks before the session. */
const NOW = new Date("2027-03-01T09:00:00Z");
/** Monday 15 March 2027, 10:00 in London (GMT until the 28th). */
const START = new Date("2027-03-15T10:00:00Z");
const at = (iso: string) => new Date(iso);

type Options = {
  service?: "coaching-session" | "intro-call";
  coach?: string;
  at?: Date;
  timezone?: string;
  draftId?: string | null;
};

/** A confirmed booking (paid, unless it is the free intro call) and its manage token. */
function book(startAt = START, options: Options = {}): { id: string; token: string } {
  const { db } = world;
  const { service = "coaching-session", coach = "maya-okafor", at = NOW } = options;
  const offer = offerOf(db, service, coach);
  const booking = newBooking(db, offer, startAt);
  booking.draftId = options.draftId ?? null;
  if (options.timezone) booking.client.timezone = options.timezone;
  let id: string;
  if (offer.service.priceMinor === 0) {
    const made = lifecycle.confirmFree(db, booking, { actor: "client", at, appUrl: APP_URL });
    if (!made.ok) throw new Error(`could not book: ${made.refused}`);
    id = made.booking.id;
  } else {
    const held = lifecycle.hold(db, booking, {
      actor: "client",
      at,
      holdExpiresAt: new Date(at.getTime() + 30 * MINUTE),
    });
    if (!held.ok) throw new Error(`could not hold: ${held.refused}`);
    id = held.booking.id;
    const paid = lifecycle.confirmPaid(db, id, {
      actor: "stripe",
      at,
      paymentIntentId: `pi_${id}`,
      checkoutSessionId: `cs_${id}`,
      appUrl: APP_URL,
    });
    if (!paid.ok) throw new Error(`could not confirm: ${paid.refused}`);
  }
  return { id, token: tokenInLatestEmail(id) };
}

/** The manage token in the latest email to the client that carries one. */
function tokenInLatestEmail(bookingId: string): string {
  const [email] = rows<{ text_body: string }>(
    world.db,
    `select text_body from email_outbox where booking_id = ?
       and kind in ('booking_confirmed', 'booking_rescheduled') order by id desc limit 1`,
    bookingId,
  );
  const token = email?.text_body.match(/http:\/\/kairos\.test\/bookings\/([\w-]{43})\b/)?.[1];
  if (!token) throw new Error(`no manage link was emailed for ${bookingId}`);
  return token;
}

function managed(token: string, now = NOW): ManagedBooking {
  const found = findManagedBooking(world.db, token, now);
  if (!found) throw new Error("the token finds no booking");
  return found;
}

function setPractice(settings: { noticeHours?: number; tiers?: object[] }) {
  if (settings.noticeHours !== undefined)
    world.db.$client
      .prepare("update practice_settings set self_service_notice_hours = ?")
      .run(settings.noticeHours);
  if (settings.tiers)
    world.db.$client
      .prepare("update practice_settings set refund_policy = ?")
      .run(JSON.stringify(settings.tiers));
}

const setSlotInterval = (minutes: number, coach = "maya-okafor") =>
  world.db.$client
    .prepare("update coaches set slot_interval_minutes = ? where slug = ?")
    .run(minutes, coach);

function cancelByCoach(id: string) {
  const cancelled = lifecycle.cancel(world.db, id, {
    actor: "coach",
    at: NOW,
    refundedMinor: 0,
    appUrl: APP_URL,
  });
  if (!cancelled.ok) throw new Error(`could not cancel: ${cancelled.refused}`);
}

/** Every slot of the week, opening each of its days as a client would, as ISO instants. */
const offered = (token: string, requestedWeek: string) =>
  rescheduleWeek(world.db, managed(token), { requestedWeek, now: NOW })!.days.flatMap((day) =>
    rescheduleWeek(world.db, managed(token), {
      requestedWeek,
      requestedDay: day.date,
      now: NOW,
    })!.day.slots.map((slot) => slot.value),
  );

const iso = (date: Date) => date.toISOString();
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

describe("findManagedBooking", () => {
  it("finds the booking by the token in its confirmation email, with the policy and practice", () => {
    const { id, token } = book();
    const found = managed(token);
    expect(found.booking).toMatchObject({
      id,
      status: "confirmed",
      startAt: START,
      serviceSlug: "coaching-session",
      coachSlug: "maya-okafor",
      priceMinor: 4500,
    });
    expect(found.policy).toEqual({
      selfServiceNoticeHours: 24,
      refundTiers: [
        { hoursBefore: 48, percent: 100 },
        { hoursBefore: 24, percent: 50 },
      ],
    });
    expect(found.practice).toEqual({
      name: "Northlight Coaching",
      contactEmail: "hello@example.com",
    });
  });

  it("is null for a well-formed token that is no booking's, and for malformed ones", () => {
    const { token } = book();
    expect(findManagedBooking(world.db, newSecretToken().token, NOW)).toBeNull();
    for (const bad of ["", "abc", `${token}x`, token.slice(1), `${token.slice(0, 42)}!`, " "])
      expect(findManagedBooking(world.db, bad, NOW), JSON.stringify(bad)).toBeNull();
    // The hash is stored, not the token: the hash as a token is nothing.
    const [stored] = rows<{ token_hash: string }>(world.db, "select token_hash from manage_tokens");
    expect(findManagedBooking(world.db, stored!.token_hash, NOW)).toBeNull();
  });

  it("finds the booking a draft made once it is confirmed, and not before", () => {
    const offer = offerOf(world.db, "coaching-session");
    const draft = completeDraftFor(world.db, offer, START, NOW);
    const booking = { ...newBooking(world.db, offer, START), draftId: draft.id };
    const held = lifecycle.hold(world.db, booking, {
      actor: "client",
      at: NOW,
      holdExpiresAt: plus(NOW, 30 * MINUTE),
    });
    if (!held.ok) throw new Error("could not hold");
    expect(findManagedBookingOfDraft(world.db, draft.id, NOW)).toBeNull();
    lifecycle.confirmPaid(world.db, held.booking.id, {
      actor: "stripe",
      at: NOW,
      paymentIntentId: "pi_1",
      checkoutSessionId: "cs_1",
      appUrl: APP_URL,
    });
    expect(findManagedBookingOfDraft(world.db, draft.id, NOW)?.booking.id).toBe(held.booking.id);
  });
});

describe("cannotChange and changeUntil", () => {
  it("allows changes until selfServiceNoticeHours before the start, then says too_late", () => {
    setPractice({ noticeHours: 6 });
    const { token } = book();
    const deadline = plus(START, -6 * HOUR);

    const inside = managed(token, plus(deadline, -1));
    expect(inside.cannotChange).toBeNull();
    expect(inside.changeUntil).toEqual(deadline);

    for (const now of [deadline, plus(deadline, 1), plus(START, -MINUTE), plus(START, HOUR)]) {
      const late = managed(token, now);
      expect(late.cannotChange, iso(now)).toBe("too_late");
      expect(late.changeUntil).toBeNull();
    }
  });

  it("with no notice required, allows changes until the session starts", () => {
    setPractice({ noticeHours: 0 });
    const { token } = book();
    expect(managed(token, plus(START, -1)).cannotChange).toBeNull();
    expect(managed(token, START).cannotChange).toBe("too_late");
  });

  it("says not_confirmed for a cancelled or completed booking, however early", () => {
    const cancelled = book();
    cancelByCoach(cancelled.id);
    expect(managed(cancelled.token).cannotChange).toBe("not_confirmed");
    expect(managed(cancelled.token).changeUntil).toBeNull();

    const done = book(at("2027-03-16T10:00:00Z"));
    lifecycle.complete(world.db, done.id, { actor: "coach", at: at("2027-03-16T10:40:00Z") });
    // Even asked about far in advance, a completed session is not the client's to change.
    expect(managed(done.token, NOW).cannotChange).toBe("not_confirmed");
  });
});

describe("refundPercentNow", () => {
  it("follows the practice's tiers by the notice given (48h: all, 24h: half, less: none)", () => {
    const { token } = book();
    const percentAt = (hoursBefore: number) =>
      managed(token, plus(START, -hoursBefore * HOUR)).refundPercentNow;
    expect(percentAt(100)).toBe(100);
    expect(percentAt(48)).toBe(100);
    expect(percentAt(47.99)).toBe(50);
    expect(percentAt(24)).toBe(50);
    expect(percentAt(23.99)).toBe(0);
    expect(percentAt(1)).toBe(0);
  });

  it("reads the tiers the practice set, whatever order they were stored in", () => {
    setPractice({
      noticeHours: 2,
      tiers: [
        { hoursBefore: 6, percent: 25 },
        { hoursBefore: 72, percent: 100 },
        { hoursBefore: 24, percent: 75 },
      ],
    });
    const { token } = book();
    const percentAt = (hoursBefore: number) =>
      managed(token, plus(START, -hoursBefore * HOUR)).refundPercentNow;
    expect([80, 72, 71, 24, 23, 6, 5].map(percentAt)).toEqual([100, 100, 75, 75, 25, 25, 0]);
  });

  it("is 0 for a free session", () => {
    const { token } = book(START, { service: "intro-call" });
    expect(managed(token, plus(START, -100 * HOUR)).refundPercentNow).toBe(0);
  });
});

describe("rescheduleWeek", () => {
  it("never offers the booking's own time, and offers times overlapping its old slot", () => {
    setSlotInterval(15);
    const { token } = book();
    const week = rescheduleWeek(world.db, managed(token), {
      requestedWeek: "2027-03-15",
      now: NOW,
    });
    const slots = offered(token, "2027-03-15");

    expect(week!.weekStart).toBe("2027-03-15");
    expect(week!.zone).toBe("Europe/London");
    expect(slots).not.toContain(iso(START));
    // 09:45 and 10:15 overlap the old 10:00–10:30: free to this booking, which leaves it.
    expect(slots).toEqual(
      expect.arrayContaining([
        "2027-03-15T09:00:00.000Z",
        "2027-03-15T09:45:00.000Z",
        "2027-03-15T10:15:00.000Z",
        "2027-03-15T10:30:00.000Z",
        "2027-03-16T10:00:00.000Z",
      ]),
    );
    // Someone else sees those times as taken (the old slot and its 10-minute buffer).
    const offer = offerOf(world.db, "coaching-session");
    const others = findAvailableStarts(world.db, offer, {
      from: START.getTime() - 2 * HOUR,
      to: START.getTime() + 2 * HOUR,
      now: NOW.getTime(),
    }).map((start) => new Date(start).toISOString());
    expect(others).not.toContain("2027-03-15T09:45:00.000Z");
    expect(others).not.toContain("2027-03-15T10:15:00.000Z");
    expect(others).toContain("2027-03-15T09:15:00.000Z");
  });

  it("does not offer a time another booking holds", () => {
    setSlotInterval(15);
    const { token } = book();
    book(at("2027-03-15T14:00:00Z"));
    const slots = offered(token, "2027-03-15");
    expect(slots).not.toContain("2027-03-15T14:00:00.000Z");
    expect(slots).not.toContain("2027-03-15T13:45:00.000Z");
    expect(slots).toContain("2027-03-15T14:45:00.000Z");
  });

  it("lays the week out in the client's zone", () => {
    const { token } = book(START, { timezone: "America/New_York" });
    const week = rescheduleWeek(world.db, managed(token), {
      requestedWeek: "2027-03-15",
      now: NOW,
    });
    expect(week!.zone).toBe("America/New_York");
    // The first day with free times opens.
    const monday = week!.day;
    expect(monday.date).toBe("2027-03-15");
    // London's 09:00 is New York's 05:00 in the week New York is on summer time and London not.
    expect(monday.slots[0]).toMatchObject({ value: "2027-03-15T09:00:00.000Z", label: "05:00" });
    expect(monday.slots.map((slot) => slot.value)).not.toContain(iso(START));
  });
});

describe("canMoveTo", () => {
  it("is true for a free time, even one overlapping the old slot", () => {
    setSlotInterval(15);
    const { token } = book();
    const found = managed(token);
    expect(canMoveTo(world.db, found, at("2027-03-15T10:15:00Z"), NOW)).toBe(true);
    expect(canMoveTo(world.db, found, at("2027-03-17T14:00:00Z"), NOW)).toBe(true);
  });

  it("is false for its own time, a taken time, a time outside the coach's hours", () => {
    const { token } = book();
    book(at("2027-03-15T14:00:00Z"));
    const found = managed(token);
    expect(canMoveTo(world.db, found, START, NOW)).toBe(false);
    expect(canMoveTo(world.db, found, at("2027-03-15T14:00:00Z"), NOW)).toBe(false);
    expect(canMoveTo(world.db, found, at("2027-03-15T03:00:00Z"), NOW)).toBe(false);
    expect(canMoveTo(world.db, found, at("2027-03-20T10:00:00Z"), NOW)).toBe(false); // Saturday
  });

  it("is false once the client may not change the booking", () => {
    const { id, token } = book();
    const target = at("2027-03-17T14:00:00Z");
    expect(canMoveTo(world.db, managed(token), target, NOW)).toBe(true);
    const late = plus(START, -23 * HOUR);
    expect(canMoveTo(world.db, managed(token, late), target, late)).toBe(false);
    cancelByCoach(id);
    expect(canMoveTo(world.db, managed(token), target, NOW)).toBe(false);
  });
});

describe("rescheduleForClient", () => {
  const move = (token: string, startAt: Date, now = NOW) =>
    rescheduleForClient(world.db, token, startAt, { now, appUrl: APP_URL });

  it("moves the booking, records the client's change and emails both with a new link", () => {
    setSlotInterval(15);
    const { id, token } = book();
    const emailsBefore = outboxOf(world.db, id).length;
    const tokensBefore = manageTokenCount(world.db, id);
    const target = at("2027-03-15T10:15:00Z");

    expect(move(token, target)).toEqual({ ok: true });

    expect(bookingRow(world.db, id)).toMatchObject({
      status: "confirmed",
      start_at: target.getTime(),
      end_at: target.getTime() + 30 * MINUTE,
    });
    expect(eventsOf(world.db, id).at(-1)).toEqual({
      from_status: "confirmed",
      to_status: "confirmed",
      actor: "client",
      reason: "reschedule",
    });
    const client = bookingRow(world.db, id) as unknown as { client_email: string };
    expect(outboxOf(world.db, id).slice(emailsBefore)).toEqual([
      `booking_rescheduled to ${client.client_email}`,
      "coach_booking_rescheduled to maya@example.com",
      `reminder to ${client.client_email}`,
    ]);
    // A link of its own in each client email: the move's and the new reminder's.
    expect(manageTokenCount(world.db, id)).toBe(tokensBefore + 2);
    // The old link still works; the new one is another way in to the same booking.
    expect(managed(token).booking.startAt).toEqual(target);
    expect(managed(tokenInLatestEmail(id)).booking.id).toBe(id);
  });

  it("refuses the time it already has (same_time), changing nothing", () => {
    const { id, token } = book();
    const before = { row: bookingRow(world.db, id), events: eventsOf(world.db, id) };
    expect(move(token, new Date(START.getTime()))).toEqual({ ok: false, refused: "same_time" });
    expect(bookingRow(world.db, id)).toEqual(before.row);
    expect(eventsOf(world.db, id)).toEqual(before.events);
  });

  it("refuses a time another booking holds (slot_taken), changing nothing", () => {
    const { id, token } = book();
    const other = at("2027-03-15T14:00:00Z");
    book(other);
    const before = { row: bookingRow(world.db, id), emails: outboxOf(world.db, id) };
    expect(move(token, other)).toEqual({ ok: false, refused: "slot_taken" });
    expect(bookingRow(world.db, id)).toEqual(before.row);
    expect(outboxOf(world.db, id)).toEqual(before.emails);
  });

  it("refuses a move after the notice window (too_late)", () => {
    const { id, token } = book();
    const late = plus(START, -24 * HOUR);
    expect(move(token, at("2027-03-17T14:00:00Z"), late)).toEqual({
      ok: false,
      refused: "too_late",
    });
    expect(bookingRow(world.db, id)!.start_at).toBe(START.getTime());
  });

  it("refuses a cancelled booking (not_confirmed) and an unknown token (not_found)", () => {
    const { id, token } = book();
    cancelByCoach(id);
    expect(move(token, at("2027-03-17T14:00:00Z"))).toEqual({
      ok: false,
      refused: "not_confirmed",
    });
    expect(move(newSecretToken().token, at("2027-03-17T14:00:00Z"))).toEqual({
      ok: false,
      refused: "not_found",
    });
    expect(move("not-a-token", at("2027-03-17T14:00:00Z"))).toEqual({
      ok: false,
      refused: "not_found",
    });
  });
});

describe("manageTokenForDraft", () => {
  function draftAndHold() {
    const offer = offerOf(world.db, "coaching-session");
    const draft = completeDraftFor(world.db, offer, START, NOW);
    const held = lifecycle.hold(
      world.db,
      { ...newBooking(world.db, offer, START), draftId: draft.id },
      { actor: "client", at: NOW, holdExpiresAt: plus(NOW, 30 * MINUTE) },
    );
    if (!held.ok) throw new Error("could not hold");
    return { draftId: draft.id, bookingId: held.booking.id };
  }

  it("gives a fresh working token each time for the draft's confirmed booking", () => {
    const { draftId, bookingId } = draftAndHold();
    lifecycle.confirmPaid(world.db, bookingId, {
      actor: "stripe",
      at: NOW,
      paymentIntentId: "pi_1",
      checkoutSessionId: "cs_1",
      appUrl: APP_URL,
    });
    const tokens = manageTokenCount(world.db, bookingId);
    const first = manageTokenForDraft(world.db, draftId, NOW)!;
    const second = manageTokenForDraft(world.db, draftId, NOW)!;
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(second).not.toBe(first);
    expect(manageTokenCount(world.db, bookingId)).toBe(tokens + 2);
    expect(managed(first).booking.id).toBe(bookingId);
    expect(managed(second).booking.id).toBe(bookingId);
  });

  it("is null while the booking is only held, once it is cancelled, and for an unknown draft", () => {
    const { draftId, bookingId } = draftAndHold();
    expect(manageTokenForDraft(world.db, draftId, NOW)).toBeNull();
    expect(manageTokenCount(world.db, bookingId)).toBe(0);
    lifecycle.confirmPaid(world.db, bookingId, {
      actor: "stripe",
      at: NOW,
      paymentIntentId: "pi_1",
      checkoutSessionId: "cs_1",
      appUrl: APP_URL,
    });
    cancelByCoach(bookingId);
    expect(manageTokenForDraft(world.db, draftId, NOW)).toBeNull();
    expect(manageTokenForDraft(world.db, "dr_nobody", NOW)).toBeNull();
  });
});

describe("changeDeadline", () => {
  it("is written in the client's zone, counting real hours across New York's clock change", () => {
    // New York leaves summer time at 02:00 on Sunday 1 November 2026. A session at 04:00 EST on
    // Monday 2 November, with 48 hours' notice, can be changed until 05:00 EDT on Saturday.
    setPractice({ noticeHours: 48 });
    const zone = "America/New_York";
    const start = at("2026-11-02T09:00:00Z");
    const bookedAt = at("2026-10-20T09:00:00Z");
    const { token } = book(start, { at: bookedAt, timezone: zone });

    const text = changeDeadline(managed(token, bookedAt));

    const until = DateTime.fromISO("2026-11-02T04:00", { zone }).minus({ hours: 48 });
    const expected = `${until.setLocale("en-GB").toFormat("cccc d LLLL yyyy 'at' HH:mm")} (New York time)`;
    expect(text).toBe(expected);
    expect(text).toBe("Saturday 31 October 2026 at 05:00 (New York time)");
  });

  it("is in London time for a London client, and null once it has passed", () => {
    const { token } = book();
    expect(changeDeadline(managed(token))).toBe("Sunday 14 March 2027 at 10:00 (London time)");
    expect(changeDeadline(managed(token, plus(START, -HOUR)))).toBeNull();
  });

  it("is what the confirmation page's next steps say, with calendar links", () => {
    const { token } = book();
    const found = managed(token);
    const steps = nextSteps(found);
    expect(steps.email).toBe(found.booking.clientEmail);
    expect(steps.changeUntil).toBe(changeDeadline(found));
    const google = new URL(steps.calendar.google);
    expect(google.searchParams.get("text")).toBe("Coaching session with Maya Okafor");
    expect(google.searchParams.get("dates")).toBe("20270315T100000Z/20270315T103000Z");
    expect(google.searchParams.get("details")).toBe(
      "To change or cancel, use the link in your confirmation email.",
    );
  });
});

// "Book again" (the manage page's and the cancellation email's) lives beside the manage links.
describe("bookAgainPath", () => {
  it("opens the wizard with the booking's service and coach chosen", () => {
    const { token } = book();
    expect(bookAgainPath(managed(token).booking)).toBe(
      "/book/service?service=coaching-session&coach=maya-okafor",
    );
  });

  it("encodes whatever the slugs hold", () => {
    const path = bookAgainPath({ serviceSlug: "a&b=c d", coachSlug: "zoë" });
    const url = new URL(path, APP_URL);
    expect(url.pathname).toBe("/book/service");
    expect(Object.fromEntries(url.searchParams)).toEqual({ service: "a&b=c d", coach: "zoë" });
  });
});
