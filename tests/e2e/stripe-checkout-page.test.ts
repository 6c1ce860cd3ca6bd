import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeClient } from "~/lib/stripe.server";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";
import { accessibilityViolations, launchBrowser, openPage, openStaticPage } from "./browser";

// The emulator's hosted checkout page, as a client with JavaScript off uses it: the Pay button is a
// plain form post that lands on the success URL with the session id substituted.
let emulator: StripeEmulator;
let browser: Browser;
let merchant: Server;
let merchantUrl: string;

beforeAll(async () => {
  merchant = createServer((req, res) => {
    res
      .writeHead(200, { "Content-Type": "text/html" })
      .end(`<title>Back</title><h1>${req.url}</h1>`);
  });
  await new Promise<void>((resolve) => merchant.listen(0, "127.0.0.1", resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
  [emulator, browser] = await Promise.all([startStripeEmulator(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  merchant?.close();
});

async function newSession() {
  const stripe = createStripeClient({ secretKey: "sk_test_e2e", apiBase: emulator.url });
  return stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: "gbp",
          unit_amount: 8500,
          product_data: { name: "Deep-dive session" },
        },
      },
    ],
    customer_email: "ada@example.com",
    success_url: `${merchantUrl}/book/return?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${merchantUrl}/book/review`,
  });
}

describe("the hosted checkout page with JavaScript off", () => {
  it("pays and lands on the success URL with the session id", async () => {
    const session = await newSession();
    const { page, close } = await openPage(browser, { javaScript: false });
    try {
      await page.goto(session.url!);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Pay £85.00",
      );
      await page.getByRole("button", { name: "Pay £85.00" }).click();
      await page.waitForURL(`${merchantUrl}/book/return?session_id=${session.id}`);
      expect(emulator.ledger.findSession(session.id)!.session.payment_status).toBe("paid");
    } finally {
      await close();
    }
  });

  it("declines, then cancels back to the merchant", async () => {
    const session = await newSession();
    const { page, close } = await openPage(browser, { javaScript: false });
    try {
      await page.goto(session.url!);
      await page.getByRole("button", { name: "Decline" }).click();
      await expect(page.getByRole("alert").textContent()).resolves.toContain(
        "Your card was declined",
      );
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.waitForURL(`${merchantUrl}/book/review`);
      expect(emulator.ledger.findSession(session.id)!.session.status).toBe("open");
    } finally {
      await close();
    }
  });

  it("passes axe", async () => {
    const session = await newSession();
    const copy = await openStaticPage(browser, session.url!);
    try {
      expect(await accessibilityViolations(copy.page)).toEqual([]);
    } finally {
      await copy.close();
    }
  });
});
