/**
 * The steps of the payment funnel that leave no other trace. A draft is deleted a day after its
 * last change, so "this draft of a paid session reached the review step" has to be written down
 * when it happens; the later steps (Pay pressed, paid, confirmed) are in `booking_events` already.
 * This module is the only writer of `funnel_events`; a row holds ids and a time, nothing personal.
 */
import { and, count, eq, gte, lt } from "drizzle-orm";
import type { DbOrTx } from "~db/database.server";
import { funnelEvents } from "~db/schema";

export const REACHED_REVIEW = "reached_review";

/**
 * Notes that the draft reached the review step, once: a reload, the way back from Stripe's cancel
 * link or a second visit keeps the first moment (the table's key is draft and stage).
 */
export function recordReachedReview(db: DbOrTx, draftId: string, now: Date): void {
  db.insert(funnelEvents)
    .values({ draftId, stage: REACHED_REVIEW, at: now })
    .onConflictDoNothing()
    .run();
}

/** How many drafts first reached the review step in [from, to). */
export function countReachedReview(db: Pick<DbOrTx, "select">, from: Date, to: Date): number {
  const row = db
    .select({ n: count() })
    .from(funnelEvents)
    .where(
      and(
        eq(funnelEvents.stage, REACHED_REVIEW),
        gte(funnelEvents.at, from),
        lt(funnelEvents.at, to),
      ),
    )
    .get();
  return row?.n ?? 0;
}
