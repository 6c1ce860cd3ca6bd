/**
 * Unit tests of the availability engine's pure core, `computeAvailableStarts`.
 *
 * Expected instants are worked out by hand (`Date.UTC`, or ISO strings with the offset written out),
 * and offered instants are read back to wall-clock time with `Intl.DateTimeFormat`, never with luxon,
 * so the engine is checked against something independent of the library it uses.
 *
 * The 2027 transitions used here (checked with Intl):
 *   America/New_York     2027-03-14 02:00 EST -> 03:00 EDT (07:00Z); 2027-11-07 02:00 EDT -> 01:00 EST (06:00Z)
 *   Europe/London        2027-03-28 01:00 GMT -> 02:00 BST (01:00Z); 2027-10-31 02:00 BST -> 01:00 GMT (01:00Z)
 *   Australia/Sydney     2027-04-04 03:00 AEDT -> 02:00 AEST (Apr 3 16:00Z); 2027-10-03 02:00 AEST -> 03:00 AEDT (Oct 2 16:00Z)
 *   Australia/Lord_Howe  2027-04-04 02:00 (+11) -> 01:30 (+10:30) (Apr 3 15:00Z); 2027-10-03 02:00 (+10:30) -> 02:30 (+11) (Oct 2 15:30Z)
 *   Asia/Kolkata         +05:30 all year
 * Zones whose clocks skip midnight, or go back across it (also checked with Intl):
 *   America/Santiago     2027-04-04 00:00 (-03) -> Apr 3 23:00 (-04) (03:00Z); 2027-09-05 00:00 (-04) -> 01:00 (-03) (04:00Z)
 *   America/Havana       2027-03-14 00:00 CST -> 01:00 CDT (05:00Z); 2027-11-07 01:00 CDT -> 00:00 CST (05:00Z)
 *   Asia/Beirut          2027-03-28 00:00 (+02) -> 01:00 (+03) (Mar 27 22:00Z); 2027-10-31 00:00 (+03) -> Oct 30 23:00 (+02) (Oct 30 21:00Z)
 *   America/Asuncion     2023-10-01 00:00 (-04) -> 01:00 (-03) (04:00Z); 2024-03-24 00:00 (-03) -> Mar 23 23:00 (-04) (03:00Z)
 *   Pacific/Apia         2011-12-30 never happened: Dec 29 23:59 (-10) -> Dec 31 00:00 (+14) (Dec 30 10:00Z)
 * and America/Los_Angeles 2027-11-07 02:00 PDT -> 01:00 PST (09:00Z); Pacific/Chatham 2027-04-04
 * 03:45 (+13:45) -> 02:45 (+12:45) (Apr 3 14:00Z), 2027-09-26 02:45 (+12:45) -> 03:45 (+13:45) (Sep 25 14:00Z).
 *
 * The repeated hour: the coach's hours are the real time between their local start and end (each
 * the first moment the clock shows that time), so a time the clock shows twice within them is
 * offered twice, as two instants.
 */
import { describe, expect, it } from "vitest";
import {
  computeAvailableStarts,
  localDateOf,
  startOfLocalDate,
  type AvailabilityInput,
} from "./engine";

// ---- Helpers -------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The `now` of every query unless a test sets its own: 2026-01-01T00:00Z, long before every date here. */
const LONG_BEFORE = Date.UTC(2026, 0, 1);

const NEW_YORK = "America/New_York";
const LONDON = "Europe/London";
const SYDNEY = "Australia/Sydney";
const LORD_HOWE = "Australia/Lord_Howe";
const KOLKATA = "Asia/Kolkata";

const MON = 1;
const TUE = 2;
const WED = 3;
const THU = 4;
const FRI = 5;
const SAT = 6;
const SUN = 7;
const WEEKDAYS = [MON, TUE, WED, THU, FRI];
const EVERY_DAY = [MON, TUE, WED, THU, FRI, SAT, SUN];

type WeeklyRule = AvailabilityInput["weeklyRules"][number];
type DateOverride = AvailabilityInput["overrides"][number];
type Query = Partial<AvailabilityInput> & Pick<AvailabilityInput, "timezone" | "from" | "to">;

/** An instant from a 1-based month: `utc(2027, 3, 14, 7)` is 2027-03-14T07:00Z. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute);
}

/** An instant from an ISO string whose offset is written out, e.g. "2027-03-14T03:00-04:00". */
function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
}

/** `count` instants from `first`, `stepMinutes` real minutes apart. */
function series(first: number, count: number, stepMinutes = 30): number[] {
  return Array.from({ length: count }, (_, i) => first + i * stepMinutes * MINUTE);
}

/** "HH:MM" -> minutes after local midnight ("24:00" is 1440). */
function minuteOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(":").map(Number);
  return hours! * 60 + minutes!;
}

/** "HH:MM" labels from `first` to `last` inclusive, `step` minutes apart. */
function times(first: string, last: string, step = 30): string[] {
  const labels: string[] = [];
  for (let m = minuteOf(first); m <= minuteOf(last); m += step) {
    labels.push(
      `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`,
    );
  }
  return labels;
}

/** The same ranges ("HH:MM" pairs) on each of `weekdays`. */
function weekly(weekdays: number[], ...ranges: Array<[string, string]>): WeeklyRule[] {
  return weekdays.flatMap((weekday) =>
    ranges.map(([start, end]) => ({
      weekday,
      startMinute: minuteOf(start),
      endMinute: minuteOf(end),
    })),
  );
}

function customHours(date: string, start: string, end: string): DateOverride {
  return { date, startMinute: minuteOf(start), endMinute: minuteOf(end) };
}

function dayOff(date: string): DateOverride {
  return { date, startMinute: null, endMinute: null };
}

/** Runs the engine with neutral rules (no notice, a ten-year window, no buffers, 30/30 slots). */
function starts(query: Query): number[] {
  return computeAvailableStarts({
    weeklyRules: [],
    overrides: [],
    durationMinutes: 30,
    slotIntervalMinutes: 30,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    minimumNoticeMinutes: 0,
    bookingWindowDays: 3650,
    maxPerDay: null,
    maxPerWeek: null,
    busy: [],
    now: LONG_BEFORE,
    ...query,
  });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock reading of an instant in a zone, "YYYY-MM-DD HH:MM", computed by Intl (not luxon). */
function wallClock(timeZone: string, instant: number): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  const part = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

const wallClocks = (timeZone: string, instants: number[]) =>
  instants.map((i) => wallClock(timeZone, i));

/** Offered instants grouped by local date in `timeZone`: { "2027-03-14": ["09:00", ...] }. */
function byLocalDate(timeZone: string, instants: number[]): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const instant of instants) {
    const [date, time] = wallClock(timeZone, instant).split(" ") as [string, string];
    (grouped[date] ??= []).push(time);
  }
  return grouped;
}

/** Calendar dates "YYYY-MM-DD" from `first` to `last` inclusive (plain calendar arithmetic). */
function calendarDates(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${first}T00:00Z`); t <= Date.parse(`${last}T00:00Z`); t += DAY) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00Z`) - DAY).toISOString().slice(0, 10);
}

function expectStrictlyAscendingIntegers(instants: number[]) {
  for (const instant of instants) expect(Number.isInteger(instant)).toBe(true);
  for (let i = 1; i < instants.length; i++) expect(instants[i]!).toBeGreaterThan(instants[i - 1]!);
}

// Monday 2027-03-01 in Kolkata (+05:30, no DST): the plain calendar for the non-DST tests.
const KOLKATA_MONDAY = "2027-03-01";
/** An instant on Monday 2027-03-01 at a Kolkata wall time. */
const istMonday = (hhmm: string) => at(`${KOLKATA_MONDAY}T${hhmm}+05:30`);
/** Monday 2027-03-01 whole (05:30 IST Monday to 05:30 IST Tuesday). */
const MONDAY_QUERY = { timezone: KOLKATA, from: utc(2027, 3, 1), to: utc(2027, 3, 2) } as const;

// ---- Weekly rules and the slot grid ---------------------------------------------------------------

