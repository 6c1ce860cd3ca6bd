/**
 * The busy-time cache against a real SQLite file of the demo practice: it answers what the table
 * says after every kind of write (insert, status change, move, delete; through Drizzle, raw SQL or
 * another connection), it is really used while nothing is written, and holds expire by the clock
 * without any write.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { offerOf, withDomainWorld } from "../../tests/support/domain";
import { loadBusyIntervals } from "./availability.server";
import { firmBusyIntervals, mergeIntervals } from "./busy-cache.server";

const world = withDomainWorld();

const MINUTE = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse("2027-03-01T08:00:00Z");
const MONDAY = Date.parse("2027-03-08T00:00:00Z");
const at = (iso: string) => Date.parse(iso);

let bookingNumber = 0;

type BookingScene = { start: number; minutes?: number; status?: string; holdExpiresAt?: number };

function insertBooking(
  sqlite: Database.Database,
  { start, minutes = 30, status = "confirmed", holdExpiresAt }: BookingScene,
) {
  const id = `busy-${++bookingNumber}`;
  const offer = offerOf(world.db, "coaching-session");
  sqlite
    .prepare(
      `insert into bookings (id, coach_id, service_id, start_at, end_at, client_name, client_email,
         client_timezone, price_minor, currency, status, hold_expires_at)
       values (?, ?, ?, ?, ?, 'Client', 'client@example.com', 'Europe/London', 4500, 'gbp', ?, ?)`,
    )
    .run(
      id,
      offer.coach.id,
      offer.service.id,
      start,
      start + minutes * MINUTE,
      status,
      holdExpiresAt ?? null,
    );
  return id;
}

const coachId = () => offerOf(world.db, "coaching-session").coach.id;
const mondayBusy = (now = NOW) =>
  loadBusyIntervals(world.db, coachId(), MONDAY, MONDAY + DAY, now).map(
    ({ start, end }) => `${new Date(start).toISOString()}–${new Date(end).toISOString()}`,
  );

describe("mergeIntervals", () => {
  it("joins intervals that overlap or touch, in order, and keeps the others apart", () => {
    expect(
      mergeIntervals([
        { start: 50, end: 60 },
        { start: 10, end: 20 },
        { start: 20, end: 30 },
        { start: 15, end: 18 },
        { start: 31, end: 40 },
        { start: 35, end: 45 },
      ]),
    ).toEqual({ starts: [10, 31, 50], ends: [30, 45, 60] });
    expect(mergeIntervals([])).toEqual({ starts: [], ends: [] });
  });
});

describe("the busy-time cache", () => {
  it("sees every write to the coach's bookings, whoever makes it", () => {
    const sqlite = world.db.$client;
    expect(mondayBusy()).toEqual([]);

    const first = insertBooking(sqlite, { start: at("2027-03-08T10:00:00Z") });
    expect(mondayBusy()).toEqual(["2027-03-08T10:00:00.000Z–2027-03-08T10:30:00.000Z"]);

    // Touching sessions read as one stretch of busy time.
    insertBooking(sqlite, { start: at("2027-03-08T10:30:00Z") });
    expect(mondayBusy()).toEqual(["2027-03-08T10:00:00.000Z–2027-03-08T11:00:00.000Z"]);

    sqlite.prepare("update bookings set status = 'cancelled' where id = ?").run(first);
    expect(mondayBusy()).toEqual(["2027-03-08T10:30:00.000Z–2027-03-08T11:00:00.000Z"]);

    sqlite
      .prepare("update bookings set start_at = start_at + ?, end_at = end_at + ? where id != ?")
      .run(DAY / 4, DAY / 4, first);
    expect(mondayBusy()).toEqual(["2027-03-08T16:30:00.000Z–2027-03-08T17:00:00.000Z"]);

    // Another process (a command, a restore) writes through its own connection.
    const other = new Database(sqlite.name);
    try {
      insertBooking(other, { start: at("2027-03-08T09:00:00Z") });
      expect(mondayBusy()).toHaveLength(2);
      other.prepare("delete from bookings").run();
      expect(mondayBusy()).toEqual([]);
    } finally {
      other.close();
    }
  });

  it("is what answers while nothing is written: a row slipped past the triggers is not seen", () => {
    const sqlite = world.db.$client;
    insertBooking(sqlite, { start: at("2027-03-08T10:00:00Z") });
    expect(mondayBusy()).toHaveLength(1);

    sqlite.exec("drop trigger bookings_busy_version_insert");
    insertBooking(sqlite, { start: at("2027-03-08T14:00:00Z") });
    expect(mondayBusy()).toHaveLength(1);

    // Any counted write (here a status change of the first) brings the whole table back.
    sqlite.prepare("update bookings set status = 'confirmed'").run();
    expect(mondayBusy()).toHaveLength(2);
  });

  it("keeps nothing read inside a transaction that rolls back", () => {
    const sqlite = world.db.$client;
    expect(mondayBusy()).toEqual([]);
    // Inside it, a booking written and read; then the transaction rolls back, counter and all.
    expect(() =>
      sqlite.transaction(() => {
        insertBooking(sqlite, { start: at("2027-03-08T10:00:00Z") });
        expect(mondayBusy()).toHaveLength(1);
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    // A later commit brings the counter to the same number, with another booking.
    insertBooking(sqlite, { start: at("2027-03-08T14:00:00Z") });
    expect(mondayBusy()).toEqual(["2027-03-08T14:00:00.000Z–2027-03-08T14:30:00.000Z"]);
  });

  it("reads a range that starts before the cache's floor from the table", () => {
    const sqlite = world.db.$client;
    insertBooking(sqlite, { start: at("2027-03-08T10:00:00Z") });
    // Cached as of a week later: its floor is after Monday.
    expect(
      firmBusyIntervals(world.db, coachId(), MONDAY + 9 * DAY, MONDAY + 10 * DAY, NOW + 14 * DAY),
    ).toEqual([]);
    expect(mondayBusy()).toEqual(["2027-03-08T10:00:00.000Z–2027-03-08T10:30:00.000Z"]);
  });

  it("holds are busy until they expire, with no write when they do", () => {
    const sqlite = world.db.$client;
    insertBooking(sqlite, {
      start: at("2027-03-08T10:00:00Z"),
      status: "held",
      holdExpiresAt: NOW + 10 * MINUTE,
    });
    expect(mondayBusy(NOW)).toHaveLength(1);
    expect(mondayBusy(NOW + 10 * MINUTE)).toEqual([]);
  });
});
