import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "~/auth/password.server";
import { migrateDatabase, openDatabase, type Db } from "./database.server";
import { seedDemoPractice } from "./seed.server";

let db: Db | undefined;
afterEach(() => db?.$client.close());

function migratedDatabase(): Db {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), "kairos-seed-")), "kairos.db"));
  migrateDatabase(db);
  return db;
}

const count = (db: Db, table: string) =>
  (db.$client.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;

describe("seedDemoPractice", () => {
  it("seeds two coaches in different zones, three services and a working coach login", async () => {
    const db = migratedDatabase();
    const result = await seedDemoPractice(db);
    expect(result.seeded).toBe(true);
    if (!result.seeded) return;

    const zones = db.$client.prepare("select timezone from coaches order by id").pluck().all();
    expect(zones).toEqual(["Europe/London", "America/New_York"]);
    const services = db.$client
      .prepare("select duration_minutes d, price_minor p from services order by sort_order")
      .all();
    expect(services).toEqual([
      { d: 15, p: 0 },
      { d: 30, p: 4500 },
      { d: 60, p: 8500 },
    ]);
    expect(count(db, "availability_rules")).toBeGreaterThan(0);

    const user = db.$client.prepare("select email, password_hash h from users").get() as {
      email: string;
      h: string;
    };
    expect(user.email).toBe(result.login.email);
    expect(await verifyPassword(result.login.password, user.h)).toBe(true);
  });

  it("does nothing the second time, and prints no second password", async () => {
    const db = migratedDatabase();
    await seedDemoPractice(db);
    const before = ["coaches", "services", "coach_services", "availability_rules", "users"].map(
      (t) => count(db, t),
    );
    expect(await seedDemoPractice(db)).toEqual({ seeded: false });
    const after = ["coaches", "services", "coach_services", "availability_rules", "users"].map(
      (t) => count(db, t),
    );
    expect(after).toEqual(before);
  });

  it("gives the deep-dive to one coach only, so the wizard can skip the coach step", async () => {
    const db = migratedDatabase();
    await seedDemoPractice(db);
    const offered = db.$client
      .prepare(
        "select s.slug, count(*) n from coach_services cs join services s on s.id = cs.service_id group by s.slug order by s.slug",
      )
      .all();
    expect(offered).toEqual([
      { slug: "coaching-session", n: 2 },
      { slug: "deep-dive", n: 1 },
      { slug: "intro-call", n: 2 },
    ]);
  });
});