describe("weekly rules and the slot grid", () => {
  it("a 09:00–17:00 day with 30-minute sessions every 30 minutes has 16 starts, 09:00 to 16:30", () => {
    const result = starts({ ...MONDAY_QUERY, weeklyRules: weekly([MON], ["09:00", "17:00"]) });
    // 09:00 IST is 03:30Z.
    expect(result).toEqual(series(utc(2027, 3, 1, 3, 30), 16));
    expect(byLocalDate(KOLKATA, result)).toEqual({ [KOLKATA_MONDAY]: times("09:00", "16:30") });
  });

  it("offers nothing when the coach has no hours", () => {
    expect(starts({ ...MONDAY_QUERY, weeklyRules: [] })).toEqual([]);
  });

  it("uses ISO weekdays (1 = Monday, 7 = Sunday) and only the days that have rules", () => {
    const result = starts({
      timezone: KOLKATA,
      from: utc(2027, 3, 1),
      to: utc(2027, 3, 8),
      weeklyRules: weekly([MON, SUN], ["09:00", "10:00"]),
    });
    expect(byLocalDate(KOLKATA, result)).toEqual({
      "2027-03-01": ["09:00", "09:30"], // Monday
      "2027-03-07": ["09:00", "09:30"], // Sunday
    });
  });

  it("reads the weekday in the coach's zone, not in UTC", () => {
    // Monday 2027-06-14 09:00 in Sydney (AEST, +10) is Sunday 2027-06-13 23:00Z.
    const result = starts({
      timezone: SYDNEY,
      from: utc(2027, 6, 12),
      to: utc(2027, 6, 16),
      weeklyRules: weekly([MON], ["09:00", "10:00"]),
      durationMinutes: 60,
      slotIntervalMinutes: 60,
    });
    expect(result).toEqual([utc(2027, 6, 13, 23)]);
    expect(wallClock(SYDNEY, result[0]!)).toBe("2027-06-14 09:00");
  });

  it("offers every range of a day with several ranges", () => {
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "12:00"], ["14:00", "17:00"]),
    });
    expect(wallClocks(KOLKATA, result).map((w) => w.slice(11))).toEqual([
      ...times("09:00", "11:30"),
      ...times("14:00", "16:30"),
    ]);
  });

  it("steps each range from its own start", () => {
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "10:00"], ["10:15", "11:15"]),
    });
    expect(result).toEqual(["09:00", "09:30", "10:15", "10:45"].map(istMonday));
  });

  it("steps from an unusual range start (09:10, every 20 minutes)", () => {
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:10", "10:30"]),
      durationMinutes: 20,
      slotIntervalMinutes: 20,
    });
    expect(result).toEqual(["09:10", "09:30", "09:50", "10:10"].map(istMonday));
  });

  it("with an interval larger than the duration, starts are an interval apart", () => {
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "12:00"]),
      durationMinutes: 30,
      slotIntervalMinutes: 60,
    });
    expect(result).toEqual(["09:00", "10:00", "11:00"].map(istMonday));
  });

  it("with an interval smaller than the duration, starts overlap", () => {
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "12:00"]),
      durationMinutes: 60,
      slotIntervalMinutes: 15,
    });
    expect(result).toEqual(times("09:00", "11:00", 15).map(istMonday));
  });

  it("does not offer a session that would run past the end of the range", () => {
    // 45-minute sessions every 30 minutes in 09:00–11:00: 10:30 would end at 11:15.
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "11:00"]),
      durationMinutes: 45,
    });
    expect(result).toEqual(["09:00", "09:30", "10:00"].map(istMonday));
  });

  it("offers a session that ends exactly at the end of the range, not one a minute over", () => {
    const exact = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "10:30"]),
      durationMinutes: 60,
    });
    expect(exact).toEqual(["09:00", "09:30"].map(istMonday));
    const short = starts({
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "10:29"]),
      durationMinutes: 60,
    });
    expect(short).toEqual(["09:00"].map(istMonday));
  });

  it("a range may end at midnight (24:00): the last session ends as the next day begins", () => {
    const result = starts({ ...MONDAY_QUERY, weeklyRules: weekly([MON], ["22:00", "24:00"]) });
    // Monday 22:00 IST is 16:30Z; 23:30 IST + 30 minutes is Tuesday 00:00 IST.
    expect(result).toEqual(series(utc(2027, 3, 1, 16, 30), 4));
    expect(wallClocks(KOLKATA, result)).toEqual(
      times("22:00", "23:30").map((t) => `${KOLKATA_MONDAY} ${t}`),
    );
  });
});

// ---- Overrides -----------------------------------------------------------------------------------

describe("date overrides", () => {
  // Kolkata, week of Monday 2027-03-01; weekdays 09:00–17:00, hour-long sessions on the hour.
  const week = {
    timezone: KOLKATA,
    from: utc(2027, 3, 1),
    to: utc(2027, 3, 8),
    weeklyRules: weekly(WEEKDAYS, ["09:00", "17:00"]),
    durationMinutes: 60,
    slotIntervalMinutes: 60,
  };
  const fullDay = times("09:00", "16:00", 60);

  it("without overrides every weekday has its weekly hours", () => {
    expect(byLocalDate(KOLKATA, starts(week))).toEqual({
      "2027-03-01": fullDay,
      "2027-03-02": fullDay,
      "2027-03-03": fullDay,
      "2027-03-04": fullDay,
      "2027-03-05": fullDay,
    });
  });

  it("a row with null minutes makes the date a day off, and only that date", () => {
    const result = starts({ ...week, overrides: [dayOff("2027-03-03")] });
    expect(byLocalDate(KOLKATA, result)).toEqual({
      "2027-03-01": fullDay,
      "2027-03-02": fullDay,
      "2027-03-04": fullDay,
      "2027-03-05": fullDay,
    });
  });

  it("custom hours replace the weekly hours of that date", () => {
    const result = starts({ ...week, overrides: [customHours("2027-03-03", "13:00", "15:00")] });
    expect(byLocalDate(KOLKATA, result)["2027-03-03"]).toEqual(["13:00", "14:00"]);
    expect(byLocalDate(KOLKATA, result)["2027-03-02"]).toEqual(fullDay);
  });

  it("several override rows give the date several ranges", () => {
    const result = starts({
      ...week,
      overrides: [
        customHours("2027-03-03", "18:00", "20:00"),
        customHours("2027-03-03", "08:00", "09:00"),
      ],
    });
    expect(byLocalDate(KOLKATA, result)["2027-03-03"]).toEqual(["08:00", "18:00", "19:00"]);
  });

  it("an override gives hours on a day with no weekly rule", () => {
    const result = starts({ ...week, overrides: [customHours("2027-03-06", "10:00", "12:00")] });
    expect(byLocalDate(KOLKATA, result)["2027-03-06"]).toEqual(["10:00", "11:00"]);
    expect(result.filter((s) => wallClock(KOLKATA, s).startsWith("2027-03-06"))).toEqual([
      at("2027-03-06T10:00+05:30"),
      at("2027-03-06T11:00+05:30"),
    ]);
  });

  it("overlapping override rows do not produce duplicate starts", () => {
    const result = starts({
      ...week,
      durationMinutes: 30,
      slotIntervalMinutes: 30,
      overrides: [
        customHours("2027-03-03", "09:00", "11:00"),
        customHours("2027-03-03", "10:00", "12:00"),
      ],
    });
    expect(byLocalDate(KOLKATA, result)["2027-03-03"]).toEqual(times("09:00", "11:30"));
  });

  it("the override date is the coach's local date, not the UTC date", () => {
    // Sydney, Monday 2027-06-14 09:00 AEST = Sunday 2027-06-13 23:00Z.
    const sydney = {
      timezone: SYDNEY,
      from: utc(2027, 6, 12),
      to: utc(2027, 6, 16),
      weeklyRules: weekly([MON], ["09:00", "10:00"]),
      durationMinutes: 60,
      slotIntervalMinutes: 60,
    };
    expect(starts({ ...sydney, overrides: [dayOff("2027-06-13")] })).toEqual([
      utc(2027, 6, 13, 23),
    ]);
    expect(starts({ ...sydney, overrides: [dayOff("2027-06-14")] })).toEqual([]);
    expect(starts({ ...sydney, overrides: [customHours("2027-06-14", "07:00", "08:00")] })).toEqual(
      [utc(2027, 6, 13, 21)],
    );
  });
});

// ---- Notice, window, from/to ---------------------------------------------------------------------

describe("minimum notice, booking window and the from/to bounds", () => {
  const weekdays = { timezone: KOLKATA, weeklyRules: weekly(WEEKDAYS, ["09:00", "17:00"]) };

  it("a start exactly `notice` after now is offered, earlier ones are not", () => {
    // now = Monday 07:30 IST; 120 minutes' notice -> first start 09:30 IST (04:00Z).
    const result = starts({
      ...weekdays,
      from: utc(2027, 3, 1),
      to: utc(2027, 3, 2),
      now: istMonday("07:30"),
      minimumNoticeMinutes: 120,
    });
    expect(result).toEqual(series(utc(2027, 3, 1, 4), 15));
  });

  it("one more minute of notice drops that start", () => {
    const result = starts({
      ...weekdays,
      from: utc(2027, 3, 1),
      to: utc(2027, 3, 2),
      now: istMonday("07:30"),
      minimumNoticeMinutes: 121,
    });
    expect(result[0]).toBe(istMonday("10:00"));
    expect(result).toHaveLength(14);
  });

  it("a day's notice from Monday evening leaves Tuesday empty and starts on Wednesday", () => {
    const result = starts({
      ...weekdays,
      from: utc(2027, 3, 1),
      to: utc(2027, 3, 4),
      now: istMonday("17:30"),
      minimumNoticeMinutes: 24 * 60,
    });
    expect(byLocalDate(KOLKATA, result)).toEqual({ "2027-03-03": times("09:00", "16:30") });
  });

  it("the booking window is in calendar days: today and the next N days, to their end", () => {
    // now = Monday 09:00 IST; two days -> Monday, Tuesday and all of Wednesday.
    const result = starts({
      ...weekdays,
      from: utc(2027, 3, 1),
      to: utc(2027, 3, 8),
      now: istMonday("09:00"),
      bookingWindowDays: 2,
    });
    expect(result[0]).toBe(istMonday("09:00")); // no notice: a start at `now` itself is allowed
    expect(byLocalDate(KOLKATA, result)).toEqual({
      "2027-03-01": times("09:00", "16:30"),
      "2027-03-02": times("09:00", "16:30"),
      "2027-03-03": times("09:00", "16:30"),
    });
  });

  it("the window's edge is midnight in the coach's zone, across a clock change too", () => {
    // New York springs forward on Sunday 14 March 2027. From Friday 12 March, three days reach to
    // the end of Monday 15 March, local midnight, not an hour either side of it.
    const evenings = { weeklyRules: weekly([MON, TUE, FRI, SAT, SUN], ["22:00", "24:00"]) };
    const result = starts({
      ...evenings,
      timezone: NEW_YORK,
      from: utc(2027, 3, 12),
      to: utc(2027, 3, 20),
      now: at("2027-03-12T12:00-05:00"),
      bookingWindowDays: 3,
    });
    expect(byLocalDate(NEW_YORK, result)).toEqual({
      "2027-03-12": times("22:00", "23:30"),
      "2027-03-13": times("22:00", "23:30"),
      "2027-03-14": times("22:00", "23:30"),
      "2027-03-15": times("22:00", "23:30"),
    });
    expect(result.at(-1)).toBe(at("2027-03-15T23:30-04:00"));
  });

  it("the earlier of `to` and the window end wins", () => {
    const windowEarlier = starts({
      ...weekdays,
      from: utc(2027, 3, 1),
      to: utc(2027, 3, 8),
      now: istMonday("00:00"),
      bookingWindowDays: 0, // -> today only: before Tuesday 00:00 IST
    });
    expect(byLocalDate(KOLKATA, windowEarlier)).toEqual({ "2027-03-01": times("09:00", "16:30") });
  });

  it("only starts in [from, to) are returned; a session may end after `to`", () => {
    const result = starts({ ...weekdays, from: istMonday("09:30"), to: istMonday("11:30") });
    expect(result).toEqual(["09:30", "10:00", "10:30", "11:00"].map(istMonday));
  });

  it("`from` one millisecond after a start excludes it", () => {
    const result = starts({ ...weekdays, from: istMonday("09:30") + 1, to: istMonday("11:30") });
    expect(result).toEqual(["10:00", "10:30", "11:00"].map(istMonday));
  });

  it("the later of `from` and now + notice wins", () => {
    const noticeLater = starts({
      ...weekdays,
      from: istMonday("09:00"),
      to: istMonday("12:00"),
      now: istMonday("08:00"),
      minimumNoticeMinutes: 150, // -> 10:30
    });
    expect(noticeLater).toEqual(["10:30", "11:00", "11:30"].map(istMonday));
    const fromLater = starts({
      ...weekdays,
      from: istMonday("11:00"),
      to: istMonday("12:00"),
      now: istMonday("08:00"),
      minimumNoticeMinutes: 150,
    });
    expect(fromLater).toEqual(["11:00", "11:30"].map(istMonday));
  });

  it("offers nothing when notice reaches past `to`, or the window is empty", () => {
    expect(
      starts({
        ...weekdays,
        from: utc(2027, 3, 1),
        to: utc(2027, 3, 8),
        now: utc(2027, 3, 1),
        minimumNoticeMinutes: 8 * 24 * 60,
      }),
    ).toEqual([]);
    expect(
      starts({
        ...weekdays,
        from: utc(2027, 3, 1),
        to: utc(2027, 3, 8),
        now: utc(2027, 2, 1),
        bookingWindowDays: 14,
      }),
    ).toEqual([]);
  });
});

