/**
 * A new coach sets up an empty production-style install in Chromium with JavaScript off, from the
 * setup checklist alone: practice details, themselves as a coach, Tuesday's hours and a holiday
 * week, a paid service with two intake questions and a video room; then a client books it (also
 * with JavaScript off), pays on the Stripe emulator's page, and sees the video link on the
 * confirmation. axe runs on every page of the set-up.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";
import { startServer, type RunningServer } from "../server-harness";
import {
  chooseTime,
  launchBrowser,
  offeredTimes,
  openFirstFreeTimes,
  openPage,
  violationsAsSeen,
} from "./browser";

const serverEntry = fileURLToPath(new URL("../../build/index.js", import.meta.url));

let emulator: StripeEmulator;
let server: RunningServer;
let browser: Browser;
let password: string;

beforeAll(async () => {
  emulator = await startStripeEmulator({ webhookRetryDelaysMs: [100, 200] });
  [server, browser] = await Promise.all([
    startServer({
      env: {
        STRIPE_SECRET_KEY: "sk_test_first_install",
        STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
        STRIPE_API_BASE: emulator.url,
      },
    }),
    launchBrowser(),
  ]);
  emulator.webhooks.setEndpoint(`${server.url}/webhooks/stripe`);
  const created = spawnSync(
    process.execPath,
    [serverEntry, "coach:create", "--email", "nora@harbour.test", "--name", "Nora Hale", "--owner"],
    { env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_PATH: server.databasePath } },
  );
  password = String(created.stdout).match(/^Password: (\S+)$/m)![1]!;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await emulator?.stop();
});

/** No serious or critical axe violations on the page as a JavaScript-off client sees it. */
async function expectAccessible(page: Page) {
  const violations = await violationsAsSeen(browser, page, false);
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${page.url()}: ${v.id} ${v.help}`)).toEqual([]);
}

/** Waits (a few seconds at most) for the element to be shown; fails the test otherwise. */
const visible = (locator: ReturnType<Page["locator"]>) =>
  locator.waitFor({ state: "visible", timeout: 5_000 });

/** The next Tuesday at least a week away, as the date inputs want it (YYYY-MM-DD). */
function tuesdayInAWeek(): Date {
  const day = new Date(Date.now() + 7 * 86_400_000);
  while (day.getUTCDay() !== 2) day.setUTCDate(day.getUTCDate() + 1);
  return day;
}
const isoDate = (day: Date) => day.toISOString().slice(0, 10);

describe("a first install, set up from the checklist with JavaScript off", () => {
  it("from sign-in to a client's paid booking with answers and a video room", async () => {
    const holidayTuesday = tuesdayInAWeek();
    const { page, close } = await openPage(browser, { javaScript: false });
    try {
      await page.goto(`${server.url}/login`);
      await expectAccessible(page);
      await page.getByLabel("Email").fill("nora@harbour.test");
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe("/coach/setup");
      await expectAccessible(page);

      // 1. The practice.
      await page.getByRole("link", { name: /Name the practice/ }).click();
      await expectAccessible(page);
      await page.getByLabel("Practice name").fill("Harbour Coaching");
      await page.getByLabel("Contact email for clients").fill("hello@harbour.test");
      await page.getByLabel("The practice’s timezone").selectOption("Europe/London");
      await page.getByRole("button", { name: "Save" }).click();
      await visible(page.getByText("Saved."));

      // 2. A coach: the owner themselves.
      await page.goto(`${server.url}/coach/setup`);
      await page.getByRole("link", { name: /Add a coach/ }).click();
      await expectAccessible(page);
      await page.getByLabel("Name", { exact: true }).fill("Nora Hale");
      await page.getByLabel(/^Email/).fill("nora@harbour.test");
      await page.getByLabel(/^Their timezone/).selectOption("Europe/London");
      await page.getByRole("button", { name: "Add the coach" }).click();
      await visible(page.getByText("Their existing account now opens their calendar."));

      // 3. Hours: Tuesdays only, and a holiday week.
      await page.goto(`${server.url}/coach/setup`);
      await page.getByRole("link", { name: /working hours/ }).click();
      await expectAccessible(page);
      await page.getByLabel("Tuesday").fill("10:00–12:00");
      await page
        .getByRole("button", { name: /Save the weekly hours|Save weekly hours|Save hours/ })
        .click();
      expect(await page.getByLabel("Tuesday").inputValue()).toMatch(/10:00/);
      const holidayEnd = new Date(holidayTuesday.getTime() + 6 * 86_400_000);
      await page.getByLabel("First date").fill(isoDate(holidayTuesday));
      await page.getByLabel(/Last date/).fill(isoDate(holidayEnd));
      await page.getByRole("radio", { name: /day off/i }).check();
      await page.getByRole("button", { name: /^Add/ }).click();
      expect(await page.getByText(/day off/i).first());

      // 4. A paid service with two questions and a room per booking.
      await page.goto(`${server.url}/coach/setup`);
      await page.getByRole("link", { name: /Create a service/ }).click();
      await expectAccessible(page);
      await page.getByLabel("Name", { exact: true }).fill("Strategy session");
      await page.getByLabel("Length in minutes").fill("60");
      await page.getByLabel("Price").fill("45");
      await page.getByLabel("Currency").selectOption("gbp");
      await page.getByRole("checkbox", { name: "Nora Hale" }).check();
      await page.getByRole("radio", { name: /new room for each booking/ }).check();
      await page.getByLabel("Link for the rooms").fill("https://meet.jit.si/{room}");
      const first = page.getByRole("group", { name: "Question 1" });
      await first.getByLabel("Kind").selectOption("short_text");
      await first.getByLabel("Question").fill("What would you like to work on?");
      await first.getByRole("checkbox", { name: /must answer/ }).check();
      const second = page.getByRole("group", { name: "Question 2" });
      await second.getByLabel("Kind").selectOption("consent");
      await second.getByLabel("Question").fill("I agree to the practice’s terms.");
      await page
        .getByRole("button", { name: /^(Create|Save)/ })
        .first()
        .click();
      await page.goto(`${server.url}/coach/setup`);
      await visible(page.getByText("All done: clients can book now."));
    } finally {
      await close();
    }

    // The client, in a browser of their own.
    const client = await openPage(browser, { javaScript: false });
    try {
      const c = client.page;
      await c.goto(server.url);
      await visible(c.getByRole("heading", { name: "Harbour Coaching" }));
      await c.getByRole("link", { name: "Book a session" }).click();
      await c.getByRole("radio", { name: /Strategy session/ }).check();
      await c.getByRole("button", { name: "Continue" }).click();
      // Only Tuesdays, 60-minute sessions in 10:00–12:00 every 30 minutes; none in the holiday.
      // This week's Tuesday may be past, or inside the notice: the client goes on to the next.
      await openFirstFreeTimes(c);
      const offered = await offeredTimes(c);
      expect(offered.length).toBeGreaterThan(0);
      // Of the week's days, only a Tuesday has times: the day picker links no other.
      const daysWithTimes = await c
        .locator(".day-picker a, .day-picker [aria-current]")
        .evaluateAll((days) => days.map((day) => day.textContent ?? ""));
      expect(daysWithTimes.length).toBeGreaterThan(0);
      for (const day of daysWithTimes) expect(day).toMatch(/Tuesday \d+ \w+, \d+ free times?$/);
      for (const start of offered) {
        const london = new Intl.DateTimeFormat("en-GB", {
          timeZone: "Europe/London",
          weekday: "long",
          hour: "2-digit",
          minute: "2-digit",
        }).format(new Date(start));
        expect(london).toMatch(/^Tuesday (10:00|10:30|11:00)$/);
        expect(start.slice(0, 10)).not.toBe(isoDate(holidayTuesday));
      }
      await chooseTime(c);
      await c.getByLabel("Your name").fill("Ada Lovelace");
      await c.getByLabel("Email").fill("ada@client.test");
      await c.getByRole("button", { name: "Continue" }).click();
      // The answers are required: the step says so, keeping the name.
      await visible(c.getByText(/answer/i).first());
      expect(await c.getByLabel("Your name").inputValue()).toBe("Ada Lovelace");
      await c.getByLabel("What would you like to work on?").fill("A career change");
      await c.getByRole("checkbox", { name: /I agree/ }).check();
      await c.getByRole("button", { name: "Continue" }).click();
      await expect(c.getByText("If your plans change"));
      await c.getByRole("button", { name: /Continue to payment/ }).click();
      await c.getByRole("button", { name: /^Pay £/ }).click();
      await visible(c.getByRole("heading", { name: "Booking confirmed" }));
      const room = c.getByRole("link", { name: /meet\.jit\.si\/kairos-/ });
      await visible(room);
    } finally {
      await client.close();
    }
  });
});
