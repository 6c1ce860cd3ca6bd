/**
 * The client's manage links (`/bookings/<token>`). Every email, and every "manage" press on the
 * confirmation or "my bookings" page, gets a token of its own, so a new link never breaks an older
 * one; only the tokens' hashes are stored (nothing else writes `manage_tokens`).
 */
import { eq } from "drizzle-orm";
import { hashSecretToken, newSecretToken } from "~/lib/secret-token.server";
import type { DbOrTx } from "~db/database.server";
import { placeholder, prepared } from "~db/prepared.server";
import { manageTokens } from "~db/schema";

export const manageUrlOf = (appUrl: string, token: string) => `${appUrl}/bookings/${token}`;

/** The wizard, with the booking's session and coach chosen: "Book again". */
export const bookAgainPath = (booking: { serviceSlug: string; coachSlug: string }) =>
  `/book/service?${new URLSearchParams({ service: booking.serviceSlug, coach: booking.coachSlug })}`;

/** A new manage token for the booking. */
export function issueManageToken(tx: DbOrTx, bookingId: string, at: Date): string {
  const { token, hash } = newSecretToken();
  prepared(tx, "issueManageToken", (tx) =>
    tx
      .insert(manageTokens)
      .values({
        tokenHash: placeholder("tokenHash"),
        bookingId: placeholder("bookingId"),
        createdAt: placeholder("createdAt"),
      })
      .prepare(),
  ).run({ tokenHash: hash, bookingId, createdAt: at });
  return token;
}

/** The id of the booking a manage token belongs to, else null. */
export function bookingIdOfManageToken(db: Pick<DbOrTx, "select">, token: string): string | null {
  // A token that cannot be ours is not worth hashing (a path segment of any length arrives here).
  if (!/^[\w-]{43}$/.test(token)) return null;
  const row = db
    .select({ bookingId: manageTokens.bookingId })
    .from(manageTokens)
    .where(eq(manageTokens.tokenHash, hashSecretToken(token)))
    .get();
  return row?.bookingId ?? null;
}