// ---- Buffers and existing bookings ---------------------------------------------------------------

describe("existing bookings and buffers", () => {
  const monday = { ...MONDAY_QUERY, weeklyRules: weekly([MON], ["09:00", "17:00"]) };
  const booking = (start: string, end: string) => ({
    start: istMonday(start),
    end: istMonday(end),
  });

  it("without buffers, sessions may sit back to back with a booking", () => {
    const result = starts({
      ...monday,
      weeklyRules: weekly([MON], ["09:00", "12:00"]),
      busy: [booking("10:00", "11:00")],
    });
    expect(result).toEqual(["09:00", "09:30", "11:00", "11:30"].map(istMonday));
  });

  it("any overlap with a booking blocks a start, even a short booking inside the session", () => {
    const result = starts({
      ...monday,
      weeklyRules: weekly([MON], ["09:00", "12:00"]),
      busy: [booking("10:10", "10:20")],
    });
    expect(result).toEqual(["09:00", "09:30", "10:30", "11:00", "11:30"].map(istMonday));
  });

  it("buffers keep sessions at least after + before minutes from a booking, minute-exact", () => {
    // before 5, after 10, 30-minute sessions every minute, booking 11:00–12:00.
    // After it: the first start is 12:00 + 10 + 5 = 12:15. Before it: the session must end by
    // 11:00 - 5 - 10 = 10:45, so the last start is 10:15. Blocked: 10:16 ... 12:14 (119 minutes).
    const result = starts({
      ...monday,
      durationMinutes: 30,
      slotIntervalMinutes: 1,
      bufferBeforeMinutes: 5,
      bufferAfterMinutes: 10,
      busy: [booking("11:00", "12:00")],
    });
    expect(result).toContain(istMonday("12:15"));
    expect(result).not.toContain(istMonday("12:14"));
    expect(result).toContain(istMonday("10:15"));
    expect(result).not.toContain(istMonday("10:16"));
    const everyMinute = times("09:00", "16:30", 1);
    const blocked = new Set(times("10:16", "12:14", 1));
    expect(result).toEqual(everyMinute.filter((t) => !blocked.has(t)).map(istMonday));
    expect(result).toHaveLength(451 - 119);
  });

  it("moving the booking one minute closer blocks the boundary start on either side", () => {
    const buffered = {
      ...monday,
      slotIntervalMinutes: 15,
      bufferBeforeMinutes: 5,
      bufferAfterMinutes: 10,
    };
    const exact = starts({ ...buffered, busy: [booking("11:00", "12:00")] });
    expect(exact.filter((s) => s >= istMonday("10:00") && s <= istMonday("12:30"))).toEqual(
      ["10:00", "10:15", "12:15", "12:30"].map(istMonday),
    );
    const endsLater = starts({ ...buffered, busy: [booking("11:00", "12:01")] });
    expect(endsLater).not.toContain(istMonday("12:15"));
    expect(endsLater).toContain(istMonday("12:30"));
    const startsEarlier = starts({ ...buffered, busy: [booking("10:59", "12:00")] });
    expect(startsEarlier).not.toContain(istMonday("10:15"));
    expect(startsEarlier).toContain(istMonday("10:00"));
  });

  it("the before-buffer alone also separates both sides", () => {
    const result = starts({
      ...monday,
      weeklyRules: weekly([MON], ["09:00", "13:00"]),
      slotIntervalMinutes: 10,
      bufferBeforeMinutes: 20,
      busy: [booking("11:00", "11:30")],
    });
    // Sessions must end by 10:40 (start by 10:10) or start from 11:50.
    expect(result).toEqual(
      [...times("09:00", "10:10", 10), ...times("11:50", "12:30", 10)].map(istMonday),
    );
  });

  it("bookings outside the coach's hours still reach in through the buffers", () => {
    const result = starts({
      ...monday,
      bufferBeforeMinutes: 15,
      bufferAfterMinutes: 15,
      busy: [booking("08:00", "08:50"), booking("17:10", "18:00")],
    });
    // 09:00 is only 10 minutes after 08:50; 16:30 would end 10 minutes before 17:10.
    expect(result).toEqual(times("09:30", "16:00").map(istMonday));
  });

  it("handles several unsorted, overlapping and touching bookings", () => {
    const result = starts({
      ...monday,
      busy: [
        booking("14:00", "15:00"),
        booking("09:00", "09:20"),
        booking("15:30", "16:00"),
        booking("14:30", "15:30"),
      ],
    });
    expect(result).toEqual([...times("09:30", "13:30"), "16:00", "16:30"].map(istMonday));
  });
});

// ---- Daylight saving: ordinary days --------------------------------------------------------------

describe("DST: an ordinary 09:00–17:00 day stays 09:00–17:00 local on both sides of a change", () => {
  it.each([
    // from/to are chosen so that exactly the local dates first..last fall inside.
    {
      zone: NEW_YORK,
      change: "spring forward",
      first: "2027-03-08",
      last: "2027-03-21",
      from: utc(2027, 3, 8),
      to: utc(2027, 3, 22),
    },
    {
      zone: NEW_YORK,
      change: "fall back",
      first: "2027-11-01",
      last: "2027-11-14",
      from: utc(2027, 11, 1),
      to: utc(2027, 11, 15),
    },
    {
      zone: LONDON,
      change: "spring forward",
      first: "2027-03-22",
      last: "2027-04-04",
      from: utc(2027, 3, 22),
      to: utc(2027, 4, 5),
    },
    {
      zone: LONDON,
      change: "fall back",
      first: "2027-10-25",
      last: "2027-11-07",
      from: utc(2027, 10, 25),
      to: utc(2027, 11, 8),
    },
    {
      zone: SYDNEY,
      change: "DST ends",
      first: "2027-03-29",
      last: "2027-04-11",
      from: utc(2027, 3, 28, 12),
      to: utc(2027, 4, 11, 12),
    },
    {
      zone: SYDNEY,
      change: "DST starts",
      first: "2027-09-27",
      last: "2027-10-10",
      from: utc(2027, 9, 26, 12),
      to: utc(2027, 10, 10, 12),
    },
    {
      zone: LORD_HOWE,
      change: "DST ends",
      first: "2027-03-29",
      last: "2027-04-11",
      from: utc(2027, 3, 28, 12),
      to: utc(2027, 4, 11, 12),
    },
    {
      zone: LORD_HOWE,
      change: "DST starts",
      first: "2027-09-27",
      last: "2027-10-10",
      from: utc(2027, 9, 26, 12),
      to: utc(2027, 10, 10, 12),
    },
    {
      zone: KOLKATA,
      change: "no change (US/UK weeks)",
      first: "2027-03-08",
      last: "2027-04-04",
      from: utc(2027, 3, 8),
      to: utc(2027, 4, 5),
    },
  ])(
    "$zone, $change: every day $first..$last reads 09:00..16:30 (16 starts)",
    ({ zone, first, last, from, to }) => {
      const result = starts({
        timezone: zone,
        from,
        to,
        weeklyRules: weekly(EVERY_DAY, ["09:00", "17:00"]),
      });
      const dates = calendarDates(first, last);
      expect(byLocalDate(zone, result)).toEqual(
        Object.fromEntries(dates.map((d) => [d, times("09:00", "16:30")])),
      );
      expect(result).toHaveLength(16 * dates.length);
      expectStrictlyAscendingIntegers(result);
    },
  );

  it.each([
    // The first start of Saturday, the transition Sunday and Monday, with the offset written out.
    {
      zone: NEW_YORK,
      sat: "2027-03-13T09:00-05:00",
      sun: "2027-03-14T09:00-04:00",
      mon: "2027-03-15T09:00-04:00",
    },
    {
      zone: NEW_YORK,
      sat: "2027-11-06T09:00-04:00",
      sun: "2027-11-07T09:00-05:00",
      mon: "2027-11-08T09:00-05:00",
    },
    {
      zone: LONDON,
      sat: "2027-03-27T09:00Z",
      sun: "2027-03-28T09:00+01:00",
      mon: "2027-03-29T09:00+01:00",
    },
    {
      zone: LONDON,
      sat: "2027-10-30T09:00+01:00",
      sun: "2027-10-31T09:00Z",
      mon: "2027-11-01T09:00Z",
    },
    {
      zone: SYDNEY,
      sat: "2027-04-03T09:00+11:00",
      sun: "2027-04-04T09:00+10:00",
      mon: "2027-04-05T09:00+10:00",
    },
    {
      zone: SYDNEY,
      sat: "2027-10-02T09:00+10:00",
      sun: "2027-10-03T09:00+11:00",
      mon: "2027-10-04T09:00+11:00",
    },
    {
      zone: LORD_HOWE,
      sat: "2027-04-03T09:00+11:00",
      sun: "2027-04-04T09:00+10:30",
      mon: "2027-04-05T09:00+10:30",
    },
    {
      zone: LORD_HOWE,
      sat: "2027-10-02T09:00+10:30",
      sun: "2027-10-03T09:00+11:00",
      mon: "2027-10-04T09:00+11:00",
    },
  ])(
    "$zone: exact instants on the Saturday, Sunday ($sun) and Monday of a change",
    ({ zone, sat, sun, mon }) => {
      const result = starts({
        timezone: zone,
        from: at(sat),
        to: at(mon) + 8 * HOUR,
        weeklyRules: weekly([SAT, SUN, MON], ["09:00", "17:00"]),
      });
      expect(result).toEqual([sat, sun, mon].flatMap((first) => series(at(first), 16)));
    },
  );

  it("key instants in UTC: New York and London 09:00 on the transition Sundays", () => {
    const sundayNine = (zone: string, date: string) =>
      starts({
        timezone: zone,
        from: Date.parse(`${date}T00:00Z`),
        to: Date.parse(`${date}T00:00Z`) + DAY,
        weeklyRules: weekly([SUN], ["09:00", "09:30"]),
      });
    expect(sundayNine(NEW_YORK, "2027-03-14")).toEqual([Date.UTC(2027, 2, 14, 13, 0)]);
    expect(sundayNine(NEW_YORK, "2027-11-07")).toEqual([Date.UTC(2027, 10, 7, 14, 0)]);
    expect(sundayNine(LONDON, "2027-03-28")).toEqual([Date.UTC(2027, 2, 28, 8, 0)]);
    expect(sundayNine(LONDON, "2027-10-31")).toEqual([Date.UTC(2027, 9, 31, 9, 0)]);
  });
});

