/**
 * The availability engine: which start instants a coach can be booked at for a service.
 *
 * The maths is a pure function of plain data (`computeAvailableStarts`), so it is tested without a
 * database around real DST transitions; `findAvailableStarts` gathers that data with one query for
 * the bookings in range plus the coach's rules.
 *
 * Wall-clock rules are read in the coach's IANA zone with luxon. A local start time that does not
 * exist (the hour skipped when clocks go forward) is never offered; one that happens twice (clocks
 * going back) is offered once, at its first occurrence. A session's end is its start plus its real
 * duration, and must not pass the end of the coach's hours that day.
 */
import { and, eq, gt, inArray, isNull, lt, ne, or } from "drizzle-orm";
import { DateTime } from "luxon";
import type { Db } from "~db/database.server";
import {
  availabilityOverrides,
  availabilityRules,
  bookings,
  coachServices,
  coaches,
  practiceSettings,
  services,
  type BookingStatus,
} from "~db/schema";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export type MinuteRange = { startMinute: number; endMinute: number };
export type WeeklyRule = MinuteRange & { weekday: number };
export type DateOverride = { date: string; startMinute: number | null; endMinute: number | null };
export type Interval = { start: number; end: number };

export type BookingRules = {
  minimumNoticeMinutes: number;
  bookingWindowDays: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
};

