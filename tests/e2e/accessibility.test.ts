/**
 * Every page a client can reach, in every state it can be in, checked as a phone shows it (390×844)
 * with JavaScript off and on: axe-core finds nothing serious or critical; the title names the page
 * and then the practice; a form sent back with mistakes says so first in the title and puts focus
 * on its error summary. The Stripe emulator's hosted page is Stripe's, not ours, and is not checked.
 *
 * Each page's checks are soft: one journey reports every page that fails, not only the first.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { readDb } from "../server-harness";
import {
  accessibilityViolations,
  chooseTime,
  focusedElement,
  openPage,
  withServerAndBrowser,
  type AxeViolation,
} from "./browser";

// One server (demo mode: the emulator inside) and one browser for the whole file.
const kairos = withServerAndBrowser();

/**
 * A client in London whose browser says so in both ways (its clock, and its language for the guess
 * made without JavaScript), so that the time step never changes zone by itself under the checks.
 */
const zoned = (javaScript: boolean) => ({
  javaScript,
  timezoneId: "Europe/London",
  locale: "en-GB",
});

const url = (path: string) => `${kairos.server.url}${path}`;

/** The serious and critical findings, with the elements they are about. */
function serious(violations: AxeViolation[]) {
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      targets: nodes.map((node) => (node as { target?: unknown }).target),
    }));
}

/**
 * axe on the page exactly as the client sees it now. With JavaScript off, the page shown may be the
 * answer to a POST (a form with its mistakes), which fetching its URL again would not show: a static
 * copy (JavaScript on for axe, the app's own scripts blocked) is given the very HTML shown.
 */
async function violationsOfShownPage(page: Page, javaScript: boolean) {
  if (javaScript) return accessibilityViolations(page);
  const html = await page.content();
  const context = await kairos.browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    await context.addCookies(await page.context().cookies());
    await context.route(/\/build\/.*\.js$/, (route) => route.abort());
    const shown = page.url();
    let served = false;
    await context.route(
      (address) => address.toString() === shown,
      (route) => {
        if (served) return route.continue();
        served = true;
        return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
      },
    );
    const copy = await context.newPage();
    await copy.goto(shown);
    // The copy is the page shown (its mistakes too), not the page its URL gives now.
    expect(await copy.locator("h1").allTextContents()).toEqual(
      await page.locator("h1").allTextContents(),
    );
    expect(await copy.locator(".error-summary").count()).toBe(
      await page.locator(".error-summary").count(),
    );
    return await accessibilityViolations(copy);
  } finally {
    await context.close();
  }
}

/** Waits (up to `ms`) for a condition; returns the last value seen, for the assertion to show. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** The page has arrived: its heading is there and, with JavaScript on, the app is idle. */
async function arrived(page: Page, javaScript: boolean, path: string | RegExp) {
  await page.waitForURL(typeof path === "string" ? url(path) : path);
  await page.locator("h1").first().waitFor();
  if (javaScript) {
    await page.waitForFunction(() => {
      const router = (
        window as unknown as {
          __remixRouter?: { state: { navigation: { state: string }; revalidation: string } };
        }
      ).__remixRouter;
      return router?.state.navigation.state === "idle" && router.state.revalidation === "idle";
    });
  }
}

/**
 * The checks every page gets. `errors`: the page is a form sent back with mistakes, so its title
 * starts "Error: " and its error summary is there and focused.
 */
async function checkPage(
  page: Page,
  javaScript: boolean,
  label: string,
  { errors = false }: { errors?: boolean } = {},
) {
  const where = `${label} (JavaScript ${javaScript ? "on" : "off"})`;
  expect.soft(serious(await violationsOfShownPage(page, javaScript)), `${where}: axe`).toEqual([]);
  const title = await page.title();
  expect
    .soft(title, `${where}: the title ends with the practice`)
    .toMatch(/. · Northlight Coaching$/);
  const summary = page.locator(".error-summary");
  if (!errors) {
    expect.soft(title, `${where}: no "Error: " in the title`).not.toMatch(/^Error: /);
    expect.soft(await summary.count(), `${where}: no error summary`).toBe(0);
    return;
  }
  expect.soft(title, `${where}: the title starts with "Error: "`).toMatch(/^Error: /);
  expect.soft(await summary.count(), `${where}: one error summary`).toBe(1);
  if ((await summary.count()) !== 1) return;
  expect
    .soft(await summary.getAttribute("role"), `${where}: the summary is an alert`)
    .toBe("alert");
  expect
    .soft(await summary.locator("h2").textContent(), `${where}: the summary's heading`)
    .toBe("There is a problem");
  expect
    .soft(await summary.locator('a[href^="#"]').count(), `${where}: the summary links to fields`)
    .toBeGreaterThan(0);
  if (!javaScript) {
    // Without JavaScript the HTML itself says where focus goes.
    expect
      .soft(await summary.getAttribute("autofocus"), `${where}: the summary has autofocus`)
      .not.toBeNull();
  }
  const focused = await eventually(
    () => focusedElement(page),
    (element) => element?.className.split(" ").includes("error-summary") ?? false,
  );
  expect
    .soft(
      focused && { tag: focused.tag, className: focused.className, name: focused.name },
      `${where}: focus is on the error summary`,
    )
    .toMatchObject({ className: expect.stringContaining("error-summary") });
}

