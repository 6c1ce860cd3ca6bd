/**
 * Bookings as a CSV file, for the practice's own spreadsheets and accounts: every booking the user
 * may see (`visibleTo`) that starts in a range of local days, whatever its status (the status is a
 * column, so a spreadsheet can filter). RFC 4180: a header row, CRLF line ends, fields quoted when
 * they hold a comma, a quote or a line break.
 *
 * Names, emails and notes are typed by clients, and a spreadsheet runs a cell that starts with
 * `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula: such a cell gets a
 * leading apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection).
 */
import { and, asc, eq, gte, lt, notInArray, sum } from "drizzle-orm";
import { DateTime } from "luxon";
import type { User } from "~/auth/accounts.server";
import { formatAmount } from "~/lib/format";
import type { DbOrTx } from "~db/database.server";
import { bookings, coaches, refunds, services } from "~db/schema";
import { visibleTo } from "./bookings.server";

type Reader = Pick<DbOrTx, "select">;

export const CSV_COLUMNS = [
  "id",
  "status",
  "start",
  "end",
  "client_timezone",
  "service",
  "coach",
  "client_name",
  "client_email",
  "price",
  "currency",
  "refunded",
  "created_at",
] as const;

/**
 * The bookings starting in [from, to) as CSV text. `from` and `to` are local days (`YYYY-MM-DD`)
 * read in `zone` (the viewer's), `to` excluded: the days 1 to 31 March are `from: "2026-03-01",
 * to: "2026-04-01"` (see `dayAfter`). Starts and ends are written in each booking's coach's zone,
 * ISO 8601 with the offset; `created_at` in UTC. Money is decimal in the currency's major unit.
 */
export function bookingsCsv(
  db: Reader,
  user: User,
  { from, to, zone }: { from: string; to: string; zone: string },
): string {
  const rows = bookingsBetween(db, user, startOfDay(from, zone), startOfDay(to, zone));
  return [CSV_COLUMNS, ...rows.map(toCells)].map(csvLine).join("");
}

/** The local day after `date` (`YYYY-MM-DD`): the excluded end of a range whose last day is `date`. */
export function dayAfter(date: string): string {
  return parseDay(date).plus({ days: 1 }).toISODate()!;
}

function parseDay(date: string, zone = "UTC"): DateTime {
  const day = DateTime.fromISO(date, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !day.isValid)
    throw new Error(`not a day (YYYY-MM-DD) in ${zone}: ${date}`);
  return day;
}

function startOfDay(date: string, zone: string): Date {
  return parseDay(date, zone).startOf("day").toJSDate();
}

// ---- Reading ------------------------------------------------------------------------------------

/** Refunds that moved money (not failed or cancelled ones), summed per booking. */
function refundedPerBooking(db: Reader) {
  return db
    .select({ bookingId: refunds.bookingId, total: sum(refunds.amountMinor).as("refunded_total") })
    .from(refunds)
    .where(notInArray(refunds.status, ["failed", "canceled"]))
    .groupBy(refunds.bookingId)
    .as("refunded");
}

function bookingsBetween(db: Reader, user: User, from: Date, to: Date) {
  const refunded = refundedPerBooking(db);
  return db
    .select({
      id: bookings.id,
      status: bookings.status,
      startAt: bookings.startAt,
      endAt: bookings.endAt,
      coachTimezone: coaches.timezone,
      clientTimezone: bookings.clientTimezone,
      serviceName: services.name,
      coachName: coaches.name,
      clientName: bookings.clientName,
      clientEmail: bookings.clientEmail,
      priceMinor: bookings.priceMinor,
      currency: bookings.currency,
      refundedMinor: refunded.total,
      createdAt: bookings.createdAt,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId))
    .leftJoin(refunded, eq(refunded.bookingId, bookings.id))
    .where(and(visibleTo(user), gte(bookings.startAt, from), lt(bookings.startAt, to)))
    .orderBy(asc(bookings.startAt), asc(bookings.id))
    .all();
}

type ExportRow = ReturnType<typeof bookingsBetween>[number];

function inZone(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true })!;
}

function toCells(row: ExportRow): string[] {
  return [
    row.id,
    row.status,
    inZone(row.startAt, row.coachTimezone),
    inZone(row.endAt, row.coachTimezone),
    row.clientTimezone,
    row.serviceName,
    row.coachName,
    row.clientName,
    row.clientEmail,
    formatAmount(row.priceMinor, row.currency),
    row.currency.toUpperCase(),
    formatAmount(Number(row.refundedMinor ?? 0), row.currency),
    row.createdAt.toISOString(),
  ];
}

// ---- Writing ------------------------------------------------------------------------------------

/** A cell a spreadsheet would run as a formula: starts with = + - @, or a tab or carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: defused if it looks like a formula, quoted (quotes doubled) when it needs to be. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
