/**
 * A coach's private calendar feed: an address with a secret token (only its hash stored) that a
 * calendar app subscribes to, listing the coach's confirmed sessions from a month back onwards.
 * Making a new address ends the old one, for a coach whose address got out.
 */
import { and, eq, gte, inArray } from "drizzle-orm";
import { getPracticeContact } from "~/catalogue/catalogue.server";
import { calendarOf } from "~/email/invite.server";
import { hashSecretToken, newSecretToken } from "~/lib/secret-token.server";
import type { DbOrTx } from "~db/database.server";
import { bookings, coaches, services } from "~db/schema";

const FEED_HISTORY_MS = 31 * 24 * 60 * 60_000;

/** A new feed token for the coach; any earlier address stops working. */
export function renewFeedToken(db: DbOrTx, coachId: number): string {
  const { token, hash } = newSecretToken();
  db.update(coaches).set({ feedTokenHash: hash }).where(eq(coaches.id, coachId)).run();
  return token;
}

export function hasFeed(db: Pick<DbOrTx, "select">, coachId: number): boolean {
  const row = db
    .select({ hash: coaches.feedTokenHash })
    .from(coaches)
    .where(eq(coaches.id, coachId))
    .get();
  return Boolean(row?.hash);
}

/** The feed for a token: an iCalendar text, or null for a token that is no coach's. */
export function feedFor(db: Pick<DbOrTx, "select">, token: string, now: Date): string | null {
  if (!/^[\w-]{43}$/.test(token)) return null;
  const coach = db
    .select({ id: coaches.id, name: coaches.name })
    .from(coaches)
    .where(eq(coaches.feedTokenHash, hashSecretToken(token)))
    .get();
  if (!coach) return null;
  const sessions = db
    .select({
      id: bookings.id,
      startAt: bookings.startAt,
      endAt: bookings.endAt,
      clientName: bookings.clientName,
      clientEmail: bookings.clientEmail,
      location: bookings.location,
      icsSequence: bookings.icsSequence,
      serviceName: services.name,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .where(
      and(
        eq(bookings.coachId, coach.id),
        inArray(bookings.status, ["confirmed", "completed", "no_show"]),
        gte(bookings.startAt, new Date(now.getTime() - FEED_HISTORY_MS)),
      ),
    )
    .all();
  return calendarOf(
    sessions.map((session) => ({ ...session, coachName: coach.name })),
    { practice: getPracticeContact(db) },
  );
}