// ---- Daylight saving: hours across the transition itself -----------------------------------------

describe("DST: hours that straddle the transition (Sunday 00:00–04:00, 30-minute sessions)", () => {
  it.each([
    {
      zone: NEW_YORK,
      date: "2027-03-14",
      what: "02:00 and 02:30 do not exist",
      utc: [
        utc(2027, 3, 14, 5),
        utc(2027, 3, 14, 5, 30),
        utc(2027, 3, 14, 6),
        utc(2027, 3, 14, 6, 30),
        utc(2027, 3, 14, 7),
        utc(2027, 3, 14, 7, 30),
      ],
      wall: ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"],
    },
    {
      // The hours are the real time from 00:00 EDT (04:00Z) to 04:00 EST (09:00Z): five hours,
      // and the coach works through both 01:00s. (This used to say "offered once, in EDT", when
      // the engine stepped in wall-clock terms and never reached the second occurrence.)
      zone: NEW_YORK,
      date: "2027-11-07",
      what: "01:00 and 01:30 are offered twice, in EDT and then in EST",
      utc: series(utc(2027, 11, 7, 4), 10),
      wall: ["00:00", "00:30", "01:00", "01:30", "01:00", "01:30", ...times("02:00", "03:30")],
    },
    {
      zone: LONDON,
      date: "2027-03-28",
      what: "01:00 and 01:30 do not exist",
      utc: [
        utc(2027, 3, 28, 0),
        utc(2027, 3, 28, 0, 30),
        utc(2027, 3, 28, 1),
        utc(2027, 3, 28, 1, 30),
        utc(2027, 3, 28, 2),
        utc(2027, 3, 28, 2, 30),
      ],
      wall: ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"],
    },
    {
      // 00:00 BST (Oct 30 23:00Z) to 04:00 GMT (04:00Z): five real hours, both 01:00s worked.
      zone: LONDON,
      date: "2027-10-31",
      what: "01:00 and 01:30 are offered twice, in BST and then in GMT",
      utc: series(utc(2027, 10, 30, 23), 10),
      wall: ["00:00", "00:30", "01:00", "01:30", "01:00", "01:30", ...times("02:00", "03:30")],
    },
    {
      // 00:00 AEDT (Apr 3 13:00Z) to 04:00 AEST (18:00Z): five real hours, both 02:00s worked.
      zone: SYDNEY,
      date: "2027-04-04",
      what: "02:00 and 02:30 are offered twice, in AEDT and then in AEST",
      utc: series(utc(2027, 4, 3, 13), 10),
      wall: [...times("00:00", "02:30"), "02:00", "02:30", "03:00", "03:30"],
    },
    {
      zone: SYDNEY,
      date: "2027-10-03",
      what: "02:00 and 02:30 do not exist",
      utc: [
        utc(2027, 10, 2, 14),
        utc(2027, 10, 2, 14, 30),
        utc(2027, 10, 2, 15),
        utc(2027, 10, 2, 15, 30),
        utc(2027, 10, 2, 16),
        utc(2027, 10, 2, 16, 30),
      ],
      wall: ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"],
    },
    {
      // 00:00 +11 (Apr 3 13:00Z) to 04:00 +10:30 (17:30Z): 4h30 real. The clock shows 01:30 at
      // 14:30Z and again at 15:00Z (02:00 +11 became 01:30 +10:30); both are on the grid.
      zone: LORD_HOWE,
      date: "2027-04-04",
      what: "01:30 is offered twice, at +11 and then at +10:30",
      utc: series(utc(2027, 4, 3, 13), 9),
      wall: [...times("00:00", "01:30"), ...times("01:30", "03:30")],
    },
    {
      zone: LORD_HOWE,
      date: "2027-10-03",
      what: "02:00 does not exist (half-hour jump)",
      utc: [
        utc(2027, 10, 2, 13, 30),
        utc(2027, 10, 2, 14),
        utc(2027, 10, 2, 14, 30),
        utc(2027, 10, 2, 15),
        utc(2027, 10, 2, 15, 30),
        utc(2027, 10, 2, 16),
        utc(2027, 10, 2, 16, 30),
      ],
      wall: ["00:00", "00:30", "01:00", "01:30", "02:30", "03:00", "03:30"],
    },
    {
      zone: KOLKATA,
      date: "2027-03-14",
      what: "no DST: all eight starts",
      utc: series(utc(2027, 3, 13, 18, 30), 8),
      wall: times("00:00", "03:30"),
    },
  ])("$zone $date: $what", ({ zone, date, utc: expectedUtc, wall }) => {
    const midnightUtc = Date.parse(`${date}T00:00Z`);
    const result = starts({
      timezone: zone,
      from: midnightUtc - 2 * DAY,
      to: midnightUtc + 2 * DAY,
      weeklyRules: weekly([SUN], ["00:00", "04:00"]),
    });
    expect(result).toEqual(expectedUtc);
    expect(wallClocks(zone, result)).toEqual(wall.map((t) => `${date} ${t}`));
  });

  it("New York fall back, 15-minute grid in the repeated hour: 01:00–01:45 twice each, EDT then EST", () => {
    const result = starts({
      timezone: NEW_YORK,
      from: utc(2027, 11, 6),
      to: utc(2027, 11, 8),
      weeklyRules: weekly([SUN], ["01:00", "02:00"]),
      durationMinutes: 15,
      slotIntervalMinutes: 15,
    });
    // 01:00 EDT = 05:00Z to 02:00 EST = 07:00Z: two real hours. The repeated 01:00–01:45 EST
    // (06:00Z–06:45Z) is offered too: the coach is working then. (It used to be left out, an
    // artefact of stepping in wall-clock time.)
    expect(result).toEqual(series(utc(2027, 11, 7, 5), 8, 15));
    expect(wallClocks(NEW_YORK, result)).toEqual(
      [...times("01:00", "01:45", 15), ...times("01:00", "01:45", 15)].map(
        (t) => `2027-11-07 ${t}`,
      ),
    );
  });

  it("Lord Howe DST end, 15-minute grid: 18 starts, 01:30 and 01:45 at both occurrences", () => {
    const result = starts({
      timezone: LORD_HOWE,
      from: utc(2027, 4, 2),
      to: utc(2027, 4, 5),
      weeklyRules: weekly([SUN], ["00:00", "04:00"]),
      durationMinutes: 15,
      slotIntervalMinutes: 15,
    });
    // 00:00–01:45 at +11 = 13:00Z–14:45Z; 01:30–03:45 at +10:30 = 15:00Z–17:15Z. The second
    // 01:30 and 01:45 (15:00Z, 15:15Z) are within the hours in real time, so they are offered.
    expect(result).toEqual([
      ...series(utc(2027, 4, 3, 13), 8, 15),
      ...series(utc(2027, 4, 3, 15), 10, 15),
    ]);
    expect(wallClocks(LORD_HOWE, result)).toEqual(
      [...times("00:00", "01:45", 15), ...times("01:30", "03:45", 15)].map(
        (t) => `2027-04-04 ${t}`,
      ),
    );
  });

  it("Lord Howe DST start, 15-minute grid: 14 starts, no 02:00 or 02:15", () => {
    const result = starts({
      timezone: LORD_HOWE,
      from: utc(2027, 10, 1),
      to: utc(2027, 10, 4),
      weeklyRules: weekly([SUN], ["00:00", "04:00"]),
      durationMinutes: 15,
      slotIntervalMinutes: 15,
    });
    expect(result).toEqual([
      ...series(utc(2027, 10, 2, 13, 30), 8, 15),
      ...series(utc(2027, 10, 2, 15, 30), 6, 15),
    ]);
    expect(wallClocks(LORD_HOWE, result)).toEqual(
      [...times("00:00", "01:45", 15), ...times("02:30", "03:45", 15)].map(
        (t) => `2027-10-03 ${t}`,
      ),
    );
  });

  it("a start time in the gap is skipped, not moved to a real time (New York, 40-minute grid)", () => {
    // 01:20–05:00 every 40 minutes: 01:20, [02:00, 02:40 do not exist], 03:20, 04:00; 04:40 would end 05:10.
    const result = starts({
      timezone: NEW_YORK,
      from: utc(2027, 3, 13),
      to: utc(2027, 3, 15),
      weeklyRules: weekly([SUN], ["01:20", "05:00"]),
      slotIntervalMinutes: 40,
    });
    expect(result).toEqual([utc(2027, 3, 14, 6, 20), utc(2027, 3, 14, 7, 20), utc(2027, 3, 14, 8)]);
    expect(wallClocks(NEW_YORK, result)).toEqual([
      "2027-03-14 01:20",
      "2027-03-14 03:20",
      "2027-03-14 04:00",
    ]);
  });

  it("a start time in the gap is skipped, not moved to a real time (Lord Howe, 20-minute grid)", () => {
    // 01:40–03:00 every 20 minutes, 20-minute sessions: 01:40, [02:00, 02:20 do not exist], 02:40.
    const result = starts({
      timezone: LORD_HOWE,
      from: utc(2027, 10, 1),
      to: utc(2027, 10, 4),
      weeklyRules: weekly([SUN], ["01:40", "03:00"]),
      durationMinutes: 20,
      slotIntervalMinutes: 20,
    });
    expect(result).toEqual([utc(2027, 10, 2, 15, 10), utc(2027, 10, 2, 15, 40)]);
  });

  it("a range that starts inside the gap offers its first real grid times", () => {
    const newYork = starts({
      timezone: NEW_YORK,
      from: utc(2027, 3, 13),
      to: utc(2027, 3, 15),
      weeklyRules: weekly([SUN], ["02:30", "05:00"]),
    });
    expect(newYork).toEqual(series(utc(2027, 3, 14, 7), 4)); // 03:00–04:30 EDT
    const lordHowe = starts({
      timezone: LORD_HOWE,
      from: utc(2027, 10, 1),
      to: utc(2027, 10, 4),
      weeklyRules: weekly([SUN], ["02:15", "04:00"]),
    });
    // 02:15 does not exist; 02:45 and 03:15 (+11); 03:45 would end 04:15.
    expect(lordHowe).toEqual([utc(2027, 10, 2, 15, 45), utc(2027, 10, 2, 16, 15)]);
  });

  describe("a session's end is its start plus its real duration", () => {
    it("New York spring forward: 2-hour sessions in 00:00–03:30 start only at 00:00 and 00:30", () => {
      // 01:00 EST + 2h = 04:00 EDT, past 03:30 (wall-clock arithmetic would wrongly say 03:00).
      const result = starts({
        timezone: NEW_YORK,
        from: utc(2027, 3, 13),
        to: utc(2027, 3, 15),
        weeklyRules: weekly([SUN], ["00:00", "03:30"]),
        durationMinutes: 120,
      });
      expect(result).toEqual([utc(2027, 3, 14, 5), utc(2027, 3, 14, 5, 30)]);
    });

    it("New York spring forward: hour-long sessions in 00:00–04:00 (01:30 EST ends 03:30 EDT)", () => {
      const result = starts({
        timezone: NEW_YORK,
        from: utc(2027, 3, 13),
        to: utc(2027, 3, 15),
        weeklyRules: weekly([SUN], ["00:00", "04:00"]),
        durationMinutes: 60,
      });
      expect(wallClocks(NEW_YORK, result).map((w) => w.slice(11))).toEqual([
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
      ]);
      expect(result).toEqual([...series(utc(2027, 3, 14, 5), 4), utc(2027, 3, 14, 7)]);
    });

    it("New York fall back: 2-hour sessions in 00:00–02:00 fit from 00:00, 00:30 and 01:00 EDT", () => {
      // The range lasts 3 real hours (04:00Z–07:00Z); 01:00 EDT + 2h = 02:00 EST exactly.
      const result = starts({
        timezone: NEW_YORK,
        from: utc(2027, 11, 6),
        to: utc(2027, 11, 8),
        weeklyRules: weekly([SUN], ["00:00", "02:00"]),
        durationMinutes: 120,
      });
      expect(result).toEqual([utc(2027, 11, 7, 4), utc(2027, 11, 7, 4, 30), utc(2027, 11, 7, 5)]);
    });

    it("Lord Howe DST start: 90-minute sessions in 00:00–03:00 start at 00:00, 00:30, 01:00", () => {
      // 01:00 +10:30 + 90 min = 03:00 +11 exactly; 01:30 would end 03:30 (wall arithmetic: 03:00).
      const result = starts({
        timezone: LORD_HOWE,
        from: utc(2027, 10, 1),
        to: utc(2027, 10, 4),
        weeklyRules: weekly([SUN], ["00:00", "03:00"]),
        durationMinutes: 90,
      });
      expect(result).toEqual([
        utc(2027, 10, 2, 13, 30),
        utc(2027, 10, 2, 14),
        utc(2027, 10, 2, 14, 30),
      ]);
    });

    it("Lord Howe DST end: 90-minute sessions in 00:00–02:00 start at 00:00, 00:30, 01:00", () => {
      // The range lasts 2h30 real (13:00Z–15:30Z); 01:00 +11 + 90 min = 02:00 +10:30 exactly.
      const result = starts({
        timezone: LORD_HOWE,
        from: utc(2027, 4, 2),
        to: utc(2027, 4, 5),
        weeklyRules: weekly([SUN], ["00:00", "02:00"]),
        durationMinutes: 90,
      });
      expect(result).toEqual([utc(2027, 4, 3, 13), utc(2027, 4, 3, 13, 30), utc(2027, 4, 3, 14)]);
    });
  });

  it("New York fall back: buffers around a booking in the repeated hour count real minutes", () => {
    // Booking 01:30–02:00 EST = 06:30Z–07:00Z. The 01:30 EDT session (05:30Z–06:00Z) has the same
    // wall times but ends 30 real minutes before it; 02:00 EST (07:00Z) starts as it ends.
    const query = {
      timezone: NEW_YORK,
      from: utc(2027, 11, 6),
      to: utc(2027, 11, 8),
      weeklyRules: weekly([SUN], ["00:00", "04:00"]),
      busy: [{ start: utc(2027, 11, 7, 6, 30), end: utc(2027, 11, 7, 7) }],
    };
    // Without buffers, 01:00 EST (06:00Z) ends as the booking begins, so it is offered (it used
    // to be missing only because the engine never reached the repeated hour).
    expect(starts(query)).toEqual([
      ...series(utc(2027, 11, 7, 4), 5),
      ...series(utc(2027, 11, 7, 7), 4),
    ]);
    // 15 + 15 = 30 minutes apart: 01:30 EDT and 02:30 EST are exactly far enough; 01:00 EST and
    // 02:00 EST are not.
    expect(starts({ ...query, bufferBeforeMinutes: 15, bufferAfterMinutes: 15 })).toEqual([
      ...series(utc(2027, 11, 7, 4), 4),
      ...series(utc(2027, 11, 7, 7, 30), 3),
    ]);
    // 16 + 15 = 31 minutes: both neighbours are now a minute too close.
    expect(starts({ ...query, bufferBeforeMinutes: 16, bufferAfterMinutes: 15 })).toEqual([
      ...series(utc(2027, 11, 7, 4), 3),
      ...series(utc(2027, 11, 7, 8), 2),
    ]);
  });
});

