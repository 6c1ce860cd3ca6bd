import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "~/lib/env.server";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase, type Db } from "./database.server";

const opened: Db[] = [];
function freshDatabase(): Db {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), "kairos-db-")), "nested", "kairos.db"));
  opened.push(db);
  return db;
}
afterEach(() => opened.splice(0).forEach((db) => db.$client.close()));

const tables = (db: Db) =>
  (
    db.$client
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all() as {
      name: string;
    }[]
  ).map((row) => row.name);

describe("openDatabase", () => {
  it("creates missing folders and sets WAL, foreign keys and a busy timeout", () => {
    const db = freshDatabase();
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.$client.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("explains in one line why a path cannot be used", () => {
    expect(() => openDatabase("/dev/null/kairos.db")).toThrow(ConfigError);
    expect(() => openDatabase("/dev/null/kairos.db")).toThrow(/^DATABASE_PATH cannot be used/);
  });
});

describe("migrateDatabase", () => {
  it("creates the whole domain in an empty file, and is a no-op the second time", () => {
    const db = freshDatabase();
    expect(tables(db)).toEqual([]);
    migrateDatabase(db);
    const created = tables(db);
    expect(created).toEqual(
      expect.arrayContaining([
        "availability_overrides",
        "availability_rules",
        "booking_drafts",
        "booking_events",
        "bookings",
        "coach_services",
        "coaches",
        "email_outbox",
        "practice_settings",
        "services",
        "sessions",
        "stripe_events",
        "users",
      ]),
    );
    migrateDatabase(db);
    expect(tables(db)).toEqual(created);
  });

  it("creates the indexes the hot queries need", () => {
    const db = freshDatabase();
    migrateDatabase(db);
    const indexColumns = (index: string) =>
      (db.$client.prepare(`pragma index_info('${index}')`).all() as { name: string }[]).map(
        (c) => c.name,
      );
    expect(indexColumns("bookings_coach_start_idx")).toEqual(["coach_id", "start_at"]);
    expect(indexColumns("booking_drafts_expires_idx")).toEqual(["expires_at"]);
    expect(indexColumns("email_outbox_due_idx")).toEqual(["status", "next_attempt_at"]);
  });
});

/** The committed migrations before `tag` (e.g. "0003"), as a folder drizzle can apply. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), "kairos-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < tag);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe("migrations that rebuild a table", () => {
  it("keep every row that points at the rebuilt table (no cascade on the old one's drop)", () => {
    const db = freshDatabase();
    migrate(db, { migrationsFolder: migrationsBefore("0001") });
    db.$client.exec(`
      insert into coaches (id, slug, name, email, timezone) values (1, 'c', 'C', 'c@example.com', 'Europe/London');
      insert into services (id, slug, name, duration_minutes, price_minor, currency) values (1, 's', 'S', 30, 4500, 'gbp');
      insert into bookings (id, coach_id, service_id, start_at, end_at, client_name, client_email,
        client_timezone, price_minor, currency, status, manage_token_hash)
        values ('b1', 1, 1, 1000, 2000, 'N', 'n@example.com', 'Europe/London', 4500, 'gbp', 'confirmed', 'h1');
      insert into booking_events (booking_id, to_status, actor, at) values ('b1', 'confirmed', 'stripe', 1000);
      insert into email_outbox (booking_id, recipient, kind, subject, text_body, next_attempt_at)
        values ('b1', 'n@example.com', 'booking_confirmed', 'S', 'T', 1000);
    `);
    migrateDatabase(db);
    const count = (table: string) =>
      (
        db.$client.prepare(`select count(*) as n from ${table} where booking_id = 'b1'`).get() as {
          n: number;
        }
      ).n;
    expect(count("booking_events")).toBe(1);
    expect(count("email_outbox")).toBe(1);
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
  });
});

describe("migrations that move data", () => {
  it("0003: the practice's booking rules become each coach's, the cut-off the self-service notice", () => {
    const db = freshDatabase();
    migrate(db, { migrationsFolder: migrationsBefore("0003") });
    db.$client.exec(`
      insert into practice_settings (id, name, minimum_notice_minutes, booking_window_days,
        buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, cancellation_cutoff_hours)
        values (1, 'P', 60, 90, 5, 15, 20, 48);
      insert into coaches (id, slug, name, email, timezone) values (1, 'c', 'C', 'c@example.com', 'America/New_York');
      insert into services (id, slug, name, duration_minutes, price_minor, currency) values (1, 's', 'S', 30, 4500, 'gbp');
      insert into bookings (id, coach_id, service_id, start_at, end_at, client_name, client_email,
        client_timezone, price_minor, currency, status) values ('b1', 1, 1, 1000, 2000, 'N', 'n@example.com', 'UTC', 4500, 'gbp', 'confirmed');
    `);
    migrateDatabase(db);
    const one = (sql: string) => db.$client.prepare(sql).get();
    expect(
      one(
        "select minimum_notice_minutes, booking_window_days, buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, max_per_day from coaches",
      ),
    ).toEqual({
      minimum_notice_minutes: 60,
      booking_window_days: 90,
      buffer_before_minutes: 5,
      buffer_after_minutes: 15,
      slot_interval_minutes: 20,
      max_per_day: null,
    });
    expect(
      one("select name, timezone, self_service_notice_hours, refund_policy from practice_settings"),
    ).toEqual({
      name: "P",
      timezone: "America/New_York",
      self_service_notice_hours: 48,
      refund_policy: '[{"hoursBefore":48,"percent":100}]',
    });
    expect(one("select location_kind, name from services")).toEqual({
      location_kind: "none",
      name: "S",
    });
    expect(one("select count(*) as n from bookings")).toEqual({ n: 1 });
  });

  it("0004: keeps each booking's manage token, gives old emails their own Message-ID, and failed ones die", () => {
    const db = freshDatabase();
    migrate(db, { migrationsFolder: migrationsBefore("0004") });
    db.$client.exec(`
      insert into coaches (id, slug, name, email, timezone) values (1, 'c', 'C', 'c@example.com', 'UTC');
      insert into services (id, slug, name, duration_minutes, price_minor, currency) values (1, 's', 'S', 30, 4500, 'gbp');
      insert into bookings (id, coach_id, service_id, start_at, end_at, client_name, client_email,
        client_timezone, price_minor, currency, status, manage_token_hash, updated_at) values
        ('b1', 1, 1, 1000, 2000, 'N', 'n@example.com', 'UTC', 4500, 'gbp', 'confirmed', 'hash-1', 5000),
        ('b2', 1, 1, 3000, 4000, 'N', 'n@example.com', 'UTC', 4500, 'gbp', 'held', null, 5000);
      insert into email_outbox (booking_id, recipient, kind, subject, text_body, next_attempt_at, status)
        values ('b1', 'n@example.com', 'k', 'S', 'T', 1000, 'sent'), ('b1', 'n@example.com', 'k', 'S', 'T', 1000, 'failed');
    `);
    migrateDatabase(db);
    const all = (sql: string) => db.$client.prepare(sql).all();
    expect(all("select token_hash, booking_id, created_at from manage_tokens")).toEqual([
      { token_hash: "hash-1", booking_id: "b1", created_at: 5000 },
    ]);
    const emails = all("select status, message_id from email_outbox order by id") as {
      status: string;
      message_id: string;
    }[];
    expect(emails.map((e) => e.status)).toEqual(["sent", "dead"]);
    expect(emails[0]!.message_id).toMatch(/^<outbox-1\.[0-9a-f]{16}@kairos>$/);
    expect(new Set(emails.map((e) => e.message_id)).size).toBe(2);
  });
});

describe("constraints", () => {
  function seededCoachAndService(db: Db) {
    db.$client.exec(`
      insert into coaches (id, slug, name, email, timezone) values (1, 'c', 'C', 'c@example.com', 'Europe/London');
      insert into services (id, slug, name, duration_minutes, price_minor, currency) values (1, 's', 'S', 30, 4500, 'gbp');
    `);
  }
  const booking = (id: string, sessionId: string | null, status = "held") =>
    `insert into bookings (id, coach_id, service_id, start_at, end_at, client_name, client_email,
       client_timezone, price_minor, currency, status, checkout_session_id)
     values ('${id}', 1, 1, 1000, 2000, 'N', 'n@example.com', 'Europe/London', 4500, 'gbp', '${status}',
       ${sessionId ? `'${sessionId}'` : "null"})`;

  it("allows one booking per Checkout Session, and many without one", () => {
    const db = freshDatabase();
    migrateDatabase(db);
    seededCoachAndService(db);
    db.$client.exec(booking("b1", "cs_test_1"));
    expect(() => db.$client.exec(booking("b2", "cs_test_1"))).toThrow(
      /UNIQUE constraint failed: bookings.checkout_session_id/,
    );
    db.$client.exec(booking("b3", null));
    db.$client.exec(booking("b4", null));
  });

  it("rejects unknown statuses, foreign keys that point nowhere, and bad money", () => {
    const db = freshDatabase();
    migrateDatabase(db);
    seededCoachAndService(db);
    expect(() => db.$client.exec(booking("b1", null, "paid"))).toThrow(
      /CHECK constraint failed: bookings_status/,
    );
    expect(() =>
      db.$client.exec("insert into coach_services (coach_id, service_id) values (99, 1)"),
    ).toThrow(/FOREIGN KEY constraint failed/);
    expect(() =>
      db.$client.exec(
        "insert into services (slug, name, duration_minutes, price_minor, currency) values ('x', 'X', 30, 100, 'GBP')",
      ),
    ).toThrow(/services_currency_lowercase/);
  });
});
