/**
 * Operations (issue 9), over real processes and real HTTP: a server stopped by SIGTERM or SIGINT
 * in the middle of load answers every request it took and leaves a whole database (no write-ahead
 * log, no pid file) behind; `backup` works on a running server, `restore` is refused while one
 * runs and otherwise brings back exactly the backed-up data, refusing anything that is not a
 * Kairos backup; with LOG_FORMAT=json every log line is JSON, every request is logged with its id,
 * and nothing personal or secret (names, emails, Checkout Session ids, cookies) reaches the log.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";
import { makeDataDir, startServer } from "../server-harness";
import { FormClient, offeredStarts, weekStarts, type Page } from "./form-client";
import {
  draftIdInCookie,
  integrityCheck,
  kairosCommand,
  npmScript,
  RawConnection,
  rawRequest,
  snapshotDatabase,
  spawnKairos,
  type KairosProcess,
} from "./operations-support";
import {
  bookingsOf,
  clientAtPaidReview,
  hostedPage,
  pressPay,
  readDb,
  startPaymentWorld,
  waitFor,
} from "./payment-support";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Stripe emulator in this process, stopped after the test. */
async function startEmulator(): Promise<StripeEmulator> {
  const emulator = await startStripeEmulator({
    asyncPaymentDelayMs: 150,
    webhookRetryDelaysMs: [100, 200, 400],
  });
  cleanups.push(() => emulator.stop());
  return emulator;
}

/** A server's environment for paying through `emulator` (as payment-support.ts sets it up). */
const payingThrough = (emulator: StripeEmulator) => ({
  STRIPE_SECRET_KEY: "sk_test_kairos_tests",
  STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
  STRIPE_API_BASE: emulator.url,
  HOUSEKEEPING_INTERVAL_SECONDS: "3600",
  // No job writes while a test compares a live database with its backup: emails wait.
  EMAIL_SEND_INTERVAL_SECONDS: "600",
  // Each FormClient has its own address: per-address limits apply per client.
  TRUST_PROXY: "loopback",
});

/** A server paying through an emulator in this process, signalled by the test itself. */
async function startSignalledWorld(): Promise<{ server: KairosProcess; emulator: StripeEmulator }> {
  const emulator = await startEmulator();
  const server = await spawnKairos({ env: payingThrough(emulator), seed: true });
  cleanups.push(async () => {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  });
  emulator.webhooks.setEndpoint(`${server.url}/webhooks/stripe`);
  return { server, emulator };
}

/** Bookings whose Pay got as far as holding the slot but not yet as far as Stripe's answer. */
const holdsWaitingForStripe = (server: KairosProcess) =>
  readDb<{ n: number }>(
    server,
    "select count(*) n from bookings where status = 'held' and checkout_session_id is null",
  )[0]!.n;

/** What the database and the data folder look like after a clean stop. */
function expectCleanlyClosed(server: KairosProcess) {
  // Looked at before anything opens the file again (a reader would make a new log).
  const wal = `${server.databasePath}-wal`;
  expect(existsSync(wal) ? statSync(wal).size : 0, "bytes left in the -wal file").toBe(0);
  expect(existsSync(server.pidFile), "pid file left behind").toBe(false);
  expect(integrityCheck(server.databasePath)).toBe("ok");
}

type Answer = { what: string; status: number; location: string | null; html: string };

/** Runs requests concurrently; each either answers or is reported with why it did not. */
function loadOf(requests: [what: string, request: () => Promise<Page>][]) {
  return Promise.all(
    requests.map(([what, request]) =>
      request().then(
        (page): Answer => ({
          what,
          status: page.status,
          location: page.response.headers.get("location"),
          html: page.html,
        }),
        (error: Error): Answer => ({
          what,
          status: 0,
          location: null,
          html: `${error.message} ${String((error.cause as Error | undefined)?.message ?? "")}`,
        }),
      ),
    ),
  );
}

/** A new client whose draft has reached the given wizard step (for the `intro-call`). */
async function clientAt(url: string, step: "coach" | "time" | "details", slot?: string) {
  const client = new FormClient(url);
  await client.post("/book/service", { service: "intro-call" });
  if (step === "coach") return client;
  await client.post("/book/coach", { coach: "maya-okafor" });
  if (step === "time") return client;
  const chosen = await client.post("/book/time", { startAt: slot! });
  if (chosen.location !== "/book/details") throw new Error(`could not choose ${slot}`);
  return client;
}