// ---- Daylight saving: a whole year per zone ------------------------------------------------------

describe("DST: a whole year (2027) in each zone", () => {
  const yearQuery = { from: utc(2026, 12, 31, 12), to: utc(2028, 1, 1, 12) };
  const dates2027 = calendarDates("2027-01-01", "2027-12-31");
  const of2027 = (grouped: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(grouped).filter(([date]) => date.startsWith("2027-")));

  it.each([NEW_YORK, LONDON, SYDNEY, LORD_HOWE, KOLKATA])(
    "%s: every local date of 2027 has exactly the 16 starts 09:00..16:30",
    (zone) => {
      const result = starts({
        timezone: zone,
        ...yearQuery,
        weeklyRules: weekly(EVERY_DAY, ["09:00", "17:00"]),
      });
      expect(of2027(byLocalDate(zone, result))).toEqual(
        Object.fromEntries(dates2027.map((d) => [d, times("09:00", "16:30")])),
      );
      expectStrictlyAscendingIntegers(result);
    },
  );

  // The night the clocks go back, the repeated times are offered at both occurrences (distinct
  // instants, still strictly ascending); this test used to say "no time is offered twice", from
  // when the engine stepped in wall-clock terms and skipped the second occurrence.
  it.each([
    {
      zone: NEW_YORK,
      gapDay: "2027-03-14",
      gapDayTimes: ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"],
      repeatDay: "2027-11-07",
      repeatDayTimes: [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "01:00",
        "01:30",
        ...times("02:00", "03:30"),
      ],
    },
    {
      zone: LONDON,
      gapDay: "2027-03-28",
      gapDayTimes: ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"],
      repeatDay: "2027-10-31",
      repeatDayTimes: [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "01:00",
        "01:30",
        ...times("02:00", "03:30"),
      ],
    },
    {
      zone: SYDNEY,
      gapDay: "2027-10-03",
      gapDayTimes: ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"],
      repeatDay: "2027-04-04",
      repeatDayTimes: [...times("00:00", "02:30"), "02:00", "02:30", "03:00", "03:30"],
    },
    {
      zone: LORD_HOWE,
      gapDay: "2027-10-03",
      gapDayTimes: ["00:00", "00:30", "01:00", "01:30", "02:30", "03:00", "03:30"],
      repeatDay: "2027-04-04",
      repeatDayTimes: [...times("00:00", "01:30"), ...times("01:30", "03:30")],
    },
    { zone: KOLKATA, gapDay: "no date", gapDayTimes: [], repeatDay: "no date", repeatDayTimes: [] },
  ])(
    "$zone: 00:00–04:00 every night; $gapDay loses times, $repeatDay offers the repeated ones twice",
    ({ zone, gapDay, gapDayTimes, repeatDay, repeatDayTimes }) => {
      const result = starts({
        timezone: zone,
        ...yearQuery,
        weeklyRules: weekly(EVERY_DAY, ["00:00", "04:00"]),
      });
      const expected = Object.fromEntries(
        dates2027.map((d) => [
          d,
          d === gapDay ? gapDayTimes : d === repeatDay ? repeatDayTimes : times("00:00", "03:30"),
        ]),
      );
      expect(of2027(byLocalDate(zone, result))).toEqual(expected);
      expectStrictlyAscendingIntegers(result);
    },
  );
});

// ---- Clients in another zone ---------------------------------------------------------------------

