/**
 * A week of free start times as a client picks from them: seven days in the client's zone, each
 * with its times (the wizard's time step, and moving a booking from its manage page).
 */
import { DateTime } from "luxon";
import type { DbOrTx } from "~db/database.server";
import type { BookableOffer } from "~/catalogue/catalogue.server";
import { formatTime, zoneLabel, zoneOffset } from "~/lib/time-format";
import { findAvailableStarts, loadBookingRules, type StartsRange } from "./availability.server";

export type WeekView = {
  weekStart: string;
  previousWeek: string | null;
  nextWeek: string | null;
  zone: string;
  zoneLabel: string;
  zoneOffset: string;
  days: {
    date: string;
    heading: string;
    slots: { value: string; label: string; accessibleLabel: string; selected: boolean }[];
  }[];
};

/** The week to show: the one asked for (within the bookable range), else the chosen time's, else this one. */
function weekStartFor(
  requested: string | null,
  selected: Date | null,
  today: DateTime,
  lastDay: DateTime,
) {
  const asked =
    requested && /^\d{4}-\d{2}-\d{2}$/.test(requested)
      ? DateTime.fromISO(requested, { zone: today.zone })
      : null;
  if (asked?.isValid && asked >= today && asked <= lastDay) return asked.startOf("day");
  if (selected) {
    const day = DateTime.fromJSDate(selected, { zone: today.zone }).startOf("day");
    if (day >= today && day <= lastDay) return day;
  }
  return today;
}

export function buildWeek(
  db: Pick<DbOrTx, "select">,
  {
    offer,
    zone,
    requestedWeek,
    selected,
    now,
    viewer,
  }: {
    offer: BookableOffer;
    zone: string;
    requestedWeek: string | null;
    selected: Date | null;
    now: Date;
    /** The client's draft, or the booking being moved: neither hides its own time from them. */
    viewer: Pick<StartsRange, "forDraft" | "exceptBooking">;
  },
): WeekView {
  const rules = loadBookingRules(db, offer.coach.id);
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const lastDay = today.plus({ days: rules.bookingWindowDays });
  const weekStart = weekStartFor(requestedWeek, selected, today, lastDay);
  const weekEnd = weekStart.plus({ days: 7 });
  const starts = findAvailableStarts(db, offer, {
    from: weekStart.toMillis(),
    to: weekEnd.toMillis(),
    now: now.getTime(),
    ...viewer,
  });

  const label = zoneLabel(zone);
  const days = Array.from({ length: 7 }, (_, i) => {
    const day = weekStart.plus({ days: i });
    const next = day.plus({ days: 1 });
    const heading = day.setLocale("en-GB").toFormat("cccc d LLLL");
    return {
      date: day.toISODate()!,
      heading,
      slots: starts
        .filter((start) => start >= day.toMillis() && start < next.toMillis())
        .map((start) => ({
          value: new Date(start).toISOString(),
          label: formatTime(start, zone),
          accessibleLabel: `${heading}, ${formatTime(start, zone)} (${label})`,
          selected: selected?.getTime() === start,
        })),
    };
  });

  const previous = weekStart.minus({ days: 7 });
  return {
    weekStart: weekStart.toISODate()!,
    previousWeek: weekStart > today ? (previous < today ? today : previous).toISODate()! : null,
    nextWeek: weekEnd <= lastDay ? weekEnd.toISODate()! : null,
    zone,
    zoneLabel: label,
    zoneOffset: zoneOffset(weekStart.toMillis(), zone),
    days,
  };
}
