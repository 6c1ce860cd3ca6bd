/**
 * A small stateful emulator of the parts of Stripe that Kairos uses, on plain node:http: the
 * Checkout Sessions and Refunds API (form-encoded in, Stripe-shaped JSON out), a hosted checkout
 * page, signed webhooks with retries, and control endpoints for tests under `/_emulator/`.
 *
 * It is started by the Kairos server in demo mode, by tests, and on its own by
 * `npm run stripe:emulator`. It never ships to the browser.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CHECKOUT_ACTIONS,
  renderCheckoutPage,
  renderClosedPage,
  renderNotFoundPage,
  successUrlFor,
  type CheckoutAction,
} from "./checkout-page";
import { invalidRequest, StripeApiError } from "./errors";
import { decodeForm, type FormObject } from "./form";
import { newId } from "./ids";
import { Ledger, type CompletionOutcome } from "./ledger";
import { WebhookDispatcher, type RedeliverOptions } from "./webhooks";
import { KEEP_IDEMPOTENCY_KEYS, setBounded } from "./bounded";

export { signPayload } from "./webhooks";
export type { DeliveryAttempt } from "./webhooks";
export type { CheckoutSession, StripeEvent } from "./objects";

export const DEFAULT_API_VERSION = "2026-10-28.endive";
const MAX_BODY_BYTES = 1024 * 1024;

export type StripeEmulatorOptions = {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where events are POSTed; without one they are recorded but not sent. */
  webhookUrl?: string;
  /** `whsec_...`; generated when not given. */
  webhookSecret?: string;
  /** How long "Pay with a delayed method" takes to settle. */
  asyncPaymentDelayMs?: number;
  /** Wait before each webhook retry; the list's length bounds the retries. */
  webhookRetryDelaysMs?: number[];
  /** Base URL the payer's browser reaches the hosted page on, when it differs from `url`. */
  publicUrl?: string;
  log?: (line: string) => void;
};

export type StripeEmulator = {
  /** Base URL of the API and the hosted pages, e.g. http://127.0.0.1:12111 */
  url: string;
  /** The next `count` API requests fail with `status` (an outage, or a refusal). */
  failNextApiRequests: (count: number, status?: number) => void;
  /** Every API request waits `ms` before it is answered (0 for none). */
  slowApiRequests: (ms: number) => void;
  /** Serves the hosted checkout pages (paths `/c/pay/<id>`) from another server's request. */
  hostedPage: (req: IncomingMessage, res: ServerResponse) => void;
  port: number;
  webhookSecret: string;
  ledger: Ledger;
  webhooks: WebhookDispatcher;
  stop: () => Promise<void>;
};

export function generateWebhookSecret() {
  return `whsec_${randomBytes(24).toString("base64url").replace(/[-_]/g, "0")}`;
}

