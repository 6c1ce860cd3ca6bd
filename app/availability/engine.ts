/**
 * The availability engine: which start instants a coach can be booked at for a service.
 *
 * A pure function of plain data (`computeAvailableStarts`): no database, no clock, so it is tested
 * around real DST transitions without anything else running. `availability.server.ts` gathers its
 * input (the coach's rules, the practice's settings, the bookings that hold time).
 *
 * Wall-clock rules are read in the coach's IANA zone with luxon. A local start time that does not
 * exist (the hour skipped when clocks go forward) is never offered; one that happens twice (clocks
 * going back) is offered once, at its first occurrence. A session's end is its start plus its real
 * duration, and must not pass the end of the coach's hours that day.
 */
import { DateTime } from "luxon";

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

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

/** The coach's working ranges on one local date: the override's if the date has one. */
function rangesOn(
  date: DateTime,
  weeklyRules: WeeklyRule[],
  overridesByDate: Map<string, DateOverride[]>,
) {
  const overrides = overridesByDate.get(date.toISODate()!);
  if (overrides) {
    return overrides.flatMap((o) =>
      o.startMinute === null || o.endMinute === null
        ? []
        : [{ startMinute: o.startMinute, endMinute: o.endMinute }],
    );
  }
  return weeklyRules.filter((rule) => rule.weekday === date.weekday);
}

/** The instant of a wall-clock minute on a local date, or null when that local time does not exist. */
function localInstant(date: DateTime, minuteOfDay: number): number | null {
  if (minuteOfDay === 24 * 60) return date.plus({ days: 1 }).startOf("day").toMillis();
  const hour = Math.floor(minuteOfDay / 60);
  const minute = minuteOfDay % 60;
  const local = date.set({ hour, minute, second: 0, millisecond: 0 });
  // luxon moves a time in the spring-forward gap to a real one; such a time was never on the clock.
  if (local.hour !== hour || local.minute !== minute) return null;
  return local.toMillis();
}

/**
 * The instant a range ends. An end time inside a spring-forward gap (hours "until 02:30" on the
 * night 02:00 becomes 03:00) ends the range when the gap begins: the last moment that was on the
 * clock before it.
 */
function localRangeEnd(date: DateTime, endMinute: number): number | null {
  for (let minute = endMinute; minute >= 0; minute--) {
    const instant = localInstant(date, minute);
    if (instant !== null) return instant + (endMinute - minute === 0 ? 0 : MINUTE);
  }
  return null;
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

/**
 * Bookable start instants (epoch ms, ascending). Buffers pad both the candidate and every existing
 * booking, so consecutive sessions are at least `after + before` minutes apart.
 */
export function computeAvailableStarts(input: AvailabilityInput): number[] {
  const before = input.bufferBeforeMinutes * MINUTE;
  const after = input.bufferAfterMinutes * MINUTE;
  const duration = input.durationMinutes * MINUTE;
  const earliest = Math.max(input.from, input.now + input.minimumNoticeMinutes * MINUTE);
  const latest = Math.min(input.to, windowEnd(input));
  if (earliest >= latest || duration <= 0 || input.slotIntervalMinutes <= 0) return [];
  const full = fullDaysAndWeeks(input);

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
  const overridesByDate = new Map<string, DateOverride[]>();
  for (const override of input.overrides) {
    overridesByDate.set(override.date, [...(overridesByDate.get(override.date) ?? []), override]);
  }

  const starts = new Set<number>();
  // A local day can begin up to 14 hours either side of UTC midnight: start a day early.
  const lastDay = DateTime.fromMillis(latest, { zone: input.timezone }).startOf("day");
  for (
    let day = DateTime.fromMillis(earliest, { zone: input.timezone })
      .startOf("day")
      .minus({ days: 1 });
    day <= lastDay;
    day = day.plus({ days: 1 })
  ) {
    if (full.has(day.toISODate()!) || full.has(weekOf(day))) continue;
    for (const range of rangesOn(day, input.weeklyRules, overridesByDate)) {
      const rangeEnd = localRangeEnd(day, range.endMinute);
      if (rangeEnd === null) continue;
      for (
        let minute = range.startMinute;
        minute < range.endMinute;
        minute += input.slotIntervalMinutes
      ) {
        const start = localInstant(day, minute);
        if (start === null || start < earliest || start >= latest) continue;
        const end = start + duration;
        if (end > rangeEnd) break;
        const candidate = { start: start - before, end: end + after };
        const clash = padded[firstEndingAfter(padded, candidate.start)];
        if (clash && clash.start < candidate.end) continue;
        starts.add(start);
      }
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/** The first instant after the booking window: midnight after its last calendar day. */
export function windowEnd({
  now,
  timezone,
  bookingWindowDays,
}: Pick<AvailabilityInput, "now" | "timezone" | "bookingWindowDays">): number {
  return DateTime.fromMillis(now, { zone: timezone })
    .startOf("day")
    .plus({ days: bookingWindowDays + 1 })
    .toMillis();
}

/** "2027-W11": the ISO week (Monday to Sunday) a local date belongs to. */
function weekOf(day: DateTime): string {
  return day.toISOWeekDate()!.slice(0, 8);
}

/** Local dates and weeks that already hold as many sessions as the limits allow. */
function fullDaysAndWeeks(input: AvailabilityInput): Set<string> {
  const full = new Set<string>();
  if (input.maxPerDay === null && input.maxPerWeek === null) return full;
  const perDay = new Map<string, number>();
  const perWeek = new Map<string, number>();
  for (const start of input.counted ?? []) {
    const day = DateTime.fromMillis(start, { zone: input.timezone });
    const date = day.toISODate()!;
    const week = weekOf(day);
    perDay.set(date, (perDay.get(date) ?? 0) + 1);
    perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
  }
  if (input.maxPerDay !== null)
    for (const [date, n] of perDay) if (n >= input.maxPerDay) full.add(date);
  if (input.maxPerWeek !== null)
    for (const [week, n] of perWeek) if (n >= input.maxPerWeek) full.add(week);
  return full;
}
