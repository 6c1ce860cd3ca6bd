/**
 * Slowing down password guessing: five failed sign-ins within fifteen minutes, for one account or
 * from one address, and that account or address must wait until the oldest of them is fifteen
 * minutes old. The answer is the same whether or not the account exists.
 */
import { and, eq, gt, lt } from "drizzle-orm";
import type { DbOrTx } from "~db/database.server";
import { loginFailures } from "~db/schema";
import { normaliseEmail } from "./accounts.server";

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** How long this email or address must wait before trying again; 0 when it may try now. */
export function waitBeforeTrying(
  db: DbOrTx,
  { email, address }: { email: string; address: string },
  now: Date,
): number {
  const since = new Date(now.getTime() - FAILURE_WINDOW_MS);
  const recent = (matches: ReturnType<typeof eq>) =>
    db
      .select({ at: loginFailures.at })
      .from(loginFailures)
      .where(and(matches, gt(loginFailures.at, since)))
      .orderBy(loginFailures.at)
      .all();
  const waits = [
    recent(eq(loginFailures.email, normaliseEmail(email))),
    recent(eq(loginFailures.address, address)),
  ]
    .filter((failures) => failures.length >= MAX_FAILURES)
    .map((failures) => {
      const oldestThatCounts = failures[failures.length - MAX_FAILURES]!.at.getTime();
      return oldestThatCounts + FAILURE_WINDOW_MS - now.getTime();
    });
  return Math.max(0, ...waits);
}

export function recordFailure(
  db: DbOrTx,
  { email, address }: { email: string; address: string },
  now: Date,
) {
  db.insert(loginFailures)
    .values({ email: normaliseEmail(email), address, at: now })
    .run();
}

/** A successful sign-in forgives the account's failures (not the address's). */
export function forgiveFailures(db: DbOrTx, email: string) {
  db.delete(loginFailures)
    .where(eq(loginFailures.email, normaliseEmail(email)))
    .run();
}

/** Deletes failures too old to count; for the housekeeping job. */
export function sweepOldFailures(db: DbOrTx, now: Date): number {
  const before = new Date(now.getTime() - FAILURE_WINDOW_MS);
  return db.delete(loginFailures).where(lt(loginFailures.at, before)).run().changes;
}
