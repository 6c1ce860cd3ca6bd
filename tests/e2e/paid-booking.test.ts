import Database from "better-sqlite3";

import { describe, expect, it } from "vitest";
import { openPage, violationsAsSeen, withServerAndBrowser } from "./browser";

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

      await page.locator("button.slot").first().click();
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
