/**
 * Support for the self-service tests (self-service.test.ts): booking a session as a client through
 * the wizard with JavaScript off, in a chosen timezone and some days ahead; the links the client's
 * emails carry (manage, "my bookings", resume); the practice's policy set directly; and what the
 * Stripe emulator holds (refunds, Checkout Sessions).
 */
import { DateTime } from "luxon";
import type { RunningServer } from "../server-harness";
import { FormClient, weekStarts, type Page } from "./form-client";
import { hostedPage, pressPay, readDb, writeDb, type PaymentWorld } from "./payment-support";

export const HOUR = 3_600_000;
export const NEW_YORK = "America/New_York";

/** The demo practice's refund policy, as seeded (db/seed.server.ts). */
export const DEMO_TIERS = [
  { hoursBefore: 48, percent: 100 },
  { hoursBefore: 24, percent: 50 },
];

export type Tier = { hoursBefore: number; percent: number };

/** Sets the practice's self-service notice and refund tiers, as the owner's settings would. */
export function setPolicy(
  server: RunningServer,
  { noticeHours = 24, tiers = DEMO_TIERS }: { noticeHours?: number; tiers?: Tier[] } = {},
) {
  writeDb(
    server,
    "update practice_settings set self_service_notice_hours = ?, refund_policy = ? where id = 1",
    noticeHours,
    JSON.stringify(tiers),
  );
}

export type BookingFull = {
  id: string;
  status: string;
  start_at: number;
  end_at: number;
  client_name: string;
  client_email: string;
  client_timezone: string;
  price_minor: number;
  currency: string;
  location: string | null;
  payment_intent_id: string | null;
  checkout_session_id: string | null;
  ics_sequence: number;
  coach_id: number;
  service_id: number;
};

export const bookingById = (server: RunningServer, id: string): BookingFull =>
  readDb<BookingFull>(server, "select * from bookings where id = ?", id)[0]!;

/** The link a kind of email to the booking carries, by its pattern's first group (newest email). */
export function linkInEmail(
  server: RunningServer,
  where: { bookingId?: string; recipient?: string; kind: string },
  pattern: RegExp,
): string {
  const rows = readDb<{ text_body: string }>(
    server,
    `select text_body from email_outbox where kind = ? and ${
      where.bookingId ? "booking_id = ?" : "recipient = ?"
    } order by id desc`,
    where.kind,
    where.bookingId ?? where.recipient,
  );
  const found = rows[0]?.text_body.match(pattern)?.[1];
  if (!found) throw new Error(`no ${where.kind} email with ${pattern}: ${JSON.stringify(rows)}`);
  return found;
}

/** The manage token in the client's confirmation email. */
export const manageTokenOf = (server: RunningServer, bookingId: string) =>
  linkInEmail(server, { bookingId, kind: "booking_confirmed" }, /\/bookings\/([\w-]{43})/);

/** The page's "Next week" link's week, if any. */
const nextWeekOf = (html: string) =>
  html.match(/href="[^"]*\?week=(\d{4}-\d{2}-\d{2})"[^>]*>Next week/)?.[1] ?? null;

/**
 * The first start offered on a week-picker page (`path`) at least `hoursAhead` from now, walking
 * forward week by week with the page's own "Next week" link.
 */
export async function startAtLeast(
  client: FormClient,
  path: string,
  hoursAhead: number,
  except: string[] = [],
): Promise<string> {
  const earliest = Date.now() + hoursAhead * HOUR;
  let weekPath = path;
  for (let week = 0; week < 10; week++) {
    const start = (await weekStarts(client, weekPath)).find(
      (s) => Date.parse(s) >= earliest && !except.includes(s),
    );
    if (start) return start;
    const next = nextWeekOf((await client.get(weekPath)).html);
    if (!next) break;
    weekPath = `${path}${path.includes("?") ? "&" : "?"}week=${next}`;
  }
  throw new Error(`no start offered on ${path} ${hoursAhead} hours ahead or later`);
}

export type Booked = BookingFull & { token: string; client: FormClient };

