import type Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStripeClient } from "~/lib/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "./index";
import {
  EmulatorControl,
  expectStripeShaped,
  fixtures,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./test-support";

let emulator: StripeEmulator;
let receiver: WebhookReceiver;
let stripe: Stripe;
let control: EmulatorControl;

beforeAll(async () => {
  receiver = await startWebhookReceiver(() => emulator.webhookSecret);
  emulator = await startStripeEmulator({
    webhookUrl: receiver.url,
    asyncPaymentDelayMs: 50,
    webhookRetryDelaysMs: [20, 40, 80],
  });
  stripe = createStripeClient({ secretKey: "sk_test_kairos", apiBase: emulator.url });
  control = new EmulatorControl(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
  await receiver?.stop();
});
beforeEach(async () => {
  await control.reset();
  receiver.events.length = 0;
  receiver.rejected.length = 0;
});
afterEach(() => emulator.webhooks.idle());

const inMinutes = (minutes: number) => Math.floor(Date.now() / 1000) + minutes * 60;

const MINIMAL_SESSION: Stripe.Checkout.SessionCreateParams = {
  mode: "payment",
  line_items: [
    {
      quantity: 1,
      price_data: {
        currency: "gbp",
        unit_amount: 4500,
        product_data: { name: "Coaching session" },
      },
    },
  ],
  success_url: "http://localhost:3000/book/return?session_id={CHECKOUT_SESSION_ID}",
};

/** A session as Kairos creates it (docs/architecture.md, "Pay, Stripe, fulfil"). */
function kairosSession(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return stripe.checkout.sessions.create({
    ...MINIMAL_SESSION,
    customer_email: "ada@example.com",
    client_reference_id: "bk_123",
    metadata: { booking_id: "bk_123", draft_id: "dr_456" },
    payment_intent_data: { metadata: { booking_id: "bk_123" } },
    cancel_url: "http://localhost:3000/book/review",
    expires_at: inMinutes(30),
    ...overrides,
  });
}

async function payOnHostedPage(
  session: Stripe.Checkout.Session,
  action: string,
  extra: Record<string, string> = {},
) {
  return fetch(session.url!, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action, ...extra }),
    redirect: "manual",
  });
}

describe("Checkout Sessions through the real SDK", () => {
  it("creates a session as Kairos does and retrieves it", async () => {
    const created = await kairosSession();
    expect(created).toMatchObject({
      object: "checkout.session",
      status: "open",
      payment_status: "unpaid",
      amount_total: 4500,
      currency: "gbp",
      customer_email: "ada@example.com",
      client_reference_id: "bk_123",
      metadata: { booking_id: "bk_123", draft_id: "dr_456" },
      payment_intent: null,
      customer_details: null,
      livemode: false,
      mode: "payment",
    });
    expect(created.id).toMatch(/^cs_test_a1\w{56}$/);
    expect(created.url).toBe(`${emulator.url}/c/pay/${created.id}`);
    expect(created.expires_at).toBeGreaterThan(inMinutes(29));

    const retrieved = await stripe.checkout.sessions.retrieve(created.id, {
      expand: ["line_items"],
    });
    expect(retrieved.id).toBe(created.id);
    expect(retrieved.line_items?.data).toEqual([
      expect.objectContaining({
        quantity: 1,
        amount_total: 4500,
        currency: "gbp",
        description: "Coaching session",
      }),
    ]);
    expectStripeShaped({ ...retrieved, line_items: undefined }, fixtures["checkout.session"]);
  });

  it("answers an unknown session with Stripe's 404", async () => {
    const error = await stripe.checkout.sessions
      .retrieve("cs_test_nope")
      .catch((e: Stripe.errors.StripeError) => e);
    expect(error).toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 404,
      code: "resource_missing",
    });
    expect((error as Error).message).toBe("No such checkout.session: 'cs_test_nope'");
  });

  it("expires an open session once, with its event, and refuses to expire it again", async () => {
    const session = await kairosSession();
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: "expired", url: null, payment_status: "unpaid" });
    const again = await stripe.checkout.sessions
      .expire(session.id)
      .catch((e: Stripe.errors.StripeError) => e);
    expect(again).toMatchObject({ type: "StripeInvalidRequestError", statusCode: 400 });
    expect((again as Error).message).toMatch(/status of expired/);
    const [event] = await receiver.waitForEvents(1);
    expect(event!.type).toBe("checkout.session.expired");
    expect((event!.data.object as Stripe.Checkout.Session).id).toBe(session.id);
  });

  it("creates the PaymentIntent only at completion, and expands it", async () => {
    const session = await kairosSession();
    await control.completeSession(session.id, "paid");
    const paid = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["payment_intent"],
    });
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid", url: null });
    expect(paid.customer_details?.email).toBe("ada@example.com");
    const paymentIntent = paid.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent).toMatchObject({
      object: "payment_intent",
      status: "succeeded",
      amount: 4500,
      amount_received: 4500,
      currency: "gbp",
      metadata: { booking_id: "bk_123" },
    });
    expect(paymentIntent.id).toMatch(/^pi_/);
    expectStripeShaped({ ...paid, payment_intent: paymentIntent.id }, fixtures["checkout.session"]);
    expectStripeShaped(paymentIntent, fixtures["payment_intent"]);
  });
});