/** Starts far enough apart that holding one never blocks another (a session, its buffer, spare). */
function apart(starts: string[], minutes = 60): string[] {
  const chosen: string[] = [];
  for (const start of starts) {
    const last = chosen.at(-1);
    if (!last || Date.parse(start) - Date.parse(last) >= minutes * 60_000) chosen.push(start);
  }
  return chosen;
}

const draftOf = (server: KairosProcess, client: FormClient) =>
  readDb<{ service_id: number | null; coach_id: number | null; client_email: string | null }>(
    server,
    "select service_id, coach_id, client_email from booking_drafts where id = ?",
    draftIdInCookie(client.lastSetCookie.get("kairos_draft")!.split(";")[0]!.split("=")[1]!),
  )[0];

describe("graceful shutdown", () => {
  it("SIGTERM under load: every request taken is answered, then a clean exit 0 with a whole database", async () => {
    const { server, emulator } = await startSignalledWorld();
    const daniel = new FormClient(server.url);
    await daniel.post("/book/service", { service: "coaching-session" });
    await daniel.post("/book/coach", { coach: "daniel-reyes" });
    const slots = apart(await weekStarts(daniel, "/book/time"));
    expect(slots.length).toBeGreaterThanOrEqual(13);
    const maya = await clientAt(server.url, "time");
    const mayaSlots = apart(await weekStarts(maya, "/book/time"));
    expect(mayaSlots.length).toBeGreaterThanOrEqual(4);

    // The scene: clients on the review step about to press Pay, clients who paid and will load
    // the return page (both wait on Stripe), and clients at every other step of the wizard.
    const payers = await Promise.all(
      slots.slice(0, 9).map(async (slot, i) => {
        const { client } = await clientAtPaidReview(server, `payer-${i}@example.com`, { slot });
        return client;
      }),
    );
    const returners = await Promise.all(
      slots.slice(9, 13).map(async (slot, i) => {
        const { client } = await clientAtPaidReview(server, `returner-${i}@example.com`, { slot });
        const { url, sessionId } = await pressPay(client);
        const paid = await hostedPage(url, "pay");
        expect(paid.path).toBe(`/book/return?session_id=${sessionId}`);
        return { client, path: paid.path! };
      }),
    );
    await emulator.webhooks.idle();
    const newcomers = Array.from({ length: 6 }, () => new FormClient(server.url));
    const atCoach = await Promise.all([0, 1, 2, 3].map(() => clientAt(server.url, "coach")));
    const atTime = await Promise.all([0, 1, 2, 3].map(() => clientAt(server.url, "time")));
    const atDetails = await Promise.all(
      mayaSlots.slice(0, 4).map((slot) => clientAt(server.url, "details", slot)),
    );

    // The last payer talks over a connection of its own, so that once SIGTERM has arrived, while
    // its Pay is still being answered, a health check can go out on a connection that is busy
    // (an idle one is closed at once, so nothing could be asked on it).
    const rawPayer = payers.pop()!;
    const connection = await RawConnection.open(server.url);

    emulator.slowApiRequests(700);
    const answers = loadOf([
      ...payers.map((c, i) => [`pay ${i}`, () => c.post("/book/review", { intent: "pay" })]),
      ...returners.map(({ client, path }, i) => [`return ${i}`, () => client.get(path)]),
      ...newcomers.map((c, i) => [`home ${i}`, () => c.get("/")]),
      ...atTime.map((c, i) => [`time page ${i}`, () => c.get("/book/time")]),
      ...newcomers.map((c, i) => [
        `service ${i}`,
        () => c.post("/book/service", { service: "coaching-session" }),
      ]),
      ...atCoach.map((c, i) => [
        `coach ${i}`,
        () => c.post("/book/coach", { coach: "maya-okafor" }),
      ]),
      ...atDetails.map((c, i) => [
        `details ${i}`,
        () =>
          c.post("/book/details", {
            name: "Grace Hopper",
            email: `walker-${i}@example.com`,
            notes: "",
            timezone: "Europe/London",
          }),
      ]),
    ] as [string, () => Promise<Page>][]);
    connection.send(
      rawRequest("POST", server.url, "/book/review", {
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Forwarded-For": rawPayer.address,
          Cookie: rawPayer.cookieHeader,
        },
        body: "intent=pay",
      }),
    );

    // Every Pay has held its slot and waits on Stripe: the requests are inside the server.
    await waitFor(
      () => holdsWaitingForStripe(server),
      (n) => n === 9,
    );
    await sleep(50);
    server.signal("SIGTERM");
    await waitFor(
      () => server.output(),
      (output) => output.includes("Stopping: finishing the requests in flight"),
    );
    connection.send(rawRequest("GET", server.url, "/healthz"));

    const settled = await answers;
    const exit = await server.waitForExit(10_000);
    const onTheWire = await connection.closed(5000);

    const problems = settled.filter((answer) => {
      const [kind] = answer.what.split(" ");
      if (kind === "pay")
        return !(
          answer.status === 303 && answer.location?.startsWith(`${emulator.url}/c/pay/cs_test_`)
        );
      if (kind === "return")
        return !(answer.status === 200 && /Booking confirmed/.test(answer.html));
      if (kind === "home")
        return !(answer.status === 200 && answer.html.includes("Northlight Coaching"));
      if (kind === "time") return !(answer.status === 200 && answer.html.includes("Step 3 of 5"));
      if (kind === "service") return !(answer.status === 303 && answer.location === "/book/coach");
      if (kind === "coach") return !(answer.status === 303 && answer.location === "/book/time");
      return !(answer.status === 303 && answer.location === "/book/review");
    });
    // Soft, so that what the stop left behind is checked (and reported) even when some failed.
    expect
      .soft(
        problems.map((p) => `${p.what}: ${p.status} ${p.location} ${p.html.slice(0, 120)}`),
        "requests sent before SIGTERM that got no answer, or a wrong one",
      )
      .toEqual([]);
    expect(settled).toHaveLength(36);

    // The raw connection: Pay answered first, then the health check that came in during shutdown.
    const [payAnswer, healthAnswer, ...more] = onTheWire.split(/(?=^HTTP\/1\.1 \d{3} )/m);
    expect(more).toEqual([]);
    expect(payAnswer).toMatch(/^HTTP\/1\.1 303 /);
    const rawLocation = payAnswer!.match(/^Location: (\S+)/im)?.[1];
    expect(rawLocation).toMatch(new RegExp(`^${emulator.url}/c/pay/cs_test_\\w+$`));
    expect(healthAnswer).toMatch(/^HTTP\/1\.1 503 /);
    expect(healthAnswer).toMatch(/^Connection: close\r$/im);
    expect(healthAnswer).toContain('{"status":"stopping"}');

    expect(exit).toEqual({ code: 0, signal: null });
    expectCleanlyClosed(server);
    const log = server.output();
    expect(log).toMatch(/INFO Stopping: finishing the requests in flight signal=SIGTERM\n/);
    expect(log).toMatch(/INFO Stopped\n/);
    expect(log).not.toMatch(/ (ERROR|FATAL) /);

    // Every Pay that answered left its booking held with the session it was sent to, and its
    // draft in checkout with the same session; no hold is left without one.
    const payLocations = [
      ...settled.filter((a) => a.what.startsWith("pay")).map((a) => a.location!),
      rawLocation!,
    ];
    const emails = [...payers.map((_c, i) => `payer-${i}@example.com`), "payer-8@example.com"];
    for (const [i, email] of emails.entries()) {
      const bookings = bookingsOf(server, email);
      expect(bookings, email).toHaveLength(1);
      const [booking] = bookings;
      expect(booking!.status).toBe("held");
      expect(booking!.checkout_session_id).toMatch(/^cs_test_/);
      expect(payLocations[i]).toBe(`${emulator.url}/c/pay/${booking!.checkout_session_id}`);
      expect(emulator.ledger.findSession(booking!.checkout_session_id!)).toBeDefined();
      expect(
        readDb(
          server,
          "select status, checkout_session_id from booking_drafts where id = ?",
          booking!.draft_id,
        ),
      ).toEqual([{ status: "checkout", checkout_session_id: booking!.checkout_session_id }]);
    }
    expect(holdsWaitingForStripe(server)).toBe(0);
    for (const [i] of returners.entries())
      expect(bookingsOf(server, `returner-${i}@example.com`).map((b) => b.status)).toEqual([
        "confirmed",
      ]);
    // Every wizard step answered during the load is in its draft.
    const answered = (what: string) => !problems.some((p) => p.what === what);
    for (const [i, client] of newcomers.entries())
      if (answered(`service ${i}`)) expect(draftOf(server, client)?.service_id).not.toBeNull();
    for (const [i, client] of atCoach.entries())
      if (answered(`coach ${i}`)) expect(draftOf(server, client)?.coach_id).not.toBeNull();
    for (const [i, client] of atDetails.entries())
      if (answered(`details ${i}`))
        expect(draftOf(server, client)?.client_email).toBe(`walker-${i}@example.com`);
  });

  it("SIGINT (Ctrl-C) stops the same way", async () => {
    const { server, emulator } = await startSignalledWorld();
    const { client } = await clientAtPaidReview(server, "ctrl-c@example.com");
    emulator.slowApiRequests(500);
    const answers = loadOf([
      ["pay", () => client.post("/book/review", { intent: "pay" })],
      ["home", () => new FormClient(server.url).get("/")],
    ]);
    await waitFor(
      () => holdsWaitingForStripe(server),
      (n) => n === 1,
    );
    await sleep(50);
    server.signal("SIGINT");

    const [pay, home] = await answers;
    expect(pay).toMatchObject({
      status: 303,
      location: expect.stringContaining("/c/pay/cs_test_"),
    });
    expect(home).toMatchObject({ status: 200 });
    expect(await server.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    expectCleanlyClosed(server);
    expect(server.output()).toMatch(
      /INFO Stopping: finishing the requests in flight signal=SIGINT\n/,
    );
    expect(server.output()).toMatch(/INFO Stopped\n/);
    const [booking] = bookingsOf(server, "ctrl-c@example.com");
    expect(pay!.location).toBe(`${emulator.url}/c/pay/${booking!.checkout_session_id}`);
  });
});

