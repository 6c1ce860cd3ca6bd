/**
 * Talking to a running Kairos as its users do: a browser with JavaScript off (GETs, form posts,
 * cookies kept, redirects seen), Stripe (events signed exactly as Stripe signs them, shaped on
 * Stripe's own example objects) and the demo's Stripe emulator (its control endpoints).
 */
import { createHmac, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BROWSER_HEADERS } from "./load.mjs";
import { projectRoot } from "./processes.mjs";

export class FormClient {
  cookies = new Map();

  /** Each client has its own address (Kairos trusts loopback's X-Forwarded-For in the bench). */
  constructor(baseUrl, address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`) {
    this.baseUrl = baseUrl;
    this.address = address;
  }

  get cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request(path, init = {}) {
    const response = await fetch(new URL(path, this.baseUrl), {
      ...init,
      redirect: "manual",
      headers: {
        ...BROWSER_HEADERS,
        "x-forwarded-for": this.address,
        ...init.headers,
        cookie: this.cookieHeader,
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, location, response, html: bytes.toString("utf8") };
  }

  get(path, headers = {}) {
    return this.request(path, { headers });
  }

  post(path, fields) {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** Throws unless the page is the redirect (or answer) expected; the bench cannot go on without it. */
function expectPage(page, what, check) {
  if (!check(page))
    throw new Error(
      `${what}: got ${page.status}${page.location ? ` to ${page.location}` : ""} ${page.html.slice(0, 200)}`,
    );
  return page;
}

const radioValues = (html, name) =>
  [...html.matchAll(new RegExp(`name="${name}"[^>]*?value="([^"]+)"`, "g"))].map((m) => m[1]);

/** The start instants offered on a time page (the open day's). */
export const offeredStarts = (html) =>
  [...html.matchAll(/name="startAt"(?: checked="")? value="([^"]+)"/g)].map((m) => m[1]);

/** Links to the other days (with free times) and the next week, from a time page. */
const timeLinks = (html) =>
  [...html.matchAll(/href="(\/book\/time\?[^"]*)"/g)]
    .map((m) => m[1].replaceAll("&amp;", "&"))
    .filter((link) => !link.includes("zones="));

/** The session the bench books (a paid one, given by more than one coach in the demo), and coach. */
export const BENCH_SERVICE = "coaching-session";
export const BENCH_COACH = "daniel-reyes";

/**
 * Which session and coach the bench books: its own choice when the practice offers it, else the
 * first session and the first coach offered. `coach` is null when the wizard skips that step.
 */
export async function resolveChoice(baseUrl) {
  const client = new FormClient(baseUrl);
  const services = radioValues((await client.get("/book/service")).html, "service");
  if (services.length === 0) throw new Error("/book/service offers no session");
  const service = services.includes(BENCH_SERVICE) ? BENCH_SERVICE : services[0];
  const chosen = expectPage(
    await client.post("/book/service", { service }),
    "choosing a session",
    (page) => page.status === 303,
  );
  if (!chosen.location?.startsWith("/book/coach")) return { service, coach: null };
  const coaches = radioValues((await client.get("/book/coach")).html, "coach");
  return { service, coach: coaches.includes(BENCH_COACH) ? BENCH_COACH : coaches[0] };
}

/** A new client (its own address and draft) who has made `choice` and sits on the time step. */
export async function clientAtTimeStep(baseUrl, choice) {
  const client = new FormClient(baseUrl);
  expectPage(
    await client.post("/book/service", { service: choice.service }),
    "choosing a session",
    (page) => page.status === 303,
  );
  if (choice.coach) {
    expectPage(
      await client.post("/book/coach", { coach: choice.coach }),
      "choosing a coach",
      (page) => page.status === 303 && page.location?.startsWith("/book/time"),
    );
  }
  return client;
}

/**
 * Free starts for the time step's client, walking the days and weeks the page links to (as a
 * client clicking through would) until there are `count` of them or no more weeks.
 */
export async function collectStarts(client, count) {
  const starts = new Set();
  const seen = new Set(["/book/time"]);
  const queue = ["/book/time"];
  while (queue.length > 0 && starts.size < count) {
    const page = await client.get(queue.shift());
    for (const start of offeredStarts(page.html)) starts.add(start);
    for (const link of timeLinks(page.html)) {
      if (seen.has(link)) continue;
      seen.add(link);
      // Days of this week first, then the next week.
      if (link.includes("day=")) queue.unshift(link);
      else queue.push(link);
    }
  }
  return [...starts].sort();
}

/**
 * The client on the time step picks `startAt`, gives details and sits on the review step;
 * `onDetails` runs while it is on the details step.
 */
export async function clientAtReview(client, startAt, email, onDetails) {
  expectPage(
    await client.post("/book/time", { startAt }),
    `choosing ${startAt}`,
    (page) => page.status === 303 && page.location?.startsWith("/book/details"),
  );
  await onDetails?.();
  expectPage(
    await client.post("/book/details", {
      name: "Ada Lovelace",
      email,
      notes: "",
      timezone: "America/New_York",
    }),
    "giving details",
    (page) => page.status === 303 && page.location?.startsWith("/book/review"),
  );
  return client;
}

/** Presses Pay on the review step; the Checkout Session the client is sent to. */
export async function pressPay(client) {
  const page = expectPage(
    await client.post("/book/review", { intent: "pay" }),
    "pressing Pay",
    (page) => page.status === 303 && /cs_test_\w+/.test(page.location ?? ""),
  );
  return page.location.match(/(cs_test_\w+)/)[1];
}

/** POSTs JSON to the emulator's control endpoints (demo mode: its API port, loopback only). */
export async function emulatorControl(emulatorUrl, path, body = {}) {
  const response = await fetch(`${emulatorUrl}/_emulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const fixtures = JSON.parse(
  readFileSync(join(projectRoot, "stripe-emulator/fixtures/stripe-objects.json"), "utf8"),
).resources;

/** A Stripe event as Stripe sends it, around `object` (Stripe's example event, new id and type). */
function eventJson(id, type, object) {
  return JSON.stringify({
    ...fixtures.event,
    id,
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object },
  });
}

/**
 * An event Kairos records and otherwise ignores (verify, dedup, one insert): Stripe's example
 * PaymentIntent under `payment_intent.created`, a type Stripe sends but Kairos does not act on.
 */
export const ignoredEventJson = (id) =>
  eventJson(id, "payment_intent.created", { ...fixtures.payment_intent, id: `pi_${id}` });

/** `checkout.session.completed` for the session: Kairos re-reads it from Stripe and fulfils it. */
export const completedEventJson = (id, sessionId) =>
  eventJson(id, "checkout.session.completed", {
    ...fixtures["checkout.session"],
    id: sessionId,
    payment_status: "paid",
    status: "complete",
  });

/** The `Stripe-Signature` header Stripe would send with `payload`. */
export function stripeSignature(payload, secret) {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

/** An autocannon request object posting a freshly signed webhook built by `payloadFor(n)`. */
export function webhookRequest(secret, payloadFor, onResponse) {
  let n = 0;
  return {
    method: "POST",
    path: "/webhooks/stripe",
    setupRequest: (request) => {
      const body = payloadFor(n++);
      return {
        ...request,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": stripeSignature(body, secret),
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body,
      };
    },
    ...(onResponse ? { onResponse } : {}),
  };
}
