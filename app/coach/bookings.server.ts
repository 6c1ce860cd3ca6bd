/**
 * The coach's view of bookings: which ones a user may see (the owner all, a coach their own), the
 * lists of the dashboard with their filters and pages, and one booking with its whole story
 * (payment, refunds, history).
 */
import { and, asc, count, desc, eq, gte, inArray, lt, type SQL } from "drizzle-orm";
import type { User } from "~/auth/accounts.server";
import { refundsOf } from "~/payments/refunds.server";
import type { DbOrTx } from "~db/database.server";
import {
  BOOKING_STATUSES,
  bookingEvents,
  bookings,
  coaches,
  practiceSettings,
  services,
  type BookingStatus,
} from "~db/schema";

type Reader = Pick<DbOrTx, "select">;

/** The bookings a user may see: all for the owner, their own calendar for a coach. */
export function visibleTo(user: User): SQL | undefined {
  if (user.role === "owner") return undefined;
  return eq(bookings.coachId, user.coachId ?? -1);
}

export type Access<T> = { found: T } | { refused: "not_found" | "forbidden" };

const listColumns = {
  id: bookings.id,
  status: bookings.status,
  statusReason: bookings.statusReason,
  needsAttention: bookings.needsAttention,
  startAt: bookings.startAt,
  endAt: bookings.endAt,
  holdExpiresAt: bookings.holdExpiresAt,
  clientName: bookings.clientName,
  clientEmail: bookings.clientEmail,
  clientTimezone: bookings.clientTimezone,
  priceMinor: bookings.priceMinor,
  currency: bookings.currency,
  serviceName: services.name,
  coachId: bookings.coachId,
  coachName: coaches.name,
  coachTimezone: coaches.timezone,
  createdAt: bookings.createdAt,
};

function selectRows(db: Reader) {
  return db
    .select(listColumns)
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId));
}

export type BookingFilters = {
  when: "upcoming" | "past";
  status?: BookingStatus;
  coachId?: number;
  /** Start instants in [from, to). */
  from?: Date;
  to?: Date;
  page: number;
};

export const PAGE_SIZE = 25;

/** Statuses a coach wants to see by default: held and processing count, as they hold time. */
const LIVE: BookingStatus[] = [
  "held",
  "processing",
  "confirmed",
  "completed",
  "no_show",
  "cancelled",
  "refunded",
];

/** One page of bookings, upcoming soonest first, past latest first, with the total count. */
export function listBookings(db: Reader, user: User, filters: BookingFilters, now: Date) {
  const where = and(
    visibleTo(user),
    filters.status ? eq(bookings.status, filters.status) : inArray(bookings.status, LIVE),
    filters.coachId ? eq(bookings.coachId, filters.coachId) : undefined,
    filters.when === "upcoming" ? gte(bookings.endAt, now) : lt(bookings.endAt, now),
    filters.from ? gte(bookings.startAt, filters.from) : undefined,
    filters.to ? lt(bookings.startAt, filters.to) : undefined,
  );
  const total = db.select({ n: count() }).from(bookings).where(where).get()?.n ?? 0;
  const rows = selectRows(db)
    .where(where)
    .orderBy(filters.when === "upcoming" ? asc(bookings.startAt) : desc(bookings.startAt))
    .limit(PAGE_SIZE)
    .offset((filters.page - 1) * PAGE_SIZE)
    .all();
  return { rows, total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

export type BookingRow = ReturnType<ReturnType<typeof selectRows>["all"]>[number];

/** Bookings that hold time in [from, to): the days at a glance. */
export function bookingsBetween(db: Reader, user: User, from: Date, to: Date) {
  return selectRows(db)
    .where(
      and(
        visibleTo(user),
        inArray(bookings.status, ["held", "processing", "confirmed", "completed", "no_show"]),
        gte(bookings.startAt, from),
        lt(bookings.startAt, to),
      ),
    )
    .orderBy(asc(bookings.startAt))
    .all();
}

function selectStory(db: Reader, id: string) {
  return db
    .select({
      ...listColumns,
      clientNotes: bookings.clientNotes,
      location: bookings.location,
      intakeAnswers: bookings.intakeAnswers,
      checkoutSessionId: bookings.checkoutSessionId,
      paymentIntentId: bookings.paymentIntentId,
      draftId: bookings.draftId,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId))
    .where(eq(bookings.id, id))
    .get();
}

export type BookingStory = {
  booking: NonNullable<ReturnType<typeof selectStory>>;
  refunds: ReturnType<typeof refundsOf>;
  history: (typeof bookingEvents.$inferSelect)[];
};

/** The booking with its payment, refunds and history, if this user may see it. */
export function findBookingFor(db: Reader, user: User, id: string): Access<BookingStory> {
  const booking = selectStory(db, id);
  if (!booking) return { refused: "not_found" };
  if (user.role !== "owner" && booking.coachId !== user.coachId) return { refused: "forbidden" };
  const history = db
    .select()
    .from(bookingEvents)
    .where(eq(bookingEvents.bookingId, id))
    .orderBy(asc(bookingEvents.at), asc(bookingEvents.id))
    .all();
  return { found: { booking, refunds: refundsOf(db, id), history } };
}

export const FILTERABLE_STATUSES = BOOKING_STATUSES;

/** The coaches a user may filter by: everyone for the owner, none (their own is implied) else. */
export function coachesFor(db: Reader, user: User) {
  if (user.role !== "owner") return [];
  return db
    .select({ id: coaches.id, name: coaches.name })
    .from(coaches)
    .orderBy(asc(coaches.name))
    .all();
}

/** The zone a user reads times in: their own as a coach, else the practice's. */
export function viewerZone(db: Reader, user: User): string {
  const coach = user.coachId
    ? db
        .select({ timezone: coaches.timezone })
        .from(coaches)
        .where(eq(coaches.id, user.coachId))
        .get()
    : undefined;
  return (
    coach?.timezone ??
    db.select({ timezone: practiceSettings.timezone }).from(practiceSettings).get()?.timezone ??
    "UTC"
  );
}