/** The emulator's control API (the demo prints its address). */
async function emulatorConfig(settings: { async_payment_delay_ms: number }) {
  const api = kairos.server.output().match(/Stripe emulator for test payments: API on (\S+),/)?.[1];
  if (!api) throw new Error("the demo printed no emulator address");
  const response = await fetch(`${api}/_emulator/config`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(settings),
  });
  expect(response.status).toBe(200);
}

/** Moves the time page (the wizard's or a reschedule's) on by a week, as its link does. */
async function nextWeek(page: Page) {
  const before = page.url();
  await page.getByRole("link", { name: "Next week →" }).click();
  await page.waitForURL((address) => address.toString() !== before);
}

describe.each([
  { javaScript: false, label: "JavaScript off" },
  { javaScript: true, label: "JavaScript on" },
])("every client page with $label", ({ javaScript }) => {
  const mode = javaScript ? "js" : "nojs";

  it("the home page, each step of the wizard empty and with its mistakes, the confirmation, managing and cancelling the booking, and My bookings", async () => {
    const email = `a11y-${mode}@example.com`;
    const { page, close } = await openPage(kairos.browser, zoned(javaScript));
    try {
      await page.goto(url("/"));
      await arrived(page, javaScript, "/");
      await checkPage(page, javaScript, "home page");

      await page.getByRole("link", { name: "Book a session" }).click();
      await arrived(page, javaScript, "/book/service");
      await checkPage(page, javaScript, "session step");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.locator("#service-step-service-error", { hasText: /\S/ }).waitFor();
      await checkPage(page, javaScript, "session step with nothing chosen", { errors: true });

      await page.getByText("Free intro call").first().click();
      await page.getByRole("button", { name: "Continue" }).click();
      await arrived(page, javaScript, "/book/coach");
      await checkPage(page, javaScript, "coach step");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.locator("#coach-step-coach-error", { hasText: /\S/ }).waitFor();
      await checkPage(page, javaScript, "coach step with nothing chosen", { errors: true });

      await page.getByText("Maya Okafor").click();
      await page.getByRole("button", { name: "Continue" }).click();
      await arrived(page, javaScript, "/book/time");
      await checkPage(page, javaScript, "time step");
      await page.locator("form:has(.slot-group)").getByRole("button", { name: "Continue" }).click();
      await page.locator("#startAt-error", { hasText: /\S/ }).waitFor();
      await checkPage(page, javaScript, "time step with no time chosen", { errors: true });

      await page.getByRole("link", { name: "Another timezone…" }).click();
      await arrived(page, javaScript, /\/book\/time\?.*zones=all/);
      await page.locator("#timezone optgroup").nth(1).waitFor({ state: "attached" });
      await checkPage(page, javaScript, "time step with every timezone listed");

      await page.goto(url("/book/time?taken=1"));
      await arrived(page, javaScript, "/book/time?taken=1");
      await page.getByRole("alert").getByText("That time was just taken").waitFor();
      await checkPage(page, javaScript, "time step after the time chosen was taken");

      // Far enough ahead that the booking can still be moved and cancelled online.
      await nextWeek(page);
      await nextWeek(page);
      await chooseTime(page);
      await arrived(page, javaScript, "/book/details");
      await checkPage(page, javaScript, "details step");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.locator("#details-step-name-error", { hasText: /\S/ }).waitFor();
      await checkPage(page, javaScript, "details step sent empty", { errors: true });

      await page.fill("#details-step-name", "Ada Lovelace");
      await page.fill("#details-step-email", email);
      await page.getByRole("button", { name: "Continue" }).click();
      await arrived(page, javaScript, "/book/review");
      await checkPage(page, javaScript, "review step (free session)");

      await page.getByRole("button", { name: "Confirm booking" }).click();
      await arrived(page, javaScript, "/book/confirmed");
      await checkPage(page, javaScript, "confirmation of a free session");

      // Managing it: moving (choosing, then confirming), a time that is not free, cancelling.
      await page.getByRole("button", { name: "Move to another time" }).click();
      await arrived(page, javaScript, /\/bookings\/[\w-]+\/reschedule$/);
      const manage = page.url().replace(/\/reschedule$/, "");
      await checkPage(page, javaScript, "reschedule page");
      // A week after the booking's: free, and far enough ahead to move to.
      for (let week = 0; week < 3; week++) await nextWeek(page);
      await chooseTime(page);
      await page.getByRole("heading", { level: 1, name: "Move your booking?" }).waitFor();
      await arrived(page, javaScript, /\/reschedule\?.*startAt=/);
      await checkPage(page, javaScript, "reschedule page asking to confirm the new time");

      await page.goto(`${manage}/reschedule?startAt=2000-01-03T09:00:00Z`);
      await arrived(page, javaScript, /startAt=2000/);
      await page.getByRole("alert").getByText("That time is not free").waitFor();
      await checkPage(page, javaScript, "reschedule page for a time that is not free");
      await page.goBack();
      await arrived(page, javaScript, /\/reschedule\?.*startAt=/);

      await page.getByRole("button", { name: "Yes, move it" }).click();
      await arrived(page, javaScript, `${new URL(manage).pathname}?done=moved`);
      await page.getByText("Your session is moved to").waitFor();
      await checkPage(page, javaScript, "manage page after moving");

      await page.goto(manage);
      await arrived(page, javaScript, new URL(manage).pathname);
      await checkPage(page, javaScript, "manage page");

      await page.getByRole("link", { name: "Cancel this booking" }).click();
      await arrived(page, javaScript, `${new URL(manage).pathname}/cancel`);
      await checkPage(page, javaScript, "cancel page");
      await page.getByRole("button", { name: "Yes, cancel it" }).click();
      await arrived(page, javaScript, `${new URL(manage).pathname}?done=cancelled`);
      await page.getByRole("heading", { level: 1, name: "Your booking is cancelled" }).waitFor();
      await checkPage(page, javaScript, "manage page of a cancelled booking");

      // My bookings: asking for the link, the emailed link, the list, the link used twice.
      await page.getByRole("link", { name: "My bookings" }).click();
      await arrived(page, javaScript, "/my-bookings");
      await checkPage(page, javaScript, "My bookings");
      await page.getByRole("button", { name: "Email me a link" }).click();
      await page.locator(".field-error", { hasText: /\S/ }).first().waitFor();
      await checkPage(page, javaScript, "My bookings sent empty", { errors: true });
      await page.getByLabel("Email").fill(email);
      await page.getByRole("button", { name: "Email me a link" }).click();
      await arrived(page, javaScript, "/my-bookings?sent=1");
      await checkPage(page, javaScript, "My bookings with the link sent");

      const [linkEmail] = readDb<{ text_body: string }>(
        kairos.server,
        "select text_body from email_outbox where recipient = ? and kind = 'my_bookings_link'",
        email,
      );
      const link = linkEmail?.text_body.match(/https?:\/\/\S+\/my-bookings\/[\w-]+/)?.[0];
      expect(link, "the emailed My bookings link").toBeDefined();
      await page.goto(link!);
      await arrived(page, javaScript, new URL(link!).pathname);
      await checkPage(page, javaScript, "the emailed My bookings link");
      await page.getByRole("button", { name: "Show my bookings" }).click();
      await arrived(page, javaScript, "/my-bookings");
      // The link is used up now: the page must show the list, not ask for another link.
      const listed = page.getByRole("heading", { level: 2, name: "Past and cancelled" });
      expect
        .soft(await listed.count(), "My bookings after using the emailed link: the list is shown")
        .toBe(1);
      await checkPage(page, javaScript, "My bookings listing the bookings");
      await page.goto(link!);
      await arrived(page, javaScript, new URL(link!).pathname);
      await page.getByRole("link", { name: "Get a new link" }).waitFor();
      await checkPage(page, javaScript, "an emailed My bookings link used already");
    } finally {
      await close();
    }
  });

  it("paying: the review after a cancelled payment, and the return page not paid, processing, failed and confirmed", async () => {
    const { page, close } = await openPage(kairos.browser, zoned(javaScript));
    /** A deep-dive session booked up to Stripe's hosted page; its session id. */
    const toHostedPage = async (email: string, { checkReview = false } = {}) => {
      await page.goto(url("/"));
      await page.getByRole("button", { name: "Book: Deep-dive session" }).click();
      await arrived(page, javaScript, "/book/time");
      await chooseTime(page);
      await arrived(page, javaScript, "/book/details");
      await page.fill("#details-step-name", "Grace Hopper");
      await page.fill("#details-step-email", email);
      await page.getByRole("button", { name: "Continue" }).click();
      await arrived(page, javaScript, "/book/review");
      if (checkReview) await checkPage(page, javaScript, "review step (paid session)");
      await page.getByRole("button", { name: "Continue to payment (£85)" }).click();
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      return page.url().match(/cs_test_\w+/)![0];
    };
    try {
      const first = await toHostedPage(`paid-a11y-${mode}@example.com`, { checkReview: true });
      // The card is declined: Stripe's page says so (not ours). Our return page, opened for that
      // session, says it is not paid.
      await page.getByRole("button", { name: "Decline" }).click();
      await page.getByRole("alert").getByText("Your card was declined").waitFor();
      await page.goto(url(`/book/return?session_id=${first}`));
      await arrived(page, javaScript, /\/book\/return\?/);
      await page.getByRole("heading", { level: 1, name: "Payment not completed" }).waitFor();
      await checkPage(page, javaScript, "return page after a declined card");

      // Back on Stripe's page, Cancel: the review step says nothing was charged.
      await page.goto(url(`/_demo-stripe/c/pay/${first}`));
      await page.getByRole("button", { name: "Cancel" }).click();
      await arrived(page, javaScript, "/book/review?checkout=cancelled");
      await page.getByText("Payment cancelled: nothing was charged.").waitFor();
      await checkPage(page, javaScript, "review step after a cancelled payment");

      // A delayed method, still settling while the page is looked at.
      await emulatorConfig({ async_payment_delay_ms: 10 * 60_000 });
      await page.getByRole("button", { name: "Continue to payment (£85)" }).click();
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      await page.getByRole("button", { name: "Pay with a delayed method" }).click();
      await arrived(page, javaScript, /\/book\/return\?session_id=/);
      await page.getByRole("heading", { level: 1, name: "Payment processing" }).waitFor();
      await checkPage(page, javaScript, "return page while the payment is processing");

      // A delayed method that fails.
      await emulatorConfig({ async_payment_delay_ms: 100 });
      await toHostedPage(`failed-a11y-${mode}@example.com`);
      await page.getByRole("button", { name: "Delayed method fails" }).click();
      await arrived(page, javaScript, /\/book\/return\?session_id=/);
      const failed = "Your payment didn’t go through";
      await eventually(
        async () => {
          if ((await page.locator("h1").textContent()) === failed) return true;
          await page.reload();
          await arrived(page, javaScript, /\/book\/return\?session_id=/);
          return (await page.locator("h1").textContent()) === failed;
        },
        (done) => done,
        15_000,
      );
      await page.getByRole("heading", { level: 1, name: failed }).waitFor();
      await checkPage(page, javaScript, "return page after the payment failed");

      // Paid.
      await toHostedPage(`paid-ok-a11y-${mode}@example.com`);
      await page.getByRole("button", { name: "Pay £85.00" }).click();
      await arrived(page, javaScript, /\/book\/return\?session_id=/);
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
      await checkPage(page, javaScript, "return page with the booking confirmed");
    } finally {
      await emulatorConfig({ async_payment_delay_ms: 3000 });
      await close();
    }
  });

  it("pages that are not there: a dead link, a booking link that matches nothing, an old resume link", async () => {
    const { page, close } = await openPage(kairos.browser, zoned(javaScript));
    try {
      for (const [path, label, heading] of [
        ["/no/such/page", "404 page", "We couldn’t find that page"],
        ["/bookings/no-such-booking", "404 page for a booking link", "We couldn’t find that page"],
        ["/book/resume/no-such-draft", "an expired link to resume a booking", null],
      ] as const) {
        await page.goto(url(path));
        await arrived(page, javaScript, path);
        if (heading) await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await checkPage(page, javaScript, label);
      }
    } finally {
      await close();
    }
  });
});
