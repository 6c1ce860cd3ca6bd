/**
 * Availability, read from the database: gathers what the pure engine (`engine.ts`) needs (the
 * practice's rules, the coach's weekly hours and date overrides, the bookings that hold time) and
 * answers the questions the wizard and the booking lifecycle ask.
 */
import { and, eq, gt, inArray, isNull, lt, ne, or } from "drizzle-orm";
import type { BookableOffer } from "~/catalogue/catalogue.server";
import type { DbOrTx } from "~db/database.server";
import { DateTime } from "luxon";
import {
  availabilityOverrides,
  availabilityRules,
  bookings,
  coaches,
  type BookingStatus,
} from "~db/schema";
import { computeAvailableStarts, MINUTE, DAY, type BookingRules, type Interval } from "./engine";

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

/** How the coach can be booked: notice, window, buffers, interval, limits. */
export function loadBookingRules(db: Pick<DbOrTx, "select">, coachId: number): BookingRules {
  const rules = db
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
    .where(eq(coaches.id, coachId))
    .get();
  if (!rules) throw new Error(`no coach ${coachId}`);
  return rules;
}

/**
 * The starts of the coach's sessions that count towards its daily and weekly limits, over whole
 * weeks (in the coach's zone) around [from, to); none are needed without a limit.
 */
function loadCounted(
  db: Pick<DbOrTx, "select">,
  offer: BookableOffer,
  rules: BookingRules,
  range: StartsRange,
): number[] {
  if (rules.maxPerDay === null && rules.maxPerWeek === null) return [];
  const zone = offer.coach.timezone;
  const from = DateTime.fromMillis(range.from, { zone }).startOf("week").toMillis();
  const to = DateTime.fromMillis(range.to, { zone }).endOf("week").toMillis();
  return loadBusyIntervals(db, offer.coach.id, from, to, range.now, exceptionsOf(range))
    .map((interval) => interval.start)
    .filter((start) => start >= from && start < to);
}

/** Bookings that do not stand in a client's way: their own hold, or the booking they are moving. */
type Exceptions = { heldFor?: string; booking?: string };

const exceptionsOf = (range: StartsRange): Exceptions => ({
  heldFor: range.forDraft,
  booking: range.exceptBooking,
});

/**
 * Bookings of the coach that hold time in [from, to): confirmed, processing, or held and
 * unexpired. A client's own hold (`except.heldFor`, their draft) and the booking being moved
 * (`except.booking`) do not stand in their way.
 */
export function loadBusyIntervals(
  db: Pick<DbOrTx, "select">,
  coachId: number,
  from: number,
  to: number,
  now: number,
  except: Exceptions = {},
): Interval[] {
  const exceptHeldFor = except.heldFor;
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
        except.booking ? ne(bookings.id, except.booking) : undefined,
      ),
    )
    .all()
    .map((row) => ({ start: row.startAt.getTime(), end: row.endAt.getTime() }));
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

/** Bookable starts for an offer in the range. */
export function findAvailableStarts(
  db: Pick<DbOrTx, "select">,
  offer: BookableOffer,
  range: StartsRange,
): number[] {
  const coachId = offer.coach.id;
  const rules = loadBookingRules(db, coachId);
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
      exceptionsOf(range),
    ),
    counted: loadCounted(db, offer, rules, range),
    now: range.now,
    from: range.from,
    to: range.to,
  });
}

/** Whether `startAt` is one of the offer's bookable starts right now (the check before writing). */
export function isStartAvailable(
  db: Pick<DbOrTx, "select">,
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
  db: Pick<DbOrTx, "select">,
  booking: { id: string; coachId: number; startAt: Date; endAt: Date },
  now: number,
): boolean {
  const rules = loadBookingRules(db, booking.coachId);
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
