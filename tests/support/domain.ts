/**
 * The world of an in-process domain test: a temporary SQLite file, migrated and seeded with the
 * demo practice, and a Stripe emulator in the test process that the real `stripe` SDK talks to over
 * HTTP. No server is built or started and nothing of ours is mocked: tests call the domain
 * functions (the lifecycle, fulfil, checkout, the jobs) directly and read the database they wrote.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { findAvailableStarts } from "~/availability/availability.server";
import type { NewBooking } from "~/booking/lifecycle.server";
import { findBookableOffer, type BookableOffer } from "~/catalogue/catalogue.server";
import { createStripeClient } from "~/lib/stripe.server";
import { saveDraft, type Draft } from "~/wizard/drafts.server";
import { migrateDatabase, openDatabase, type Db } from "~db/database.server";
import { coaches, services } from "~db/schema";
import { seedDemoPractice } from "~db/seed.server";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";

export const APP_URL = "http://kairos.test";

export type DomainWorld = {
  db: Db;
  stripe: Stripe;
  emulator: StripeEmulator;
};

/** A fresh database file, migrated and seeded with the demo practice. */
export async function freshPractice(): Promise<{ db: Db; close: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-domain-"));
  const db = openDatabase(join(dir, "kairos.db"));
  migrateDatabase(db);
  await seedDemoPractice(db);
  return {
    db,
    close: () => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One emulator for the file, a fresh practice for every test. The emulator sends no webhooks (it
 * has no endpoint): each test decides what reaches the domain and when.
 */
export function withDomainWorld(): DomainWorld {
  const world = {} as DomainWorld;
  let closeDb: (() => void) | undefined;
  beforeAll(async () => {
    world.emulator = await startStripeEmulator({ asyncPaymentDelayMs: 50 });
    world.stripe = createStripeClient({ secretKey: "sk_test_domain", apiBase: world.emulator.url });
  });
  beforeEach(async () => {
    ({ db: world.db, close: closeDb } = await freshPractice());
  });
  afterEach(() => closeDb?.());
  afterAll(async () => {
    await world.emulator?.stop();
  });
  return world;
}

/** The demo practice's offer of a service (by slug) with a coach (by slug). */
export function offerOf(db: Db, serviceSlug: string, coachSlug = "maya-okafor"): BookableOffer {
  const service = db
    .select()
    .from(services)
    .all()
    .find((s) => s.slug === serviceSlug)!;
  const coach = db
    .select()
    .from(coaches)
    .all()
    .find((c) => c.slug === coachSlug)!;
  return findBookableOffer(db, coach.id, service.id)!;
}

/** Bookable starts of an offer over the next four weeks, as of `now`. */
export function freeStarts(db: Db, offer: BookableOffer, now = new Date()): Date[] {
  const from = now.getTime();
  return findAvailableStarts(db, offer, { from, to: from + 28 * 86_400_000, now: from }).map(
    (start) => new Date(start),
  );
}

let clients = 0;

/** A new booking of the offer at `startAt` (the first free start when not given). */
export function newBooking(db: Db, offer: BookableOffer, startAt?: Date): NewBooking {
  clients++;
  return {
    offer,
    startAt: startAt ?? freeStarts(db, offer)[0]!,
    draftId: null,
    client: {
      name: `Client ${clients}`,
      email: `client${clients}@example.com`,
      timezone: "Europe/London",
      notes: "",
    },
  };
}

/** A draft filled in up to the review step, for the offer at `startAt` (first free when not given). */
export function completeDraftFor(
  db: Db,
  offer: BookableOffer,
  startAt?: Date,
  now = new Date(),
): Draft {
  clients++;
  return saveDraft(
    db,
    null,
    {
      serviceId: offer.service.id,
      coachId: offer.coach.id,
      startAt: startAt ?? freeStarts(db, offer, now)[0]!,
      clientName: `Client ${clients}`,
      clientEmail: `client${clients}@example.com`,
      clientTimezone: "Europe/London",
      clientNotes: "",
    },
    now,
  );
}

/** Rows of a table, as SQLite holds them (column names as in the schema's SQL). */
export function rows<T = Record<string, unknown>>(db: Db, sql: string, ...params: unknown[]): T[] {
  return db.$client.prepare(sql).all(...params) as T[];
}

export const eventsOf = (db: Db, bookingId: string) =>
  rows<{ from_status: string | null; to_status: string; actor: string; reason: string }>(
    db,
    "select from_status, to_status, actor, reason from booking_events where booking_id = ? order by id",
    bookingId,
  );

export const outboxOf = (db: Db, bookingId: string) =>
  rows<{ kind: string; recipient: string }>(
    db,
    "select kind, recipient from email_outbox where booking_id = ? order by id",
    bookingId,
  ).map((row) => `${row.kind} to ${row.recipient}`);

/** How many manage links a booking has been given (one per client email that carries one). */
export const manageTokenCount = (db: Db, bookingId: string) =>
  rows(db, "select token_hash from manage_tokens where booking_id = ?", bookingId).length;

export const bookingRow = (db: Db, bookingId: string) =>
  rows<{
    id: string;
    status: string;
    status_reason: string | null;
    hold_expires_at: number | null;
    checkout_session_id: string | null;
    payment_intent_id: string | null;
    end_at: number;
    needs_attention: string | null;
    draft_id: string | null;
    start_at: number;
  }>(db, "select * from bookings where id = ?", bookingId)[0];

export const draftRow = (db: Db, draftId: string) =>
  rows<{
    status: string;
    start_at: number | null;
    checkout_session_id: string | null;
  }>(
    db,
    "select status, start_at, checkout_session_id from booking_drafts where id = ?",
    draftId,
  )[0];

/** Test set-up only: put a booking in a status directly, as if its history had led there. */
export function forceStatus(db: Db, bookingId: string, status: string, holdExpiresAt?: number) {
  db.$client
    .prepare("update bookings set status = ?, hold_expires_at = ? where id = ?")
    .run(status, holdExpiresAt ?? null, bookingId);
}

/** The Checkout Session id in the URL Pay sent the client to. */
export function sessionIdOf(redirectTo: string): string {
  const id = redirectTo.match(/\/c\/pay\/(cs_test_\w+)/)?.[1];
  if (!id) throw new Error(`not a Checkout page: ${redirectTo}`);
  return id;
}
