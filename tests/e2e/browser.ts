/**
 * playwright-core driving Debian's Chromium, with axe-core for accessibility checks.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Cookie, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startServer, type RunningServer } from "../server-harness";
import { findChromium } from "./chromium";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath)
    throw new Error("Chromium is missing (the e2e global setup should have said so)");
  return chromium.launch({
    executablePath,
    headless: true,
    // This machine has no network beyond loopback: keep Chromium from calling home.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page in a fresh context, with JavaScript on or off, that records console errors. */
export async function openPage(
  browser: Browser,
  options: { javaScript: boolean; timezoneId?: string },
) {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript,
    timezoneId: options.timezoneId,
    viewport: { width: 390, height: 844 }, // a phone: the layout clients mostly see
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  return { page, consoleErrors, close: () => context.close() };
}

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: unknown[] };

/**
 * A page to inspect with scripts of our own (axe, computed styles) as a JavaScript-off client
 * sees it: Chromium cannot evaluate anything in a page with JavaScript disabled, so this page has
 * it on but never loads the app's scripts, and so never hydrates.
 */
export async function openStaticPage(browser: Browser, url: string, cookies: Cookie[] = []) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addCookies(cookies);
  await context.route(/\/build\/.*\.js$/, (route) => route.abort());
  const page = await context.newPage();
  const response = await page.goto(url);
  return { page, response, close: () => context.close() };
}

/** Runs axe-core on the page as it is now. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    return axe.run(document);
  });
  return results.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes }));
}

/**
 * The axe violations of the page a client is looking at: directly with JavaScript on; with it off,
 * on a static copy of the same URL fetched with the same cookies.
 */
export async function violationsAsSeen(browser: Browser, page: Page, javaScript: boolean) {
  if (javaScript) return accessibilityViolations(page);
  const copy = await openStaticPage(browser, page.url(), await page.context().cookies());
  try {
    return await accessibilityViolations(copy.page);
  } finally {
    await copy.close();
  }
}

/** A Kairos server (demo mode, its own data) and a browser for the tests of one file. */
export function withServerAndBrowser(): { server: RunningServer; browser: Browser } {
  const context = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    [context.server, context.browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await context.browser?.close();
    await context.server?.stop();
  });
  return context;
}