describe("refunds", () => {
  async function paidPaymentIntent() {
    const session = await kairosSession();
    await control.completeSession(session.id, "paid");
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    return paid.payment_intent as string;
  }

  it("refunds in part and then in full, emitting charge.refunded each time", async () => {
    const paymentIntent = await paidPaymentIntent();
    const partial = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1000 });
    expect(partial).toMatchObject({
      object: "refund",
      amount: 1000,
      currency: "gbp",
      status: "succeeded",
      payment_intent: paymentIntent,
    });
    expectStripeShaped(partial, fixtures["refund"]);
    const rest = await stripe.refunds.create({ payment_intent: paymentIntent });
    expect(rest.amount).toBe(3500);
    expect(await stripe.refunds.retrieve(partial.id)).toEqual(partial);

    const events = await receiver.waitForEvents(3);
    const refunds = events
      .filter((event) => event.type === "charge.refunded")
      .map((event) => event.data.object as Stripe.Charge);
    expect(refunds.map((charge) => [charge.amount_refunded, charge.refunded])).toEqual([
      [1000, false],
      [4500, true],
    ]);
    expectStripeShaped(refunds[1], fixtures["charge"]);
  });

  it("refuses to refund more than is left, or an unknown PaymentIntent", async () => {
    const paymentIntent = await paidPaymentIntent();
    const tooMuch = await stripe.refunds
      .create({ payment_intent: paymentIntent, amount: 4501 })
      .catch((e) => e);
    expect(tooMuch).toMatchObject({ statusCode: 400, code: "amount_too_large", param: "amount" });
    await stripe.refunds.create({ payment_intent: paymentIntent });
    const twice = await stripe.refunds.create({ payment_intent: paymentIntent }).catch((e) => e);
    expect(twice).toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
    const unknown = await stripe.refunds.create({ payment_intent: "pi_nope" }).catch((e) => e);
    expect(unknown).toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "payment_intent",
    });
    const missing = await stripe.refunds.retrieve("re_nope").catch((e) => e);
    expect(missing).toMatchObject({ statusCode: 404 });
  });
});

