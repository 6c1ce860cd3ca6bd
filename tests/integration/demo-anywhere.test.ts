/**
 * The demo works wherever a browser reaches it, not only as `localhost`: on a VPS's address, or
 * inside Docker. The emulator's checkout page is shown on Kairos's own origin (one port), and the
 * return and cancel links follow the address the client used, so the booking's cookie comes back.
 * Production keeps APP_URL for every link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server-harness";
import { decodeEntities, FormClient, offeredStarts } from "./form-client";
import { readDb, startPaymentWorld } from "./payment-support";

/** A client at the review step of a paid session, browsing the demo at `baseUrl`. */
async function atReview(baseUrl: string) {
  const client = new FormClient(baseUrl);
  const origin = { Origin: baseUrl, "Content-Type": "application/x-www-form-urlencoded" };
  const post = (path: string, fields: Record<string, string>) =>
    client.request(path, { method: "POST", headers: origin, body: new URLSearchParams(fields) });
  await post("/book/service", { service: "coaching-session" });
  await post("/book/coach", { coach: "maya-okafor" });
  const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
  await post("/book/time", { startAt: slot });
  await post("/book/details", {
    name: "Grace Hopper",
    email: "grace@example.com",
    timezone: "America/New_York",
  });
  return { client, post };
}

describe("demo mode reached by another address than APP_URL", () => {
  let server: RunningServer;
  let address: string;
  beforeAll(async () => {
    server = await startServer(); // APP_URL is http://localhost:<port>
    address = server.url.replace("localhost", "127.0.0.1");
  });
  afterAll(() => server?.stop());

  it("pays on Kairos's own origin and comes back to the address the client used", async () => {
    const { client, post } = await atReview(address);
    const pay = await post("/book/review", { intent: "pay" });
    expect(pay.status).toBe(303);
    // The checkout page is on the same origin: no second port for a server's firewall to open.
    expect(pay.location).toMatch(/^\/_demo-stripe\/c\/pay\/cs_test_\w+$/);

    const checkout = await client.get(pay.location!);
    expect(checkout.status).toBe(200);
    expect(checkout.html).toContain("Stripe emulator");
    expect(checkout.response.headers.get("content-security-policy")).toContain(
      "frame-ancestors 'none'",
    );

    const paid = await post(pay.location!, { action: "pay" });
    expect(paid.status).toBe(303);
    const returnUrl = paid.response.headers.get("location")!;
    expect(returnUrl.startsWith(`${address}/book/return?session_id=cs_test_`)).toBe(true);

    const confirmation = await client.get(returnUrl);
    expect(confirmation.status).toBe(200);
    // The cookie came back, so this browser sees its booking.
    expect(decodeEntities(confirmation.html)).toContain("Thank you, Grace");
    expect(
      readDb(server, "select status from bookings where client_email = 'grace@example.com'"),
    ).toEqual([{ status: "confirmed" }]);
  });

  it("cancelling at the checkout page comes back to the same address's review step", async () => {
    const { client, post } = await atReview(address);
    const pay = await post("/book/review", { intent: "pay" });
    const cancelled = await post(pay.location!, { action: "cancel" });
    expect(cancelled.response.headers.get("location")).toBe(
      `${address}/book/review?checkout=cancelled`,
    );
    const review = await client.get("/book/review?checkout=cancelled");
    expect(review.status).toBe(200);
    expect(decodeEntities(review.html)).toContain("Payment cancelled: nothing was charged");
  });

  it("shows only checkout pages on the app's origin: not the emulator's API or controls", async () => {
    for (const path of ["/_demo-stripe/v1/checkout/sessions", "/_demo-stripe/_emulator/reset"]) {
      const response = await fetch(`${address}${path}`, { method: "GET" });
      expect(response.status).toBe(404);
    }
  });
});

describe("with Stripe keys", () => {
  it("return and cancel links always use APP_URL, whatever address the client used", async () => {
    const world = await startPaymentWorld();
    try {
      const address = world.server.url.replace("localhost", "127.0.0.1");
      const { post } = await atReview(address);
      const pay = await post("/book/review", { intent: "pay" });
      const sessionId = pay.location!.match(/cs_test_\w+/)![0];
      const session = world.emulator.ledger.findSession(sessionId)!.session;
      expect(session.success_url).toBe(
        `${world.server.url}/book/return?session_id={CHECKOUT_SESSION_ID}`,
      );
      expect(session.cancel_url).toBe(`${world.server.url}/book/review?checkout=cancelled`);
    } finally {
      await world.stop();
    }
  });
});
