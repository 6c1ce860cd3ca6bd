/**
 * Webhook delivery as Stripe does it: each event POSTed as JSON to the endpoint, signed with
 * `Stripe-Signature: t=<unix seconds>,v1=<HMAC-SHA256(secret, "<t>.<payload>")>` (re-signed on each
 * attempt), retried with backoff on anything but a 2xx, a bounded number of times.
 *
 * Tests can hold events and release them in any order, drop the next deliveries, delay all of
 * them, and deliver any event again.
 */
import { createHmac } from "node:crypto";
import type { StripeEvent } from "./objects";
import { KEEP_DELIVERY_ATTEMPTS, pushBounded } from "./bounded";

export type DeliveryAttempt = {
  eventId: string;
  type: string;
  attempt: number;
  at: string;
  /** HTTP status of the endpoint's answer, or what went wrong instead. */
  outcome: number | "dropped" | "network_error" | "no_endpoint";
  error?: string;
  willRetry: boolean;
};

export type WebhookOptions = {
  url?: string;
  secret: string;
  /** Wait before each retry; its length bounds the retries. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
  log?: (line: string) => void;
};

export type RedeliverOptions = {
  times?: number;
  /** Send all copies at once rather than one after another (to race the endpoint's dedup). */
  concurrent?: boolean;
  /** Sign as if sent this many seconds ago (a stale signature). */
  signatureAgeSeconds?: number;
};

export function signPayload(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const signature = createHmac("sha256", secret)
    .update(`${timestamp}.${payload}`, "utf8")
    .digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookDispatcher {
  private attempts: DeliveryAttempt[] = [];
  private held: StripeEvent[] | null = null;
  private dropBudget = 0;
  private delayMs = 0;
  private inFlight = 0;
  private scheduled = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private retryDelaysMs: number[];

  constructor(private options: WebhookOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 2000, 4000, 8000, 16000];
  }

  get endpoint() {
    return { url: this.options.url, secret: this.options.secret };
  }

  setEndpoint(url: string | undefined, secret = this.options.secret) {
    this.options.url = url;
    this.options.secret = secret;
  }

  setRetryDelays(delays: number[]) {
    this.retryDelaysMs = delays;
  }

  deliveries(): DeliveryAttempt[] {
    return [...this.attempts];
  }

  /** A new event: sent now, or parked while deliveries are held. */
  publish(event: StripeEvent) {
    if (this.held) this.held.push(event);
    else this.send(event, 1);
  }

  hold() {
    this.held ??= [];
  }

  /**
   * Sends the held events and stops holding. `order` lists event ids to send first, in that
   * order, or is "reverse"; events it does not name follow in the order they happened.
   */
  release(order: string[] | "reverse" = []) {
    const held = this.held ?? [];
    this.held = null;
    const ordered =
      order === "reverse"
        ? [...held].reverse()
        : [
            ...order
              .map((id) => held.find((event) => event.id === id))
              .filter((e): e is StripeEvent => !!e),
            ...held.filter((event) => !order.includes(event.id)),
          ];
    for (const event of ordered) this.send(event, 1);
    return ordered.map((event) => event.id);
  }

  heldEvents(): string[] {
    return (this.held ?? []).map((event) => event.id);
  }

  /** The next `count` deliveries are lost, as if Stripe never sent them (no retry). */
  dropNext(count = 1) {
    this.dropBudget += count;
  }

  setDelay(ms: number) {
    this.delayMs = ms;
  }

  redeliver(event: StripeEvent, options: RedeliverOptions = {}) {
    const times = options.times ?? 1;
    if (options.concurrent) {
      for (let i = 0; i < times; i++)
        this.send(event, 1, options.signatureAgeSeconds, { noRetry: true });
      return;
    }
    // One after another: each copy starts when the previous one has been answered.
    let chain = Promise.resolve();
    for (let i = 0; i < times; i++) {
      chain = chain.then(() =>
        this.deliver(event, 1, options.signatureAgeSeconds, { noRetry: true }),
      );
    }
    this.track(chain);
  }

  /** Resolves once nothing is being sent or waiting to be retried (held events do not count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  reset() {
    for (const timer of this.scheduled) clearTimeout(timer);
    this.scheduled.clear();
    this.attempts = [];
    this.held = null;
    this.dropBudget = 0;
    this.delayMs = 0;
    this.notifyIfIdle();
  }

  private isIdle() {
    return this.inFlight === 0 && this.scheduled.size === 0;
  }

  private notifyIfIdle() {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private track(work: Promise<void>) {
    this.inFlight++;
    void work.finally(() => {
      this.inFlight--;
      this.notifyIfIdle();
    });
  }

  private send(
    event: StripeEvent,
    attempt: number,
    signatureAgeSeconds?: number,
    flags = { noRetry: false },
  ) {
    if (this.delayMs > 0) {
      const timer = setTimeout(() => {
        this.scheduled.delete(timer);
        this.track(this.deliver(event, attempt, signatureAgeSeconds, flags));
      }, this.delayMs);
      this.scheduled.add(timer);
      return;
    }
    this.track(this.deliver(event, attempt, signatureAgeSeconds, flags));
  }

  private async deliver(
    event: StripeEvent,
    attempt: number,
    signatureAgeSeconds = 0,
    flags = { noRetry: false },
  ): Promise<void> {
    const record = (outcome: DeliveryAttempt["outcome"], willRetry: boolean, error?: string) => {
      const entry = {
        eventId: event.id,
        type: event.type,
        attempt,
        at: new Date().toISOString(),
        outcome,
        willRetry,
        error,
      };
      pushBounded(this.attempts, entry, KEEP_DELIVERY_ATTEMPTS);
      this.options.log?.(
        `webhook ${event.type} ${event.id} attempt ${attempt}: ${outcome}${error ? ` (${error})` : ""}${willRetry ? ", will retry" : ""}`,
      );
    };
    if (this.dropBudget > 0) {
      this.dropBudget--;
      return record("dropped", false);
    }
    const { url, secret } = this.options;
    if (!url) return record("no_endpoint", false);

    const payload = JSON.stringify(event, null, 2);
    const timestamp = Math.floor(Date.now() / 1000) - signatureAgeSeconds;
    let outcome: DeliveryAttempt["outcome"];
    let error: string | undefined;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "Stripe-Signature": signPayload(payload, secret, timestamp),
        },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      outcome = response.status;
    } catch (cause) {
      outcome = "network_error";
      error = cause instanceof Error ? cause.message : String(cause);
    }
    const failed = typeof outcome !== "number" || outcome < 200 || outcome > 299;
    const retryDelay = this.retryDelaysMs[attempt - 1];
    const willRetry = failed && !flags.noRetry && retryDelay !== undefined;
    record(outcome, willRetry, error);
    if (willRetry) {
      const timer = setTimeout(() => {
        this.scheduled.delete(timer);
        this.track(this.deliver(event, attempt + 1, 0, flags));
      }, retryDelay);
      this.scheduled.add(timer);
    }
  }
}
