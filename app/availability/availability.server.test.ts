/**
 * Availability read from a real SQLite file of the demo practice: which bookings stand in a
 * client's way (by status, hold expiry, the client's own hold, the booking being moved), how the
 * daily and weekly limits count the coach's sessions, and that the prepared statements answer the
 * same on the connection and inside a transaction. The engine's own rules are in engine.test.ts;
 * here the point is what the queries hand it.
 *
 * Maya (the demo coach) works weekdays 09:00–12:30 and 13:30–17:00 London time, 30-minute
 * sessions every 30 minutes, 10 minutes' buffer after each, 12 hours' notice. March 2027 is GMT,
 * so London times are UTC times.
 */
import { describe, expect, it } from "vitest";
import { offerOf, withDomainWorld } from "../../tests/support/domain";
import { BOOKING_STATUSES } from "~db/schema";
import {
  findAvailableStarts,
  isStartAvailable,
  isTakenByAnother,
  loadBusyIntervals,
} from "./availability.server";

const world = withDomainWorld();

const MINUTE = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse("2027-03-01T08:00:00Z");
const MONDAY = Date.parse("2027-03-08T00:00:00Z");
const at = (iso: string) => Date.parse(iso);

let bookingNumber = 0;

/** A booking of Maya's coaching session written straight into the table (set-up only). */
function insertBooking({
  start,
  minutes = 30,
  status = "confirmed",
  holdExpiresAt = null,
  draftId = null,
}: {
  start: number;
  minutes?: number;
  status?: (typeof BOOKING_STATUSES)[number];
  holdExpiresAt?: number | null;
  draftId?: string | null;
}): string {
  const id = `booking-${++bookingNumber}`;
  const offer = offerOf(world.db, "coaching-session");
  world.db.$client
    .prepare(
      `insert into bookings (id, coach_id, service_id, draft_id, start_at, end_at, client_name,
         client_email, client_timezone, price_minor, currency, status, hold_expires_at)
       values (?, ?, ?, ?, ?, ?, 'Client', 'client@example.com', 'Europe/London', 4500, 'gbp', ?, ?)`,
    )
    .run(
      id,
      offer.coach.id,
      offer.service.id,
      draftId,
      start,
      start + minutes * MINUTE,
      status,
      holdExpiresAt,
    );
  return id;
}

function setLimits(maxPerDay: number | null, maxPerWeek: number | null) {
  world.db.$client
    .prepare("update coaches set max_per_day = ?, max_per_week = ? where slug = 'maya-okafor'")
    .run(maxPerDay, maxPerWeek);
}

const offer = () => offerOf(world.db, "coaching-session");

/** Maya's free starts on one day (London = UTC in March), as "HH:MM". */
function freeOn(day: number, viewer: { forDraft?: string; exceptBooking?: string } = {}) {
  return findAvailableStarts(world.db, offer(), {
    from: day,
    to: day + DAY,
    now: NOW,
    ...viewer,
  }).map((start) => new Date(start).toISOString().slice(11, 16));
}

const ALL_MONDAY = [
  ...["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"],
  ...["13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"],
];

describe("bookings in the way", () => {
  it("a confirmed booking hides the starts it overlaps, its 10-minute buffer included", () => {
    expect(freeOn(MONDAY)).toEqual(ALL_MONDAY);
    insertBooking({ start: at("2027-03-08T10:00:00Z") });
    // 09:30 would end at 10:00 plus 10 minutes' buffer, inside the booking; 10:30 starts less than
    // 10 minutes after it ends.
    expect(freeOn(MONDAY)).toEqual(
      ALL_MONDAY.filter((t) => !["09:30", "10:00", "10:30"].includes(t)),
    );
  });

  it.each(BOOKING_STATUSES)("a %s booking holds its time only if it is live", (status) => {
    const holds = ["confirmed", "processing", "held"].includes(status);
    insertBooking({
      start: at("2027-03-08T14:00:00Z"),
      status,
      holdExpiresAt: status === "held" ? NOW + 30 * MINUTE : null,
    });
    expect(freeOn(MONDAY).includes("14:00")).toBe(!holds);
  });

  it("a hold stands in the way until it expires, not after", () => {
    insertBooking({ start: at("2027-03-08T14:00:00Z"), status: "held", holdExpiresAt: NOW + 1 });
    expect(isStartAvailable(world.db, offer(), at("2027-03-08T14:00:00Z"), NOW)).toBe(false);
    expect(isStartAvailable(world.db, offer(), at("2027-03-08T14:00:00Z"), NOW + 1)).toBe(true);
  });

  it("a client's own hold is not in their way; anyone else's is, and so is a confirmed booking of their draft", () => {
    insertBooking({
      start: at("2027-03-08T14:00:00Z"),
      status: "held",
      holdExpiresAt: NOW + DAY,
      draftId: "draft-a",
    });
    expect(freeOn(MONDAY, { forDraft: "draft-a" })).toContain("14:00");
    expect(freeOn(MONDAY, { forDraft: "draft-b" })).not.toContain("14:00");
    expect(freeOn(MONDAY)).not.toContain("14:00");
    // Once confirmed, the draft's booking is a booking like any other, even to that draft.
    insertBooking({ start: at("2027-03-08T16:00:00Z"), draftId: "draft-a" });
    expect(freeOn(MONDAY, { forDraft: "draft-a" })).not.toContain("16:00");
  });

  it("the booking being moved does not stand in its own way; the others do", () => {
    const moving = insertBooking({ start: at("2027-03-08T10:00:00Z") });
    insertBooking({ start: at("2027-03-08T14:00:00Z") });
    const free = freeOn(MONDAY, { exceptBooking: moving });
    expect(free).toContain("10:00");
    expect(free).not.toContain("14:00");
  });

  it("finds a booking that started the day before and runs into the range", () => {
    // A 20-hour booking from Sunday 14:00 to Monday 10:00: the range search reaches a day back.
    insertBooking({ start: at("2027-03-07T14:00:00Z"), minutes: 20 * 60 });
    expect(
      loadBusyIntervals(world.db, offer().coach.id, MONDAY, MONDAY + DAY, NOW).map((b) => b.end),
    ).toEqual([at("2027-03-08T10:00:00Z")]);
    expect(freeOn(MONDAY)[0]).toBe("10:30");
  });
});

