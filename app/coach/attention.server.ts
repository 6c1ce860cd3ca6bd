/**
 * What needs the coach's attention, first thing on the dashboard: bookings flagged by the
 * lifecycle (an amount Stripe took that differs, a refund after a slot conflict, a failed payment),
 * holds the sweeper should have settled but has not, Stripe events that failed to process, and
 * emails that could not be sent.
 */
import { and, desc, eq, gte, isNotNull, isNull, lt, notExists, or } from "drizzle-orm";
import type { User } from "~/auth/accounts.server";
import type { DbOrTx } from "~db/database.server";
import { bookings, coaches, services, stripeEvents, webhookFailures } from "~db/schema";
import { visibleTo } from "./bookings.server";
import { deadEmailsFor } from "./outbox.server";

type Reader = Pick<DbOrTx, "select">;

/** A hold this long past its expiry has escaped the sweeper (which runs every minute). */
const STUCK_AFTER_MS = 15 * 60_000;
/** Failed webhooks are shown for this long, unless a later delivery of the event succeeded. */
const WEBHOOK_FAILURES_SHOWN_MS = 7 * 24 * 60 * 60_000;

export function needsAttention(db: Reader, user: User, now: Date) {
  const columns = {
    id: bookings.id,
    status: bookings.status,
    note: bookings.needsAttention,
    startAt: bookings.startAt,
    holdExpiresAt: bookings.holdExpiresAt,
    clientName: bookings.clientName,
    serviceName: services.name,
    coachName: coaches.name,
    coachTimezone: coaches.timezone,
  };
  const flagged = db
    .select(columns)
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId))
    .where(and(visibleTo(user), isNotNull(bookings.needsAttention)))
    .orderBy(desc(bookings.updatedAt))
    .all();
  const stuckHolds = db
    .select(columns)
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId))
    .where(
      and(
        visibleTo(user),
        eq(bookings.status, "held"),
        isNull(bookings.needsAttention),
        or(
          lt(bookings.holdExpiresAt, new Date(now.getTime() - STUCK_AFTER_MS)),
          isNull(bookings.holdExpiresAt),
        ),
      ),
    )
    .all();
  // Webhooks are the practice's, not one coach's: the owner sees them.
  const failedWebhooks =
    user.role === "owner"
      ? db
          .select({
            eventId: webhookFailures.eventId,
            eventType: webhookFailures.eventType,
            error: webhookFailures.error,
            at: webhookFailures.at,
          })
          .from(webhookFailures)
          .where(
            and(
              gte(webhookFailures.at, new Date(now.getTime() - WEBHOOK_FAILURES_SHOWN_MS)),
              notExists(
                db
                  .select({ id: stripeEvents.id })
                  .from(stripeEvents)
                  .where(eq(stripeEvents.id, webhookFailures.eventId)),
              ),
            ),
          )
          .orderBy(desc(webhookFailures.at))
          .limit(20)
          .all()
      : [];
  return { flagged, stuckHolds, failedWebhooks, deadEmails: deadEmailsFor(db, user) };
}
