import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeDataDir,
  startServer,
  startServerExpectingFailure,
  type RunningServer,
} from "../server-harness";

describe("a freshly started server", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it("serves the practice home page with the seeded services and coaches", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('<h1 id="practice-name">Northlight Coaching</h1>');
    for (const service of ["Free intro call", "Coaching session", "Deep-dive session"]) {
      expect(html).toContain(service);
    }
    expect(html).toContain("£45");
    expect(html).toContain("£85");
    expect(html).toContain("Maya Okafor");
    expect(html).toContain("Daniel Reyes");
    expect(html).toMatch(/<form method="post" action="\/book\/service"/);
    expect(html).toContain('name="service" value="intro-call"');
  });

  it("labels every page as taking test payments in demo mode", async () => {
    for (const path of ["/", "/no-such-page"]) {
      const html = await (await fetch(`${server.url}${path}`)).text();
      expect(html).toContain("Test payments:</strong> no real money");
    }
  });

  it("answers /healthz with 200 when the database is reachable", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({
      status: "ok",
      jobs: expect.arrayContaining([
        expect.objectContaining({ name: "sweep-holds", lastError: null }),
        expect.objectContaining({ name: "sweep-drafts", lastError: null }),
      ]),
    });
  });

  it("renders a styled 404 page for unknown addresses", async () => {
    const response = await fetch(`${server.url}/definitely/not/here`);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain("We couldn’t find that page");
    expect(html).toContain('href="/"');
    expect(html).toMatch(/<link rel="stylesheet" href="\/build\/_assets\/app-[\w-]+\.css"/);
  });

  it("serves the compiled stylesheet", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const href = html.match(/<link rel="stylesheet" href="([^"]+)"/)?.[1];
    const css = await fetch(`${server.url}${href}`);
    expect(css.status).toBe(200);
    expect(css.headers.get("cache-control")).toContain("immutable");
    expect(await css.text()).toContain(".demo-banner");
  });

  it("compresses pages and assets for clients that accept gzip, and not the webhook's answer", async () => {
    const { request } = await import("node:http");
    // fetch() would decompress and hide the header: ask with node:http, as a browser does.
    const headersOf = (path: string, method = "GET") =>
      new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        const ask = request(`${server.url}${path}`, {
          method,
          headers: { "Accept-Encoding": "gzip" },
        });
        ask.on("response", (response) => {
          response.resume();
          resolve(response.headers);
        });
        ask.on("error", reject);
        ask.end();
      });
    const html = await (await fetch(`${server.url}/`)).text();
    // The stylesheet: fingerprinted, and above compression's 1 KB threshold.
    const css = html.match(/<link rel="stylesheet" href="(\/build\/[^"]+\.css)"/)?.[1];
    expect(css).toBeDefined();
    for (const path of ["/", "/book/service", css!]) {
      const headers = await headersOf(path);
      expect([path, headers["content-encoding"]]).toEqual([path, "gzip"]);
      expect(headers.vary).toContain("Accept-Encoding");
    }
    expect((await headersOf(css!))["cache-control"]).toContain("immutable");
    expect((await headersOf("/webhooks/stripe", "POST"))["content-encoding"]).toBeUndefined();
  });

  it("prints the coach login once, with a password that is not a fixed default", () => {
    const login = server.output().match(/Coach login: (\S+) \/ (\S+)/);
    expect(login?.[1]).toBe("maya@example.com");
    expect(login?.[2]).toMatch(/^[\w-]{16}$/);
    const db = new Database(server.databasePath, { readonly: true });
    const { password_hash: hash } = db.prepare("select password_hash from users").get() as {
      password_hash: string;
    };
    db.close();
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain(login![2]!);
  });

  it("sends basic security headers", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});

