import Database from "better-sqlite3";

import type { Page, Request, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  accessibilityViolations,
  chooseTime,
  openPage,
  violationsAsSeen,
  withServerAndBrowser,
} from "./browser";

// Demo mode, as `npm start` runs it: the emulator inside the Kairos process, its hosted page in
// the same browser.
const kairos = withServerAndBrowser();

function bookingStatuses(email: string) {
  const db = new Database(kairos.server.databasePath, { readonly: true });
  try {
    return db
      .prepare("select status from bookings where client_email = ? order by created_at")
      .pluck()
      .all(email);
  } finally {
    db.close();
  }
}

describe.each([
  { javaScript: false, label: "JavaScript off" },
  { javaScript: true, label: "JavaScript on" },
])("a paid booking with $label", ({ javaScript }) => {
  it("pays on the hosted page, cancels once, pays again and lands on the confirmation", async () => {
    const email = `paid-${javaScript ? "js" : "nojs"}@example.com`;
    const { page, consoleErrors, close } = await openPage(kairos.browser, { javaScript });
    try {
      await page.goto(kairos.server.url);
      await page.getByRole("button", { name: "Book: Deep-dive session" }).click();
      await page.waitForURL(`${kairos.server.url}/book/time`);
      await page.getByText("Step 2 of 4").waitFor(); // the coach step is skipped: one coach

      await chooseTime(page);
      await page.waitForURL(`${kairos.server.url}/book/details`);
      await page.fill("#details-step-name", "Grace Hopper");
      await page.fill("#details-step-email", email);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${kairos.server.url}/book/review`);

      await page.getByRole("button", { name: "Continue to payment (£85)" }).click();
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.waitForURL(`${kairos.server.url}/book/review?checkout=cancelled`);
      await page.getByText("Payment cancelled: nothing was charged.").waitFor();
      expect(await violationsAsSeen(kairos.browser, page, javaScript)).toEqual([]);
      expect(bookingStatuses(email)).toEqual(["expired"]);

      await page.getByRole("button", { name: "Continue to payment (£85)" }).click();
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      await page.getByRole("button", { name: "Pay £85.00" }).click();
      await page.waitForURL(/\/book\/return\?session_id=cs_test_/);
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
      await page.getByText("Thank you, Grace.", { exact: false }).waitFor();
      expect(await violationsAsSeen(kairos.browser, page, javaScript)).toEqual([]);
      expect(bookingStatuses(email)).toEqual(["expired", "confirmed"]);
      if (javaScript) expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});

/** Who confirmed the client's booking: "stripe" for the webhook, "client" for the return page. */
function confirmedBy(email: string) {
  const db = new Database(kairos.server.databasePath, { readonly: true });
  try {
    return db
      .prepare(
        `select e.actor from booking_events e join bookings b on b.id = e.booking_id
         where b.client_email = ? and e.to_status = 'confirmed'`,
      )
      .pluck()
      .all(email);
  } finally {
    db.close();
  }
}

/** The demo's emulator API (for its control endpoints), as the server printed it. */
const emulatorUrl = () => {
  const url = kairos.server.output().match(/Stripe emulator for test payments: API on (\S+),/)?.[1];
  if (!url) throw new Error("the demo printed no emulator address");
  return url;
};

/** How long the demo's delayed method takes to settle. */
const settleDelayedPaymentsAfter = async (ms: number) => {
  const response = await fetch(`${emulatorUrl()}/_emulator/config`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ async_payment_delay_ms: ms }),
  });
  expect(response.status).toBe(200);
};

/** A deep-dive booked up to Stripe's page and paid there with the delayed method. */
async function payWithDelayedMethod(page: Page, email: string) {
  await page.goto(kairos.server.url);
  await page.getByRole("button", { name: "Book: Deep-dive session" }).click();
  await page.waitForURL(`${kairos.server.url}/book/time`);
  await chooseTime(page);
  await page.waitForURL(`${kairos.server.url}/book/details`);
  await page.fill("#details-step-name", "Grace Hopper");
  await page.fill("#details-step-email", email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(`${kairos.server.url}/book/review`);
  await page.getByRole("button", { name: "Continue to payment (£85)" }).click();
  await page.waitForURL(/\/c\/pay\/cs_test_/);
  await page.getByRole("button", { name: "Pay with a delayed method" }).click();
  await page.waitForURL(/\/book\/return\?session_id=cs_test_/);
  return page.url();
}

describe("a delayed payment, settling while the client watches", () => {
  // Long enough for the return page to be seen processing first; the tests wait for the webhook,
  // not for this time.
  const SETTLE_MS = 6000;

  it("with JavaScript on: the processing page turns into the confirmation by itself, and says so", async () => {
    const email = "delayed-js@example.com";
    const { page, consoleErrors, close } = await openPage(kairos.browser, { javaScript: true });
    // The page's own checks (Remix's data requests for this route) wait here until the processing
    // page has been inspected, so that it cannot change under axe.
    const held: Route[] = [];
    let holding = true;
    await page.route(/\/book\/return\.data\?/, (route) =>
      holding ? void held.push(route) : route.continue(),
    );
    await settleDelayedPaymentsAfter(SETTLE_MS);
    try {
      const returnUrl = await payWithDelayedMethod(page, email);
      await page.getByRole("heading", { level: 1, name: "Payment processing" }).waitFor();
      await page.getByText("We’ll email you as soon as the payment is confirmed").waitFor();
      await page.getByRole("button", { name: "Check again" }).waitFor();
      // Hydrated, and checking by itself: its first check is already asked for (and held).
      await page.getByText("This page also checks by itself every few seconds.").waitFor();
      await expect.poll(() => held.length, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await page.locator('meta[http-equiv="refresh" i]').count()).toBe(0);
      const liveRegion = page.locator('[role="status"][aria-live="polite"]');
      expect(await liveRegion.count()).toBe(1);
      expect(await liveRegion.textContent()).toBe("");
      // No violation at all (axe's critical `meta-refresh` included), not only none serious.
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(bookingStatuses(email)).toEqual(["processing"]);
      // Marks this very document: a reload would lose the mark.
      await page.evaluate(() => {
        (window as unknown as { kairosSameDocument: boolean }).kairosSameDocument = true;
      });

      // The payment settles and Stripe's webhook confirms the booking; then the page's checks
      // go through.
      await expect
        .poll(() => bookingStatuses(email), { timeout: SETTLE_MS + 15_000 })
        .toEqual(["confirmed"]);
      expect(confirmedBy(email)).toEqual(["stripe"]);
      holding = false;
      for (const route of held.splice(0)) await route.continue();

      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
      await page.getByText("Thank you, Grace.", { exact: false }).waitFor();
      await expect.poll(() => liveRegion.textContent()).toBe("Booking confirmed");
      expect(page.url()).toBe(returnUrl);
      expect(
        await page.evaluate(
          () => (window as unknown as { kairosSameDocument?: boolean }).kairosSameDocument,
        ),
      ).toBe(true);
      expect(await page.getByRole("button", { name: "Check again" }).count()).toBe(0);
      expect(await page.getByText("This page also checks by itself").count()).toBe(0);
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await settleDelayedPaymentsAfter(3000);
      await close();
    }
  });

  it("with JavaScript on, a payment that stays processing: a bounded number of checks, then it says it stopped", async () => {
    const email = "delayed-long@example.com";
    const { page, consoleErrors, close } = await openPage(kairos.browser, { javaScript: true });
    const isCheck = (url: string) => /\/book\/return\.data\?/.test(url);
    let [checks, ended] = [0, 0];
    page.on("request", (request) => void (isCheck(request.url()) && checks++));
    // Ended either way: Chromium reports Remix's data requests as aborted once Remix has read
    // all it needs of the stream.
    const onEnd = (request: Request) => void (isCheck(request.url()) && ended++);
    page.on("requestfinished", onEnd);
    page.on("requestfailed", onEnd);
    // Settles long after this test is over: the page sees "processing" however often it asks.
    await settleDelayedPaymentsAfter(30 * 60_000);
    try {
      // The page's clock is ours from here on: the checks' waits pass only as we say.
      await page.clock.install();
      const returnUrl = await payWithDelayedMethod(page, email);
      await page.getByText("This page also checks by itself every few seconds.").waitFor();
      await page.clock.pauseAt(Date.now() + 1000);
      const stopped = page.getByText("This page has stopped checking by itself.", {
        exact: false,
      });
      // A second of the page's time at a time, until it gives up; each check has ended before
      // time moves on, as the next wait starts only then. Bounded: a page that never stops fails.
      for (let second = 0; second < 2000 && (await stopped.count()) === 0; second++) {
        await expect.poll(() => ended).toBe(checks);
        await page.clock.runFor(1000);
      }
      expect(await stopped.count()).toBeGreaterThan(0);
      expect(checks).toBe(75); // RECHECK_AT_MOST: five minutes at four seconds
      const liveRegion = page.locator('[role="status"][aria-live="polite"]');
      expect(await liveRegion.textContent()).toBe(
        "This page has stopped checking by itself. Use Check again, or wait for our email.",
      );

      // No timer left behind: an hour later, pressing Check again makes the only request since
      // (a check fired by a timer would have been asked for before it), and still works.
      await page.clock.runFor(60 * 60_000);
      await page.getByRole("button", { name: "Check again" }).click();
      await expect.poll(() => [checks, ended]).toEqual([76, 76]);
      await page.getByRole("heading", { level: 1, name: "Payment processing" }).waitFor();
      expect(page.url()).toBe(returnUrl);
      expect(consoleErrors).toEqual([]);
    } finally {
      await settleDelayedPaymentsAfter(3000);
      await close();
    }
  });

  it("with JavaScript off: the processing page stays still, says an email will follow, and Check again confirms", async () => {
    const email = "delayed-nojs@example.com";
    const { page, close } = await openPage(kairos.browser, { javaScript: false });
    await settleDelayedPaymentsAfter(SETTLE_MS);
    try {
      const returnUrl = await payWithDelayedMethod(page, email);
      await page.getByRole("heading", { level: 1, name: "Payment processing" }).waitFor();
      await page.getByText("We’ll email you as soon as the payment is confirmed").waitFor();
      expect(await page.locator('meta[http-equiv="refresh" i]').count()).toBe(0);
      expect(await page.getByText("checks by itself").count()).toBe(0);
      expect(await violationsAsSeen(kairos.browser, page, false)).toEqual([]);

      await expect
        .poll(() => bookingStatuses(email), { timeout: SETTLE_MS + 15_000 })
        .toEqual(["confirmed"]);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "Payment processing",
      );
      await page.getByRole("button", { name: "Check again" }).click();
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
      expect(page.url()).toBe(returnUrl);
    } finally {
      await settleDelayedPaymentsAfter(3000);
      await close();
    }
  });
});
