/**
 * A Kairos server paying through an emulator that lives in the test process, so tests can hold,
 * drop, reorder and replay its webhooks, and read both sides' state.
 */
import Database from "better-sqlite3";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";
import { readDb, startServer, type RunningServer } from "../server-harness";
import { decodeEntities, FormClient, offeredStarts, type Page } from "./form-client";

export type PaymentWorld = {
  server: RunningServer;
  emulator: StripeEmulator;
  stop: () => Promise<void>;
};

export async function startPaymentWorld(env: Record<string, string> = {}): Promise<PaymentWorld> {
  const emulator = await startStripeEmulator({
    asyncPaymentDelayMs: 150,
    webhookRetryDelaysMs: [100, 200, 400],
  });
  const server = await startServer({
    seed: true,
    env: {
      STRIPE_SECRET_KEY: "sk_test_kairos_tests",
      STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
      STRIPE_API_BASE: emulator.url,
      HOUSEKEEPING_INTERVAL_SECONDS: "3600",
      // Each test client has its own address (form-client.ts): limits per address apply per client.
      TRUST_PROXY: "loopback",
      ...env,
    },
  });
  emulator.webhooks.setEndpoint(`${server.url}/webhooks/stripe`);
  return {
    server,
    emulator,
    stop: async () => {
      await server.stop();
      await emulator.stop();
    },
  };
}

// The integration tests have always taken it from here; the e2e tests take it from the harness.
export { readDb };

export function writeDb(server: RunningServer, sql: string, ...params: unknown[]) {
  const db = new Database(server.databasePath);
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** The hold's time runs out (as if 31 minutes had passed) for the booking of this session. */
export function lapseHold(server: RunningServer, sessionId: string) {
  writeDb(
    server,
    "update bookings set hold_expires_at = ? where checkout_session_id = ?",
    Date.now() - 1000,
    sessionId,
  );
}

export type BookingRow = {
  id: string;
  status: string;
  status_reason: string | null;
  start_at: number;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
  needs_attention: string | null;
  draft_id: string;
};

export const bookingsOf = (server: RunningServer, email: string) =>
  readDb<BookingRow>(
    server,
    "select * from bookings where client_email = ? order by created_at",
    email,
  );

export const eventsOf = (server: RunningServer, bookingId: string) =>
  readDb<{ from_status: string | null; to_status: string; actor: string; reason: string }>(
    server,
    "select from_status, to_status, actor, reason from booking_events where booking_id = ? order by id",
    bookingId,
  );

/**
 * The emails a booking's changes queued to go at once, as "kind to recipient". Reminders, which
 * wait for their time (and exist only for sessions far enough off), are left to their own tests.
 */
export const outboxOf = (server: RunningServer, bookingId: string) =>
  readDb<{ recipient: string; kind: string }>(
    server,
    "select recipient, kind from email_outbox where booking_id = ? and kind != 'reminder' order by id",
    bookingId,
  ).map((row) => `${row.kind} to ${row.recipient}`);

/** A client who has filled in everything for a paid session and sits on the review step. */
export async function clientAtPaidReview(
  server: RunningServer,
  email: string,
  options: { service?: string; coach?: string; slot?: string } = {},
) {
  const client = new FormClient(server.url);
  const service = options.service ?? "coaching-session";
  await client.post("/book/service", { service });
  if (service !== "deep-dive")
    await client.post("/book/coach", { coach: options.coach ?? "daniel-reyes" });
  const slot = options.slot ?? offeredStarts((await client.get("/book/time")).html)[0]!;
  const chosen = await client.post("/book/time", { startAt: slot });
  if (chosen.location !== "/book/details")
    throw new Error(`could not choose ${slot}: ${chosen.status}`);
  await client.post("/book/details", {
    name: "Ada Lovelace",
    email,
    notes: "",
    timezone: "Europe/London",
  });
  return { client, slot };
}

/** Presses Pay; returns the Checkout Session the client was sent to. */
export async function pressPay(
  client: FormClient,
): Promise<{ page: Page; sessionId: string; url: string }> {
  const page = await client.post("/book/review", { intent: "pay" });
  const location = page.response.headers.get("location") ?? "";
  const sessionId = location.match(/\/c\/pay\/(cs_test_\w+)/)?.[1];
  if (page.status !== 303 || !sessionId)
    throw new Error(`Pay did not go to Stripe: ${page.status} ${location}`);
  return { page, sessionId, url: location };
}

/** Clicks a button on the emulator's hosted page, as a browser with JavaScript off does. */
export async function hostedPage(
  url: string,
  action: "pay" | "pay_delayed" | "delayed_fails" | "cancel" | "decline",
) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action }),
    redirect: "manual",
  });
  const location = response.headers.get("location");
  return {
    status: response.status,
    path: location ? new URL(location).pathname + new URL(location).search : null,
  };
}

export async function waitFor<T>(
  read: () => T,
  done: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Where the return page's Check again form leads, as a browser with JavaScript off submits it
 * (a GET of its action with its fields), or null when the page has no such form.
 */
export function checkAgainOf(html: string): string | null {
  for (const [, attributes, body] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/<button\b[^>]*type="submit"[^>]*>\s*Check again\s*<\/button>/.test(body!)) continue;
    if (!/\bmethod="get"/.test(attributes!)) return null;
    const action = attributes!.match(/\baction="([^"]*)"/)?.[1] ?? "";
    const fields = new URLSearchParams();
    for (const [input] of body!.matchAll(/<input\b[^>]*>/g)) {
      const name = input.match(/\bname="([^"]*)"/)?.[1];
      if (name) fields.append(name, decodeEntities(input.match(/\bvalue="([^"]*)"/)?.[1] ?? ""));
    }
    return `${decodeEntities(action)}?${fields}`;
  }
  return null;
}
