/**
 * The availability editor's server side: what a coach's weekly hours, date overrides, booking rules
 * and timezone look like in its forms, the schemas that check what comes back (every zod schema of
 * the editor lives here, so none reaches the browser), the writes that save them, and the preview
 * of the next two weeks from the same engine the booking wizard asks (`findAvailableStarts`).
 *
 * Hours are typed as text, one line per weekday ("09:00–12:30, 13:30–17:00"), so the forms work
 * without JavaScript. Ranges that overlap or touch are refused rather than merged: the engine reads
 * each range on its own (a session never runs from one range into the next), so two touching ranges
 * would not mean the same as the one range a coach probably had in mind.
 */
import { and, asc, eq, gte, lte } from "drizzle-orm";
import { DateTime } from "luxon";
import * as z from "zod";
import type { User } from "~/auth/accounts.server";
import { findBookableOffer } from "~/catalogue/catalogue.server";
import { canonicalTimeZone } from "~/lib/timezones";
import { writeTransaction, type DbOrTx } from "~db/database.server";
import {
  availabilityOverrides,
  availabilityRules,
  coachServices,
  coaches,
  services,
} from "~db/schema";
import { findAvailableStarts, loadBookingRules } from "./availability.server";
import type { BookingRules, MinuteRange } from "./engine";

type Reader = Pick<DbOrTx, "select">;

// ---- Weekdays and ranges as text ----------------------------------------------------------------

/** The weekly hours form's fields, Monday first (ISO weekdays, as the rules table counts). */
export const WEEKDAYS = [
  { weekday: 1, field: "monday", name: "Monday" },
  { weekday: 2, field: "tuesday", name: "Tuesday" },
  { weekday: 3, field: "wednesday", name: "Wednesday" },
  { weekday: 4, field: "thursday", name: "Thursday" },
  { weekday: 5, field: "friday", name: "Friday" },
  { weekday: 6, field: "saturday", name: "Saturday" },
  { weekday: 7, field: "sunday", name: "Sunday" },
] as const;

export type WeekdayField = (typeof WEEKDAYS)[number]["field"];
export type WeeklyHours = Record<WeekdayField, MinuteRange[]>;

const DAY_MINUTES = 24 * 60;
/** More ranges than this in one day is a typing accident, not a working day. */
const MAX_RANGES_PER_DAY = 12;
const MAX_RANGES_TEXT = 200;

