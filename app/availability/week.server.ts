/**
 * A week of free start times as a client picks from them, one day at a time: the seven days in the
 * client's zone (each with how many times it has), and the chosen day's times (the wizard's time
 * step, and moving a booking from its manage page). Times read on their own can mislead twice a
 * year: where the day has a clock change, every time says which offset it is in ("01:00 PDT",
 * "01:00 PST").
 */
import { DateTime } from "luxon";
import type { DbOrTx } from "~db/database.server";
import type { BookableOffer } from "~/catalogue/catalogue.server";
import { formatTime, zoneLabel, zoneOffset } from "~/lib/time-format";
import { findAvailableStarts, loadBookingRules, type StartsRange } from "./availability.server";
import { localDateOf, startOfLocalDate } from "./engine";

export type DayChoice = {
  date: string;
  /** "Tuesday 24 November" */
  heading: string;
  /** "Tue 24" */
  short: string;
  count: number;
};

export type Slot = { value: string; label: string; selected: boolean };

export type WeekView = {
  weekStart: string;
  previousWeek: string | null;
  nextWeek: string | null;
  zone: string;
  zoneLabel: string;
  days: DayChoice[];
  day: DayChoice & {
    /** "GMT-5", or "GMT-7, then GMT-8" on the day the clocks change. */
    offsets: string;
    clockChange: boolean;
    slots: Slot[];
  };
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const DAY_MS = 86_400_000;

/** The date asked for, if it is one ("2027-02-30" is not: it would come back as 2 March). */
function dateOf(text: string | null): string | null {
  return text && DATE.test(text) && addDays(text, 0) === text ? text : null;
}

/**
 * The date `days` after `date`, by calendar arithmetic alone (on UTC midnights, where every day
 * is 24 hours): the days are dates first, and each gets its own start in the client's zone
 * (`startOfLocalDate`), so a midnight the clocks skip cannot move the days after it.
 */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

// The day picker's names of a date, made once: "Tuesday 24 November", "Tue 24".
const dayHeading = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  timeZone: "UTC",
});
const dayShort = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  timeZone: "UTC",
});

/** The week to show: the one asked for (within the bookable range), else the chosen time's, else this one. */
function weekStartFor(
  requested: string | null,
  selectedDate: string | null,
  today: string,
  lastDay: string,
): string {
  // ISO dates compare as strings.
  if (requested && requested >= today && requested <= lastDay) return requested;
  if (selectedDate && selectedDate >= today && selectedDate <= lastDay) return selectedDate;
  return today;
}

/** The day to open: the one asked for, else the chosen time's, else the first with free times. */
function openDay(days: DayChoice[], requested: string | null, selectedDate: string | null) {
  return (
    days.find((day) => day.date === requested) ??
    days.find((day) => day.date === selectedDate) ??
    days.find((day) => day.count > 0) ??
    days[0]!
  );
}

/** Each time as "09:00", or with its offset's short name where the day has two offsets. */
function slotsOf(
  starts: number[],
  zone: string,
  selected: Date | null,
  clockChange: boolean,
): Slot[] {
  return starts.map((start) => {
    const time = formatTime(start, zone);
    return {
      value: new Date(start).toISOString(),
      label: clockChange ? `${time} ${offsetName(start, zone)}` : time,
      selected: selected?.getTime() === start,
    };
  });
}

/** "PDT", "CET"; where a zone has no common abbreviation, "GMT+5:30". */
function offsetName(instant: number, zone: string): string {
  const name = DateTime.fromMillis(instant, { zone }).setLocale("en-US").offsetNameShort;
  return name && !/^(GMT|UTC)[+-]/.test(name) ? name : zoneOffset(instant, zone);
}

export function buildWeek(
  db: Pick<DbOrTx, "select">,
  {
    offer,
    zone,
    requestedWeek,
    requestedDay = null,
    selected,
    hidden = null,
    now,
    viewer,
  }: {
    offer: BookableOffer;
    zone: string;
    requestedWeek: string | null;
    /** The day the client opened (`?day=`); a day outside the week is ignored. */
    requestedDay?: string | null;
    selected: Date | null;
    /** A time not to offer (a booking's own, when moving it). */
    hidden?: Date | null;
    now: Date;
    /** The client's draft, or the booking being moved: neither hides its own time from them. */
    viewer: Pick<StartsRange, "forDraft" | "exceptBooking">;
  },
): WeekView {
  const rules = loadBookingRules(db, offer.coach.id);
  const today = localDateOf(zone, now.getTime());
  const lastDay = addDays(today, rules.bookingWindowDays);
  const selectedDate = selected ? localDateOf(zone, selected.getTime()) : null;
  const weekStart = weekStartFor(dateOf(requestedWeek), selectedDate, today, lastDay);
  // The week's eight boundaries: when each of its days begins, and when the day after it does.
  const dates = Array.from({ length: 8 }, (_, i) => addDays(weekStart, i));
  const bounds = dates.map((date) => startOfLocalDate(zone, date));
  const starts = findAvailableStarts(
    db,
    offer,
    { from: bounds[0]!, to: bounds[7]!, now: now.getTime(), ...viewer },
    rules,
  ).filter((start) => start !== hidden?.getTime());

  const startsOn = (i: number) =>
    starts.filter((start) => start >= bounds[i]! && start < bounds[i + 1]!);
  const days: DayChoice[] = dates.slice(0, 7).map((date, i) => {
    const midnight = Date.parse(`${date}T00:00:00Z`);
    return {
      date,
      heading: dayHeading.format(midnight),
      short: dayShort.format(midnight),
      count: startsOn(i).length,
    };
  });
  const open = openDay(days, requestedDay, selectedDate);
  const openIndex = days.indexOf(open);
  const before = zoneOffset(bounds[openIndex]!, zone);
  const after = zoneOffset(bounds[openIndex + 1]! - 1, zone);
  const clockChange = before !== after;

  const weekEnd = dates[7]!;
  const previous = addDays(weekStart, -7);
  return {
    weekStart,
    previousWeek: weekStart > today ? (previous < today ? today : previous) : null,
    nextWeek: weekEnd <= lastDay ? weekEnd : null,
    zone,
    zoneLabel: zoneLabel(zone),
    days,
    day: {
      ...open,
      offsets: clockChange ? `${before}, then ${after}` : before,
      clockChange,
      slots: slotsOf(startsOn(openIndex), zone, selected, clockChange),
    },
  };
}