describe("offered instants read in the client's zone", () => {
  /** The coach's daily 09:00 start over a span of days (one 30-minute session a day). */
  const nineOClocks = (zone: string, from: number, to: number) =>
    starts({ timezone: zone, from, to, weeklyRules: weekly(EVERY_DAY, ["09:00", "09:30"]) });

  it("a London coach's 09:00 reads 04:00 in New York, but 05:00 in the weeks only New York has shifted (March)", () => {
    const result = nineOClocks(LONDON, utc(2027, 3, 7), utc(2027, 4, 4));
    expect(wallClocks(LONDON, result)).toEqual(
      calendarDates("2027-03-07", "2027-04-03").map((d) => `${d} 09:00`),
    );
    expect(wallClocks(NEW_YORK, result)).toEqual([
      ...calendarDates("2027-03-07", "2027-03-13").map((d) => `${d} 04:00`),
      ...calendarDates("2027-03-14", "2027-03-27").map((d) => `${d} 05:00`),
      ...calendarDates("2027-03-28", "2027-04-03").map((d) => `${d} 04:00`),
    ]);
    expect(result).toContain(utc(2027, 3, 20, 9)); // Saturday 20 March: 09:00 GMT = 05:00 EDT
    expect(result).toContain(utc(2027, 3, 28, 8)); // Sunday 28 March: 09:00 BST = 04:00 EDT
  });

  it("a London coach's 09:00 reads 05:00 in New York in the week between the two autumn changes", () => {
    const result = nineOClocks(LONDON, utc(2027, 10, 24), utc(2027, 11, 14));
    expect(wallClocks(NEW_YORK, result)).toEqual([
      ...calendarDates("2027-10-24", "2027-10-30").map((d) => `${d} 04:00`),
      ...calendarDates("2027-10-31", "2027-11-06").map((d) => `${d} 05:00`),
      ...calendarDates("2027-11-07", "2027-11-13").map((d) => `${d} 04:00`),
    ]);
    expect(result).toContain(utc(2027, 10, 31, 9)); // Sunday 31 October: 09:00 GMT = 05:00 EDT
    expect(result).toContain(utc(2027, 11, 7, 9)); // Sunday 7 November: 09:00 GMT = 04:00 EST
  });

  it("a New York coach's 09:00 reads 14:00/13:00 in London and 19:30/18:30 in Kolkata", () => {
    const spring = nineOClocks(NEW_YORK, utc(2027, 3, 7, 12), utc(2027, 4, 4, 12));
    expect(wallClocks(NEW_YORK, spring)).toEqual(
      calendarDates("2027-03-07", "2027-04-03").map((d) => `${d} 09:00`),
    );
    expect(wallClocks(LONDON, spring)).toEqual([
      ...calendarDates("2027-03-07", "2027-03-13").map((d) => `${d} 14:00`),
      ...calendarDates("2027-03-14", "2027-03-27").map((d) => `${d} 13:00`),
      ...calendarDates("2027-03-28", "2027-04-03").map((d) => `${d} 14:00`),
    ]);
    expect(wallClocks(KOLKATA, spring)).toEqual([
      ...calendarDates("2027-03-07", "2027-03-13").map((d) => `${d} 19:30`),
      ...calendarDates("2027-03-14", "2027-04-03").map((d) => `${d} 18:30`),
    ]);
    const autumn = nineOClocks(NEW_YORK, utc(2027, 10, 24, 12), utc(2027, 11, 14, 12));
    expect(wallClocks(LONDON, autumn)).toEqual([
      ...calendarDates("2027-10-24", "2027-10-30").map((d) => `${d} 14:00`),
      ...calendarDates("2027-10-31", "2027-11-06").map((d) => `${d} 13:00`),
      ...calendarDates("2027-11-07", "2027-11-13").map((d) => `${d} 14:00`),
    ]);
    expect(wallClocks(KOLKATA, autumn)).toEqual([
      ...calendarDates("2027-10-24", "2027-11-06").map((d) => `${d} 18:30`),
      ...calendarDates("2027-11-07", "2027-11-13").map((d) => `${d} 19:30`),
    ]);
  });

  it("a Sydney coach's 09:00 reads the evening before or midnight in London, as each zone shifts (April)", () => {
    const result = nineOClocks(SYDNEY, utc(2027, 3, 21, 12), utc(2027, 4, 11, 12));
    expect(wallClocks(SYDNEY, result)).toEqual(
      calendarDates("2027-03-22", "2027-04-11").map((d) => `${d} 09:00`),
    );
    expect(wallClocks(LONDON, result)).toEqual([
      // AEDT (+11) and GMT: Sydney's Sunday 28 March 09:00 is still GMT in London (Mar 27 22:00Z).
      ...calendarDates("2027-03-22", "2027-03-28").map((d) => `${previousDate(d)} 22:00`),
      // AEDT and BST.
      ...calendarDates("2027-03-29", "2027-04-03").map((d) => `${previousDate(d)} 23:00`),
      // AEST (+10) and BST: 23:00Z the evening before is midnight in London, on the same date.
      ...calendarDates("2027-04-04", "2027-04-11").map((d) => `${d} 00:00`),
    ]);
    expect(result).toContain(utc(2027, 3, 27, 22));
    expect(result).toContain(utc(2027, 4, 3, 23));
  });

  it("a Sydney coach's 09:00 in London around October (Sydney shifts first, London later)", () => {
    const result = nineOClocks(SYDNEY, utc(2027, 9, 25, 12), utc(2027, 11, 7, 12));
    expect(wallClocks(LONDON, result)).toEqual([
      ...calendarDates("2027-09-26", "2027-10-02").map((d) => `${d} 00:00`),
      ...calendarDates("2027-10-03", "2027-10-31").map((d) => `${previousDate(d)} 23:00`),
      ...calendarDates("2027-11-01", "2027-11-07").map((d) => `${previousDate(d)} 22:00`),
    ]);
  });

  it("a Kolkata coach's 09:00 is 03:30Z every day; London and New York readings move on different dates", () => {
    const result = nineOClocks(KOLKATA, utc(2027, 3, 8), utc(2027, 4, 5));
    const dates = calendarDates("2027-03-08", "2027-04-04");
    expect(result).toEqual(dates.map((d) => Date.parse(`${d}T03:30Z`)));
    expect(wallClocks(LONDON, result)).toEqual([
      ...calendarDates("2027-03-08", "2027-03-27").map((d) => `${d} 03:30`),
      ...calendarDates("2027-03-28", "2027-04-04").map((d) => `${d} 04:30`),
    ]);
    // 14 March 03:30Z is before New York's change at 07:00Z, so it still reads EST.
    expect(wallClocks(NEW_YORK, result)).toEqual([
      ...calendarDates("2027-03-08", "2027-03-14").map((d) => `${previousDate(d)} 22:30`),
      ...calendarDates("2027-03-15", "2027-04-04").map((d) => `${previousDate(d)} 23:30`),
    ]);
  });

  it("a Lord Howe coach's 09:00 reads 09:00 in Sydney in summer and 08:30 in winter", () => {
    const result = starts({
      timezone: LORD_HOWE,
      from: utc(2027, 4, 1, 12),
      to: utc(2027, 10, 4, 12),
      weeklyRules: weekly(EVERY_DAY, ["09:00", "09:30"]),
    });
    const reading = (date: string) =>
      wallClock(
        SYDNEY,
        result.find((s) => wallClock(LORD_HOWE, s).startsWith(date))!,
      );
    expect(reading("2027-04-03")).toBe("2027-04-03 09:00");
    expect(reading("2027-04-04")).toBe("2027-04-04 08:30");
    expect(reading("2027-10-02")).toBe("2027-10-02 08:30");
    expect(reading("2027-10-03")).toBe("2027-10-03 09:00");
  });

  it("the Lord Howe transition night read in Sydney: the zones change half an hour apart", () => {
    const query = { timezone: LORD_HOWE, weeklyRules: weekly([SUN], ["00:00", "04:00"]) };
    const april = starts({ ...query, from: utc(2027, 4, 2), to: utc(2027, 4, 5) });
    // Lord Howe's second 01:30 (+10:30, 15:00Z) is Sydney 02:00 AEDT; Lord Howe 02:00 (+10:30) is
    // Sydney 02:30 AEDT; Lord Howe 02:30 and 03:00 are Sydney's second 02:00 and 02:30 (AEST).
    expect(wallClocks(SYDNEY, april).map((w) => w.slice(11))).toEqual([
      "00:00",
      "00:30",
      "01:00",
      "01:30",
      "02:00",
      "02:30",
      "02:00",
      "02:30",
      "03:00",
    ]);
    const october = starts({ ...query, from: utc(2027, 10, 1), to: utc(2027, 10, 4) });
    expect(wallClocks(SYDNEY, october)).toEqual([
      "2027-10-02 23:30",
      ...["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"].map((t) => `2027-10-03 ${t}`),
    ]);
  });
});

// ---- Output shape --------------------------------------------------------------------------------

describe("output", () => {
  it("is sorted ascending with no duplicates when ranges overlap and rules come out of order", () => {
    const result = starts({
      ...MONDAY_QUERY,
      weeklyRules: [
        ...weekly([MON], ["14:00", "15:00"]),
        ...weekly([MON], ["09:15", "11:00"], ["09:00", "11:00"], ["10:00", "11:00"]),
      ],
    });
    expect(result).toEqual(
      ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "14:00", "14:30"].map(
        istMonday,
      ),
    );
    expectStrictlyAscendingIntegers(result);
  });

  it("does not depend on the order of the bookings", () => {
    const busy = [
      { start: istMonday("12:00"), end: istMonday("13:00") },
      { start: istMonday("09:30"), end: istMonday("10:00") },
    ];
    const base = {
      ...MONDAY_QUERY,
      weeklyRules: weekly([MON], ["09:00", "17:00"]),
      bufferAfterMinutes: 10,
    };
    expect(starts({ ...base, busy })).toEqual(starts({ ...base, busy: [...busy].reverse() }));
    expect(starts({ ...base, busy })).toEqual(
      // The 10-minute after-buffer pads the candidate too: 09:00 would end at 09:30 + 10 > 09:30.
      ["10:30", "11:00", ...times("13:30", "16:30")].map(istMonday),
    );
  });
});