export async function startStripeEmulator(
  options: StripeEmulatorOptions = {},
): Promise<StripeEmulator> {
  const webhookSecret = options.webhookSecret ?? generateWebhookSecret();
  const webhooks = new WebhookDispatcher({
    url: options.webhookUrl,
    secret: webhookSecret,
    retryDelaysMs: options.webhookRetryDelaysMs,
    log: options.log,
  });
  let baseUrl = "";
  const ledger = new Ledger({
    checkoutBaseUrl: () => options.publicUrl ?? baseUrl,
    publish: (event) => webhooks.publish(event),
    asyncPaymentDelayMs: options.asyncPaymentDelayMs ?? 3000,
    apiVersion: DEFAULT_API_VERSION,
  });
  const idempotency = new Map<string, { fingerprint: string; status: number; body: string }>();
  const apiFailures = { remaining: 0, status: 500 };
  const failNextApiRequests = (count: number, status = 500) => {
    apiFailures.remaining = count;
    apiFailures.status = status;
  };

  /** Every API request waits this long first: a slow Stripe, for tests of what waits on it. */
  let apiLatencyMs = 0;
  const slowApiRequests = (ms: number) => {
    apiLatencyMs = ms;
  };

  const answerFailure = (res: ServerResponse) => (error: unknown) => {
    if (error instanceof StripeApiError) return sendJson(res, error.status, error.toJSON());
    options.log?.(`emulator error: ${error instanceof Error ? error.stack : String(error)}`);
    sendJson(res, 500, {
      error: { type: "api_error", message: "The emulator failed; see its log." },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(answerFailure(res));
  });

  /** The hosted checkout pages alone (`/c/pay/<id>`), for a server that shows them on its origin. */
  function hostedPage(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://emulator").pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    if (!path.startsWith("/c/pay/")) return sendHtml(res, 404, renderNotFoundPage());
    (async () => {
      const body = method === "POST" ? await readBody(req) : "";
      handleCheckoutPage(res, method, path.slice("/c/pay/".length), body);
    })().catch(answerFailure(res));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const body = method === "POST" ? await readBody(req) : "";
    if (path.startsWith("/v1/")) {
      if (apiLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, apiLatencyMs));
      return handleApi(req, res, method, path, url, body);
    }
    if (path.startsWith("/c/pay/"))
      return handleCheckoutPage(res, method, path.slice("/c/pay/".length), body);
    if (path.startsWith("/_emulator/"))
      return handleControl(res, method, path.slice("/_emulator".length), url, body);
    if (path === "/") return sendJson(res, 200, { emulator: "stripe", api: `${baseUrl}/v1` });
    sendJson(res, 404, {
      error: {
        type: "invalid_request_error",
        message: `Unrecognized request URL (${method}: ${path}).`,
      },
    });
  }

  function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    url: URL,
    body: string,
  ) {
    if (apiFailures.remaining > 0) {
      apiFailures.remaining--;
      const type = apiFailures.status >= 500 ? "api_error" : "invalid_request_error";
      throw new StripeApiError(apiFailures.status, type, "Simulated failure (emulator control).");
    }
    authenticate(req);
    const idempotencyKey = header(req, "idempotency-key");
    if (method === "POST" && idempotencyKey) {
      const fingerprint = `${method} ${path} ${body}`;
      const previous = idempotency.get(idempotencyKey);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw new StripeApiError(
            400,
            "idempotency_error",
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          );
        }
        res.setHeader("Idempotent-Replayed", "true");
        return sendRaw(res, previous.status, previous.body);
      }
      let status = 200;
      let responseBody: unknown;
      try {
        responseBody = route(req, method, path, url, body);
      } catch (error) {
        if (!(error instanceof StripeApiError)) throw error;
        status = error.status;
        responseBody = error.toJSON();
      }
      const text = JSON.stringify(responseBody, null, 2);
      setBounded(
        idempotency,
        idempotencyKey,
        { fingerprint, status, body: text },
        KEEP_IDEMPOTENCY_KEYS,
      );
      return sendRaw(res, status, text);
    }
    sendJson(res, 200, route(req, method, path, url, body));
  }

  function route(
    req: IncomingMessage,
    method: string,
    path: string,
    url: URL,
    body: string,
  ): unknown {
    const params = method === "POST" ? decodeForm(body) : decodeForm(url.searchParams);
    const expand = expandList(params);
    let match: RegExpMatchArray | null;
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const session = ledger.createCheckoutSession(
        params,
        header(req, "stripe-version") ?? DEFAULT_API_VERSION,
      );
      return ledger.retrieveCheckoutSession(session.id, expand);
    }
    if (method === "GET" && path === "/v1/checkout/sessions") {
      return ledger.listCheckoutSessions(params);
    }
    if (method === "GET" && (match = path.match(/^\/v1\/checkout\/sessions\/([^/]+)$/))) {
      return ledger.retrieveCheckoutSession(match[1]!, expand);
    }
    if (
      method === "GET" &&
      (match = path.match(/^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/))
    ) {
      return ledger.listLineItems(match[1]!);
    }
    if (method === "POST" && (match = path.match(/^\/v1\/checkout\/sessions\/([^/]+)\/expire$/))) {
      ledger.expireCheckoutSession(match[1]!);
      return ledger.retrieveCheckoutSession(match[1]!, expand);
    }
    if (method === "POST" && path === "/v1/refunds") return ledger.createRefund(params);
    if (method === "GET" && path === "/v1/refunds") return ledger.listRefunds(params);
    if (method === "GET" && (match = path.match(/^\/v1\/charges\/([^/]+)$/))) {
      return ledger.retrieveCharge(match[1]!);
    }
    if (method === "GET" && (match = path.match(/^\/v1\/refunds\/([^/]+)$/)))
      return ledger.retrieveRefund(match[1]!);
    throw new StripeApiError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${method}: ${path}).`,
    );
  }

  function handleCheckoutPage(
    res: ServerResponse,
    method: string,
    sessionId: string,
    body: string,
  ) {
    const found = ledger.findSession(sessionId);
    if (!found) return sendHtml(res, 404, renderNotFoundPage());
    const { session, lineItems } = found;
    if (session.status !== "open") return sendHtml(res, 200, renderClosedPage(session));
    if (method !== "POST") return sendHtml(res, 200, renderCheckoutPage(session, lineItems));

    const form = new URLSearchParams(body);
    const action = form.get("action") as CheckoutAction | null;
    if (!action || !CHECKOUT_ACTIONS.includes(action)) {
      return sendHtml(
        res,
        400,
        renderCheckoutPage(session, lineItems, { error: "Choose one of the buttons below." }),
      );
    }
    if (action === "cancel")
      return redirect(res, session.cancel_url ?? `${baseUrl}/c/pay/${session.id}`);
    if (action === "decline") {
      return sendHtml(
        res,
        402,
        renderCheckoutPage(session, lineItems, {
          error: "Your card was declined. Try another payment method.",
        }),
      );
    }
    const email = form.get("email")?.trim() || undefined;
    if (!session.customer_email && !(email && /^[^\s@]+@[^\s@]+$/.test(email))) {
      return sendHtml(
        res,
        400,
        renderCheckoutPage(session, lineItems, { error: "Enter a valid email address." }),
      );
    }
    const outcome: CompletionOutcome =
      action === "pay" ? "paid" : action === "pay_delayed" ? "delayed_success" : "delayed_failure";
    const completed = ledger.completeCheckoutSession(session.id, outcome, email);
    redirect(res, successUrlFor(completed));
  }

  function handleControl(
    res: ServerResponse,
    method: string,
    path: string,
    url: URL,
    body: string,
  ) {
    const input = parseControlBody(body);
    let match: RegExpMatchArray | null;
    if (method === "GET" && path === "/deliveries")
      return sendJson(res, 200, { data: webhooks.deliveries() });
    if (method === "GET" && path === "/events") {
      const type = url.searchParams.get("type");
      return sendJson(res, 200, {
        data: ledger.events.filter((event) => !type || event.type === type),
      });
    }
    if (method === "GET" && path === "/webhooks/idle") {
      return void webhooks.idle().then(() => sendJson(res, 200, { idle: true }));
    }
    if (method !== "POST")
      throw new StripeApiError(404, "invalid_request_error", `Unknown control ${method} ${path}`);
    if ((match = path.match(/^\/events\/([^/]+)\/redeliver$/))) {
      const event = ledger.events.find((candidate) => candidate.id === match![1]);
      if (!event)
        throw new StripeApiError(404, "invalid_request_error", `No such event: '${match[1]}'`);
      webhooks.redeliver(event, input as RedeliverOptions);
      return sendJson(res, 200, { redelivered: event.id });
    }
    if (path === "/webhooks/hold") {
      webhooks.hold();
      return sendJson(res, 200, { holding: true });
    }
    if (path === "/webhooks/release") {
      const order =
        input.order === "reverse"
          ? "reverse"
          : Array.isArray(input.order)
            ? input.order.map(String)
            : [];
      return sendJson(res, 200, { released: webhooks.release(order) });
    }
    if (path === "/webhooks/drop-next") {
      webhooks.dropNext(Number(input.count ?? 1));
      return sendJson(res, 200, { dropping: Number(input.count ?? 1) });
    }
    if (path === "/webhooks/delay") {
      webhooks.setDelay(Number(input.ms ?? 0));
      return sendJson(res, 200, { delayMs: Number(input.ms ?? 0) });
    }
    if ((match = path.match(/^\/checkout\/sessions\/([^/]+)\/expire$/))) {
      return sendJson(res, 200, ledger.expireCheckoutSession(match[1]!));
    }
    if ((match = path.match(/^\/checkout\/sessions\/([^/]+)\/complete$/))) {
      const outcome = (input.outcome ?? "paid") as CompletionOutcome;
      if (!["paid", "delayed_success", "delayed_failure"].includes(outcome)) {
        throw invalidRequest("outcome must be paid, delayed_success or delayed_failure", "outcome");
      }
      return sendJson(
        res,
        200,
        ledger.completeCheckoutSession(match[1]!, outcome, input.email as string | undefined),
      );
    }
    if (path === "/refunds") {
      const params: FormObject = { payment_intent: String(input.payment_intent ?? "") };
      if (input.amount !== undefined) params.amount = String(input.amount);
      return sendJson(res, 200, ledger.createRefund(params));
    }
    if (path === "/api/latency") {
      slowApiRequests(Number(input.ms ?? 0));
      return sendJson(res, 200, { latencyMs: apiLatencyMs });
    }
    if (path === "/api/fail-next") {
      failNextApiRequests(Number(input.count ?? 1), Number(input.status ?? 500));
      return sendJson(res, 200, { failing: apiFailures });
    }
    if (path === "/config") {
      if (input.async_payment_delay_ms !== undefined)
        ledger.setAsyncPaymentDelay(Number(input.async_payment_delay_ms));
      if (Array.isArray(input.webhook_retry_delays_ms))
        webhooks.setRetryDelays(input.webhook_retry_delays_ms.map(Number));
      return sendJson(res, 200, { configured: true });
    }
    if (path === "/clock") {
      const offset = Number(input.created_offset_seconds ?? 0);
      if (!Number.isSafeInteger(offset)) {
        throw invalidRequest(
          "created_offset_seconds must be a whole number of seconds",
          "created_offset_seconds",
        );
      }
      ledger.setCreatedOffset(offset);
      return sendJson(res, 200, { created_offset_seconds: offset });
    }
    if (path === "/reset") {
      ledger.reset();
      webhooks.reset();
      idempotency.clear();
      failNextApiRequests(0);
      return sendJson(res, 200, { reset: true });
    }
    throw new StripeApiError(404, "invalid_request_error", `Unknown control POST ${path}`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    failNextApiRequests,
    slowApiRequests,
    hostedPage,
    port,
    webhookSecret,
    ledger,
    webhooks,
    stop: () => stopServer(server, ledger),
  };
}

function stopServer(server: Server, ledger: Ledger): Promise<void> {
  ledger.reset();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function authenticate(req: IncomingMessage) {
  const authorization = header(req, "authorization") ?? "";
  const key = authorization.startsWith("Bearer ")
    ? authorization.slice(7)
    : authorization.startsWith("Basic ")
      ? Buffer.from(authorization.slice(6), "base64").toString().split(":")[0]!
      : "";
  if (!key) {
    throw new StripeApiError(
      401,
      "invalid_request_error",
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.",
    );
  }
  if (!/^sk_test_\w+$/.test(key)) {
    const shown = key.length > 12 ? `${key.slice(0, 8)}*********${key.slice(-4)}` : key;
    throw new StripeApiError(401, "invalid_request_error", `Invalid API Key provided: ${shown}`, {
      code: "api_key_invalid",
    });
  }
}

function expandList(params: FormObject): string[] {
  const expand = params.expand;
  if (expand === undefined) return [];
  return (Array.isArray(expand) ? expand : [expand]).filter(
    (item): item is string => typeof item === "string",
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(invalidRequest("Request body too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseControlBody(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to form decoding
  }
  return decodeForm(body);
}

function sendRaw(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Request-Id": newId("req"),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  sendRaw(res, status, JSON.stringify(body, null, 2));
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string) {
  res.writeHead(303, { Location: location, "Cache-Control": "no-store" });
  res.end();
}