describe("start-up against an existing data folder", () => {
  it("migrates an empty file, seeds once, and keeps data and secret across restarts", async () => {
    const dataDir = makeDataDir();
    const first = await startServer({ dataDir });
    await first.stop();
    const secret = readFileSync(join(dataDir, "session-secret"), "utf8");
    expect(first.output()).toContain("Coach login:");

    const second = await startServer({ dataDir });
    try {
      expect(second.output()).not.toContain("Coach login:");
      expect(second.output()).not.toContain("Seeded");
      expect(readFileSync(join(dataDir, "session-secret"), "utf8")).toBe(secret);
      const db = new Database(second.databasePath, { readonly: true });
      const counts = db
        .prepare(
          "select (select count(*) from coaches) coaches, (select count(*) from services) services, (select count(*) from users) users",
        )
        .get();
      const migrations = db.prepare("select count(*) n from __drizzle_migrations").get() as {
        n: number;
      };
      db.close();
      expect(counts).toEqual({ coaches: 2, services: 3, users: 1 });
      expect(migrations.n).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });

  it("does not seed the demo practice into a database that already has one", async () => {
    const dataDir = makeDataDir();
    const first = await startServer({ dataDir });
    await first.stop();
    const db = new Database(join(dataDir, "kairos.db"));
    db.prepare("update practice_settings set name = 'Renamed Practice'").run();
    db.close();
    const second = await startServer({ dataDir });
    try {
      const html = await (await fetch(`${second.url}/`)).text();
      expect(html).toContain("Renamed Practice");
    } finally {
      await second.stop();
    }
  });
});

describe("in production", () => {
  it("shows the styled error page without a stack trace or the error's message", async () => {
    const server = await startServer({
      env: { NODE_ENV: "production", SESSION_SECRET: "s".repeat(40), KAIROS_DEMO: "1" },
    });
    try {
      // Break the database under the running server: the home page's loader throws.
      const db = new Database(server.databasePath);
      db.pragma("foreign_keys = OFF");
      db.exec("drop table coach_services");
      db.close();
      const response = await fetch(`${server.url}/`);
      expect(response.status).toBe(500);
      const html = await response.text();
      expect(html).toContain("Something went wrong");
      expect(html).not.toMatch(/no such table|coach_services|\.js:\d+|at \w+ \(/);
    } finally {
      await server.stop();
    }
  });

  it("reports /healthz as 503 when the database cannot answer", async () => {
    const server = await startServer();
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // Another process wrecks the schema under the running server.
      const db = new Database(server.databasePath);
      db.exec("drop table __drizzle_migrations");
      db.close();
      const response = await fetch(`${server.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "error", database: "unavailable" });
    } finally {
      await server.stop();
    }
  });
});

describe("start-up with bad configuration", () => {
  const oneLine = (output: string) => output.trim().split("\n");

  it.each([
    [
      { PORT: "abc" },
      /^Kairos could not start: PORT must be a whole number from 0 to 65535 \(got "abc"\)$/,
    ],
    [{ PORT: "70000" }, /^Kairos could not start: PORT must be a whole number/],
    [{ APP_URL: "not a url" }, /^Kairos could not start: APP_URL must be an http/],
    [{ SMTP_URL: "http://mail" }, /^Kairos could not start: SMTP_URL must be an smtp/],
    [
      { STRIPE_SECRET_KEY: "pk_test_123" },
      /^Kairos could not start: STRIPE_SECRET_KEY must be a Stripe secret key/,
    ],
    [
      { STRIPE_SECRET_KEY: "sk_test_123" },
      /^Kairos could not start: STRIPE_WEBHOOK_SECRET is required/,
    ],
    [
      { NODE_ENV: "production", APP_URL: "https://book.example.com" },
      /^Kairos could not start: SESSION_SECRET is required when NODE_ENV=production/,
    ],
    [
      // A real install without Stripe keys would send clients to a checkout on a random port.
      {
        NODE_ENV: "production",
        APP_URL: "https://book.example.com",
        SESSION_SECRET: "s".repeat(40),
      },
      /^Kairos could not start: STRIPE_SECRET_KEY is required when NODE_ENV=production, with STRIPE_WEBHOOK_SECRET \(or set KAIROS_DEMO=1 to run the demo practice on purpose\)$/,
    ],
    [
      { STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1", KAIROS_DEMO: "1" },
      /^Kairos could not start: KAIROS_DEMO runs the demo with its own test payments/,
    ],
    [
      // The kernel answers ENOENT under /proc: Node's recursive mkdir used to spin on it forever.
      { DATABASE_PATH: "/proc/kairos-nowhere/kairos.db" },
      /^Kairos could not start: DATABASE_PATH cannot be used as a database \("\/proc\/kairos-nowhere\/kairos.db"\)/,
    ],
    [
      { DATABASE_PATH: "/dev/null/kairos.db" },
      /^Kairos could not start: DATABASE_PATH cannot be used as a database \("\/dev\/null\/kairos.db"\)/,
    ],
  ])("refuses %o with one line naming the variable", async (env, message) => {
    const dataDir = makeDataDir();
    const result = await startServerExpectingFailure({
      DATABASE_PATH: join(dataDir, "kairos.db"),
      ...env,
    });
    expect(result.code).toBe(1);
    expect(oneLine(result.output)).toHaveLength(1);
    expect(result.output.trim()).toMatch(message);
  });

  it("refuses a DATABASE_PATH that is not a SQLite file", async () => {
    const dataDir = makeDataDir();
    const path = join(dataDir, "notes.txt");
    writeFileSync(path, "shopping list: milk, eggs, and a lot more text than a database header");
    const result = await startServerExpectingFailure({ DATABASE_PATH: path });
    expect(result.code).toBe(1);
    expect(oneLine(result.output)).toHaveLength(1);
    expect(result.output).toMatch(
      /^Kairos could not start: DATABASE_PATH cannot be used as a database .*not a database/,
    );
    expect(existsSync(join(dataDir, "session-secret"))).toBe(false);
  });

  it("refuses a port that is already taken", async () => {
    const running = await startServer();
    try {
      const port = new URL(running.url).port;
      const result = await startServerExpectingFailure({
        PORT: port,
        DATABASE_PATH: join(makeDataDir(), "kairos.db"),
      });
      expect(result.code).toBe(1);
      expect(result.output.trim()).toBe(`Kairos could not start: PORT ${port} is already in use`);
    } finally {
      await running.stop();
    }
  });
});