/** "09:00", and "24:00" for the end of the day. */
export function formatMinute(minute: number): string {
  const hours = Math.floor(minute / 60);
  return `${String(hours).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** "09:00–12:30, 13:30–17:00": ranges as the forms show them. */
export function formatRanges(ranges: MinuteRange[]): string {
  return ranges
    .map((range) => `${formatMinute(range.startMinute)}–${formatMinute(range.endMinute)}`)
    .join(", ");
}

export type ParsedRanges = { ok: true; ranges: MinuteRange[] } | { ok: false; message: string };

/** Ranges are separated by commas, semicolons, new lines or "and". */
const RANGE_SEPARATOR = /\s*[,;\n]\s*|\s+and\s+/i;
/** "9", "09", "9:30", "09.30", then a dash (- – —) or "to", then another time. */
const RANGE = /^(\d{1,2}(?:[:.]\d{2})?)\s*(?:-|–|—|to)\s*(\d{1,2}(?:[:.]\d{2})?)$/i;

/** Minutes after midnight of "9", "09:30" or "9.30"; null when it is not a time of day. */
function parseTime(text: string): number | null {
  const [hours, minutes = "0"] = text.split(/[:.]/);
  const minute = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) > 59 || minute > DAY_MINUTES) return null;
  return minute;
}

/**
 * A day's ranges from text such as "09:00–12:30, 13:30–17:00" (empty: not working), sorted; or a
 * message naming the day (`label`) and the ranges at fault.
 */
export function parseRanges(text: string, label: string): ParsedRanges {
  const pieces = text
    .trim()
    .split(RANGE_SEPARATOR)
    .filter((piece) => piece.length > 0);
  if (pieces.length > MAX_RANGES_PER_DAY)
    return { ok: false, message: `${label}: at most ${MAX_RANGES_PER_DAY} ranges.` };
  const ranges: MinuteRange[] = [];
  for (const piece of pieces) {
    const range = parseRange(piece, label);
    if ("message" in range) return { ok: false, message: range.message };
    ranges.push(range);
  }
  ranges.sort((a, b) => a.startMinute - b.startMinute);
  const clash = findClash(ranges, label);
  return clash ? { ok: false, message: clash } : { ok: true, ranges };
}

function parseRange(piece: string, label: string): MinuteRange | { message: string } {
  const match = piece.match(RANGE);
  if (!match) return { message: `${label}: “${piece}” isn’t a range of times like 09:00–12:30.` };
  const [start, end] = [parseTime(match[1]!), parseTime(match[2]!)];
  if (start === null || end === null) {
    const wrong = start === null ? match[1] : match[2];
    return { message: `${label}: “${wrong}” isn’t a time of day (00:00 to 24:00).` };
  }
  const shown = `${formatMinute(start)}–${formatMinute(end)}`;
  if (end < start) return { message: `${label}: ${shown} ends before it starts.` };
  if (end === start) return { message: `${label}: ${shown} ends when it starts.` };
  return { startMinute: start, endMinute: end };
}

/** The message for the first pair of (start-sorted) ranges that overlap or touch, if any. */
function findClash(ranges: MinuteRange[], label: string): string | null {
  for (let i = 1; i < ranges.length; i++) {
    const [previous, next] = [ranges[i - 1]!, ranges[i]!];
    const pair = `${formatRanges([previous])} and ${formatRanges([next])}`;
    if (next.startMinute < previous.endMinute) return `${label}: ${pair} overlap.`;
    if (next.startMinute === previous.endMinute) {
      const joined = formatRanges([
        {
          startMinute: previous.startMinute,
          endMinute: Math.max(previous.endMinute, next.endMinute),
        },
      ]);
      return `${label}: ${pair} touch; write them as one range, ${joined}.`;
    }
  }
  return null;
}

/** A form field of ranges as text: empty is no ranges, anything else must parse. */
function rangesField(label: string) {
  return z
    .string()
    .max(MAX_RANGES_TEXT, `${label}: at most ${MAX_RANGES_TEXT} characters.`)
    .optional()
    .transform((text, ctx) => {
      const parsed = parseRanges(text ?? "", label);
      if (parsed.ok) return parsed.ranges;
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    });
}

// ---- Who may edit whose availability ----------------------------------------------------------

export type EditableCoach = { id: number; name: string; timezone: string; active: boolean };
export type CoachAccess = { found: EditableCoach } | { refused: "not_found" | "forbidden" };

/** The coach whose availability this user may edit: the owner any coach, a coach only their own. */
export function coachForEditing(db: Reader, user: User, idParam: string | undefined): CoachAccess {
  const id = /^\d{1,9}$/.test(idParam ?? "") ? Number(idParam) : null;
  const coach =
    id === null
      ? undefined
      : db
          .select({
            id: coaches.id,
            name: coaches.name,
            timezone: coaches.timezone,
            active: coaches.active,
          })
          .from(coaches)
          .where(eq(coaches.id, id))
          .get();
  if (!coach) return { refused: "not_found" };
  if (user.role !== "owner" && user.coachId !== coach.id) return { refused: "forbidden" };
  return { found: coach };
}

// ---- Weekly hours -------------------------------------------------------------------------------

export const weeklyHoursSchema = z.object({
  monday: rangesField("Monday"),
  tuesday: rangesField("Tuesday"),
  wednesday: rangesField("Wednesday"),
  thursday: rangesField("Thursday"),
  friday: rangesField("Friday"),
  saturday: rangesField("Saturday"),
  sunday: rangesField("Sunday"),
});

export function loadWeeklyHours(db: Reader, coachId: number): WeeklyHours {
  const rows = db
    .select({
      weekday: availabilityRules.weekday,
      startMinute: availabilityRules.startMinute,
      endMinute: availabilityRules.endMinute,
    })
    .from(availabilityRules)
    .where(eq(availabilityRules.coachId, coachId))
    .orderBy(asc(availabilityRules.weekday), asc(availabilityRules.startMinute))
    .all();
  const byDay = (weekday: number) =>
    rows
      .filter((row) => row.weekday === weekday)
      .map(({ startMinute, endMinute }) => ({ startMinute, endMinute }));
  return Object.fromEntries(WEEKDAYS.map((day) => [day.field, byDay(day.weekday)])) as WeeklyHours;
}

/** Replaces the coach's weekly hours with these, all at once. */
export function saveWeeklyHours(db: DbOrTx, coachId: number, hours: WeeklyHours): void {
  const rows = WEEKDAYS.flatMap((day) =>
    hours[day.field].map((range) => ({ coachId, weekday: day.weekday, ...range })),
  );
  writeTransaction(db, (tx) => {
    tx.delete(availabilityRules).where(eq(availabilityRules.coachId, coachId)).run();
    if (rows.length > 0) tx.insert(availabilityRules).values(rows).run();
  });
}

// ---- Date overrides -----------------------------------------------------------------------------

/** The longest stretch of dates one submission may change (a year, leap day included). */
export const MAX_OVERRIDE_DAYS = 366;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The coach's date today ("2027-03-14"), in their zone. */
export function todayIn(zone: string, now: Date): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}

const isRealDate = (text: string) =>
  ISO_DATE.test(text) && DateTime.fromISO(text, { zone: "UTC" }).isValid;

/** Calendar dates from `from` to `to`, both included (calendar arithmetic: no clocks involved). */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  const last = DateTime.fromISO(to, { zone: "UTC" });
  for (let day = DateTime.fromISO(from, { zone: "UTC" }); day <= last; day = day.plus({ days: 1 }))
    dates.push(day.toISODate()!);
  return dates;
}

function dateField(missing: string) {
  return z
    .string({ error: missing })
    .trim()
    .refine(isRealDate, { message: "Enter a date like 2027-12-24.", abort: true });
}

/**
 * Adding dates that depart from the weekly hours: one date, or `from` to `to` (inclusive), from
 * `today` (the coach's) on; a day off, or special hours that replace the weekly ones on those dates.
 */
export function addOverrideSchema(today: string) {
  return z
    .object({
      from: dateField("Enter the first date.").refine(
        (date) => date >= today,
        "That date has passed: choose today or a later date.",
      ),
      to: z
        .string()
        .trim()
        .refine(isRealDate, "Enter a date like 2027-12-24, or leave it empty for one day.")
        .optional(),
      kind: z.enum(["off", "hours"], { error: "Choose a day off or special hours." }),
      hours: rangesField("Special hours"),
    })
    .superRefine((value, ctx) => {
      const to = value.to ?? value.from;
      if (to < value.from)
        ctx.addIssue({
          code: "custom",
          path: ["to"],
          message: "The last date is before the first.",
        });
      else if (datesBetween(value.from, to).length > MAX_OVERRIDE_DAYS)
        ctx.addIssue({
          code: "custom",
          path: ["to"],
          message: `At most ${MAX_OVERRIDE_DAYS} days at once.`,
        });
      if (value.kind === "hours" && value.hours.length === 0)
        ctx.addIssue({
          code: "custom",
          path: ["hours"],
          message: "Enter the hours for those dates, like 10:00–14:00 (or choose a day off).",
        });
    })
    .transform(({ from, to, kind, hours }) => ({
      from,
      to: to ?? from,
      hours: kind === "off" ? null : hours,
    }));
}

export type NewOverride = z.output<ReturnType<typeof addOverrideSchema>>;

/** Which stretch of dates to set back to the weekly hours. */
export const removeOverrideSchema = z
  .object({
    from: dateField("Say which dates to remove."),
    to: dateField("Say which dates to remove."),
  })
  .refine((value) => value.from <= value.to, {
    path: ["to"],
    message: "The last date is before the first.",
  });

/**
 * Sets the dates from `from` to `to` as days off (`hours` null) or to these hours; whatever those
 * dates had before is replaced. Returns how many dates changed.
 */
export function addOverrides(db: DbOrTx, coachId: number, override: NewOverride): number {
  const dates = datesBetween(override.from, override.to);
  const rows = dates.flatMap((date): (typeof availabilityOverrides.$inferInsert)[] =>
    override.hours === null
      ? [{ coachId, date, startMinute: null, endMinute: null }]
      : override.hours.map((range) => ({ coachId, date, ...range })),
  );
  writeTransaction(db, (tx) => {
    tx.delete(availabilityOverrides)
      .where(overridesBetween(coachId, override.from, override.to))
      .run();
    tx.insert(availabilityOverrides).values(rows).run();
  });
  return dates.length;
}

/** Removes the coach's overrides from `from` to `to`; returns how many dates had one. */
export function removeOverrides(
  db: DbOrTx,
  coachId: number,
  { from, to }: { from: string; to: string },
): number {
  return writeTransaction(db, (tx) => {
    const dates = tx
      .selectDistinct({ date: availabilityOverrides.date })
      .from(availabilityOverrides)
      .where(overridesBetween(coachId, from, to))
      .all();
    tx.delete(availabilityOverrides)
      .where(overridesBetween(coachId, from, to))
      .run();
    return dates.length;
  });
}

function overridesBetween(coachId: number, from: string, to: string) {
  return and(
    eq(availabilityOverrides.coachId, coachId),
    gte(availabilityOverrides.date, from),
    lte(availabilityOverrides.date, to),
  );
}

/** One line of the overrides list: consecutive dates that depart from the week the same way. */
export type OverrideEntry = {
  from: string;
  to: string;
  /** The special hours ("10:00–14:00"), or null for days off. */
  hours: string | null;
};

/**
 * The coach's overrides from `today` on, soonest first, consecutive dates with the same hours (or
 * all off) as one entry. A date with any hours is read as those hours, as the engine reads it.
 */
export function loadUpcomingOverrides(db: Reader, coachId: number, today: string): OverrideEntry[] {
  const rows = db
    .select({
      date: availabilityOverrides.date,
      startMinute: availabilityOverrides.startMinute,
      endMinute: availabilityOverrides.endMinute,
    })
    .from(availabilityOverrides)
    .where(and(eq(availabilityOverrides.coachId, coachId), gte(availabilityOverrides.date, today)))
    .orderBy(asc(availabilityOverrides.date), asc(availabilityOverrides.startMinute))
    .all();
  const byDate = new Map<string, MinuteRange[]>();
  for (const row of rows) {
    const ranges = byDate.get(row.date) ?? [];
    if (row.startMinute !== null && row.endMinute !== null)
      ranges.push({ startMinute: row.startMinute, endMinute: row.endMinute });
    byDate.set(row.date, ranges);
  }
  const entries: OverrideEntry[] = [];
  for (const [date, ranges] of byDate) {
    const hours = ranges.length === 0 ? null : formatRanges(ranges);
    const last = entries.at(-1);
    if (last && last.hours === hours && datesBetween(last.to, date).length === 2) last.to = date;
    else entries.push({ from: date, to: date, hours });
  }
  return entries;
}

const longDate = (date: string) =>
  DateTime.fromISO(date, { zone: "UTC" }).setLocale("en-GB").toFormat("cccc d LLLL yyyy");

/** "Friday 24 December 2027", or "Monday 20 December 2027 to Friday 31 December 2027". */
export function describeDates(from: string, to: string): string {
  return from === to ? longDate(from) : `${longDate(from)} to ${longDate(to)}`;
}

// ---- Booking rules and timezone -----------------------------------------------------------------

export const SLOT_INTERVALS = [5, 10, 15, 20, 30, 45, 60, 90, 120] as const;
export const MAX_NOTICE_HOURS = 720;
export const MAX_WINDOW_DAYS = 730;
export const MAX_BUFFER_MINUTES = 240;
const MAX_LIMIT = 1000;

function wholeNumber(what: string, min: number, max: number, bounds: string) {
  return z
    .number({ error: `Enter ${what}.` })
    .int(`Enter ${what}.`)
    .min(min, bounds)
    .max(max, bounds);
}

function limitField(per: string) {
  return z
    .number({ error: `Enter a whole number of sessions a ${per}, or leave it empty for no limit.` })
    .int(`Enter a whole number of sessions a ${per}, or leave it empty for no limit.`)
    .min(1, "At least 1, or leave it empty for no limit.")
    .max(MAX_LIMIT, `At most ${MAX_LIMIT}, or leave it empty for no limit.`)
    .optional();
}

export const bookingRulesSchema = z
  .object({
    noticeHours: z
      .number({ error: "Enter the notice in hours, like 12 or 1.5." })
      .min(0, `Between 0 and ${MAX_NOTICE_HOURS} hours.`)
      .max(MAX_NOTICE_HOURS, `Between 0 and ${MAX_NOTICE_HOURS} hours.`),
    windowDays: wholeNumber(
      "a whole number of days, like 60",
      1,
      MAX_WINDOW_DAYS,
      `Between 1 and ${MAX_WINDOW_DAYS} days.`,
    ),
    bufferBefore: wholeNumber(
      "a whole number of minutes, like 0 or 10",
      0,
      MAX_BUFFER_MINUTES,
      `Between 0 and ${MAX_BUFFER_MINUTES} minutes.`,
    ),
    bufferAfter: wholeNumber(
      "a whole number of minutes, like 0 or 10",
      0,
      MAX_BUFFER_MINUTES,
      `Between 0 and ${MAX_BUFFER_MINUTES} minutes.`,
    ),
    interval: z
      .number({ error: "Choose one of the intervals listed." })
      .refine(
        (minutes) => (SLOT_INTERVALS as readonly number[]).includes(minutes),
        "Choose one of the intervals listed.",
      ),
    maxPerDay: limitField("day"),
    maxPerWeek: limitField("week"),
    timezone: z.string({ error: "Choose a timezone." }).transform((zone, ctx) => {
      const canonical = canonicalTimeZone(zone.trim());
      if (canonical) return canonical;
      ctx.addIssue({ code: "custom", message: "Choose a timezone from the list." });
      return z.NEVER;
    }),
  })
  .transform((value): CoachRules => ({
    minimumNoticeMinutes: Math.round(value.noticeHours * 60),
    bookingWindowDays: value.windowDays,
    bufferBeforeMinutes: value.bufferBefore,
    bufferAfterMinutes: value.bufferAfter,
    slotIntervalMinutes: value.interval,
    maxPerDay: value.maxPerDay ?? null,
    maxPerWeek: value.maxPerWeek ?? null,
    timezone: value.timezone,
  }));

export type CoachRules = BookingRules & { timezone: string };

/** The rules form's fields as text, from what is saved. */
export type RulesFields = Record<keyof z.input<typeof bookingRulesSchema>, string>;

export function rulesFields(rules: CoachRules): RulesFields {
  return {
    noticeHours: String(Math.round((rules.minimumNoticeMinutes / 60) * 100) / 100),
    windowDays: String(rules.bookingWindowDays),
    bufferBefore: String(rules.bufferBeforeMinutes),
    bufferAfter: String(rules.bufferAfterMinutes),
    interval: String(rules.slotIntervalMinutes),
    maxPerDay: rules.maxPerDay === null ? "" : String(rules.maxPerDay),
    maxPerWeek: rules.maxPerWeek === null ? "" : String(rules.maxPerWeek),
    timezone: rules.timezone,
  };
}

export function loadCoachRules(db: Reader, coachId: number): CoachRules {
  return { ...loadBookingRules(db, coachId), timezone: zoneOf(db, coachId) };
}

/** Saves how the coach can be booked, and the zone their hours are read in. */
export function saveCoachRules(db: DbOrTx, coachId: number, rules: CoachRules): void {
  writeTransaction(db, (tx) => {
    tx.update(coaches).set(rules).where(eq(coaches.id, coachId)).run();
  });
}

// ---- The editor's page, read at once --------------------------------------------------------------

export type AvailabilityEditor = {
  today: string;
  weekly: Record<WeekdayField, string>;
  overrides: OverrideEntry[];
  rules: RulesFields;
};

export function loadAvailabilityEditor(
  db: Reader,
  coach: EditableCoach,
  now: Date,
): AvailabilityEditor {
  const today = todayIn(coach.timezone, now);
  const weekly = loadWeeklyHours(db, coach.id);
  return {
    today,
    weekly: Object.fromEntries(
      WEEKDAYS.map((day) => [day.field, formatRanges(weekly[day.field])]),
    ) as Record<WeekdayField, string>,
    overrides: loadUpcomingOverrides(db, coach.id, today),
    rules: rulesFields(loadCoachRules(db, coach.id)),
  };
}

// ---- Preview --------------------------------------------------------------------------------------

export const PREVIEW_DAYS = 14;

export type PreviewService = { id: number; slug: string; name: string; durationMinutes: number };
export type Preview = {
  /** Active services the coach gives, shortest first. */
  services: PreviewService[];
  /** The service previewed: the one asked for, else the shortest; null when the coach gives none. */
  service: PreviewService | null;
  /** False when clients cannot book the coach for it at all (an inactive coach). */
  bookable: boolean;
  /** Every date of the preview in the coach's zone ("Monday 15 March"), with its bookable starts. */
  days: { date: string; heading: string; starts: number[] }[];
};

function servicesOf(db: Reader, coachId: number): PreviewService[] {
  return db
    .select({
      id: services.id,
      slug: services.slug,
      name: services.name,
      durationMinutes: services.durationMinutes,
    })
    .from(coachServices)
    .innerJoin(services, eq(services.id, coachServices.serviceId))
    .where(and(eq(coachServices.coachId, coachId), eq(services.active, true)))
    .orderBy(asc(services.durationMinutes), asc(services.sortOrder), asc(services.name))
    .all();
}

function zoneOf(db: Reader, coachId: number): string {
  const coach = db
    .select({ timezone: coaches.timezone })
    .from(coaches)
    .where(eq(coaches.id, coachId))
    .get();
  if (!coach) throw new Error(`no coach ${coachId}`);
  return coach.timezone;
}

/**
 * The coach's bookable starts from `now` to the end of the 14th day (today included), in their
 * zone, for one of their services (by slug; the shortest when not given or not theirs): exactly
 * what `findAvailableStarts` offers a client, grouped by the coach's local date.
 */
export function previewTimes(
  db: Reader,
  coachId: number,
  now: Date,
  serviceSlug?: string | null,
): Preview {
  const given = servicesOf(db, coachId);
  const service = given.find((s) => s.slug === serviceSlug) ?? given[0] ?? null;
  const offer = service ? findBookableOffer(db, coachId, service.id) : null;
  const zone = zoneOf(db, coachId);
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const starts = offer
    ? findAvailableStarts(db, offer, {
        from: now.getTime(),
        to: today.plus({ days: PREVIEW_DAYS }).toMillis(),
        now: now.getTime(),
      })
    : [];
  const days = Array.from({ length: PREVIEW_DAYS }, (_, i) => {
    const day = today.plus({ days: i });
    const next = day.plus({ days: 1 });
    return {
      date: day.toISODate()!,
      heading: day.setLocale("en-GB").toFormat("cccc d LLLL"),
      starts: starts.filter((start) => start >= day.toMillis() && start < next.toMillis()),
    };
  });
  return { services: given, service, bookable: offer !== null, days };
}
