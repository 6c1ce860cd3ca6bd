/**
 * The HTTP layer's protections, over real HTTP against the built server: every refusal a clean
 * 4xx with a page (or JSON for Stripe) and nothing stored; same-origin POSTs, also behind a proxy
 * that rewrites Host; security headers and a CSP whose nonce is on every inline script; no-store
 * on pages with personal data; and Pay's rate limit (never the webhook's).
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signPayload } from "../../stripe-emulator/index";
import { startServer, type RunningServer } from "../server-harness";
import { FormClient, offeredStarts } from "./form-client";
import {
  clientAtPaidReview,
  pressPay,
  readDb,
  startPaymentWorld,
  type PaymentWorld,
} from "./payment-support";

const drafts = (server: RunningServer) =>
  readDb<{ n: number }>(server, "select count(*) as n from booking_drafts")[0]!.n;

/** A POST with exactly these headers and body (no cookies, no address of its own). */
function post(server: RunningServer, path: string, headers: Record<string, string>, body = "") {
  return fetch(`${server.url}${path}`, { method: "POST", headers, body, redirect: "manual" });
}

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

describe("requests the app must not see", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it.each([
    ["JSON", { "Content-Type": "application/json" }, '{"service":"intro-call"}'],
    ["multipart", { "Content-Type": "multipart/form-data; boundary=x" }, "--x\r\nbroken"],
    ["plain text", { "Content-Type": "text/plain" }, "service=intro-call"],
    ["no type at all", {}, "service=intro-call"],
  ])(
    "a wizard step sent as %s: 415, a page that says so, nothing stored",
    async (_, headers, body) => {
      const response = await post(
        server,
        "/book/service",
        { Accept: "text/html", ...headers },
        body,
      );
      expect(response.status).toBe(415);
      expect(await response.text()).toContain("We couldn’t read that form");
      expect(drafts(server)).toBe(0);
    },
  );

  it("a form over 64 KB: 413, saying the limit", async () => {
    const body = `name=${"a".repeat(70 * 1024)}`;
    const response = await post(server, "/book/details", { ...FORM, Accept: "text/html" }, body);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("64 KB at most");
  });

  it("a nonsense Content-Length: 400", async () => {
    // fetch computes lengths itself; a raw request says what it likes.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/book/service`, {
        method: "POST",
        headers: { ...FORM, "Content-Length": "12abc" },
      });
      req.on("response", (response) => resolve(response.statusCode!));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it.each(["PUT", "DELETE", "PATCH", "OPTIONS"])("%s: 405 with Allow", async (method) => {
    const response = await fetch(`${server.url}/book/service`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("a malformed path: a 4xx page, not a 500", async () => {
    const response = await fetch(`${server.url}/book/%E0%A4%A`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe("Stripe's webhook", () => {
  let world: PaymentWorld;
  beforeAll(async () => {
    world = await startPaymentWorld();
  });
  afterAll(() => world?.stop());

  const signed = (payload: string) => ({
    "Content-Type": "application/json",
    "Stripe-Signature": signPayload(payload, world.emulator.webhookSecret),
  });

  it("refuses a body that is not JSON with 415, in JSON", async () => {
    const response = await post(world.server, "/webhooks/stripe", { "Content-Type": "text/plain" });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: expect.stringContaining("application/json") });
  });

  it("refuses a body over 1 MB with 413, saying 1 MB", async () => {
    const payload = JSON.stringify({ padding: "x".repeat(1024 * 1024 + 10) });
    const response = await post(world.server, "/webhooks/stripe", signed(payload), payload);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "The body is larger than 1 MB." });
  });

  it("acknowledges and records a signed event about a session Stripe does not know", async () => {
    const payload = JSON.stringify({
      id: "evt_unknown_session_1",
      object: "event",
      type: "checkout.session.completed",
      data: { object: { id: "cs_test_nobodyknowsthissession", object: "checkout.session" } },
    });
    const response = await post(world.server, "/webhooks/stripe", signed(payload), payload);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: "unknown_object" });
    expect(
      readDb(world.server, "select outcome from stripe_events where id = 'evt_unknown_session_1'"),
    ).toEqual([{ outcome: "unknown_object" }]);
    expect(readDb(world.server, "select id from bookings")).toEqual([]);
  });

  it("is never rate limited", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const payload = JSON.stringify({
          id: `evt_burst_${i}`,
          object: "event",
          type: "customer.created",
          data: { object: {} },
        });
        return post(world.server, "/webhooks/stripe", signed(payload), payload).then(
          (r) => r.status,
        );
      }),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it("GET is 405", async () => {
    expect((await fetch(`${world.server.url}/webhooks/stripe`)).status).toBe(405);
  });
});

