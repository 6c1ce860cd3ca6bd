/**
 * Helpers for tests that talk to the emulator: a webhook receiver that verifies every delivery
 * with the real SDK's constructEvent, a typed client for the control endpoints, and the check
 * that what the emulator emits is shaped like Stripe's example objects.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { expect } from "vitest";
import type { DeliveryAttempt, StripeEvent } from "./index";

/** Stripe's example objects (a copy of its OpenAPI fixtures), by object type. */
export const fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/stripe-objects.json", import.meta.url), "utf8"),
).resources as Record<string, Record<string, unknown>>;

/** Every field the emulator emits exists on Stripe's example object with a compatible type. */
export function expectStripeShaped(actual: unknown, fixture: unknown, path = "") {
  if (fixture === null || actual === null) return; // nullable in Stripe's schema
  if (Array.isArray(fixture)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    return;
  }
  expect(typeof actual, `${path} has Stripe's type`).toBe(typeof fixture);
  if (typeof fixture !== "object") return;
  for (const [key, value] of Object.entries(actual as Record<string, unknown>)) {
    if (path === "" && key === "line_items") continue; // expanded list, not on the fixture
    const fixtureObject = fixture as Record<string, unknown>;
    if (key === "metadata") continue; // free-form
    expect(Object.keys(fixtureObject), `${path}.${key} is a field Stripe has`).toContain(key);
    expectStripeShaped(value, fixtureObject[key], `${path}.${key}`);
  }
}

export type WebhookReceiver = {
  url: string;
  /** Events that passed signature verification, in arrival order. */
  events: Stripe.Event[];
  /** Raw deliveries that failed verification, with the SDK's reason. */
  rejected: { reason: string }[];
  /** Answers the next requests with these statuses (then 200). */
  failNext: (...statuses: number[]) => void;
  waitForEvents: (count: number, timeoutMs?: number) => Promise<Stripe.Event[]>;
  stop: () => Promise<void>;
};

export async function startWebhookReceiver(secret: () => string): Promise<WebhookReceiver> {
  const verifier = new Stripe("sk_test_verifier_only");
  const events: Stripe.Event[] = [];
  const rejected: { reason: string }[] = [];
  const queuedStatuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const forced = queuedStatuses.shift();
      if (forced) {
        res.writeHead(forced).end();
        return;
      }
      try {
        const event = verifier.webhooks.constructEvent(
          Buffer.concat(chunks),
          String(req.headers["stripe-signature"] ?? ""),
          secret(),
        );
        events.push(event);
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"received":true}');
      } catch (error) {
        rejected.push({ reason: error instanceof Error ? error.message : String(error) });
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    events,
    rejected,
    failNext: (...statuses) => queuedStatuses.push(...statuses),
    waitForEvents: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `expected ${count} webhook events, got ${events.length}: ${events.map((e) => e.type).join(", ")}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return events;
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The emulator's `/_emulator/*` endpoints, for tests that run it in another process. */
export class EmulatorControl {
  constructor(private baseUrl: string) {}

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok)
      throw new Error(
        `emulator control ${method} ${path}: ${response.status} ${JSON.stringify(json)}`,
      );
    return json;
  }

  deliveries = async () =>
    (await this.call<{ data: DeliveryAttempt[] }>("GET", "/deliveries")).data;
  events = async (type?: string) =>
    (
      await this.call<{ data: StripeEvent[] }>(
        "GET",
        `/events${type ? `?type=${encodeURIComponent(type)}` : ""}`,
      )
    ).data;
  idle = () => this.call("GET", "/webhooks/idle");
  hold = () => this.call("POST", "/webhooks/hold");
  release = (order: string[] | "reverse" = []) =>
    this.call<{ released: string[] }>("POST", "/webhooks/release", { order });
  dropNext = (count = 1) => this.call("POST", "/webhooks/drop-next", { count });
  delay = (ms: number) => this.call("POST", "/webhooks/delay", { ms });
  redeliver = (
    eventId: string,
    options: { times?: number; concurrent?: boolean; signatureAgeSeconds?: number } = {},
  ) => this.call("POST", `/events/${eventId}/redeliver`, options);
  expireSession = (id: string) => this.call("POST", `/checkout/sessions/${id}/expire`);
  completeSession = (
    id: string,
    outcome: "paid" | "delayed_success" | "delayed_failure" = "paid",
    email?: string,
  ) => this.call("POST", `/checkout/sessions/${id}/complete`, { outcome, email });
  refund = (paymentIntent: string, amount?: number) =>
    this.call("POST", "/refunds", { payment_intent: paymentIntent, amount });
  failNextApiRequests = (count: number, status = 500) =>
    this.call("POST", "/api/fail-next", { count, status });
  slowApiRequests = (ms: number) => this.call("POST", "/api/latency", { ms });
  configure = (config: { async_payment_delay_ms?: number; webhook_retry_delays_ms?: number[] }) =>
    this.call("POST", "/config", config);
  /** Objects created from now on say they were created this far from now (negative: earlier). */
  setCreatedOffset = (seconds: number) =>
    this.call("POST", "/clock", { created_offset_seconds: seconds });
  reset = () => this.call("POST", "/reset");
}
