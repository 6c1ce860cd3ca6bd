/**
 * Availability, read from the database: gathers what the pure engine (`engine.ts`) needs (the
 * practice's rules, the coach's weekly hours and date overrides, the bookings that hold time) and
 * answers the questions the wizard and the booking lifecycle ask.
 *
 * These queries run on every time-step page and before every booking is written, so each is
 * prepared once per connection with placeholders, and a caller that has already read the coach's
 * booking rules passes them on instead of reading them again.
 */
import { and, eq, gt, inArray, isNull, lt, ne, or } from "drizzle-orm";
import type { BookableOffer } from "~/catalogue/catalogue.server";
import type { DbOrTx } from "~db/database.server";
import { placeholder, prepared } from "~db/prepared.server";
import {
  availabilityOverrides,
  availabilityRules,
  bookings,
  coaches,
  type BookingStatus,
} from "~db/schema";
import { firmBusyIntervals, intervalOf } from "./busy-cache.server";
import {
  computeAvailableStarts,
  MINUTE,
  DAY,
  weeksAround,
  type BookingRules,
  type Interval,
} from "./engine";

type Reader = Pick<DbOrTx, "select">;

/** Statuses whose booking holds its slot (a `held` one only until its hold expires). */
const SLOT_HOLDING: BookingStatus[] = ["confirmed", "processing", "held"];

/** No session is longer than this: bounds the bookings query to an index range. */
const LONGEST_SESSION = DAY;

/** Bookings of the coach (`:coachId`) that hold time as of `:now`. */
const holdsTime = () =>
  and(
    eq(bookings.coachId, placeholder("coachId")),
    inArray(bookings.status, SLOT_HOLDING),
    or(
      eq(bookings.status, "confirmed"),
      eq(bookings.status, "processing"),
      gt(bookings.holdExpiresAt, placeholder("now")),
    ),
  );

const bookingRulesQuery = (db: Reader) =>
  db
    .select({
      minimumNoticeMinutes: coaches.minimumNoticeMinutes,
      bookingWindowDays: coaches.bookingWindowDays,
      bufferBeforeMinutes: coaches.bufferBeforeMinutes,
      bufferAfterMinutes: coaches.bufferAfterMinutes,
      slotIntervalMinutes: coaches.slotIntervalMinutes,
      maxPerDay: coaches.maxPerDay,
      maxPerWeek: coaches.maxPerWeek,
    })
    .from(coaches)
    .where(eq(coaches.id, placeholder("coachId")))
    .prepare();

const weeklyRulesQuery = (db: Reader) =>
  db
    .select({
      weekday: availabilityRules.weekday,
      startMinute: availabilityRules.startMinute,
      endMinute: availabilityRules.endMinute,
    })
    .from(availabilityRules)
    .where(eq(availabilityRules.coachId, placeholder("coachId")))
    .prepare();

const overridesQuery = (db: Reader) =>
  db
    .select({
      date: availabilityOverrides.date,
      startMinute: availabilityOverrides.startMinute,
      endMinute: availabilityOverrides.endMinute,
    })
    .from(availabilityOverrides)
    .where(eq(availabilityOverrides.coachId, placeholder("coachId")))
    .prepare();

/**
 * Bookings of `:coachId` holding time as of `:now` that overlap [`:from`, `:to`): a range on
 * `start_at` (no session is longer than a day), then the overlap itself. With `heldFor`, the hold
 * of draft `:heldFor` is not in the way; with `exceptBooking`, neither is booking
 * `:exceptBooking`. One statement per combination, rather than `? is null or ...` in one: a
 * condition left out leaves its column out, so an index holding the others can answer alone.
 */
