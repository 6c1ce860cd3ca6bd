/**
 * "My bookings": a client who lost their emails asks for a link by email address and gets one that
 * works once, for 15 minutes, listing every booking made with that address. Asking says the same
 * whether or not the address has bookings (nothing is learnt by asking), and an address gets at most
 * a few links an hour (nobody's inbox is flooded). Only the links' hashes are stored; this module is
 * the only writer of `magic_links`.
 */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import * as z from "zod/mini";
import { getPracticeContact } from "~/catalogue/catalogue.server";
import { bookingsLinkEmail } from "~/email/booking-emails.server";
import { queueEmail } from "~/email/outbox.server";
import { emailAddress } from "~/lib/fields";
import { hashSecretToken, newSecretToken } from "~/lib/secret-token.server";
import { writeTransaction, type Db, type DbOrTx } from "~db/database.server";
import { bookings, coaches, magicLinks, services } from "~db/schema";
import { issueManageToken } from "./manage-links.server";

export const LINK_MINUTES = 15;
/** Links sent to one address per hour; more requests are answered the same and send nothing. */
export const LINKS_PER_ADDRESS_PER_HOUR = 3;

export const bookingsLinkSchema = z.object({ email: emailAddress });

const normalise = (email: string) => email.trim().toLowerCase();
const sameAddress = (email: string) => sql`lower(${bookings.clientEmail}) = ${normalise(email)}`;

/** Sends a link to `email` if it has bookings and has not had too many links lately. */
export function requestBookingsLink(
  db: Db,
  email: string,
  { now, appUrl }: { now: Date; appUrl: string },
): void {
  const address = normalise(email);
  writeTransaction(db, (tx) => {
    const hasBookings = tx
      .select({ id: bookings.id })
      .from(bookings)
      .where(sameAddress(address))
      .get();
    if (!hasBookings || recentLinks(tx, address, now) >= LINKS_PER_ADDRESS_PER_HOUR) return;
    const { token, hash } = newSecretToken();
    tx.insert(magicLinks)
      .values({
        tokenHash: hash,
        email: address,
        expiresAt: new Date(now.getTime() + LINK_MINUTES * 60_000),
        createdAt: now,
      })
      .run();
    const url = `${appUrl}/my-bookings/${token}`;
    queueEmail(
      tx,
      bookingsLinkEmail(address, getPracticeContact(tx), { url, minutes: LINK_MINUTES }),
      now,
    );
  });
}

function recentLinks(db: Pick<DbOrTx, "select">, email: string, now: Date): number {
  return db
    .select({ hash: magicLinks.tokenHash })
    .from(magicLinks)
    .where(
      and(
        eq(magicLinks.email, email),
        gt(magicLinks.createdAt, new Date(now.getTime() - 3_600_000)),
      ),
    )
    .all().length;
}

const wellFormed = (token: string) => /^[\w-]{43}$/.test(token);

/** Whether the link can still be used (the page before the button that uses it). */
export function isBookingsLinkUsable(
  db: Pick<DbOrTx, "select">,
  token: string,
  now: Date,
): boolean {
  if (!wellFormed(token)) return false;
  return Boolean(
    db.select({ hash: magicLinks.tokenHash }).from(magicLinks).where(usable(token, now)).get(),
  );
}

function usable(token: string, now: Date) {
  return and(
    eq(magicLinks.tokenHash, hashSecretToken(token)),
    isNull(magicLinks.usedAt),
    gt(magicLinks.expiresAt, now),
  );
}

/** Uses the link: the address it was sent to, once; null when used, expired or wrong. */
export function redeemBookingsLink(db: Db, token: string, now: Date): string | null {
  if (!wellFormed(token)) return null;
  const used = db
    .update(magicLinks)
    .set({ usedAt: now })
    .where(usable(token, now))
    .returning({ email: magicLinks.email })
    .get();
  return used?.email ?? null;
}

export type ClientBooking = {
  id: string;
  status: string;
  startAt: Date;
  endAt: Date;
  clientTimezone: string;
  serviceName: string;
  serviceSlug: string;
  coachName: string;
  coachSlug: string;
};

/** Every booking made with the address (holds aside), upcoming first by time, then past, newest first. */
export function listClientBookings(
  db: Pick<DbOrTx, "select">,
  email: string,
  now: Date,
): { upcoming: ClientBooking[]; past: ClientBooking[] } {
  const rows = db
    .select({
      id: bookings.id,
      status: bookings.status,
      startAt: bookings.startAt,
      endAt: bookings.endAt,
      clientTimezone: bookings.clientTimezone,
      serviceName: services.name,
      serviceSlug: services.slug,
      coachName: coaches.name,
      coachSlug: coaches.slug,
    })
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(coaches, eq(coaches.id, bookings.coachId))
    .where(and(sameAddress(email), sql`${bookings.status} not in ('held', 'expired')`))
    .orderBy(desc(bookings.startAt))
    .all();
  const isUpcoming = (b: ClientBooking) =>
    b.endAt > now && ["confirmed", "processing"].includes(b.status);
  return {
    upcoming: rows.filter(isUpcoming).reverse(),
    past: rows.filter((b) => !isUpcoming(b)),
  };
}

/** A fresh manage link for one of the address's bookings; null if it is not theirs. */
export function manageTokenForClient(
  db: Db,
  email: string,
  bookingId: string,
  now: Date,
): string | null {
  return writeTransaction(db, (tx) => {
    const own = tx
      .select({ id: bookings.id })
      .from(bookings)
      .where(and(eq(bookings.id, bookingId), sameAddress(email)))
      .get();
    return own ? issueManageToken(tx, own.id, now) : null;
  });
}
