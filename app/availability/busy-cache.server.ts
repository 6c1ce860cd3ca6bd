/**
 * A coach's firm busy time, kept in memory: the bookings that hold their time until someone
 * changes them (confirmed, processing), merged into intervals. A practice books far less often
 * than clients look at times, and a busy coach's bookings all fall in the weeks a client looks
 * at: read from the table every time, they cost time in proportion to their number (a coach
 * with thousands ahead paid milliseconds per page); merged and kept, a page costs the same
 * whatever the number.
 *
 * Kept for as long as the coach's counter in `coach_busy_versions` stands still. Triggers on
 * `bookings` (migration 0006) raise it on every write of one of the coach's bookings, by this
 * process or any other (a command, a restore), so the check is one indexed read and the cache is
 * never stale. Held bookings expire by the clock, not by a write: they are not kept here but
 * read each time (availability.server.ts), as are the cases the merged intervals cannot answer
 * (a booking being moved, daily or weekly limits that count sessions).
 */
import { and, eq, gt, inArray } from "drizzle-orm";
import type { DbOrTx } from "~db/database.server";
import { connectionOf, mapPerConnection, placeholder, prepared } from "~db/prepared.server";
import { bookings, coachBusyVersions, type BookingStatus } from "~db/schema";
import { DAY, type Interval } from "./engine";

type Reader = Pick<DbOrTx, "select">;

/** Statuses whose time is held until a write changes them (a hold also expires by the clock). */
export const FIRM_STATUSES: BookingStatus[] = ["confirmed", "processing"];

/** How far into the past a cache reaches when it is built: a range starting earlier is read. */
const PAST_MARGIN = 2 * DAY;

type CoachBusyTime = {
  version: number;
  /** Bookings ending at or before this are not in the cache. */
  floor: number;
  /** Disjoint intervals in order: starts[i] < ends[i] <= starts[i + 1]. */
  starts: number[];
  ends: number[];
};

/** Each connection's coaches' busy time, by coach id. */
const cacheOf = mapPerConnection<number, CoachBusyTime>();

const versionQuery = (db: Reader) =>
  db
    .select({ version: coachBusyVersions.version })
    .from(coachBusyVersions)
    .where(eq(coachBusyVersions.coachId, placeholder("coachId")))
    .prepare();

const firmBookingsQuery = (db: Reader) =>
  db
    .select({ startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(
      and(
        eq(bookings.coachId, placeholder("coachId")),
        inArray(bookings.status, FIRM_STATUSES),
        // A range on the index (no session is longer than a day), then the end itself.
        gt(bookings.startAt, placeholder("floorLessADay")),
        gt(bookings.endAt, placeholder("floor")),
      ),
    )
    .prepare();

/** The coach's firm busy time overlapping [from, to), merged into disjoint intervals. */
export function firmBusyIntervals(
  db: Reader,
  coachId: number,
  from: number,
  to: number,
  now: number,
): Interval[] {
  // Read before the bookings: a write in between leaves the cache older than its version says,
  // so the next call rebuilds it, never the other way round.
  const version = prepared(db, "busyVersion", versionQuery).get({ coachId })?.version ?? 0;
  const connection = connectionOf(db) as { inTransaction?: boolean };
  const cache = cacheOf(connection);
  let busy = cache.get(coachId);
  if (!busy || busy.version !== version || from < busy.floor) {
    busy = readBusyTime(db, coachId, version, Math.min(from, now - PAST_MARGIN));
    // Inside a transaction the rows may include writes that roll back, and the counter with them:
    // a later commit could bring the counter back to this number with other rows. What a
    // transaction reads is used, never kept.
    if (!connection.inTransaction) cache.set(coachId, busy);
  }
  return intervalsBetween(busy, from, to);
}

function readBusyTime(db: Reader, coachId: number, version: number, floor: number) {
  const intervals = prepared(db, "firmBookings", firmBookingsQuery)
    .all({ coachId, floor, floorLessADay: floor - DAY })
    .map(intervalOf);
  const { starts, ends } = mergeIntervals(intervals);
  return { version, floor, starts, ends };
}

/** A booking's time as the engine takes it. */
export const intervalOf = (row: { startAt: Date; endAt: Date }): Interval => ({
  start: row.startAt.getTime(),
  end: row.endAt.getTime(),
});

/** Overlapping or touching intervals joined: [9, 10) and [10, 11) busy is [9, 11) busy. */
export function mergeIntervals(intervals: Interval[]): { starts: number[]; ends: number[] } {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const { start, end } of sorted) {
    const last = ends.length - 1;
    if (last >= 0 && start <= ends[last]!) ends[last] = Math.max(ends[last]!, end);
    else {
      starts.push(start);
      ends.push(end);
    }
  }
  return { starts, ends };
}

function intervalsBetween({ starts, ends }: CoachBusyTime, from: number, to: number): Interval[] {
  // The first interval ending after `from` (ends are in order, as the intervals are disjoint).
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ends[middle]! > from) high = middle;
    else low = middle + 1;
  }
  const overlapping: Interval[] = [];
  for (let i = low; i < starts.length && starts[i]! < to; i++) {
    overlapping.push({ start: starts[i]!, end: ends[i]! });
  }
  return overlapping;
}
