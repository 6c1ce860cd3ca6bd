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

export function formatTime(instant: number | Date, zone: string): string {
  return DateTime.fromMillis(+instant, { zone }).toFormat("HH:mm");
}

/** "Monday 15 March 2027" */
export function formatDay(instant: number | Date, zone: string): string {
  return DateTime.fromMillis(+instant, { zone }).setLocale("en-GB").toFormat("cccc d LLLL yyyy");
}

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
