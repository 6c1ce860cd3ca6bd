import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  chooseTime,
  offeredTimes,
  openPage,
  showTimesIn,
  violationsAsSeen,
  withServerAndBrowser,
} from "./browser";

const kairos = withServerAndBrowser();

async function heading(page: Page) {
  return page.getByRole("heading", { level: 1 }).textContent();
}

describe.each([
  { javaScript: false, label: "JavaScript off" },
  { javaScript: true, label: "JavaScript on" },
])("booking the free intro call with $label", ({ javaScript }) => {
  it("goes from the home page to a confirmed booking, surviving back, refresh and bad input", async () => {
    // The browser's clock is in Kolkata (JavaScript on reads it) and its language English as
    // written in Ireland (the only clue without JavaScript): times start out in one or the other.
    const { page, consoleErrors, close } = await openPage(kairos.browser, {
      javaScript,
      timezoneId: "Asia/Kolkata",
      locale: "en-IE",
    });
    const step = async (path: string, title: string) => {
      await page.waitForURL(`${kairos.server.url}${path}`);
      await page.getByRole("heading", { level: 1, name: title }).waitFor();
      if (javaScript) await page.waitForFunction(() => "__remixRouter" in window);
      expect(await violationsAsSeen(kairos.browser, page, javaScript)).toEqual([]);
      // A refresh shows the same step, nothing lost.
      await page.reload();
      await page.getByRole("heading", { level: 1, name: title }).waitFor();
    };
    try {
      await page.goto(kairos.server.url);
      await page.getByRole("button", { name: "Book: Free intro call" }).click();
      await step("/book/coach", "Choose a coach");
      expect(await page.getByText("Step 2 of 5").count()).toBe(1);
      await page.getByRole("button", { name: "Continue" }).click();
      // The server's answer (JavaScript on or off: the forms do not validate in the browser).
      await page.locator("#coach-step-coach-error", { hasText: "Choose a coach." }).waitFor();
      await page.getByText("Maya Okafor").click();
      await page.getByRole("button", { name: "Continue" }).click();

      await step("/book/time", "Choose a day and time");
      if (javaScript) {
        await page.getByText("Kolkata time").first().waitFor();
        await showTimesIn(page, "America/New_York");
      } else {
        await page
          .getByText("Times are shown in Dublin time. We guessed it from your browser’s language")
          .waitFor();
        await showTimesIn(page, "America/New_York");
      }
      await page.locator(".zone-note", { hasText: "New York time" }).waitFor();
      // The open day's times, one radio group described by the zone it is in.
      const group = page.getByRole("group", { name: /^[A-Z][a-z]+day \d+ [A-Z][a-z]+$/ });
      expect(await group.getAttribute("aria-describedby")).toMatch(/^zone-/);
      await group.getByText("Times are in New York time").waitFor();
      const [firstTime] = await offeredTimes(page);
      await chooseTime(page, firstTime);

      await step("/book/details", "Your details");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.locator("#details-step-name-error", { hasText: "Enter your name." }).waitFor();
      await page.fill("#details-step-name", "Ada Lovelace");
      await page.fill("#details-step-email", "ada@");
      await page.getByRole("button", { name: "Continue" }).click();
      await page
        .locator("#details-step-email-error", {
          hasText: "Enter an email address like name@example.com.",
        })
        .waitFor();
      expect(await page.inputValue("#details-step-name")).toBe("Ada Lovelace");
      expect(await page.getAttribute("#details-step-email", "aria-invalid")).toBe("true");
      await page.fill("#details-step-email", "ada@example.com");
      await page.fill("#details-step-notes", "Hello from the browser");
      await page.getByRole("button", { name: "Continue" }).click();

      await step("/book/review", "Review and confirm");
      await page.getByText("(New York time)").waitFor();

      // Back two steps and forward again: everything is still there.
      await page.getByRole("link", { name: "← Your details" }).click();
      await page.waitForURL(`${kairos.server.url}/book/details`);
      expect(await page.inputValue("#details-step-email")).toBe("ada@example.com");
      await page.getByRole("link", { name: "← Day and time" }).click();
      await page.waitForURL(`${kairos.server.url}/book/time`);
      // The time chosen is still chosen: Continue keeps it.
      expect(await page.locator(`input[name="startAt"][value="${firstTime}"]`).isChecked()).toBe(
        true,
      );
      await chooseTime(page, firstTime);
      await page.waitForURL(`${kairos.server.url}/book/details`);
      expect(await page.inputValue("#details-step-notes")).toBe("Hello from the browser");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${kairos.server.url}/book/review`);

      await page.getByRole("button", { name: "Confirm booking" }).click();
      await step("/book/confirmed", "You’re booked in, Ada");
      await page.getByText("Maya Okafor").waitFor();
      expect(await heading(page)).toBe("You’re booked in, Ada");
      if (javaScript) expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