const busyQuery =
  ({ heldFor, exceptBooking }: { heldFor: boolean; exceptBooking: boolean }) =>
  (db: Reader) =>
    db
      .select({ startAt: bookings.startAt, endAt: bookings.endAt })
      .from(bookings)
      .where(
        and(
          holdsTime(),
          gt(bookings.startAt, placeholder("fromLessLongest")),
          lt(bookings.startAt, placeholder("to")),
          gt(bookings.endAt, placeholder("from")),
          heldFor
            ? or(
                isNull(bookings.draftId),
                ne(bookings.draftId, placeholder("heldFor")),
                ne(bookings.status, "held"),
              )
            : undefined,
          exceptBooking ? ne(bookings.id, placeholder("exceptBooking")) : undefined,
        ),
      )
      .prepare();

/** Unexpired holds of `:coachId` overlapping [`:from`, `:to`), but draft `:heldFor`'s own. */
const holdsQuery = (db: Reader) =>
  db
    .select({ startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(
      and(
        eq(bookings.coachId, placeholder("coachId")),
        eq(bookings.status, "held"),
        gt(bookings.startAt, placeholder("fromLessLongest")),
        lt(bookings.startAt, placeholder("to")),
        gt(bookings.endAt, placeholder("from")),
        gt(bookings.holdExpiresAt, placeholder("now")),
        or(isNull(bookings.draftId), ne(bookings.draftId, placeholder("heldFor"))),
      ),
    )
    .prepare();

/** Bookings of `:coachId` holding time as of `:now` whose start is in (`:after`, `:before`). */
const nearbyQuery = (db: Reader) =>
  db
    .select({ id: bookings.id, startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(
      and(
        holdsTime(),
        gt(bookings.startAt, placeholder("after")),
        lt(bookings.startAt, placeholder("before")),
      ),
    )
    .prepare();

/** How the coach can be booked: notice, window, buffers, interval, limits. */
export function loadBookingRules(db: Reader, coachId: number): BookingRules {
  const rules = prepared(db, "bookingRules", bookingRulesQuery).get({ coachId });
  if (!rules) throw new Error(`no coach ${coachId}`);
  return rules;
}

/** Bookings that do not stand in a client's way: their own hold, or the booking they are moving. */
type Exceptions = { heldFor?: string; booking?: string };

const exceptionsOf = (range: StartsRange): Exceptions => ({
  heldFor: range.forDraft,
  booking: range.exceptBooking,
});

/**
 * What the busy-time queries bind for the coach's window [from, to) as of `now`: a booking that
 * overlaps it starts after `from` less the longest session, so the index on start time is a range.
 */
const windowValues = (coachId: number, from: number, to: number, now: number) => ({
  coachId,
  now,
  fromLessLongest: from - LONGEST_SESSION,
  to,
  from,
});

/**
 * Each booking of the coach that holds time in [from, to): confirmed, processing, or held and
 * unexpired. A client's own hold (`except.heldFor`, their draft) and the booking being moved
 * (`except.booking`) do not stand in their way. For counting sessions, and for a move.
 */
function loadHoldingBookings(
  db: Reader,
  coachId: number,
  from: number,
  to: number,
  now: number,
  except: Exceptions,
): Interval[] {
  const heldFor = Boolean(except.heldFor);
  const exceptBooking = Boolean(except.booking);
  return prepared(db, `busy:${heldFor}:${exceptBooking}`, busyQuery({ heldFor, exceptBooking }))
    .all({
      ...windowValues(coachId, from, to, now),
      heldFor: except.heldFor,
      exceptBooking: except.booking,
    })
    .map(intervalOf);
}

/**
 * The coach's busy time in [from, to), as intervals (merged where bookings touch): the firm
 * bookings from the cache (busy-cache.server.ts), the unexpired holds read now. The same
 * exceptions as `loadHoldingBookings`; a move reads each booking, as the cache cannot leave
 * one out.
 */
export function loadBusyIntervals(
  db: Reader,
  coachId: number,
  from: number,
  to: number,
  now: number,
  except: Exceptions = {},
): Interval[] {
  if (except.booking) return loadHoldingBookings(db, coachId, from, to, now, except);
  const holds = prepared(db, "holds", holdsQuery)
    .all({
      ...windowValues(coachId, from, to, now),
      // No draft has an empty id: without a client's own hold, every hold is in the way.
      heldFor: except.heldFor ?? "",
    })
    .map(intervalOf);
  return [...firmBusyIntervals(db, coachId, from, to, now), ...holds];
}

/**
 * Which starts to find: those in [from, to) as of `now`, for the client with draft `forDraft`, or
 * for moving the booking `exceptBooking` (its own time does not stand in its way).
 */
export type StartsRange = {
  from: number;
  to: number;
  now: number;
  forDraft?: string;
  exceptBooking?: string;
};

/**
 * Bookable starts for an offer in the range. `rules`, when the caller has already read them
 * (`loadBookingRules`), saves reading them again.
 */
export function findAvailableStarts(
  db: Reader,
  offer: BookableOffer,
  range: StartsRange,
  rules: BookingRules = loadBookingRules(db, offer.coach.id),
): number[] {
  const coachId = offer.coach.id;
  const weeklyRules = prepared(db, "weeklyRules", weeklyRulesQuery).all({ coachId });
  const overrides = prepared(db, "overrides", overridesQuery).all({ coachId });
  const padding =
    (rules.bufferBeforeMinutes + rules.bufferAfterMinutes) * MINUTE +
    offer.service.durationMinutes * MINUTE;
  const busyFrom = range.from - padding;
  const busyTo = range.to + padding;
  // With a daily or weekly limit, the sessions of the whole weeks around the range count: one
  // query over both spans gives the bookings in the way and the sessions that count.
  const weeks =
    rules.maxPerDay === null && rules.maxPerWeek === null
      ? null
      : weeksAround(offer.coach.timezone, range.from, range.to);
  // Counting sessions needs each booking; otherwise busy time is enough (and mostly cached).
  const holding = (weeks ? loadHoldingBookings : loadBusyIntervals)(
    db,
    coachId,
    Math.min(busyFrom, weeks?.start ?? busyFrom),
    Math.max(busyTo, weeks?.end ?? busyTo),
    range.now,
    exceptionsOf(range),
  );
  return computeAvailableStarts({
    ...rules,
    timezone: offer.coach.timezone,
    weeklyRules,
    overrides,
    durationMinutes: offer.service.durationMinutes,
    busy: weeks ? holding.filter((b) => b.start < busyTo && b.end > busyFrom) : holding,
    counted: weeks
      ? holding.map((b) => b.start).filter((start) => start >= weeks.start && start < weeks.end)
      : [],
    now: range.now,
    from: range.from,
    to: range.to,
  });
}

/** Whether `startAt` is one of the offer's bookable starts right now (the check before writing). */
export function isStartAvailable(
  db: Reader,
  offer: BookableOffer,
  startAt: number,
  now: number,
  viewer: Pick<StartsRange, "forDraft" | "exceptBooking"> = {},
): boolean {
  return findAvailableStarts(db, offer, {
    from: startAt,
    to: startAt + 1,
    now,
    ...viewer,
  }).includes(startAt);
}

/**
 * Whether another booking of the coach holds time that overlaps this one's (buffers included).
 * Used when a payment lands: the hours and notice were checked when the slot was held; only
 * someone else's booking can stand in the way now.
 */
export function isTakenByAnother(
  db: Reader,
  booking: { id: string; coachId: number; startAt: Date; endAt: Date },
  now: number,
): boolean {
  const rules = loadBookingRules(db, booking.coachId);
  const before = rules.bufferBeforeMinutes * MINUTE;
  const after = rules.bufferAfterMinutes * MINUTE;
  const start = booking.startAt.getTime();
  const end = booking.endAt.getTime();
  return prepared(db, "nearby", nearbyQuery)
    .all({
      coachId: booking.coachId,
      now,
      after: start - before - after - LONGEST_SESSION,
      before: end + before + after,
    })
    .some(
      (other) =>
        other.id !== booking.id &&
        other.startAt.getTime() - before < end + after &&
        start - before < other.endAt.getTime() + after,
    );
}
