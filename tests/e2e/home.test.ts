import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { accessibilityViolations, openPage, openStaticPage, withServerAndBrowser } from "./browser";

const kairos = withServerAndBrowser();

describe.each([
  { javaScript: false, label: "JavaScript off" },
  { javaScript: true, label: "JavaScript on" },
])("the home page with $label", ({ javaScript }) => {
  it("shows the practice, its sessions and coaches, the demo banner, and passes axe", async () => {
    const { page, consoleErrors, close } = await openPage(kairos.browser, { javaScript });
    try {
      const response = await page.goto(kairos.server.url);
      expect(response?.status()).toBe(200);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Northlight Coaching",
      );
      await expect(page.getByRole("note").textContent()).resolves.toContain("no real money");
      const sessions = await page.getByRole("heading", { level: 3 }).allTextContents();
      expect(sessions).toEqual(
        expect.arrayContaining([
          "Free intro call",
          "Coaching session",
          "Deep-dive session",
          "Maya Okafor",
          "Daniel Reyes",
        ]),
      );
      if (javaScript) {
        // Hydrated without errors: Remix's client router is running on this page.
        await page.waitForFunction(() => "__remixRouter" in window);
        await expectStyledAndAccessible(page);
        expect(consoleErrors).toEqual([]);
      } else {
        await withStaticCopy(page.url(), expectStyledAndAccessible);
      }
    } finally {
      await close();
    }
  });

  it("takes the client from a dead link to the styled 404 page and back home", async () => {
    const { page, close } = await openPage(kairos.browser, { javaScript });
    try {
      const response = await page.goto(`${kairos.server.url}/no/such/page`);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "We couldn’t find that page",
      );
      if (javaScript) expect(await accessibilityViolations(page)).toEqual([]);
      else
        await withStaticCopy(page.url(), async (copy) =>
          expect(await accessibilityViolations(copy)).toEqual([]),
        );
      if (javaScript) await page.waitForFunction(() => "__remixRouter" in window);
      await page.getByRole("link", { name: "Back to the home page" }).click();
      await page.getByRole("heading", { level: 1, name: "Northlight Coaching" }).waitFor();
      expect(page.url()).toBe(`${kairos.server.url}/`);
    } finally {
      await close();
    }
  });
});

async function expectStyledAndAccessible(page: Page) {
  // The stylesheet loaded and applies.
  const bannerBackground = await page
    .getByRole("note")
    .evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(bannerBackground).toBe("rgb(255, 244, 214)");
  expect(await accessibilityViolations(page)).toEqual([]);
}

/** Runs checks that need our own scripts against the page as a JavaScript-off client gets it. */
async function withStaticCopy(url: string, check: (page: Page) => Promise<void>) {
  const copy = await openStaticPage(kairos.browser, url);
  try {
    await check(copy.page);
  } finally {
    await copy.close();
  }
}