// ---- Ranges that end inside a spring-forward gap -------------------------------------------------

describe("DST: a range whose end time falls in the spring-forward gap", () => {
  // The wall clock passes the (non-existent) end time at the moment of the jump, so the range ends
  // then at the latest; the starts before the gap exist and fit, and must be offered.
  it.each([
    {
      zone: NEW_YORK,
      date: "2027-03-14",
      range: ["00:00", "02:30"] as [string, string],
      expected: series(utc(2027, 3, 14, 5), 4), // 00:00–01:30 EST; 01:30 EST ends 07:00Z, the jump
    },
    {
      zone: NEW_YORK,
      date: "2027-03-14",
      range: ["00:00", "02:00"] as [string, string],
      expected: series(utc(2027, 3, 14, 5), 4),
    },
    {
      zone: LONDON,
      date: "2027-03-28",
      range: ["00:00", "01:30"] as [string, string],
      expected: [utc(2027, 3, 28, 0), utc(2027, 3, 28, 0, 30)], // 00:30 GMT ends 01:00Z, the jump
    },
    {
      zone: SYDNEY,
      date: "2027-10-03",
      range: ["00:00", "02:30"] as [string, string],
      expected: series(utc(2027, 10, 2, 14), 4),
    },
    {
      zone: LORD_HOWE,
      date: "2027-10-03",
      range: ["00:00", "02:15"] as [string, string],
      expected: series(utc(2027, 10, 2, 13, 30), 4), // 01:30 +10:30 ends 15:30Z, the jump
    },
  ])(
    "$zone $date, hours $range.0–$range.1: the starts before the gap are offered",
    ({ zone, date, range, expected }) => {
      const midnightUtc = Date.parse(`${date}T00:00Z`);
      const result = starts({
        timezone: zone,
        from: midnightUtc - 2 * DAY,
        to: midnightUtc + 2 * DAY,
        weeklyRules: weekly([SUN], range),
      });
      expect(result).toEqual(expected);
    },
  );
});

// ---- Limits per day and per week ------------------------------------------------------------------

describe("limits of sessions per day and per week", () => {
  const weekdays = { timezone: KOLKATA, weeklyRules: weekly(WEEKDAYS, ["09:00", "11:00"]) };
  const twoWeeks = { ...weekdays, from: utc(2027, 3, 1), to: utc(2027, 3, 15) };

  it("a day holding its limit offers nothing more; the other days are untouched", () => {
    const result = starts({
      ...twoWeeks,
      maxPerDay: 2,
      counted: [at("2027-03-01T09:00+05:30"), at("2027-03-01T10:00+05:30")],
    });
    const days = byLocalDate(KOLKATA, result);
    expect(days["2027-03-01"]).toBeUndefined();
    expect(days["2027-03-02"]).toEqual(times("09:00", "10:30"));
  });

  it("one short of the limit still offers the day", () => {
    const result = starts({ ...twoWeeks, maxPerDay: 2, counted: [at("2027-03-01T09:00+05:30")] });
    expect(byLocalDate(KOLKATA, result)["2027-03-01"]).toEqual(times("09:00", "10:30"));
  });

  it("a week (Monday to Sunday, in the coach's zone) holding its limit offers nothing more", () => {
    const result = starts({
      ...twoWeeks,
      maxPerWeek: 3,
      counted: ["2027-03-01", "2027-03-02", "2027-03-03"].map((d) => at(`${d}T09:00+05:30`)),
    });
    const days = Object.keys(byLocalDate(KOLKATA, result));
    expect(days).toEqual(["2027-03-08", "2027-03-09", "2027-03-10", "2027-03-11", "2027-03-12"]);
  });

  it("the week is the coach's: a Sunday-evening session counts in the week it ends", () => {
    // Sunday 7 March 23:30 IST is Sunday 18:00Z: still the first week in Kolkata.
    const result = starts({
      ...twoWeeks,
      maxPerWeek: 1,
      counted: [at("2027-03-07T23:30+05:30")],
    });
    expect(Object.keys(byLocalDate(KOLKATA, result))[0]).toBe("2027-03-08");
  });
});

// ---- The repeated hour is real time -----------------------------------------------------------------

describe("the repeated hour (clocks going back): the hours are real time", () => {
  const LOS_ANGELES = "America/Los_Angeles";

  it("a Los Angeles coach working 00:30–03:00 on 7 November 2027 is offered both 01:00s and both 01:30s", () => {
    // 00:30 PDT is 07:30Z; the clocks go back at 09:00Z (02:00 PDT -> 01:00 PST); 03:00 PST is
    // 11:00Z. Three and a half real hours, every 30 minutes: seven starts.
    const result = starts({
      timezone: LOS_ANGELES,
      from: utc(2027, 11, 6),
      to: utc(2027, 11, 9),
      weeklyRules: weekly([SUN], ["00:30", "03:00"]),
    });
    expect(result).toEqual([
      at("2027-11-07T00:30-07:00"),
      at("2027-11-07T01:00-07:00"),
      at("2027-11-07T01:30-07:00"),
      at("2027-11-07T01:00-08:00"),
      at("2027-11-07T01:30-08:00"),
      at("2027-11-07T02:00-08:00"),
      at("2027-11-07T02:30-08:00"),
    ]);
    expect(wallClocks(LOS_ANGELES, result).map((w) => w.slice(11))).toEqual([
      "00:30",
      "01:00",
      "01:30",
      "01:00",
      "01:30",
      "02:00",
      "02:30",
    ]);
  });

  it("hours that end in the repeated hour end the first time the clock shows their end", () => {
    // New York, 00:00–01:30 on 7 November 2027: 04:00Z to 01:30 EDT (05:30Z), not 01:30 EST.
    const result = starts({
      timezone: NEW_YORK,
      from: utc(2027, 11, 6),
      to: utc(2027, 11, 9),
      weeklyRules: weekly([SUN], ["00:00", "01:30"]),
    });
    expect(result).toEqual(series(utc(2027, 11, 7, 4), 3));
  });

  it("hours that start in the repeated hour start at its first occurrence and run on in real time", () => {
    // New York, 01:30–03:00: from 01:30 EDT (05:30Z) to 03:00 EST (08:00Z). At 06:00Z the clock
    // shows 01:00 (EST), half an hour into the hours: on the grid (01:30 - 30 minutes), offered.
    const result = starts({
      timezone: NEW_YORK,
      from: utc(2027, 11, 6),
      to: utc(2027, 11, 9),
      weeklyRules: weekly([SUN], ["01:30", "03:00"]),
    });
    expect(result).toEqual(series(utc(2027, 11, 7, 5, 30), 5));
    expect(wallClocks(NEW_YORK, result).map((w) => w.slice(11))).toEqual([
      "01:30",
      "01:00",
      "01:30",
      "02:00",
      "02:30",
    ]);
  });

  it("Santiago goes back at midnight: a Saturday 22:00–24:00 runs three real hours", () => {
    // 22:00 (-03) is Apr 4 01:00Z; 24:00 is when Sunday begins, 00:00 (-04) = 04:00Z. 23:00 and
    // 23:30 happen first at -03 (02:00Z, 02:30Z), then again at -04 (03:00Z, 03:30Z).
    const result = starts({
      timezone: "America/Santiago",
      from: utc(2027, 4, 2),
      to: utc(2027, 4, 6),
      weeklyRules: weekly([SAT], ["22:00", "24:00"]),
    });
    expect(result).toEqual(series(utc(2027, 4, 4, 1), 6));
  });
});

// ---- Midnights the clocks skip -----------------------------------------------------------------------

