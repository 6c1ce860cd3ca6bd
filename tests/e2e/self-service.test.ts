/**
 * A client's own changes, as a client who knows only what the pages and the emails show: a paid
 * coaching session booked and paid on the demo's hosted Stripe page, the manage link found in the
 * confirmation email (an .eml file in the data folder, as the demo writes its mail), opened in
 * another browser with no cookies and another timezone, the session moved to another time, then
 * cancelled with the refund the practice's policy gives. Once with JavaScript off, once on.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";
import { simpleParser } from "mailparser";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDb, startServer, type RunningServer } from "../server-harness";
import {
  chooseTime,
  launchBrowser,
  offeredTimes,
  openPage,
  showTimesIn,
  violationsAsSeen,
  type AxeViolation,
} from "./browser";

const kairos = {} as { server: RunningServer; browser: Browser };
beforeAll(async () => {
  [kairos.server, kairos.browser] = await Promise.all([
    // Emails leave (as .eml files: the demo has no SMTP) every second rather than every five.
    startServer({ env: { EMAIL_SEND_INTERVAL_SECONDS: "1" } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await kairos.browser?.close();
  await kairos.server?.stop();
});

/** The zone the client books in; the manage link is later opened in a browser set to another. */
const BOOKING_ZONE = "America/New_York";
const OTHER_BROWSER_ZONE = "Asia/Tokyo";
/** Both times chosen are at least this far ahead: past the 48 hours of the full refund. */
const AHEAD_MS = 4 * 24 * 60 * 60_000;
const SESSION_MINUTES = 30;

/** "Monday 15 March 2027, 10:00 to 10:30 (New York time)", as a client reads a session. */
function sessionText(startIso: string): string {
  const start = DateTime.fromISO(startIso, { zone: BOOKING_ZONE }).setLocale("en-GB");
  const end = start.plus({ minutes: SESSION_MINUTES });
  return `${start.toFormat("cccc d LLLL yyyy, HH:mm")} to ${end.toFormat("HH:mm")} (New York time)`;
}

/** The serious and critical findings of axe on the page the client is looking at. */
async function seriousViolations(page: Page, javaScript: boolean) {
  const violations = await violationsAsSeen(kairos.browser, page, javaScript);
  return violations
    .filter((v: AxeViolation) => v.impact === "serious" || v.impact === "critical")
    .map(({ id, impact, help }) => ({ id, impact, help }));
}

/** A row of the booking's summary, by its term. */
function summary(page: Page, term: string) {
  return page
    .locator("dl.summary > div")
    .filter({ has: page.locator("dt", { hasText: new RegExp(`^${term}$`) }) })
    .locator("dd");
}

/**
 * Picks the first offered time at least AHEAD_MS from now (other than `except`), going week by week
 * through the picker's "Next week" link: the value its button sends.
 */
async function pickTimeAhead(page: Page, except?: string): Promise<string> {
  const earliest = Date.now() + AHEAD_MS;
  for (let week = 0; week < 5; week++) {
    for (let day = 0; day < 7; day++) {
      const value = (await offeredTimes(page)).find(
        (start) => Date.parse(start) >= earliest && start !== except,
      );
      if (value) {
        await page.locator(".slot-group").getByText("Times are in New York time").waitFor();
        await chooseTime(page, value);
        return value;
      }
      // The next day with times, if this week has one.
      const next = page.locator(".day-picker li:has([aria-current]) ~ li a").first();
      if ((await next.count()) === 0) break;
      const before = page.url();
      await next.click();
      await page.waitForURL((url) => url.toString() !== before);
    }
    const before = page.url();
    await page.getByRole("link", { name: "Next week →" }).click();
    await page.waitForURL((url) => url.toString() !== before && url.searchParams.has("week"));
  }
  throw new Error("no free time four days ahead within five weeks");
}

