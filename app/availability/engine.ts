/**
 * The availability engine: which start instants a coach can be booked at for a service.
 *
 * A pure function of plain data (`computeAvailableStarts`): no database, no clock, so it is tested
 * around real DST transitions without anything else running. `availability.server.ts` gathers its
 * input (the coach's rules, the practice's settings, the bookings that hold time).
 *
 * Wall-clock rules are read in the coach's IANA zone. The coach's day (a local date) runs from the
 * first moment the coach's clock shows that date to the first moment it shows the next one: a
 * midnight the clocks skip (America/Santiago, 5 September 2027: 23:59:59 to 01:00) starts the day
 * at 01:00, and "24:00" is always the start of the next day. Each boundary of a range of hours
 * (09:00–17:00) is the first moment the clock shows that time or a later one; a boundary inside a
 * spring-forward gap is the moment of the jump. The hours are the real time between those two
 * instants, and the starts offered are the instants in it whose local time is on the range's grid
 * (its start time plus whole multiples of the slot interval):
 *   - a local time that does not exist (the hour skipped when clocks go forward) is never offered;
 *   - a local time that happens twice (clocks going back) is offered at each occurrence that falls
 *     within the hours, as two distinct instants: the coach is working through both in real time
 *     (a Los Angeles coach working 00:30–03:00 on 7 November 2027 is offered 01:00 PDT and
 *     01:00 PST). Where a boundary itself is repeated, its first occurrence counts: hours "until
 *     01:30" end the first time the clock shows 01:30.
 * A session's end is its start plus its real duration, and must not pass the end of the hours.
 *
 * How: the zone's offsets are read with luxon once per zone and year (where they change, found by
 * probing and bisection; kept for the life of the process, as the zone's rules cannot change while
 * it runs), then each day's boundaries come from them, and the day is stepped through in plain
 * epoch milliseconds. No date library is called per slot.
 */
import { IANAZone } from "luxon";

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
const HOUR = 60 * MINUTE;

export type MinuteRange = { startMinute: number; endMinute: number };
export type WeeklyRule = MinuteRange & { weekday: number };
export type DateOverride = { date: string; startMinute: number | null; endMinute: number | null };
export type Interval = { start: number; end: number };

export type BookingRules = {
  minimumNoticeMinutes: number;
  /**
   * How many calendar days ahead (in the coach's zone) a session may be booked: today plus this
   * many days, to the end of the last one. Days, not 24-hour periods, so the window's edge stays
   * at midnight across a clock change.
   */
  bookingWindowDays: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
  /** At most this many sessions on one of the coach's days (null: no limit). */
  maxPerDay: number | null;
  /** At most this many sessions in one of the coach's weeks, Monday to Sunday (null: no limit). */
  maxPerWeek: number | null;
};

export type AvailabilityInput = BookingRules & {
  /** The coach's IANA zone: weekly rules and overrides are read in it. */
  timezone: string;
  weeklyRules: WeeklyRule[];
  overrides: DateOverride[];
  durationMinutes: number;
  /** Existing bookings that hold their time (their own start and end, without buffers). */
  busy: Interval[];
  /**
   * The starts of the coach's sessions that count towards the daily and weekly limits, for every
   * week that [from, to) touches (only needed when there is a limit).
   */
  counted?: number[];
  /** Epoch milliseconds. */
  now: number;
  /** Only starts in [from, to) are returned; epoch milliseconds. */
  from: number;
  to: number;
};

// ---- The coach's clock ----------------------------------------------------------------------------

/**
 * A stretch of time over which the zone's offset does not change. `offset` is in milliseconds: an
 * instant `t` in the span reads `t + offset` on the local clock (a "wall" value: the local date and
 * time written as if they were UTC, so `Date.UTC(y, m, d, h, min)` is the wall value of that
 * local time).
 */
type Span = { start: number; end: number; offset: number };

type YearOffsets = { first: number; changes: Array<{ at: number; offset: number }> };

/**
 * How far apart the offset is probed. A zone whose offset changed and changed back within this
 * long would be missed; no zone has ever done so within half a day, and the days around a change
 * are what matter here.
 */