describe("validation, as Stripe validates", () => {
  const cases: [
    string,
    () => Promise<unknown>,
    { statusCode: number; param?: string; message: RegExp },
  ][] = [
    [
      "51 metadata keys",
      () =>
        kairosSession({
          metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])),
        }),
      { statusCode: 400, param: "metadata", message: /up to 50 keys/ },
    ],
    [
      "a 41-character metadata key",
      () => kairosSession({ metadata: { ["k".repeat(41)]: "v" } }),
      { statusCode: 400, param: `metadata[${"k".repeat(41)}]`, message: /at most 40 characters/ },
    ],
    [
      "a 501-character metadata value",
      () => kairosSession({ metadata: { booking_id: "v".repeat(501) } }),
      { statusCode: 400, param: "metadata[booking_id]", message: /at most 500 characters/ },
    ],
    [
      "expiry in 10 minutes",
      () => kairosSession({ expires_at: inMinutes(10) }),
      { statusCode: 400, param: "expires_at", message: /between 30 minutes and 24 hours/ },
    ],
    [
      "expiry in 25 hours",
      () => kairosSession({ expires_at: inMinutes(25 * 60) }),
      { statusCode: 400, param: "expires_at", message: /between 30 minutes and 24 hours/ },
    ],
    [
      "no line items",
      () => kairosSession({ line_items: undefined }),
      { statusCode: 400, param: "line_items", message: /Missing required param: line_items/ },
    ],
    [
      "no success_url",
      () => kairosSession({ success_url: undefined }),
      { statusCode: 400, param: "success_url", message: /Missing required param/ },
    ],
    [
      "no mode",
      () => kairosSession({ mode: undefined }),
      { statusCode: 400, param: "mode", message: /Missing required param/ },
    ],
    [
      "an uppercase currency",
      () =>
        kairosSession({
          line_items: [
            {
              quantity: 1,
              price_data: { currency: "GBP", unit_amount: 100, product_data: { name: "x" } },
            },
          ],
        }),
      { statusCode: 400, param: "line_items[0][price_data][currency]", message: /lowercase/ },
    ],
    [
      "a line item without quantity",
      () =>
        kairosSession({
          line_items: [
            { price_data: { currency: "gbp", unit_amount: 100, product_data: { name: "x" } } },
          ],
        }),
      { statusCode: 400, param: "line_items[0][quantity]", message: /Missing required param/ },
    ],
    [
      "a line item without a product name",
      () =>
        kairosSession({
          line_items: [{ quantity: 1, price_data: { currency: "gbp", unit_amount: 100 } as never }],
        }),
      {
        statusCode: 400,
        param: "line_items[0][price_data][product_data][name]",
        message: /Missing required param/,
      },
    ],
  ];

  it.each(cases)("rejects %s", async (_label, call, expected) => {
    const error = (await call().then(
      () => {
        throw new Error("expected the emulator to refuse");
      },
      (e: Stripe.errors.StripeError) => e,
    )) as Stripe.errors.StripeError;
    expect(error.type).toBe("StripeInvalidRequestError");
    expect(error.statusCode).toBe(expected.statusCode);
    if (expected.param) expect(error.param).toBe(expected.param);
    expect(error.message).toMatch(expected.message);
  });

  it.each([
    ["a live key", "sk_live_abcdefghijklmnop", /Invalid API Key provided: sk_live_\*+mnop/],
    ["a publishable key", "pk_test_abcdefghijklmnop", /Invalid API Key provided/],
  ])("rejects %s with 401", async (_label, key, message) => {
    const response = await fetch(`${emulator.url}/v1/checkout/sessions/cs_test_x`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(message);
  });

  it("rejects a request without a key with 401", async () => {
    const response = await fetch(`${emulator.url}/v1/checkout/sessions/cs_test_x`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /did not provide an API key/,
    );
  });
});

describe("idempotency", () => {
  it("replays the first response for the same key and body", async () => {
    const params = { expires_at: inMinutes(31) };
    const a = await stripe.checkout.sessions.create(
      { ...MINIMAL_SESSION, ...params },
      { idempotencyKey: "pay-bk_1" },
    );
    const b = await stripe.checkout.sessions.create(
      { ...MINIMAL_SESSION, ...params },
      { idempotencyKey: "pay-bk_1" },
    );
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers["idempotent-replayed"]).toBe("true");
  });

  it("refuses the same key with a different body", async () => {
    await stripe.checkout.sessions.create(
      { ...MINIMAL_SESSION, expires_at: inMinutes(31) },
      { idempotencyKey: "pay-bk_2" },
    );
    const error = await stripe.checkout.sessions
      .create(
        { ...MINIMAL_SESSION, expires_at: inMinutes(31), client_reference_id: "other" },
        { idempotencyKey: "pay-bk_2" },
      )
      .catch((e: Stripe.errors.StripeError) => e);
    expect(error).toMatchObject({ type: "StripeIdempotencyError", statusCode: 400 });
  });
});