/** The manage link of the newest confirmation emailed to `to`, from the demo's .eml files. */
async function manageLinkFromEmail(to: string): Promise<{ link: string; text: string }> {
  const folder = join(kairos.server.dataDir, "emails");
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(folder)
        .filter((name) => name.endsWith("-booking_confirmed.eml"))
        .sort() // names start with the time the email was queued
        .reverse();
    } catch {
      // The folder is made when the first email leaves.
    }
    for (const name of files) {
      const mail = await simpleParser(readFileSync(join(folder, name)));
      const recipients = [mail.to ?? []].flat().flatMap((address) => address.value);
      if (!recipients.some((address) => address.address === to)) continue;
      const text = mail.text ?? "";
      const link = text.match(/https?:\/\/\S+\/bookings\/[\w-]+/)?.[0];
      if (!link) throw new Error(`the confirmation has no manage link:\n${text}`);
      return { link, text };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no booking_confirmed email to ${to} in ${folder} within 10 s`);
}

describe.each([
  { javaScript: false, label: "JavaScript off" },
  { javaScript: true, label: "JavaScript on" },
])("a client moving and cancelling their paid session with $label", ({ javaScript }) => {
  it("books and pays, follows the emailed link elsewhere, moves the session, then cancels it for a full refund", async () => {
    const email = `self-service-${javaScript ? "js" : "nojs"}@example.com`;

    // --- Booking and paying, in a browser set to Kolkata, the times chosen in New York's zone.
    const booking = await openPage(kairos.browser, { javaScript, timezoneId: "Asia/Kolkata" });
    let firstStart: string;
    try {
      const { page } = booking;
      await page.goto(kairos.server.url);
      await page.getByRole("button", { name: "Book: Coaching session" }).click();
      await page.waitForURL(`${kairos.server.url}/book/coach`);
      await page.getByRole("heading", { level: 1, name: "Choose a coach" }).waitFor();
      await page.getByText("Maya Okafor").click();
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${kairos.server.url}/book/time`);
      await page.getByRole("heading", { level: 1, name: "Choose a day and time" }).waitFor();
      if (javaScript) {
        // The browser's own zone replaces the guess from its language, once, by itself.
        await page.waitForFunction(() => "__remixRouter" in window);
        await page.getByText("Times are shown in Kolkata time.").waitFor();
      }
      await showTimesIn(page, BOOKING_ZONE);
      await page.locator(".zone-note", { hasText: "New York time" }).waitFor();
      firstStart = await pickTimeAhead(page);

      await page.waitForURL(`${kairos.server.url}/book/details`);
      await page.getByRole("heading", { level: 1, name: "Your details" }).waitFor();
      await page.fill("#details-step-name", "Ada Lovelace");
      await page.fill("#details-step-email", email);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${kairos.server.url}/book/review`);
      await page.getByRole("heading", { level: 1, name: "Review and confirm" }).waitFor();
      await page.getByText(sessionText(firstStart), { exact: false }).first().waitFor();

      await page.getByRole("button", { name: "Continue to payment (£45)" }).click();
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      await page.getByRole("button", { name: "Pay £45.00" }).click();
      await page.waitForURL(/\/book\/return\?session_id=cs_test_/);
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
      if (javaScript) expect(booking.consoleErrors).toEqual([]);
    } finally {
      await booking.close();
    }

    // --- The confirmation email, as the demo writes it, and its manage link.
    const { link, text } = await manageLinkFromEmail(email);
    expect(link.startsWith(`${kairos.server.url}/bookings/`)).toBe(true);
    expect(text).toContain(sessionText(firstStart));

    // --- Another browser (no cookies, another zone): the booking is shown in New York's time.
    const manage = await openPage(kairos.browser, { javaScript, timezoneId: OTHER_BROWSER_ZONE });
    try {
      const { page } = manage;
      const managePath = new URL(link).pathname;
      await page.goto(link);
      await page.getByRole("heading", { level: 1, name: "Your booking, Ada" }).waitFor();
      if (javaScript) await page.waitForFunction(() => "__remixRouter" in window);
      expect(await summary(page, "Session").textContent()).toBe("Coaching session");
      expect(await summary(page, "Coach").textContent()).toBe("Maya Okafor");
      expect(await summary(page, "When").textContent()).toBe(sessionText(firstStart));
      expect(await summary(page, "Price").textContent()).toBe("£45");
      expect(await summary(page, "Status").textContent()).toBe("Confirmed");
      await page.getByText("If you cancel now, you get £45 back.").waitFor();
      expect(await seriousViolations(page, javaScript)).toEqual([]);
      if (javaScript) await page.screenshot({ path: "/tmp/kairos-manage.png", fullPage: true });

      // Moving it: pick another time (changes nothing), confirm, and see it moved.
      await page.getByRole("link", { name: "Move to another time" }).click();
      await page.waitForURL(`${kairos.server.url}${managePath}/reschedule`);
      await page.getByRole("heading", { level: 1, name: "Choose a new time" }).waitFor();
      await page
        .getByText(`Coaching session with Maya Okafor, now ${sessionText(firstStart)}.`)
        .waitFor();
      await page.locator(".zone-note", { hasText: "New York time" }).waitFor();
      expect(await seriousViolations(page, javaScript)).toEqual([]);
      const newStart = await pickTimeAhead(page, firstStart);
      await page.getByRole("heading", { level: 1, name: "Move your booking?" }).waitFor();
      expect(new URL(page.url()).searchParams.get("startAt")).toBe(newStart);
      await page.getByText(`Move it to ${sessionText(newStart)}?`).waitFor();
      expect(await seriousViolations(page, javaScript)).toEqual([]);
      await page.getByRole("button", { name: "Yes, move it" }).click();
      await page.waitForURL(`${kairos.server.url}${managePath}?done=moved`);
      await page
        .getByText(`Your session is moved to ${sessionText(newStart)}.`, { exact: false })
        .waitFor();
      expect(await summary(page, "When").textContent()).toBe(sessionText(newStart));
      expect(await summary(page, "Status").textContent()).toBe("Confirmed");

      // Cancelling it, more than 48 hours ahead: the whole price back.
      await page.getByRole("link", { name: "Cancel this booking" }).click();
      await page.waitForURL(`${kairos.server.url}${managePath}/cancel`);
      await page.getByRole("heading", { level: 1, name: "Cancel your booking?" }).waitFor();
      await page
        .getByText(`Coaching session with Maya Okafor, ${sessionText(newStart)}.`)
        .waitFor();
      await page.getByText("You will be refunded £45 of the £45 you paid.").waitFor();
      expect(await seriousViolations(page, javaScript)).toEqual([]);
      await page.getByRole("button", { name: "Yes, cancel it" }).click();
      await page.waitForURL(`${kairos.server.url}${managePath}?done=cancelled`);
      await page.getByRole("heading", { level: 1, name: "Your booking is cancelled" }).waitFor();
      await page
        .getByText("Your session is cancelled, and £45 is refunded to the card you paid with", {
          exact: false,
        })
        .waitFor();
      expect(await summary(page, "Refunded").textContent()).toBe("£45");
      expect(await summary(page, "Status").textContent()).toBe("Cancelled");
      await page.getByText("This booking was cancelled; there is nothing to change.").waitFor();
      expect(await page.getByRole("link", { name: "Cancel this booking" }).count()).toBe(0);
      expect(await seriousViolations(page, javaScript)).toEqual([]);
      if (javaScript) expect(manage.consoleErrors).toEqual([]);

      // --- What was stored: cancelled, refunded in full once, the invite's third version.
      const [stored, ...others] = readDb<{
        id: string;
        status: string;
        ics_sequence: number;
        start_at: number;
      }>(
        kairos.server,
        "select id, status, ics_sequence, start_at from bookings where client_email = ?",
        email,
      );
      expect(others).toEqual([]);
      expect(stored).toMatchObject({
        status: "cancelled",
        ics_sequence: 2,
        start_at: Date.parse(newStart),
      });
      const refunds = readDb<{ amount_minor: number; currency: string; source: string }>(
        kairos.server,
        "select amount_minor, currency, source from refunds where booking_id = ?",
        stored!.id,
      );
      expect(refunds).toEqual([{ amount_minor: 4500, currency: "gbp", source: "kairos" }]);
    } finally {
      await manage.close();
    }
  });
});