const PROBE = 12 * HOUR;
/** Zones times years seen by this process; bounded so a stream of odd inputs cannot grow it. */
const MAX_CACHED_YEARS = 512;
const offsetsByZoneYear = new Map<string, YearOffsets>();

/** The offset at the start of a UTC year, and every change of offset within it. */
function offsetsOfYear(zone: IANAZone, year: number): YearOffsets {
  const key = `${zone.name}|${year}`;
  const cached = offsetsByZoneYear.get(key);
  if (cached) return cached;
  const offsetAt = (instant: number) => Math.round(zone.offset(instant) * MINUTE);
  const yearStart = Date.UTC(year, 0, 1);
  const yearEnd = Date.UTC(year + 1, 0, 1);
  const first = offsetAt(yearStart);
  const changes: YearOffsets["changes"] = [];
  let before = first;
  for (let probe = yearStart; probe < yearEnd; probe += PROBE) {
    const next = Math.min(probe + PROBE, yearEnd - 1000);
    const after = offsetAt(next);
    if (after === before) continue;
    // Bisect to the second (Intl reads offsets to the second; zones change on whole seconds).
    let low = probe;
    let high = next;
    while (high - low > 1000) {
      const mid = low + Math.floor((high - low) / 2000) * 1000;
      if (offsetAt(mid) === before) low = mid;
      else high = mid;
    }
    changes.push({ at: high, offset: after });
    before = after;
  }
  if (offsetsByZoneYear.size >= MAX_CACHED_YEARS) offsetsByZoneYear.clear();
  const offsets = { first, changes };
  offsetsByZoneYear.set(key, offsets);
  return offsets;
}

/** How far either side of its range a clock is exact: enough for the whole weeks around it. */
const MARGIN = 8 * DAY;

/** The local clock of a zone over [from, to) (and `MARGIN` either side). */
class ZoneClock {
  private readonly spans: Span[] = [];

  constructor(zone: IANAZone, from: number, to: number) {
    const firstYear = new Date(from - MARGIN).getUTCFullYear();
    const lastYear = new Date(to + MARGIN).getUTCFullYear();
    let current: Span | undefined;
    const changeTo = (at: number, offset: number) => {
      if (current && current.offset === offset) return;
      if (current) current.end = at;
      current = { start: at, end: Infinity, offset };
      this.spans.push(current);
    };
    for (let year = firstYear; year <= lastYear; year++) {
      const { first, changes } = offsetsOfYear(zone, year);
      changeTo(Date.UTC(year, 0, 1), first);
      for (const change of changes) changeTo(change.at, change.offset);
    }
    // Before the first year nothing is ever asked; treat the first offset as extending back.
    this.spans[0]!.start = -Infinity;
  }

  /** The spans that overlap [from, to), in order. */
  spansWithin(from: number, to: number): Span[] {
    return this.spans.filter((span) => span.start < to && span.end > from);
  }

  /** The offset (ms) at an instant. */
  offsetAt(instant: number): number {
    let low = 0;
    let high = this.spans.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.spans[mid]!.start <= instant) low = mid;
      else high = mid - 1;
    }
    return this.spans[low]!.offset;
  }

  /**
   * The first instant at which the local clock shows `wall` or a later time. Inside a
   * spring-forward gap that is the moment of the jump; for a time shown twice, its first
   * occurrence.
   */
  firstAtOrAfter(wall: number): number {
    // The first span whose clock passes `wall` before the span ends. (Spans last months and
    // offsets differ by hours, so the clock at the end of each span is later than at the end of
    // the one before: the search is over an ascending sequence.)
    let low = 0;
    let high = this.spans.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      const span = this.spans[mid]!;
      if (span.end + span.offset > wall) high = mid;
      else low = mid + 1;
    }
    const span = this.spans[low]!;
    return Math.max(span.start, wall - span.offset);
  }

  /** When local date number `day` (days since 1970-01-01) begins. */
  dayStart(day: number): number {
    return this.firstAtOrAfter(day * DAY);
  }

  /** The local date number of the coach's day that holds `instant`. */
  dayOf(instant: number): number {
    const day = Math.floor((instant + this.offsetAt(instant)) / DAY);
    // After the clocks go back across midnight, the repeated minutes belong to the day that has
    // already begun.
    return instant >= this.dayStart(day + 1) ? day + 1 : day;
  }
}