describe("the hosted checkout page, with plain form posts", () => {
  it("shows the line item and amount with every button, in HTML that needs no JavaScript", async () => {
    const session = await kairosSession();
    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Coaching session");
    expect(html).toContain("£45.00");
    expect(html).not.toContain("<script");
    for (const action of ["pay", "pay_delayed", "decline", "delayed_fails", "cancel"]) {
      expect(html).toContain(`name="action" value="${action}"`);
    }
  });

  it("Pay redirects to the success URL with the session id and sends checkout.session.completed", async () => {
    const session = await kairosSession();
    const response = await payOnHostedPage(session, "pay");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(
      `http://localhost:3000/book/return?session_id=${session.id}`,
    );
    const [event] = await receiver.waitForEvents(1);
    expect(event!.type).toBe("checkout.session.completed");
    const object = event!.data.object as Stripe.Checkout.Session;
    expect(object).toMatchObject({
      id: session.id,
      status: "complete",
      payment_status: "paid",
      amount_total: 4500,
    });
    expectStripeShaped(event, {
      ...fixtures["event"],
      data: { object: fixtures["checkout.session"] },
    });
    // The page now says it is paid instead of offering to pay again.
    expect(await (await fetch(session.url!)).text()).toContain("Payment complete");
  });

  it("asks for an email when the session has none", async () => {
    const session = await kairosSession({ customer_email: undefined });
    const missing = await payOnHostedPage(session, "pay");
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Enter a valid email address");
    const paid = await payOnHostedPage(session, "pay", { email: "grace@example.com" });
    expect(paid.status).toBe(303);
    const retrieved = await stripe.checkout.sessions.retrieve(session.id);
    expect(retrieved.customer_details?.email).toBe("grace@example.com");
  });

  it("Decline keeps the session open and says the card was declined", async () => {
    const session = await kairosSession();
    const response = await payOnHostedPage(session, "decline");
    expect(response.status).toBe(402);
    expect(await response.text()).toContain("Your card was declined");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
  });

  it("Cancel returns to the cancel URL and leaves the session open", async () => {
    const session = await kairosSession();
    const response = await payOnHostedPage(session, "cancel");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("http://localhost:3000/book/review");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
  });

  it("a delayed method completes unpaid, then succeeds a moment later", async () => {
    const session = await kairosSession();
    const response = await payOnHostedPage(session, "pay_delayed");
    expect(response.status).toBe(303);
    const events = await receiver.waitForEvents(2);
    expect(
      events.map((event) => [
        event.type,
        (event.data.object as Stripe.Checkout.Session).payment_status,
      ]),
    ).toEqual([
      ["checkout.session.completed", "unpaid"],
      ["checkout.session.async_payment_succeeded", "paid"],
    ]);
    const retrieved = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["payment_intent"],
    });
    expect((retrieved.payment_intent as Stripe.PaymentIntent).status).toBe("succeeded");
  });

  it("a failing delayed method completes unpaid, then fails", async () => {
    const session = await kairosSession();
    await payOnHostedPage(session, "delayed_fails");
    const events = await receiver.waitForEvents(2);
    expect(events.map((event) => event.type)).toEqual([
      "checkout.session.completed",
      "checkout.session.async_payment_failed",
    ]);
    const retrieved = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["payment_intent"],
    });
    expect(retrieved.payment_status).toBe("unpaid");
    expect((retrieved.payment_intent as Stripe.PaymentIntent).status).toBe(
      "requires_payment_method",
    );
  });

  it("shows an expired session as expired, with a way back", async () => {
    const session = await kairosSession();
    await stripe.checkout.sessions.expire(session.id);
    const html = await (await fetch(`${emulator.url}/c/pay/${session.id}`)).text();
    expect(html).toContain("has expired");
    expect(html).toContain('href="http://localhost:3000/book/review"');
  });
});

