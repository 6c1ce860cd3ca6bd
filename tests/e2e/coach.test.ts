/**
 * The coach's side in Debian's Chromium, with JavaScript off and on, against the demo (its Stripe
 * emulator inside the Kairos process): a client books and pays a deep-dive; the owner signs in with
 * the password printed at first start, finds the booking on the dashboard, opens it, cancels it
 * with a full refund through the confirmation step, and sees the message, the refund and the
 * history. axe checks every coach page on the way (sign-in, dashboard, booking, confirmation,
 * sign-out, and the 403 a coach gets for another coach's booking) at the helpers' phone size.
 */
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { readDb } from "../server-harness";
import { kairosCommand } from "../integration/operations-support";
import {
  chooseTime,
  openPage,
  violationsAsSeen,
  withServerAndBrowser,
  type AxeViolation,
} from "./browser";

const kairos = withServerAndBrowser();

const ownerLogin = () => {
  const match = kairos.server.output().match(/Coach login: (\S+) \/ (\S+)/);
  if (!match) throw new Error("the demo printed no coach login");
  return { email: match[1]!, password: match[2]! };
};

/** The demo's emulator API (for its control endpoints), as the server printed it. */
const emulatorUrl = () => {
  const url = kairos.server.output().match(/Stripe emulator for test payments: API on (\S+),/)?.[1];
  if (!url) throw new Error("the demo printed no emulator address");
  return url;
};

/** Daniel's account, made once with `coach:create`. */
let danielAccount: Promise<{ email: string; password: string }> | undefined;
const daniel = () =>
  (danielAccount ??= kairosCommand(
    kairos.server.databasePath,
    "coach:create",
    "--email",
    "daniel@example.com",
    "--name",
    "Daniel Reyes",
  ).then((result) => {
    const password = result.stdout.match(/^Password: (\S+)$/m)?.[1];
    if (result.code !== 0 || !password) throw new Error(`coach:create failed:\n${result.stderr}`);
    return { email: "daniel@example.com", password };
  }));

/** The serious and critical axe violations of the page as this client sees it. */
async function seriousViolations(browser: Browser, page: Page, javaScript: boolean) {
  const violations: AxeViolation[] = await violationsAsSeen(browser, page, javaScript);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help}`);
}

async function signIn(page: Page, credentials: { email: string; password: string }) {
  await page.goto(`${kairos.server.url}/login`);
  await page.fill("#email", credentials.email);
  await page.fill("#password", credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${kairos.server.url}/coach`);
}

