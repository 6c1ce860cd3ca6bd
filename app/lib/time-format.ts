/**
 * Instants as people read them: in a given zone, with the zone named. luxon does every conversion;
 * nothing here stores anything.
 */
import { DateTime } from "luxon";
import { timezoneCity } from "./format";

/** "London time", "New York time", "UTC". */
export function zoneLabel(zone: string): string {
  const city = timezoneCity(zone);
  return /^(UTC|GMT)/.test(city) ? city : `${city} time`;
}

/** "09:30", "23:00": a 24-hour clock in the zone. */
export function formatTime(instant: number | Date, zone: string): string {
  return formatterIn(clockFormats, zone, CLOCK).format(+instant);
}

/** "Monday 15 March 2027" */
export function formatDay(instant: number | Date, zone: string): string {
  const parts = formatterIn(dayFormats, zone, DAY_PARTS).formatToParts(+instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  // Intl writes "Monday, 15 March 2027" in en-GB; the parts give the form used everywhere else.
  return `${part("weekday")} ${part("day")} ${part("month")} ${part("year")}`;
}

const DAY_PARTS: Intl.DateTimeFormatOptions = {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
};
const CLOCK: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** A formatter per zone, made once: making one costs far more than using it. */
function formatterIn(
  cache: Map<string, Intl.DateTimeFormat>,
  zone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let format = cache.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone });
    cache.set(zone, format);
  }
  return format;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** "Monday 15 March 2027, 10:00 to 10:30 (London time)" */
export function formatSession(start: number | Date, end: number | Date, zone: string): string {
  return `${formatDay(start, zone)}, ${formatTime(start, zone)} to ${formatTime(end, zone)} (${zoneLabel(zone)})`;
}

/** "GMT+1", "GMT-4", "GMT+5:30" at that instant. */
export function zoneOffset(instant: number | Date, zone: string): string {
  const offset = DateTime.fromMillis(+instant, { zone }).toFormat("ZZ");
  const [, sign, hours, minutes] = offset.match(/([+-])(\d\d):(\d\d)/) ?? [];
  if (!sign || offset === "+00:00") return "GMT";
  return `GMT${sign}${Number(hours)}${minutes === "00" ? "" : `:${minutes}`}`;
}