/** A free intro call booked through every wizard step; returns its start. */
async function bookIntroCall(url: string, email: string): Promise<string> {
  const client = await clientAt(url, "time");
  const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
  await client.post("/book/time", { startAt: slot });
  await client.post("/book/details", {
    name: "Ada Lovelace",
    email,
    notes: "Backed up?",
    timezone: "Europe/London",
  });
  const confirmed = await client.post("/book/review", { intent: "confirm" });
  expect(confirmed.location).toBe("/book/confirmed");
  return slot;
}

async function offeredIntroCalls(url: string) {
  const client = await clientAt(url, "time");
  return await weekStarts(client, "/book/time");
}

describe("backup and restore", () => {
  it("backs up a running server, refuses to restore under it, and restores exactly the backup once it stops", async () => {
    const dataDir = makeDataDir();
    const backupDir = makeDataDir();
    cleanups.push(() => {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(backupDir, { recursive: true, force: true });
    });
    const emulator = await startEmulator();
    const env = payingThrough(emulator);
    const first = await startServer({ dataDir, env, seed: true });
    cleanups.push(() => first.stop());
    emulator.webhooks.setEndpoint(`${first.url}/webhooks/stripe`);
    const database = first.databasePath;

    // Before the backup: a free call, a paid session (its emails queued), a draft under way.
    const backedUpSlot = await bookIntroCall(first.url, "before-backup@example.com");
    const { client: payer } = await clientAtPaidReview(first, "paid-before@example.com");
    const paid = await hostedPage((await pressPay(payer)).url, "pay");
    expect((await payer.get(paid.path!)).html).toContain("Booking confirmed");
    await emulator.webhooks.idle();
    await new FormClient(first.url).post("/book/service", { service: "deep-dive" });
    const atBackup = snapshotDatabase(database);
    expect(atBackup.bookings!.map((b) => (b as { status: string }).status)).toEqual([
      "confirmed",
      "confirmed",
    ]);
    expect(atBackup.booking_events).toHaveLength(3);
    expect(atBackup.booking_drafts).toHaveLength(3);
    // Each booking's confirmation to the client and to the coach (and any reminders).
    expect(
      atBackup.email_outbox!.filter((email) => (email as { kind: string }).kind !== "reminder"),
    ).toHaveLength(4);

    const backup = join(backupDir, "kairos-backup.db");
    const backedUp = await kairosCommand(database, "backup", backup);
    expect(backedUp).toEqual({
      code: 0,
      stdout: `Backed up ${database} to ${backup}\n`,
      stderr: "",
    });
    expect(integrityCheck(backup)).toBe("ok");
    expect(snapshotDatabase(backup)).toEqual(atBackup);

    // Life goes on after the backup.
    const laterSlot = await bookIntroCall(first.url, "after-backup@example.com");
    const { client: laterPayer, slot: laterPaidSlot } = await clientAtPaidReview(
      first,
      "paid-after@example.com",
    );
    await pressPay(laterPayer);
    await new FormClient(first.url).post("/book/service", { service: "coaching-session" });
    const later = snapshotDatabase(database);
    expect(later.bookings).toHaveLength(4);

    // The documented command works too, on the running server.
    const viaNpm = join(backupDir, "via-npm.db");
    const npm = await npmScript(database, "db:backup", viaNpm);
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.stdout).toContain(`Backed up ${database} to ${viaNpm}\n`);
    expect(snapshotDatabase(viaNpm)).toEqual(later);

    // Not while the server runs: one line naming its pid, and the database is left alone.
    const pid = Number(readFileSync(join(dataDir, "kairos.pid"), "utf8").trim());
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    const refused = await kairosCommand(database, "restore", backup);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: `kairos restore: Kairos is running on this database (pid ${pid}); stop it first\n`,
    });
    expect(snapshotDatabase(database)).toEqual(later);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    await first.stop();
    expect(snapshotDatabase(database)).toEqual(later);
    const bytesBefore = readFileSync(database);

    // Anything but a Kairos backup is refused in one line, and nothing changes.
    const notADatabase = join(backupDir, "notes.txt");
    writeFileSync(notADatabase, "these are not the bytes of a database\n".repeat(20));
    const otherDatabase = join(backupDir, "other.db");
    const other = new Database(otherDatabase);
    other.exec("create table things (id integer primary key); insert into things default values;");
    other.close();
    const missing = join(backupDir, "missing.db");
    for (const [file, reason] of [
      [notADatabase, `${notADatabase} is not a usable Kairos backup: `],
      [otherDatabase, `${otherDatabase} is not a usable Kairos backup: `],
      [missing, `there is no backup at ${missing}`],
    ] as const) {
      const result = await kairosCommand(database, "restore", file);
      expect(result.code, file).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr, "one line").toMatch(/^kairos restore: [^\n]+\n$/);
      expect(result.stderr.startsWith(`kairos restore: ${reason}`), result.stderr).toBe(true);
      expect(readFileSync(database).equals(bytesBefore), `database changed by ${file}`).toBe(true);
      expect(existsSync(`${database}.restoring`)).toBe(false);
    }
    expect(snapshotDatabase(database)).toEqual(later);

    const restored = await kairosCommand(database, "restore", backup);
    expect(restored).toEqual({
      code: 0,
      stdout: `Restored ${database} from ${backup}\n`,
      stderr: "",
    });
    expect(existsSync(`${database}-wal`)).toBe(false);
    expect(existsSync(`${database}.restoring`)).toBe(false);
    expect(integrityCheck(database)).toBe("ok");
    expect(snapshotDatabase(database)).toEqual(atBackup);

    // A server on the restored file has exactly the data of the backup moment; its email job,
    // which runs as it starts, may already be sending the emails that were waiting then.
    const second = await startServer({ dataDir, env });
    cleanups.push(() => second.stop());
    expect(withoutDelivery(snapshotDatabase(database))).toEqual(withoutDelivery(atBackup));
    const offered = await offeredIntroCalls(second.url);
    expect(offered).not.toContain(backedUpSlot);
    expect(offered).toContain(laterSlot);
    const coaching = new FormClient(second.url);
    await coaching.post("/book/service", { service: "coaching-session" });
    await coaching.post("/book/coach", { coach: "daniel-reyes" });
    expect(await weekStarts(coaching, "/book/time")).toContain(laterPaidSlot);
  });
});