/** Days since 1970-01-01 of a "YYYY-MM-DD" date (NaN for anything else, "2027-02-30" too). */
function dayNumberOf(date: string): number {
  const midnight = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  // Date.parse rolls an impossible day over into the next month; the round trip catches it.
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) return NaN;
  return midnight / DAY;
}

/** ISO weekday (1 = Monday, 7 = Sunday) of a day number: 1970-01-01 was a Thursday. */
const weekdayOf = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;

/** A number for the Monday-to-Sunday week that holds a day number. */
const weekOf = (day: number) => Math.floor((day + 3) / 7);

// ---- The engine ------------------------------------------------------------------------------------

/** The coach's working ranges on one local date: the override's if the date has one. */
function rangesOn(
  day: number,
  weeklyRules: WeeklyRule[],
  overridesByDay: Map<number, DateOverride[]>,
): MinuteRange[] {
  const overrides = overridesByDay.get(day);
  if (overrides) {
    return overrides.flatMap((o) =>
      o.startMinute === null || o.endMinute === null
        ? []
        : [{ startMinute: o.startMinute, endMinute: o.endMinute }],
    );
  }
  const weekday = weekdayOf(day);
  return weeklyRules.filter((rule) => rule.weekday === weekday);
}

/** First index in the start-sorted `padded` whose end is after `instant`. */
function firstEndingAfter(padded: Interval[], instant: number): number {
  let low = 0;
  let high = padded.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (padded[mid]!.end <= instant) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** `value` modulo `step`, always in [0, step). */
const positiveModulo = (value: number, step: number) => ((value % step) + step) % step;

/** The zone, or null when the name is not a zone this runtime knows. */
function zoneOf(timezone: string): IANAZone | null {
  const zone = IANAZone.create(timezone);
  return zone.isValid ? zone : null;
}

/**
 * Bookable start instants (epoch ms, ascending). Buffers pad both the candidate and every existing
 * booking, so consecutive sessions are at least `after + before` minutes apart.
 */
export function computeAvailableStarts(input: AvailabilityInput): number[] {
  const before = input.bufferBeforeMinutes * MINUTE;
  const after = input.bufferAfterMinutes * MINUTE;
  const duration = input.durationMinutes * MINUTE;
  const step = input.slotIntervalMinutes * MINUTE;
  const zone = zoneOf(input.timezone);
  const earliest = Math.max(input.from, input.now + input.minimumNoticeMinutes * MINUTE);
  if (!zone || earliest >= input.to || duration <= 0 || step <= 0) return [];
  const latest = Math.min(input.to, windowEndIn(zone, input));
  if (earliest >= latest) return [];
  const clock = new ZoneClock(zone, earliest, latest);
  const full = fullDaysAndWeeks(clock, input);

  // Existing bookings padded by their buffers, sorted, merged where they touch: one binary search
  // per candidate then finds any overlap.
  const padded = input.busy
    .map(({ start, end }) => ({ start: start - before, end: end + after }))
    .sort((a, b) => a.start - b.start)
    .reduce<Interval[]>((merged, next) => {
      const last = merged.at(-1);
      if (last && next.start <= last.end) last.end = Math.max(last.end, next.end);
      else merged.push({ ...next });
      return merged;
    }, []);
  const overridesByDay = new Map<number, DateOverride[]>();
  for (const override of input.overrides) {
    const day = dayNumberOf(override.date);
    overridesByDay.set(day, [...(overridesByDay.get(day) ?? []), override]);
  }

  const starts = new Set<number>();
  const lastDay = clock.dayOf(latest - 1);
  for (let day = clock.dayOf(earliest); day <= lastDay; day++) {
    if (full.days.has(day) || full.weeks.has(weekOf(day))) continue;
    const midnight = day * DAY;
    for (const range of rangesOn(day, input.weeklyRules, overridesByDay)) {
      if (range.endMinute <= range.startMinute) continue;
      const rangeStart = clock.firstAtOrAfter(midnight + range.startMinute * MINUTE);
      const rangeEnd = clock.firstAtOrAfter(midnight + range.endMinute * MINUTE);
      // A session must end by the end of the hours: its start by rangeEnd - duration.
      const from = Math.max(rangeStart, earliest);
      const to = Math.min(rangeEnd - duration + 1, latest);
      if (from >= to) continue;
      const grid = midnight + range.startMinute * MINUTE;
      // Within a span the clock moves with real time, so the grid times are `step` apart there;
      // a change of offset moves the grid, hence one walk per span.
      for (const span of clock.spansWithin(from, to)) {
        const last = Math.min(to, span.end);
        const first = Math.max(from, span.start);
        for (
          let start = first + positiveModulo(grid - span.offset - first, step);
          start < last;
          start += step
        ) {
          const clash = padded[firstEndingAfter(padded, start - before)];
          if (clash && clash.start < start + duration + after) continue;
          starts.add(start);
        }
      }
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/** The first instant after the booking window: the start of the day after its last calendar day. */
function windowEndIn(
  zone: IANAZone,
  { now, bookingWindowDays }: Pick<AvailabilityInput, "now" | "bookingWindowDays">,
): number {
  // Two small clocks, around now and around the window's end, rather than one over the whole
  // window (which may be years long).
  const endDay = new ZoneClock(zone, now, now).dayOf(now) + bookingWindowDays + 1;
  return new ZoneClock(zone, endDay * DAY, endDay * DAY).dayStart(endDay);
}

/** The first instant after the booking window: midnight after its last calendar day. */
export function windowEnd(
  input: Pick<AvailabilityInput, "now" | "timezone" | "bookingWindowDays">,
): number {
  const zone = zoneOf(input.timezone);
  return zone ? windowEndIn(zone, input) : NaN;
}

/**
 * The coach's whole weeks (Monday to Sunday, in the coach's zone) that [from, to) touches: the
 * sessions in them are the ones the limits count.
 */
export function weeksAround(timezone: string, from: number, to: number): Interval {
  const zone = zoneOf(timezone);
  if (!zone) return { start: from, end: to };
  const clock = new ZoneClock(zone, from, to);
  const firstMonday = weekOf(clock.dayOf(from)) * 7 - 3;
  const mondayAfter = (weekOf(clock.dayOf(Math.max(from, to - 1))) + 1) * 7 - 3;
  return { start: clock.dayStart(firstMonday), end: clock.dayStart(mondayAfter) };
}

/** A zone known to this runtime, or a RangeError naming the one that is not. */
function knownZone(timezone: string): IANAZone {
  const zone = zoneOf(timezone);
  if (!zone) throw new RangeError(`unknown time zone ${JSON.stringify(timezone)}`);
  return zone;
}

/**
 * When a local date ("YYYY-MM-DD") begins in a zone: the first moment its clocks show that date.
 * Where the clocks skip midnight (America/Santiago, 5 September 2027) that is 01:00. Days laid out
 * for a client are bounded by this, day by day, so that a skipped midnight cannot shift the days
 * after it.
 */
export function startOfLocalDate(timezone: string, date: string): number {
  const day = dayNumberOf(date);
  if (Number.isNaN(day)) throw new RangeError(`not a date: ${JSON.stringify(date)}`);
  return new ZoneClock(knownZone(timezone), day * DAY, day * DAY).dayStart(day);
}

/** The local date ("YYYY-MM-DD") whose day holds `instant` in a zone (by `startOfLocalDate`). */
export function localDateOf(timezone: string, instant: number): string {
  const day = new ZoneClock(knownZone(timezone), instant, instant).dayOf(instant);
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** Local dates and weeks that already hold as many sessions as the limits allow. */
function fullDaysAndWeeks(clock: ZoneClock, input: AvailabilityInput) {
  const full = { days: new Set<number>(), weeks: new Set<number>() };
  if (input.maxPerDay === null && input.maxPerWeek === null) return full;
  const perDay = new Map<number, number>();
  const perWeek = new Map<number, number>();
  for (const start of input.counted ?? []) {
    const day = clock.dayOf(start);
    const week = weekOf(day);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
  }
  if (input.maxPerDay !== null)
    for (const [day, n] of perDay) if (n >= input.maxPerDay) full.days.add(day);
  if (input.maxPerWeek !== null)
    for (const [week, n] of perWeek) if (n >= input.maxPerWeek) full.weeks.add(week);
  return full;
}