describe.each([
  { javaScript: false, label: "JavaScript off", client: "Grace Hopper" },
  { javaScript: true, label: "JavaScript on", client: "Katherine Johnson" },
])("the coach's side with $label", ({ javaScript, client }) => {
  it("a paid booking found, opened and cancelled with a full refund; every page passes axe", async () => {
    const email = `coach-e2e-${javaScript ? "js" : "nojs"}@example.com`;
    const { browser, server } = kairos;

    // A client books and pays a deep-dive (Maya's alone).
    const booker = await openPage(browser, { javaScript });
    try {
      const page = booker.page;
      await page.goto(server.url);
      await page.getByRole("button", { name: "Book: Deep-dive session" }).click();
      await page.waitForURL(`${server.url}/book/time`);
      await chooseTime(page);
      await page.waitForURL(`${server.url}/book/details`);
      await page.fill("#details-step-name", client);
      await page.fill("#details-step-email", email);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${server.url}/book/review`);
      await page.getByRole("button", { name: "Continue to payment (£85)" }).click();
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      await page.getByRole("button", { name: "Pay £85.00" }).click();
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    } finally {
      await booker.close();
    }
    const [booking] = readDb<{ id: string; status: string; payment_intent_id: string }>(
      kairos.server,
      "select id, status, payment_intent_id from bookings where client_email = ?",
      email,
    );
    expect(booking).toMatchObject({
      status: "confirmed",
      payment_intent_id: expect.stringMatching(/^pi_/),
    });

    // The owner signs in with the printed password.
    const owner = await openPage(browser, { javaScript });
    try {
      const page = owner.page;
      await page.goto(`${server.url}/login`);
      await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);
      await signIn(page, ownerLogin());

      // The dashboard lists the booking; the owner opens it.
      await page.getByRole("heading", { level: 1, name: "Bookings" }).waitFor();
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);
      await page.getByRole("link", { name: client }).first().click();
      await page.waitForURL(`${server.url}/coach/bookings/${booking!.id}`);
      await page.getByRole("heading", { level: 1, name: client }).waitFor();
      await page.getByText(booking!.payment_intent_id).waitFor();
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);

      // Cancel, through the confirmation step, refunding everything.
      await page.getByRole("link", { name: "Cancel the booking…" }).click();
      await page.waitForURL(`${server.url}/coach/bookings/${booking!.id}?do=cancel`);
      await page.getByRole("heading", { name: "Cancel the booking?" }).waitFor();
      const full = page.getByRole("radio", { name: "Refund everything left (£85)" });
      expect(await full.isChecked()).toBe(true);
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);
      await page.getByRole("button", { name: "Cancel the booking", exact: true }).click();

      await page.waitForURL(`${server.url}/coach/bookings/${booking!.id}?done=cancel`);
      await page
        .getByRole("status")
        .filter({ hasText: "The booking is cancelled and the client has been emailed." })
        .waitFor();
      const refunds = page.getByRole("table", { name: "Refunds" });
      await refunds.getByRole("cell", { name: "£85", exact: true }).waitFor();
      await refunds.getByRole("cell", { name: "Kairos", exact: true }).waitFor();
      await page
        .locator("ol.history li")
        .last()
        .filter({ hasText: "Confirmed → Cancelled" })
        .filter({ hasText: "refunded £85" })
        .waitFor();
      await page.getByRole("heading", { level: 1, name: `${client} Cancelled` }).waitFor();
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);

      // The refund, in the database and at Stripe.
      expect(
        readDb<{ status: string }>(
          kairos.server,
          "select status from bookings where id = ?",
          booking!.id,
        ),
      ).toEqual([{ status: "cancelled" }]);
      const refundRows = readDb<{ id: string; amount_minor: number; source: string }>(
        kairos.server,
        "select id, amount_minor, source from refunds where booking_id = ?",
        booking!.id,
      );
      expect(refundRows).toEqual([
        { id: expect.stringMatching(/^re_/), amount_minor: 8500, source: "kairos" },
      ]);
      const events = (await (
        await fetch(`${emulatorUrl()}/_emulator/events?type=charge.refunded`)
      ).json()) as {
        data: { data: { object: { payment_intent: string; amount_refunded: number } } }[];
      };
      const charges = events.data
        .map((event) => event.data.object)
        .filter((charge) => charge.payment_intent === booking!.payment_intent_id);
      expect(charges.map((charge) => charge.amount_refunded)).toEqual([8500]);

      // Sign out: the page with its buttons, then out.
      await page.getByRole("link", { name: "Sign out (Maya Okafor)" }).click();
      await page.waitForURL(`${server.url}/logout`);
      await page.getByRole("heading", { level: 1, name: "Sign out" }).waitFor();
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);
      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(`${server.url}/login`);
      await page.goto(`${server.url}/coach`);
      await page.waitForURL(`${server.url}/login?redirectTo=%2Fcoach`);
      if (javaScript) expect(owner.consoleErrors).toEqual([]);
    } finally {
      await owner.close();
    }

    // Another coach is refused Maya's booking, on a page that passes axe too.
    const coach = await openPage(browser, { javaScript });
    try {
      const page = coach.page;
      await signIn(page, await daniel());
      const response = await page.goto(`${server.url}/coach/bookings/${booking!.id}`);
      expect(response?.status()).toBe(403);
      await page.getByRole("heading", { level: 1, name: "That isn’t yours to see" }).waitFor();
      expect(await page.content()).not.toContain(email);
      expect(await seriousViolations(browser, page, javaScript)).toEqual([]);
    } finally {
      await coach.close();
    }
  });
});
