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
  options: { javaScript: boolean; timezoneId?: string; locale?: string },
) {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript,
    timezoneId: options.timezoneId,
    locale: options.locale,
    viewport: { width: 390, height: 844 }, // a phone: the layout clients mostly see
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    // A form sent back with mistakes is a 400 by design (JavaScript on, Remix fetches it), which
    // Chromium logs as a failed resource: not an error of the page.
    const refusedForm = /^Failed to load resource: .* status of 400 \(Bad Request\)$/;
    if (message.type() === "error" && !refusedForm.test(message.text()))
      consoleErrors.push(message.text());
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

/** The instants the time page offers: the open day's times, as their radio buttons send them. */
export function offeredTimes(page: Page): Promise<string[]> {
  return page
    .locator('input[name="startAt"]')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
}

/**
 * Opens the first day with free times, as a client would: the page opens on the day of the
 * client's earlier pick, else on the seven days from today. That day may have no time left (their
 * pick, or the last of the day, taken since; in the evening the notice also takes tomorrow's first
 * times), and the seven days may have none (a coach who works one day a week, that day past or
 * inside the notice; a holiday): then the first day in the picker with times is opened, else the
 * next week's, up to eight weeks on.
 */
export async function openFirstFreeTimes(page: Page) {
  const anyTime = page.locator('input[name="startAt"]');
  for (let week = 0; week < 8; week++) {
    if ((await anyTime.count()) > 0) return;
    const dayWithTimes = page.locator("a.day-choice").first();
    if ((await dayWithTimes.count()) > 0) {
      await dayWithTimes.click();
      await anyTime.first().waitFor();
      return;
    }
    const nextWeek = page.getByRole("link", { name: "Next week →", exact: true });
    const target = new URL((await nextWeek.getAttribute("href"))!, page.url());
    await nextWeek.click();
    await page.waitForURL((url) => url.search === target.search);
  }
  throw new Error(`no free times in the eight weeks from ${page.url()}`);
}

/** Picks a time (the first offered, or the one with this value) and presses Continue. */
export async function chooseTime(page: Page, value?: string) {
  if (!value) await openFirstFreeTimes(page);
  const anyTime = page.locator('input[name="startAt"]');
  const radio = value ? page.locator(`input[name="startAt"][value="${value}"]`) : anyTime.first();
  await radio.check();
  await page.locator("form:has(.slot-group)").getByRole("button", { name: "Continue" }).click();
}

/**
 * Shows the time page's times in another zone as a client would: the likely zones are listed;
 * any other is behind "Another timezone…". Choosing never submits by itself: Update times does.
 */
export async function showTimesIn(page: Page, zone: string) {
  if ((await page.locator(`#timezone option[value="${zone}"]`).count()) === 0) {
    await page.getByRole("link", { name: "Another timezone…" }).click();
    await page.locator(`#timezone option[value="${zone}"]`).first().waitFor({ state: "attached" });
  }
  await page.selectOption("#timezone", zone);
  await page.getByRole("button", { name: "Update times" }).click();
}

/** The element that has focus, as a keyboard or screen reader user meets it. */
export type FocusedElement = {
  /** The ARIA role (explicit, or the element's own: link, button, radio, textbox, combobox...). */
  role: string | null;
  /** The accessible name, roughly: aria-label, aria-labelledby, its label, or its text. */
  name: string;
  id: string;
  tag: string;
  className: string;
  /** Radios and checkboxes: whether it is checked. */
  checked?: boolean;
  /** Fields: their value. */
  value?: string;
};

/**
 * What has focus (`document.activeElement`), or null when nothing does (the body). Playwright
 * evaluates this over the DevTools protocol, so it works with the page's JavaScript off too.
 */
export function focusedElement(page: Page): Promise<FocusedElement | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body || element === document.documentElement) return null;
    const text = (node: Element | null) => (node?.textContent ?? "").replace(/\s+/g, " ").trim();
    const tag = element.tagName.toLowerCase();
    const type = element.getAttribute("type") ?? "text";
    const implicit: Record<string, string | undefined> = {
      a: element.hasAttribute("href") ? "link" : undefined,
      button: "button",
      select: "combobox",
      textarea: "textbox",
      input:
        type === "radio"
          ? "radio"
          : type === "checkbox"
            ? "checkbox"
            : type === "submit" || type === "button"
              ? "button"
              : "textbox",
      h1: "heading",
      h2: "heading",
      h3: "heading",
    };
    const labelledBy = element.getAttribute("aria-labelledby");
    const labels = "labels" in element ? (element as HTMLInputElement).labels : null;
    const name =
      element.getAttribute("aria-label") ??
      (labelledBy
        ? labelledBy
            .split(/\s+/)
            .map((id) => text(document.getElementById(id)))
            .join(" ")
        : labels && labels.length
          ? text(labels[0]!)
          : text(element));
    const field = element as HTMLInputElement;
    return {
      role: element.getAttribute("role") ?? implicit[tag] ?? null,
      name,
      id: element.id,
      tag,
      className: element.className,
      ...(type === "radio" || type === "checkbox" ? { checked: field.checked } : {}),
      ...(tag === "input" || tag === "select" || tag === "textarea" ? { value: field.value } : {}),
    };
  });
}