describe("midnights the clocks skip (America/Santiago, 5 September 2027)", () => {
  const SANTIAGO = "America/Santiago";

  it("hours touching midnight: Saturday ends at the jump, Sunday begins at 01:00, Monday at 00:00", () => {
    const result = starts({
      timezone: SANTIAGO,
      from: at("2027-09-04T00:00-04:00"),
      to: at("2027-09-07T01:00-03:00"),
      weeklyRules: weekly(EVERY_DAY, ["00:00", "01:00"], ["23:00", "24:00"]),
    });
    expect(result).toEqual([
      // Saturday 4 (-04): 00:00 and 00:30; 23:00 and 23:30, the last ending as Sunday begins.
      at("2027-09-04T00:00-04:00"),
      at("2027-09-04T00:30-04:00"),
      at("2027-09-04T23:00-04:00"),
      at("2027-09-04T23:30-04:00"),
      // Sunday 5: its first hour never happened (the day begins at 01:00, where 00:00–01:00
      // ends), so only the evening.
      at("2027-09-05T23:00-03:00"),
      at("2027-09-05T23:30-03:00"),
      // Monday 6 begins at an ordinary midnight, and Tuesday too.
      at("2027-09-06T00:00-03:00"),
      at("2027-09-06T00:30-03:00"),
      at("2027-09-06T23:00-03:00"),
      at("2027-09-06T23:30-03:00"),
      at("2027-09-07T00:00-03:00"),
      at("2027-09-07T00:30-03:00"),
    ]);
  });

  it("a New York client's week (2 to 9 September) keeps its last evening, as the next week does", () => {
    // The week's bounds are New York midnights: 2 September 04:00Z to 9 September 04:00Z. Its last
    // hour, New York's 23:00 and 23:30 on Wednesday 8 September, is Santiago's Thursday 9
    // September 00:00 and 00:30 (-03), 03:00Z and 03:30Z. (Stepping days with luxon's
    // plus({ days: 1 }) after the skipped midnight kept every later day at 01:00, so Thursday
    // "began" after the week ended and was never visited.)
    const hours = {
      timezone: SANTIAGO,
      weeklyRules: weekly(EVERY_DAY, ["00:00", "01:00"], ["20:00", "24:00"]),
    };
    const week = starts({ ...hours, from: utc(2027, 9, 2, 4), to: utc(2027, 9, 9, 4) });
    const fullDay = ["00:00", "00:30", ...times("20:00", "23:30")];
    expect(byLocalDate(SANTIAGO, week)).toEqual({
      "2027-09-02": fullDay,
      "2027-09-03": fullDay,
      "2027-09-04": fullDay,
      "2027-09-05": times("20:00", "23:30"), // its 00:00–01:00 never happened
      "2027-09-06": fullDay,
      "2027-09-07": fullDay,
      "2027-09-08": fullDay,
      "2027-09-09": ["00:00", "00:30"],
    });
    expect(wallClocks(NEW_YORK, week.slice(-2))).toEqual(["2027-09-08 23:00", "2027-09-08 23:30"]);
    // The week from 3 September offers the same times where the two weeks overlap.
    const nextWeek = starts({ ...hours, from: utc(2027, 9, 3, 4), to: utc(2027, 9, 10, 4) });
    expect(nextWeek.filter((s) => s < utc(2027, 9, 9, 4))).toEqual(
      week.filter((s) => s >= utc(2027, 9, 3, 4)),
    );
  });

  it("a time offered on the day after the skipped midnight is accepted when asked for alone", () => {
    // Monday 6 September 00:00 (-03) = 03:00Z: offered in the week, and a query for just that
    // instant (what isStartAvailable asks) finds it too.
    const hours = { timezone: SANTIAGO, weeklyRules: weekly(EVERY_DAY, ["00:00", "24:00"]) };
    const monday = at("2027-09-06T00:00-03:00");
    expect(starts({ ...hours, from: utc(2027, 9, 2), to: utc(2027, 9, 9) })).toContain(monday);
    expect(starts({ ...hours, from: monday, to: monday + 1 })).toEqual([monday]);
  });

  it("the booking window's edge is the start of a day, also counted from the day of the skipped midnight", () => {
    // Now is Sunday 5 September, the day that began at 01:00. Two days reach to the end of Tuesday
    // 7 September: the window ends when Wednesday begins, 00:00 (-03) = 03:00Z. (luxon's
    // startOf("day").plus({ days: 3 }) from Sunday gives Wednesday 01:00, an hour too late.)
    const result = starts({
      timezone: SANTIAGO,
      from: utc(2027, 9, 5),
      to: utc(2027, 9, 12),
      now: at("2027-09-05T12:00-03:00"),
      bookingWindowDays: 2,
      weeklyRules: weekly(EVERY_DAY, ["00:00", "01:00"], ["23:00", "24:00"]),
    });
    expect(result.at(-1)).toBe(at("2027-09-07T23:30-03:00"));
    expect(result.filter((s) => s >= at("2027-09-08T00:00-03:00"))).toEqual([]);
  });

  it("limits count a day by when it begins: Sunday's sessions are Sunday's, Monday's are Monday's", () => {
    const hours = {
      timezone: SANTIAGO,
      from: utc(2027, 9, 5),
      to: utc(2027, 9, 8),
      weeklyRules: weekly(EVERY_DAY, ["00:00", "02:00"], ["22:00", "24:00"]),
      maxPerDay: 1,
    };
    // One session on Sunday at 01:00 (-03): Sunday is full, Monday 00:00 is still offered.
    const sundayFull = starts({ ...hours, counted: [at("2027-09-05T01:00-03:00")] });
    expect(byLocalDate(SANTIAGO, sundayFull)["2027-09-05"]).toBeUndefined();
    expect(byLocalDate(SANTIAGO, sundayFull)["2027-09-06"]).toEqual([
      ...times("00:00", "01:30"),
      ...times("22:00", "23:30"),
    ]);
    // One on Monday 00:00 (-03) = 03:00Z: Monday is full, Sunday is not.
    const mondayFull = starts({ ...hours, counted: [at("2027-09-06T00:00-03:00")] });
    expect(byLocalDate(SANTIAGO, mondayFull)["2027-09-06"]).toBeUndefined();
    expect(byLocalDate(SANTIAGO, mondayFull)["2027-09-05"]).toEqual([
      ...times("01:00", "01:30"),
      ...times("22:00", "23:30"),
    ]);
  });
});

// ---- Every offered time, chosen back ---------------------------------------------------------------

/**
 * An independent reading of the rules, for the property tests below: Intl's local reading of every
 * minute around the dates, scanned in order. A range's boundary is the first minute whose reading
 * is at or after it; a start is any minute between them, far enough from the end, whose reading is
 * on the range's grid. (Whole-minute offsets only, as every zone here has.)
 */
function referenceStarts(
  zone: string,
  weeklyRules: WeeklyRule[],
  durationMinutes: number,
  intervalMinutes: number,
  from: number,
  to: number,
): number[] {
  const scanFrom = from - 3 * DAY;
  const readings: number[] = []; // local wall time in minutes since 1970-01-01, per real minute
  const formatter = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    hourCycle: "h23",
  });
  for (let t = scanFrom; t < to + 3 * DAY; t += MINUTE) {
    const p = Object.fromEntries(formatter.formatToParts(t).map((x) => [x.type, Number(x.value)]));
    readings.push(Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) / MINUTE);
  }
  const instantAt = (i: number) => scanFrom + i * MINUTE;
  const firstAtOrAfter = (wallMinute: number) => readings.findIndex((r) => r >= wallMinute);
  const firstDay = Math.floor(readings[0]! / 1440) + 1;
  const lastDay = Math.floor(readings.at(-1)! / 1440) - 1;
  const found = new Set<number>();
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    for (const rule of weeklyRules.filter((r) => r.weekday === weekday)) {
      const start = firstAtOrAfter(day * 1440 + rule.startMinute);
      const end = firstAtOrAfter(day * 1440 + rule.endMinute);
      for (let i = start; i + durationMinutes <= end; i++) {
        const offGrid = (readings[i]! - (day * 1440 + rule.startMinute)) % intervalMinutes;
        const instant = instantAt(i);
        if (offGrid === 0 && instant >= from && instant < to) found.add(instant);
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}

describe("every offered time, chosen back, around clock changes in many zones", () => {
  const cases = [
    { zone: "America/Santiago", date: "2027-04-04" },
    { zone: "America/Santiago", date: "2027-09-05" },
    { zone: "America/Havana", date: "2027-03-14" },
    { zone: "America/Havana", date: "2027-11-07" },
    { zone: "Asia/Beirut", date: "2027-03-28" },
    { zone: "Asia/Beirut", date: "2027-10-31" },
    { zone: "America/Asuncion", date: "2023-10-01" },
    { zone: "America/Asuncion", date: "2024-03-24" },
    { zone: "America/Los_Angeles", date: "2027-11-07" },
    { zone: NEW_YORK, date: "2027-03-14" },
    { zone: LONDON, date: "2027-10-31" },
    { zone: LORD_HOWE, date: "2027-04-04" },
    { zone: LORD_HOWE, date: "2027-10-03" },
    { zone: "Pacific/Chatham", date: "2027-04-04" },
    { zone: "Pacific/Chatham", date: "2027-09-26" },
    { zone: "Pacific/Apia", date: "2011-12-30" },
    { zone: KOLKATA, date: "2027-03-14" },
  ];
  const shapes = [
    {
      name: "round the clock, hour-long sessions every 30 minutes",
      duration: 60,
      interval: 30,
      ranges: [["00:00", "24:00"]],
    },
    {
      name: "hours touching both midnights",
      duration: 30,
      interval: 30,
      ranges: [
        ["00:00", "01:30"],
        ["22:30", "24:00"],
      ],
    },
    {
      name: "45-minute sessions every 25 minutes from 00:10",
      duration: 45,
      interval: 25,
      ranges: [
        ["00:10", "04:00"],
        ["21:00", "24:00"],
      ],
    },
  ] as const;

  describe.each(cases)("$zone around $date", ({ zone, date }) => {
    const middle = Date.parse(`${date}T12:00Z`);
    const from = middle - 3 * DAY;
    const to = middle + 3 * DAY;

    it.each(shapes)("$name", ({ duration, interval, ranges }) => {
      const weeklyRules = weekly(EVERY_DAY, ...(ranges as unknown as Array<[string, string]>));
      const query = {
        timezone: zone,
        weeklyRules,
        durationMinutes: duration,
        slotIntervalMinutes: interval,
        // Some dates are in the past of the default `now`.
        now: from - DAY,
      };
      const offered = starts({ ...query, from, to });
      expect(offered.length).toBeGreaterThan(0);
      expectStrictlyAscendingIntegers(offered);
      // The same starts as the independent reading of the rules.
      expect(offered).toEqual(referenceStarts(zone, weeklyRules, duration, interval, from, to));
      // Chosen back: each offered start, asked for alone, is offered (isStartAvailable's question).
      for (const start of offered)
        expect(starts({ ...query, from: start, to: start + 1 })).toEqual([start]);
      // And asked for alone, a time not offered is not: every 5 minutes of the window.
      const offeredSet = new Set(offered);
      for (let t = from; t < to; t += 5 * MINUTE)
        if (!offeredSet.has(t)) expect(starts({ ...query, from: t, to: t + 1 })).toEqual([]);
      // Day by day (as a week view asks), the days' starts add up to the whole, each once.
      const dates = calendarDates(localDateOf(zone, from), localDateOf(zone, to));
      const byDay = dates.flatMap((d, i) => {
        const next = dates[i + 1];
        const dayFrom = Math.max(from, startOfLocalDate(zone, d));
        const dayTo = next ? Math.min(to, startOfLocalDate(zone, next)) : to;
        return dayFrom < dayTo ? starts({ ...query, from: dayFrom, to: dayTo }) : [];
      });
      expect(byDay).toEqual(offered);
    });

    it("days begin where the independent reading says, and partition time", () => {
      // The first minute whose Intl reading is on the date (or later) is when the day begins.
      const dates = calendarDates(
        new Date(from).toISOString().slice(0, 10),
        new Date(to).toISOString().slice(0, 10),
      );
      for (const d of dates) {
        const begins = startOfLocalDate(zone, d);
        expect(wallClock(zone, begins) >= `${d} 00:00`).toBe(true);
        expect(wallClock(zone, begins - MINUTE) < `${d} 00:00`).toBe(true);
        expect(localDateOf(zone, begins)).toBe(d === "2011-12-30" ? "2011-12-31" : d);
        expect(localDateOf(zone, begins - 1)).not.toBe(d);
      }
    });
  });
});