describe("signed webhooks", () => {
  it("are accepted by the SDK's constructEvent, and a tampered body is not", async () => {
    const session = await kairosSession();
    await stripe.checkout.sessions.expire(session.id);
    const [event] = await receiver.waitForEvents(1);
    expect(event).toMatchObject({
      object: "event",
      type: "checkout.session.expired",
      livemode: false,
    });
    expect(event!.id).toMatch(/^evt_/);
    expect(event!.api_version).toBeTruthy();

    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: emulator.webhookSecret,
    });
    expect(() =>
      stripe.webhooks.constructEvent(payload, header, emulator.webhookSecret),
    ).not.toThrow();
    const tampered = payload.replace('"expired"', '"complete"');
    expect(() => stripe.webhooks.constructEvent(tampered, header, emulator.webhookSecret)).toThrow(
      /No signatures found matching the expected signature/,
    );
  });

  it("are retried after a 500, with every attempt logged", async () => {
    receiver.failNext(500, 503);
    const session = await kairosSession();
    await stripe.checkout.sessions.expire(session.id);
    await receiver.waitForEvents(1);
    await control.idle();
    const attempts = await control.deliveries();
    expect(attempts.map((a) => [a.attempt, a.outcome, a.willRetry])).toEqual([
      [1, 500, true],
      [2, 503, true],
      [3, 200, false],
    ]);
  });

  it("give up after a bounded number of attempts", async () => {
    receiver.failNext(500, 500, 500, 500, 500);
    const session = await kairosSession();
    await stripe.checkout.sessions.expire(session.id);
    await control.idle();
    const attempts = await control.deliveries();
    expect(attempts).toHaveLength(4); // the first try and three retries
    expect(attempts.at(-1)).toMatchObject({ attempt: 4, outcome: 500, willRetry: false });
    expect(receiver.events).toHaveLength(0);
  });
});

describe("control endpoints", () => {
  it("deliver an event again (a duplicate), one after another or all at once", async () => {
    const session = await kairosSession();
    await stripe.checkout.sessions.expire(session.id);
    const [event] = await receiver.waitForEvents(1);
    await control.redeliver(event!.id, { times: 2 });
    await control.redeliver(event!.id, { times: 3, concurrent: true });
    await receiver.waitForEvents(6);
    await control.idle();
    expect(new Set(receiver.events.map((e) => e.id))).toEqual(new Set([event!.id]));
  });

  it("hold events and release them in a chosen order", async () => {
    await control.hold();
    const first = await kairosSession();
    const second = await kairosSession();
    await stripe.checkout.sessions.expire(first.id);
    await stripe.checkout.sessions.expire(second.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.events).toHaveLength(0);
    const { released } = await control.release("reverse");
    const events = await receiver.waitForEvents(2);
    expect(events.map((e) => (e.data.object as Stripe.Checkout.Session).id)).toEqual([
      second.id,
      first.id,
    ]);
    expect(events.map((e) => e.id)).toEqual(released);
  });

  it("drop the next delivery, which never arrives and is not retried", async () => {
    await control.dropNext(1);
    const dropped = await kairosSession();
    const delivered = await kairosSession();
    await stripe.checkout.sessions.expire(dropped.id);
    await stripe.checkout.sessions.expire(delivered.id);
    const [event] = await receiver.waitForEvents(1);
    await control.idle();
    expect((event!.data.object as Stripe.Checkout.Session).id).toBe(delivered.id);
    const outcomes = (await control.deliveries()).map((d) => d.outcome);
    expect(outcomes).toEqual(["dropped", 200]);
  });

  it("delay deliveries", async () => {
    await control.delay(300);
    const session = await kairosSession();
    const expiredAt = Date.now();
    await stripe.checkout.sessions.expire(session.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.events).toHaveLength(0);
    await receiver.waitForEvents(1);
    expect(Date.now() - expiredAt).toBeGreaterThanOrEqual(290);
  });

  it("expire a session now, complete one without a browser, refund, and reset", async () => {
    const toExpire = await kairosSession();
    await control.expireSession(toExpire.id);
    expect((await stripe.checkout.sessions.retrieve(toExpire.id)).status).toBe("expired");

    const toPay = await kairosSession();
    await control.completeSession(toPay.id, "paid");
    const paid = await stripe.checkout.sessions.retrieve(toPay.id);
    await control.refund(paid.payment_intent as string, 500);
    await receiver.waitForEvents(3);
    expect(receiver.events.map((e) => e.type)).toEqual([
      "checkout.session.expired",
      "checkout.session.completed",
      "charge.refunded",
    ]);

    await control.reset();
    expect(await control.events()).toEqual([]);
    const gone = await stripe.checkout.sessions.retrieve(toPay.id).catch((e) => e);
    expect(gone).toMatchObject({ statusCode: 404 });
  });
});