describe("POSTs from other sites", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it("another Origin: 403 with a page, logged as a refusal, nothing stored", async () => {
    const response = await post(
      server,
      "/book/service",
      { ...FORM, Accept: "text/html", Origin: "http://evil.example" },
      "service=intro-call",
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("That form came from another site");
    expect(drafts(server)).toBe(0);
    expect(server.output()).not.toMatch(/Error: .*origin/i);
  });

  it.each(["null", "https://localhost"])("Origin %s: 403", async (origin) => {
    const response = await post(server, "/book/service", { ...FORM, Origin: origin }, "x=1");
    expect(response.status).toBe(403);
  });

  it("no Origin but a browser saying cross-site: 403", async () => {
    const response = await post(
      server,
      "/book/service",
      { ...FORM, "Sec-Fetch-Site": "cross-site" },
      "service=intro-call",
    );
    expect(response.status).toBe(403);
  });

  it("our own Origin, and no Origin at all (scripts, old browsers): accepted", async () => {
    const own = await post(
      server,
      "/book/service",
      { ...FORM, Origin: server.url },
      "service=intro-call",
    );
    expect(own.status).toBe(303);
    const none = await post(server, "/book/service", FORM, "service=intro-call");
    expect(none.status).toBe(303);
  });
});

/**
 * A reverse proxy on its own port, as nginx does it by default: Host rewritten to the upstream's
 * address, X-Forwarded-Host only when asked to.
 */
