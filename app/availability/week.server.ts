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

function dayOf(text: string | null, zone: string): DateTime | null {
  if (!text || !DATE.test(text)) return null;
  const day = DateTime.fromISO(text, { zone });
  return day.isValid ? day.startOf("day") : null;
}

/** The week to show: the one asked for (within the bookable range), else the chosen time's, else this one. */
function weekStartFor(
  requested: DateTime | null,
  selected: Date | null,
  today: DateTime,
  lastDay: DateTime,
) {
  if (requested && requested >= today && requested <= lastDay) return requested;
  if (selected) {
    const day = DateTime.fromJSDate(selected, { zone: today.zone }).startOf("day");
    if (day >= today && day <= lastDay) return day;
  }
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
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const lastDay = today.plus({ days: rules.bookingWindowDays });
  const weekStart = weekStartFor(dayOf(requestedWeek, zone), selected, today, lastDay);
  const weekEnd = weekStart.plus({ days: 7 });
  const starts = findAvailableStarts(db, offer, {
    from: weekStart.toMillis(),
    to: weekEnd.toMillis(),
    now: now.getTime(),
    ...viewer,
  }).filter((start) => start !== hidden?.getTime());

  const startsOn = (day: DateTime) =>
    starts.filter((start) => start >= day.toMillis() && start < day.plus({ days: 1 }).toMillis());
  const days: DayChoice[] = Array.from({ length: 7 }, (_, i) => {
    const day = weekStart.plus({ days: i }).setLocale("en-GB");
    return {
      date: day.toISODate()!,
      heading: day.toFormat("cccc d LLLL"),
      short: day.toFormat("ccc d"),
      count: startsOn(day).length,
    };
  });
  const selectedDate = selected ? DateTime.fromJSDate(selected, { zone }).toISODate() : null;
  const open = openDay(days, requestedDay, selectedDate);
  const dayStart = DateTime.fromISO(open.date, { zone });
  const before = zoneOffset(dayStart.toMillis(), zone);
  const after = zoneOffset(dayStart.plus({ days: 1 }).toMillis() - 1, zone);
  const clockChange = before !== after;

  const previous = weekStart.minus({ days: 7 });
  return {
    weekStart: weekStart.toISODate()!,
    previousWeek: weekStart > today ? (previous < today ? today : previous).toISODate()! : null,
    nextWeek: weekEnd <= lastDay ? weekEnd.toISODate()! : null,
    zone,
    zoneLabel: zoneLabel(zone),
    days,
    day: {
      ...open,
      offsets: clockChange ? `${before}, then ${after}` : before,
      clockChange,
      slots: slotsOf(startsOn(dayStart), zone, selected, clockChange),
    },
  };
}
