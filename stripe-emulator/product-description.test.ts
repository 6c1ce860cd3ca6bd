/**
 * A line item's `product_data.description`, through the real SDK: the emulator keeps it on the
 * product it makes (the line item's own `description` stays the product's name, as Stripe's does)
 * and the hosted page shows it under the name, escaped, as Checkout lays an item out. An empty
 * description is refused, as Stripe refuses unsetting it.
 */
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeClient } from "~/lib/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "./index";

let emulator: StripeEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  stripe = createStripeClient({ secretKey: "sk_test_kairos", apiBase: emulator.url });
});
afterAll(() => emulator?.stop());

const sessionWith = (productData: { name: string; description?: string }) =>
  stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: { currency: "gbp", unit_amount: 4500, product_data: productData },
      },
    ],
    customer_email: "ada@example.com",
    success_url: "http://localhost:3000/book/return?session_id={CHECKOUT_SESSION_ID}",
  });

const hostedPage = async (session: Stripe.Checkout.Session) => (await fetch(session.url!)).text();

describe("a line item's product description", () => {
  it("is kept on the product and shown, escaped, under the item's name on the hosted page", async () => {
    const description = "Monday 30 November 2026, 09:00 to 09:30 (New York time) <b>&</b>";
    const session = await sessionWith({ name: "Coaching session with Maya Okafor", description });

    const [item] = emulator.ledger.findSession(session.id)!.lineItems;
    expect(item).toMatchObject({
      description: "Coaching session with Maya Okafor",
      price: {
        product: {
          object: "product",
          name: "Coaching session with Maya Okafor",
          description,
        },
      },
    });
    const listed = await stripe.checkout.sessions.listLineItems(session.id);
    expect(listed.data.map((line) => line.price?.product)).toEqual([item!.price.product.id]);

    const page = await hostedPage(session);
    expect(page).toMatch(
      /<td>Coaching session with Maya Okafor<span class="item-description">Monday 30 November 2026, 09:00 to 09:30 \(New York time\) &lt;b&gt;&amp;&lt;\/b&gt;<\/span><\/td>/,
    );
  });

  it("is optional: without one the product has none and the page shows the name alone", async () => {
    const session = await sessionWith({ name: "Deep-dive session" });

    const [item] = emulator.ledger.findSession(session.id)!.lineItems;
    expect(item!.price.product.description).toBeNull();
    const page = await hostedPage(session);
    expect(page).toContain("<td>Deep-dive session</td>");
    expect(page).not.toContain('item-description">');
  });

  it("refuses an empty one, as Stripe refuses unsetting it", async () => {
    const error = await sessionWith({ name: "Coaching session", description: "" }).catch(
      (e: Stripe.errors.StripeError) => e,
    );
    expect(error).toMatchObject({
      statusCode: 400,
      param: "line_items[0][price_data][product_data][description]",
      message: expect.stringMatching(/You passed an empty string/),
    });
  });
});