async function startProxy(upstream: string, forwarded: Record<string, string> = {}) {
  const target = new URL(upstream);
  const proxy: Server = createServer((req, res) => {
    const upstreamRequest = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, ...forwarded },
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode!, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    req.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return { url, stop: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}

/** A client walks to the details step through the proxy, sending Origin as a browser would. */
async function walkThrough(publicUrl: string, origin: string) {
  const client = new FormClient(publicUrl);
  const headers = { Origin: origin };
  const postWithOrigin = (path: string, fields: Record<string, string>) =>
    client.request(path, {
      method: "POST",
      headers: { ...FORM, ...headers },
      body: new URLSearchParams(fields),
    });
  const service = await postWithOrigin("/book/service", { service: "intro-call" });
  const coach = await postWithOrigin("/book/coach", { coach: "maya-okafor" });
  const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
  const time = await postWithOrigin("/book/time", { startAt: slot });
  return [service, coach, time].map((page) => `${page.status} ${page.location}`);
}

describe("behind a reverse proxy", () => {
  it("one that rewrites Host (nginx's default): forms work when APP_URL names the public address", async () => {
    // The proxy's address is the public one; the app only ever sees Host: 127.0.0.1:<its port>.
    const proxyPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const publicUrl = `http://localhost:${proxyPort}`;
    const server = await startServer({ env: { APP_URL: publicUrl } });
    const target = new URL(server.url);
    const proxy = createServer((req, res) => {
      const upstream = httpRequest(
        {
          host: "127.0.0.1",
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `127.0.0.1:${target.port}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
    try {
      expect(await walkThrough(publicUrl, publicUrl)).toEqual([
        "303 /book/coach",
        "303 /book/time",
        "303 /book/details",
      ]);
      // And another site's form is still refused through it.
      const forged = await fetch(`${publicUrl}/book/service`, {
        method: "POST",
        headers: { ...FORM, Origin: "http://evil.example" },
        body: "service=intro-call",
        redirect: "manual",
      });
      expect(forged.status).toBe(403);
      expect(server.output()).not.toMatch(/does not match `origin`/);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.stop();
    }
  });

  it("one that says X-Forwarded-Host/-Proto: believed with TRUST_PROXY, ignored without", async () => {
    const publicOrigin = "https://book.example.test";
    const forwarded = { "x-forwarded-host": "book.example.test", "x-forwarded-proto": "https" };
    for (const [trust, expected] of [
      ["loopback", ["303 /book/coach", "303 /book/time", "303 /book/details"]],
      [undefined, ["403 null"]],
    ] as const) {
      // APP_URL is elsewhere, so only the forwarded headers can make the Origin ours.
      const server = await startServer({
        env: { APP_URL: "http://app-url.invalid", TRUST_PROXY: trust },
      });
      const proxy = await startProxy(server.url, forwarded);
      try {
        const walked = await walkThrough(proxy.url, publicOrigin).catch(() => ["403 null"]);
        expect(walked.slice(0, expected.length)).toEqual(expected);
      } finally {
        await proxy.stop();
        await server.stop();
      }
    }
  });
});

describe("headers", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it("a strict CSP: scripts only from here or with this response's nonce, which every inline script carries", async () => {
    const response = await fetch(`${server.url}/`);
    const csp = response.headers.get("content-security-policy")!;
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src"))!;
    expect(scriptSrc).not.toContain("unsafe-inline");
    const nonce = scriptSrc.match(/'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const html = await response.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]!);
    expect(inline.length).toBeGreaterThan(0);
    for (const attributes of inline) expect(attributes).toContain(`nonce="${nonce}"`);
    // A new nonce for every response.
    const again = (await fetch(`${server.url}/`)).headers.get("content-security-policy")!;
    expect(again).not.toContain(nonce);
  });

  it("the usual others, and no HSTS on plain http", async () => {
    const headers = (await fetch(`${server.url}/`)).headers;
    expect(headers.get("x-frame-options")).toBe("DENY");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(headers.get("strict-transport-security")).toBeNull();
    expect(headers.get("x-powered-by")).toBeNull();
  });

  it("HSTS when the public address is https", async () => {
    const https = await startServer({ env: { APP_URL: "https://book.example.test" } });
    try {
      const headers = (await fetch(`${https.url}/`)).headers;
      expect(headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
      expect(headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    } finally {
      await https.stop();
    }
  });

  it("no-store on every page of the wizard and its data requests; fingerprinted assets cached for good", async () => {
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "intro-call" });
    await client.post("/book/coach", { coach: "maya-okafor" });
    const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
    await client.post("/book/time", { startAt: slot });
    await client.post("/book/details", {
      name: "Ada Lovelace",
      email: "ada@example.com",
      timezone: "Europe/London",
    });
    for (const path of ["/", "/book/time", "/book/details", "/book/review", "/book/review.data"]) {
      const page = await client.get(path);
      expect([path, page.status, page.response.headers.get("cache-control")]).toEqual([
        path,
        200,
        "no-store",
      ]);
    }
    const home = await client.get("/");
    const css = home.html.match(/href="(\/build\/[^"]+\.css)"/)![1]!;
    expect((await client.get(css)).response.headers.get("cache-control")).toContain("immutable");
  });
});

describe("rate limits", () => {
  let world: PaymentWorld;
  beforeAll(async () => {
    world = await startPaymentWorld();
  });
  afterAll(() => world?.stop());

  it("Pay from one address: the 21st try in 15 minutes is 429 with Retry-After; others carry on", async () => {
    const { client } = await clientAtPaidReview(world.server, "eager@example.com");
    for (let i = 0; i < 20; i++) await pressPay(client);
    const refused = await client.post("/book/review", { intent: "pay" });
    expect(refused.status).toBe(429);
    expect(Number(refused.response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.html).toContain("Too many tries");
    // Someone else, from another address, pays as usual.
    const other = await clientAtPaidReview(world.server, "calm@example.com");
    await pressPay(other.client);
  });

  it("twenty guesses at one account sent at once: five are checked, the rest wait", async () => {
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new FormClient(world.server.url).post("/login", {
          email: "maya@example.com",
          password: `guess-${i}`,
        }),
      ),
    );
    const statuses = guesses.map((page) => page.status).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
  });

  it("sign-in from one address: the 51st post in 15 minutes is 429, whatever it holds", async () => {
    const flooder = new FormClient(world.server.url);
    // Empty forms: refused as such (400), so the failure throttle never sees them; the limit does.
    const tries = await Promise.all(
      Array.from({ length: 50 }, () => flooder.post("/login", { email: "", password: "" })),
    );
    expect(new Set(tries.map((page) => page.status))).toEqual(new Set([400]));
    const refused = await flooder.post("/login", { email: "maya@example.com", password: "x" });
    expect(refused.status).toBe(429);
    expect(refused.response.headers.get("retry-after")).toBeTruthy();
    expect(refused.html).toContain("Too many tries");
    const someoneElse = await new FormClient(world.server.url).post("/login", {
      email: "daniel@example.com",
      password: "x",
    });
    expect(someoneElse.status).toBe(401);
  });
});