export type AvailabilityInput = BookingRules & {
  /** The coach's IANA zone: weekly rules and overrides are read in it. */
  timezone: string;
  weeklyRules: WeeklyRule[];
  overrides: DateOverride[];
  durationMinutes: number;
  /** Existing bookings that hold their time (their own start and end, without buffers). */
  busy: Interval[];
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
  const latest = Math.min(input.to, input.now + input.bookingWindowDays * DAY);
  if (earliest >= latest || duration <= 0 || input.slotIntervalMinutes <= 0) return [];

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

// ---- The database side ---------------------------------------------------------------------------

/** Statuses whose booking holds its slot (a `held` one only until its hold expires). */
const SLOT_HOLDING: BookingStatus[] = ["confirmed", "processing", "held"];

/** Bookings of the coach that hold their time as of `now`. */
function holdsTime(coachId: number, now: number) {
  return and(
    eq(bookings.coachId, coachId),
    inArray(bookings.status, SLOT_HOLDING),
    or(
      eq(bookings.status, "confirmed"),
      eq(bookings.status, "processing"),
      gt(bookings.holdExpiresAt, new Date(now)),
    ),
  );
}

/** No session is longer than this: bounds the bookings query to an index range. */
const LONGEST_SESSION = DAY;

export type BookableOffer = {
  coach: { id: number; name: string; timezone: string };
  service: {
    id: number;
    name: string;
    durationMinutes: number;
    priceMinor: number;
    currency: string;
  };
};

/** The active coach and service, if that coach gives that service; otherwise null. */
export function findBookableOffer(
  db: Pick<Db, "select">,
  coachId: number,
  serviceId: number,
): BookableOffer | null {
  const row = db
    .select({
      coachId: coaches.id,
      coachName: coaches.name,
      timezone: coaches.timezone,
      serviceId: services.id,
      serviceName: services.name,
      durationMinutes: services.durationMinutes,
      priceMinor: services.priceMinor,
      currency: services.currency,
    })
    .from(coachServices)
    .innerJoin(coaches, eq(coaches.id, coachServices.coachId))
    .innerJoin(services, eq(services.id, coachServices.serviceId))
    .where(
      and(
        eq(coachServices.coachId, coachId),
        eq(coachServices.serviceId, serviceId),
        eq(coaches.active, true),
        eq(services.active, true),
      ),
    )
    .get();
  if (!row) return null;
  return {
    coach: { id: row.coachId, name: row.coachName, timezone: row.timezone },
    service: {
      id: row.serviceId,
      name: row.serviceName,
      durationMinutes: row.durationMinutes,
      priceMinor: row.priceMinor,
      currency: row.currency,
    },
  };
}

export function loadBookingRules(db: Pick<Db, "select">): BookingRules {
  const settings = db.select().from(practiceSettings).get();
  return {
    minimumNoticeMinutes: settings?.minimumNoticeMinutes ?? 720,
    bookingWindowDays: settings?.bookingWindowDays ?? 60,
    bufferBeforeMinutes: settings?.bufferBeforeMinutes ?? 0,
    bufferAfterMinutes: settings?.bufferAfterMinutes ?? 10,
    slotIntervalMinutes: settings?.slotIntervalMinutes ?? 30,
  };
}

/**
 * Bookings of the coach that hold time in [from, to): confirmed, processing, or held and
 * unexpired. A client's own hold (`exceptHeldFor`, their draft) does not stand in their way.
 */
export function loadBusyIntervals(
  db: Pick<Db, "select">,
  coachId: number,
  from: number,
  to: number,
  now: number,
  exceptHeldFor?: string,
): Interval[] {
  return db
    .select({ startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(
      and(
        holdsTime(coachId, now),
        gt(bookings.startAt, new Date(from - LONGEST_SESSION)),
        lt(bookings.startAt, new Date(to)),
        gt(bookings.endAt, new Date(from)),
        exceptHeldFor
          ? or(
              isNull(bookings.draftId),
              ne(bookings.draftId, exceptHeldFor),
              ne(bookings.status, "held"),
            )
          : undefined,
      ),
    )
    .all()
    .map((row) => ({ start: row.startAt.getTime(), end: row.endAt.getTime() }));
}

/** Bookable starts for an offer in [from, to), as of `now`, for the client with draft `forDraft`. */
export function findAvailableStarts(
  db: Pick<Db, "select">,
  offer: BookableOffer,
  range: { from: number; to: number; now: number; forDraft?: string },
): number[] {
  const rules = loadBookingRules(db);
  const coachId = offer.coach.id;
  const weeklyRules = db
    .select({
      weekday: availabilityRules.weekday,
      startMinute: availabilityRules.startMinute,
      endMinute: availabilityRules.endMinute,
    })
    .from(availabilityRules)
    .where(eq(availabilityRules.coachId, coachId))
    .all();
  const overrides = db
    .select({
      date: availabilityOverrides.date,
      startMinute: availabilityOverrides.startMinute,
      endMinute: availabilityOverrides.endMinute,
    })
    .from(availabilityOverrides)
    .where(eq(availabilityOverrides.coachId, coachId))
    .all();
  const padding =
    (rules.bufferBeforeMinutes + rules.bufferAfterMinutes) * MINUTE +
    offer.service.durationMinutes * MINUTE;
  return computeAvailableStarts({
    ...rules,
    timezone: offer.coach.timezone,
    weeklyRules,
    overrides,
    durationMinutes: offer.service.durationMinutes,
    busy: loadBusyIntervals(
      db,
      coachId,
      range.from - padding,
      range.to + padding,
      range.now,
      range.forDraft,
    ),
    now: range.now,
    from: range.from,
    to: range.to,
  });
}

/** Whether `startAt` is one of the offer's bookable starts right now (the check before writing). */
export function isStartAvailable(
  db: Pick<Db, "select">,
  offer: BookableOffer,
  startAt: number,
  now: number,
  forDraft?: string,
): boolean {
  return findAvailableStarts(db, offer, { from: startAt, to: startAt + 1, now, forDraft }).includes(
    startAt,
  );
}

/**
 * Whether another booking of the coach holds time that overlaps this one's (buffers included).
 * Used when a payment lands: the hours and notice were checked when the slot was held; only
 * someone else's booking can stand in the way now.
 */
export function isTakenByAnother(
  db: Pick<Db, "select">,
  booking: { id: string; coachId: number; startAt: Date; endAt: Date },
  now: number,
): boolean {
  const rules = loadBookingRules(db);
  const before = rules.bufferBeforeMinutes * MINUTE;
  const after = rules.bufferAfterMinutes * MINUTE;
  const start = booking.startAt.getTime();
  const end = booking.endAt.getTime();
  return db
    .select({ id: bookings.id, startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(
      and(
        holdsTime(booking.coachId, now),
        gt(bookings.startAt, new Date(start - before - after - LONGEST_SESSION)),
        lt(bookings.startAt, new Date(end + before + after)),
      ),
    )
    .all()
    .some(
      (other) =>
        other.id !== booking.id &&
        other.startAt.getTime() - before < end + after &&
        start - before < other.endAt.getTime() + after,
    );
}