/** A snapshot with the outbox's delivery state (sent or not yet, attempts) left out. */
function withoutDelivery(snapshot: ReturnType<typeof snapshotDatabase>) {
  return {
    ...snapshot,
    email_outbox: snapshot.email_outbox!.map((email) => {
      const {
        status: _status,
        sent_at: _sentAt,
        attempts: _attempts,
        last_error: _lastError,
        next_attempt_at: _next,
        ...identity
      } = email as Record<string, unknown>;
      return identity;
    }),
  };
}

type LogLine = { level: number; time: number; msg: string; [field: string]: unknown };

describe("structured logs", () => {
  it("LOG_FORMAT=json: JSON lines, every request with its id, and nothing personal or secret", async () => {
    const world = await startPaymentWorld({ LOG_FORMAT: "json" });
    cleanups.push(() => world.stop());
    const { server } = world;

    const plain = await fetch(`${server.url}/`);
    expect(plain.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await fetch(`${server.url}/`, { headers: { "X-Request-Id": "ops-check.42_a" } });
    expect(traced.headers.get("x-request-id")).toBe("ops-check.42_a");
    const unsafe = await fetch(`${server.url}/`, { headers: { "X-Request-Id": "a b<script>" } });
    const replaced = unsafe.headers.get("x-request-id");
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    const secretPath = "/no-such/AbCdEfGhIjKlMnOpQrStUvWx0123";
    expect((await fetch(`${server.url}${secretPath}?token=abc`)).status).toBe(404);

    // A paid booking round by someone easy to spot in a log.
    const name = "Perpetua Quillfeather";
    const email = "perpetua.quill-7731@example.org";
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "coaching-session" });
    await client.post("/book/coach", { coach: "daniel-reyes" });
    const [slot] = await weekStarts(client, "/book/time");
    await client.post("/book/time", { startAt: slot! });
    const details = await client.post("/book/details", {
      name,
      email,
      notes: "",
      timezone: "Europe/London",
    });
    expect(details.location).toBe("/book/review");
    const { sessionId, url } = await pressPay(client);
    const paid = await hostedPage(url, "pay");
    expect(paid.path).toBe(`/book/return?session_id=${sessionId}`);
    expect((await client.get(paid.path!)).html).toContain("Booking confirmed");
    await world.emulator.webhooks.idle();
    await waitFor(
      () => bookingsOf(server, email).map((b) => b.status),
      (statuses) => statuses.join() === "confirmed",
    );
    const cookie = client.cookieHeader.match(/kairos_draft=([^;]+)/)![1]!;
    await world.stop();

    // Everything on stdout is JSON, except the coach login printed once at first start.
    const lines = server.output().split("\n").filter(Boolean);
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    expect(notJson).toHaveLength(3);
    expect(notJson[0]).toMatch(/^Seeded the demo practice/);
    expect(notJson[1]).toMatch(/^Coach login: maya@example\.com \/ [\w-]{16}$/);
    expect(notJson[2]).toMatch(/^This password is shown only now/);
    const entries = lines
      .filter((line) => !notJson.includes(line))
      .map((line) => JSON.parse(line) as LogLine);
    for (const entry of entries)
      expect(entry).toMatchObject({
        level: expect.any(Number),
        time: expect.any(Number),
        msg: expect.any(String),
      });
    expect(entries.map((e) => e.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Kairos is listening on/), "Stopped"]),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: "Stopping: finishing the requests in flight",
        signal: "SIGTERM",
      }),
    );

    const requests = entries.filter((entry) => entry.msg === "request");
    for (const entry of requests)
      expect(entry).toEqual({
        level: 30,
        time: expect.any(Number),
        msg: "request",
        requestId: expect.stringMatching(/^[\w.-]{1,100}$/),
        method: expect.stringMatching(/^(GET|POST|HEAD)$/),
        route: expect.stringMatching(/^\/[^?]*$/),
        status: expect.any(Number),
        durationMs: expect.any(Number),
      });
    const logged = (match: Partial<LogLine>) =>
      requests.filter((entry) => Object.entries(match).every(([k, v]) => entry[k] === v));
    expect(
      logged({ requestId: "ops-check.42_a", method: "GET", route: "/", status: 200 }),
    ).toHaveLength(1);
    expect(logged({ requestId: replaced!, route: "/" })).toHaveLength(1);
    expect(logged({ requestId: plain.headers.get("x-request-id")! })).toHaveLength(1);
    expect(logged({ route: "/no-such/:redacted", status: 404 })).toHaveLength(1);
    expect(logged({ method: "POST", route: "/book/details", status: 303 })).toHaveLength(1);
    expect(logged({ method: "POST", route: "/book/review", status: 303 })).toHaveLength(1);
    expect(logged({ method: "GET", route: "/book/return", status: 200 })).toHaveLength(1);
    expect(
      logged({ method: "POST", route: "/webhooks/stripe", status: 200 }).length,
    ).toBeGreaterThan(0);
    expect(new Set(requests.map((entry) => entry.requestId)).size).toBe(requests.length);

    const whole = server.output();
    for (const secret of [
      sessionId,
      email,
      name,
      "Perpetua",
      "Quillfeather",
      cookie,
      decodeURIComponent(cookie),
      "AbCdEfGhIjKlMnOpQrStUvWx0123",
      "token=abc",
    ])
      expect(whole, `the log contains ${secret}`).not.toContain(secret);
  });
});