describe("daily and weekly limits count the coach's sessions", () => {
  it("a day holding its limit offers nothing; the next day is untouched", () => {
    setLimits(1, null);
    insertBooking({ start: at("2027-03-08T10:00:00Z") });
    expect(freeOn(MONDAY)).toEqual([]);
    expect(freeOn(MONDAY + DAY)).toEqual(ALL_MONDAY);
  });

  it("the week's sessions count even when only its Friday is asked for (the whole week is read)", () => {
    setLimits(null, 1);
    insertBooking({ start: at("2027-03-08T10:00:00Z") }); // Monday
    expect(freeOn(MONDAY + 4 * DAY)).toEqual([]); // Friday of the same week
    expect(isStartAvailable(world.db, offer(), at("2027-03-12T10:00:00Z"), NOW)).toBe(false);
    expect(freeOn(MONDAY + 7 * DAY)).toEqual(ALL_MONDAY); // the next Monday
  });

  it("sessions that no longer hold their time do not count", () => {
    setLimits(1, 1);
    insertBooking({ start: at("2027-03-08T10:00:00Z"), status: "cancelled" });
    insertBooking({ start: at("2027-03-08T11:00:00Z"), status: "held", holdExpiresAt: NOW - 1 });
    expect(freeOn(MONDAY)).toEqual(ALL_MONDAY);
  });
});

describe("the prepared statements", () => {
  it("answer inside a transaction with what it has written, and on the connection after a rollback", () => {
    const start = at("2027-03-08T10:00:00Z");
    expect(isStartAvailable(world.db, offer(), start, NOW)).toBe(true);
    expect(() =>
      world.db.transaction((tx) => {
        insertBooking({ start }); // same connection, inside the transaction
        expect(isStartAvailable(tx, offer(), start, NOW)).toBe(false);
        throw new Error("roll back");
      }),
    ).toThrow("roll back");
    expect(isStartAvailable(world.db, offer(), start, NOW)).toBe(true);
    world.db.transaction(() => {
      insertBooking({ start });
    });
    expect(isStartAvailable(world.db, offer(), start, NOW)).toBe(false);
  });
});

describe("isTakenByAnother", () => {
  it("counts the buffers between two bookings, and never the booking itself", () => {
    const first = at("2027-03-08T10:00:00Z");
    const mine = insertBooking({ start: first });
    const booking = (start: number, id = "another") => ({
      id,
      coachId: offer().coach.id,
      startAt: new Date(start),
      endAt: new Date(start + 30 * MINUTE),
    });
    expect(isTakenByAnother(world.db, booking(first, mine), NOW)).toBe(false);
    expect(isTakenByAnother(world.db, booking(first + 30 * MINUTE), NOW)).toBe(true); // 10:30
    expect(isTakenByAnother(world.db, booking(first + 40 * MINUTE), NOW)).toBe(false); // 10:40
    expect(isTakenByAnother(world.db, booking(first - 40 * MINUTE), NOW)).toBe(false); // 09:20
    expect(isTakenByAnother(world.db, booking(first - 39 * MINUTE), NOW)).toBe(true); // 09:21
  });
});

describe("the busy-time query's plan", () => {
  it("is a range search on the covering index: no booking row is read", () => {
    const { db } = world;
    // The statements the module prepares on this connection, caught as it prepares them.
    const sqlite = db.$client;
    const prepared: string[] = [];
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((source: string) => {
      if (/from "bookings"/.test(source)) prepared.push(source);
      return prepare(source);
    }) as typeof sqlite.prepare;
    try {
      findAvailableStarts(db, offerOf(db, "coaching-session"), {
        from: MONDAY,
        to: MONDAY + 7 * DAY,
        now: NOW,
      });
    } finally {
      sqlite.prepare = prepare;
    }
    // The holds, read each time, and the firm bookings behind the busy-time cache.
    expect(prepared.length).toBeGreaterThanOrEqual(2);
    for (const source of prepared) {
      const parameters = (source.match(/\?/g) ?? []).map(() => 0);
      const plan = (
        sqlite.prepare(`explain query plan ${source}`).all(...parameters) as { detail: string }[]
      ).map((step) => step.detail);
      expect(plan.join("\n"), source).toMatch(
        // The busy-time cache reads every firm booking from a day back, with no upper bound.
        /^SEARCH bookings USING COVERING INDEX bookings_coach_status_start_idx \(coach_id=\? AND status=\? AND start_at>\?( AND start_at<\?)?\)/m,
      );
      expect(plan.join("\n")).not.toMatch(/SCAN bookings/);
    }
  });
});