/**
 * A client books a session through the wizard (paying on the hosted page when it has a price) at
 * the first time offered `hoursAhead` from now or later (or at `startAt`), in their `timezone`, and
 * gets the confirmation email. Returns the booking and the manage token from the email.
 */
export async function book(
  world: PaymentWorld,
  {
    email,
    name = "Ada Lovelace",
    service = "coaching-session",
    coach = "maya-okafor",
    timezone = NEW_YORK,
    hoursAhead = 96,
    startAt,
  }: {
    email: string;
    name?: string;
    service?: string;
    coach?: string;
    timezone?: string;
    hoursAhead?: number;
    startAt?: string;
  },
): Promise<Booked> {
  const { server } = world;
  const client = new FormClient(server.url);
  await client.post("/book/service", { service });
  if (service !== "deep-dive") await client.post("/book/coach", { coach });
  const slot = startAt ?? (await startAtLeast(client, "/book/time", hoursAhead));
  const chosen = await client.post("/book/time", { startAt: slot });
  if (chosen.location !== "/book/details")
    throw new Error(`could not choose ${slot}: ${chosen.status}`);
  const details = await client.post("/book/details", { name, email, notes: "", timezone });
  if (details.location !== "/book/review")
    throw new Error(`the details were refused: ${details.status}`);
  const review = await client.get("/book/review");
  if (/name="intent" value="confirm"/.test(review.html)) {
    const confirmed = await client.post("/book/review", { intent: "confirm" });
    if (confirmed.location !== "/book/confirmed")
      throw new Error(`the free booking failed: ${confirmed.status}`);
  } else {
    const { url } = await pressPay(client);
    const paid = await hostedPage(url, "pay");
    if (!paid.path) throw new Error(`the hosted page did not send the client back: ${paid.status}`);
    await client.get(paid.path);
    await world.emulator.webhooks.idle();
  }
  const row = readDb<BookingFull>(
    server,
    "select * from bookings where client_email = ? and start_at = ?",
    email,
    Date.parse(slot),
  )[0];
  if (row?.status !== "confirmed")
    throw new Error(`expected a confirmed booking at ${slot}: ${JSON.stringify(row)}`);
  return { ...row, token: manageTokenOf(server, row.id), client };
}

/** "Monday 30 November 2026, 09:00 to 09:30 (New York time)", worked out here with luxon. */
export function sessionText(startMs: number, endMs: number, zone: string, zoneWords: string) {
  const start = DateTime.fromMillis(startMs, { zone }).setLocale("en-GB");
  const end = DateTime.fromMillis(endMs, { zone });
  return `${start.toFormat("cccc d LLLL yyyy")}, ${start.toFormat("HH:mm")} to ${end.toFormat(
    "HH:mm",
  )} (${zoneWords})`;
}

/** 20261130T140000Z, as calendars take UTC times in an address. */
export const compactUtc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** The refunds Stripe (the emulator) holds for a PaymentIntent. */
export const stripeRefunds = (world: PaymentWorld, paymentIntentId: string) =>
  world.emulator.ledger
    .listRefunds({ payment_intent: paymentIntentId, limit: "100" })
    .data.map((refund) => ({ id: refund.id as string, amount: refund.amount as number }));

/** How many refunds Stripe holds in all. */
export const allStripeRefunds = (world: PaymentWorld) =>
  world.emulator.ledger.listRefunds({ limit: "100" }).data.length;

/** The `href` of every link on the page. */
export const hrefs = (page: Page) =>
  [...page.html.matchAll(/<a[^>]*\shref="([^"]*)"/g)].map((match) =>
    match[1]!.replaceAll("&amp;", "&"),
  );

/** The outbox's rows for a booking, as "kind to recipient (status)", reminders included. */
export const allEmailsOf = (server: RunningServer, bookingId: string) =>
  readDb<{ kind: string; recipient: string; status: string; next_attempt_at: number }>(
    server,
    "select kind, recipient, status, next_attempt_at from email_outbox where booking_id = ? order by id",
    bookingId,
  );
