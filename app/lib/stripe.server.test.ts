import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";
import { createStripeClient } from "./stripe.server";

describe("createStripeClient", () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator();
  });
  afterAll(() => emulator.stop());

  it("points the real SDK at STRIPE_API_BASE through host, port and protocol", async () => {
    const stripe = createStripeClient({ secretKey: "sk_test_x", apiBase: emulator.url });
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: { currency: "gbp", unit_amount: 100, product_data: { name: "x" } },
        },
      ],
      success_url: "http://localhost/ok",
    });
    expect(session.url).toContain(emulator.url);
  });

  it.each([
    ["a live key over plain http", "sk_live_x", "http://127.0.0.1:12111"],
    [
      "a test key over plain http to another host",
      "sk_test_x",
      "http://stripe.internal.example:12111",
    ],
  ])("refuses %s", (_label, secretKey, apiBase) => {
    expect(() => createStripeClient({ secretKey, apiBase })).toThrow(
      /STRIPE_API_BASE may use plain http only on a loopback address with an sk_test_ key/,
    );
  });

  it("allows https anywhere and defaults to Stripe itself", () => {
    expect(() =>
      createStripeClient({ secretKey: "sk_live_x", apiBase: "https://stripe-proxy.example" }),
    ).not.toThrow();
    expect(() => createStripeClient({ secretKey: "sk_live_x" })).not.toThrow();
  });
});
