/**
 * The booking wizard with a keyboard alone, as someone who cannot use a mouse books: Tab,
 * Shift+Tab, the arrow keys, Space and Enter, and typing into the field that has focus. No clicks,
 * no `check()` or `fill()`. After each key the test says where focus must be (Playwright reads
 * `document.activeElement` over the DevTools protocol, which works with the page's JavaScript off
 * too), for the free intro call and for a paid coaching session up to and through Stripe's hosted
 * page, with JavaScript off and on.
 *
 * What matters most here: the day's times are one tab stop, moved through with the arrow keys; the
 * timezone select never reloads the page as the arrow keys move through it; with JavaScript on,
 * each new step puts focus on its heading (a reload does that by itself with JavaScript off); and
 * a form sent back with mistakes puts focus on its error summary, whose links lead to the fields.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  focusedElement,
  offeredTimes,
  openPage,
  withServerAndBrowser,
  type FocusedElement,
} from "./browser";

const kairos = withServerAndBrowser();

const url = (path: string) => `${kairos.server.url}${path}`;

type Key = "Tab" | "Shift+Tab" | "ArrowDown" | "ArrowRight" | "Space" | "Enter";

const press = (page: Page, key: Key) => page.keyboard.press(key);

/** Whether the focused element is the one described (every property given must match). */
function isFocus(actual: FocusedElement | null, expected: Partial<FocusedElement>): boolean {
  if (!actual) return false;
  return Object.entries(expected).every(([key, value]: [string, unknown]) =>
    value instanceof RegExp
      ? value.test(String(actual[key as keyof FocusedElement]))
      : actual[key as keyof FocusedElement] === value,
  );
}

/**
 * Asserts where focus is. Focus may move a moment after a key (JavaScript on renders the next page
 * first), so this waits up to three seconds for it to arrive before failing with what has focus.
 */
async function expectFocus(
  page: Page,
  expected: Partial<FocusedElement>,
  when: string,
  { soft = false } = {},
) {
  const deadline = Date.now() + 3000;
  let actual = await focusedElement(page);
  while (!isFocus(actual, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    actual = await focusedElement(page);
  }
  (soft ? expect.soft : expect)(actual, `focus ${when}`).toMatchObject(expected);
}

/**
 * Presses Tab until focus is on the element described, at most `max` times; fails with every
 * element passed on the way. `passing` must hold for each of them (e.g. "not a time").
 */
async function tabTo(
  page: Page,
  expected: Partial<FocusedElement>,
  {
    max = 12,
    passing,
  }: { max?: number; passing?: (element: FocusedElement | null) => boolean } = {},
) {
  const path: (FocusedElement | null)[] = [];
  for (let count = 0; count < max; count++) {
    await press(page, "Tab");
    const focused = await focusedElement(page);
    if (isFocus(focused, expected)) return;
    path.push(focused);
    if (passing && !passing(focused))
      throw new Error(
        `Tab stopped on ${JSON.stringify(focused)} on the way to ${JSON.stringify(expected)}`,
      );
  }
  expect.fail(
    `Tab did not reach ${JSON.stringify(expected)} within ${max} presses; it went through:\n${path
      .map((element) => (element ? `${element.role} "${element.name}" #${element.id}` : "(body)"))
      .join("\n")}`,
  );
}

/** The page has arrived: its URL, its heading and, with JavaScript on, the app idle. */
async function arrived(
  page: Page,
  javaScript: boolean,
  path: string | RegExp,
  heading: string | RegExp,
) {
  await page.waitForURL(typeof path === "string" ? url(path) : path);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  if (javaScript) {
    await page.waitForFunction(() => {
      const router = (
        window as unknown as { __remixRouter?: { state: { navigation: { state: string } } } }
      ).__remixRouter;
      return router?.state.navigation.state === "idle";
    });
  }
}

/**
 * A new step has arrived after Enter. With JavaScript on, focus is on its heading (the app moved it
 * there), and Tab goes on from there into the page's content. With it off, the browser loaded a new
 * document: focus starts at its top.
 */
async function newStep(page: Page, javaScript: boolean, path: string | RegExp, heading: string) {
  await arrived(page, javaScript, path, heading);
  if (javaScript)
    await expectFocus(page, { role: "heading", name: heading }, `on the new page ${heading}`);
  else expect(await focusedElement(page), `focus at the top of ${heading}`).toBeNull();
}

/** One of the time step's times (their values are instants). */
const isTime = (element: FocusedElement | null) =>
  element?.role === "radio" && /^\d{4}-\d\d-\d\dT/.test(element.value ?? "");

type Journey = {
  javaScript: boolean;
  /** Its position in the list of sessions (0: the free intro call), and its slug. */
  service: { index: number; slug: string };
  /** Their position in the list of coaches, their slug, and their zone (the select's second). */
  coach: { index: number; slug: string; zone: string; zoneLabel: string };
};

/** Home → the session step, by the home page's "Book a session" link. */
async function startBooking(page: Page, javaScript: boolean) {
  await page.goto(url("/"));
  await arrived(page, javaScript, "/", "Northlight Coaching");
  // A new document: nothing has focus; the skip link comes first, then the header.
  expect(await focusedElement(page)).toBeNull();
  await press(page, "Tab");
  await expectFocus(page, { role: "link", name: "Skip to content" }, "first on the home page");
  await tabTo(page, { role: "link", name: "Book a session" }, { max: 3 });
  await press(page, "Enter");
  await newStep(page, javaScript, "/book/service", "Choose a session");
}

/**
 * A radio group of cards (sessions, coaches): Tab into it, choose the `index`th card (Space on the
 * first, ArrowDown to the others), Tab to Continue and press Enter.
 */
async function chooseCard(
  page: Page,
  javaScript: boolean,
  name: "service" | "coach",
  { index, slug }: { index: number; slug: string },
) {
  const first = { role: "radio", id: `${name}-step-${name}` };
  if (javaScript) await press(page, "Tab");
  else await tabTo(page, first);
  await expectFocus(page, { ...first, checked: false }, `on the first ${name} (none chosen yet)`);
  if (index === 0) {
    await press(page, "Space");
    await expectFocus(page, { ...first, checked: true }, `on the first ${name}, chosen by Space`);
  } else {
    for (let step = 1; step <= index; step++) {
      await press(page, "ArrowDown");
      await expectFocus(
        page,
        { role: "radio", checked: true },
        `on ${name} ${step + 1}, chosen by ArrowDown`,
      );
    }
  }
  await expectFocus(page, { role: "radio", value: slug, checked: true }, `on the ${name} chosen`);
  await press(page, "Tab");
  await expectFocus(page, { role: "button", name: "Continue" }, `after the ${name} cards`);
  await press(page, "Enter");
}

/** The time step: the zone select, a week ahead, three times by the arrow keys, Continue. */
async function chooseTimeByKeyboard(page: Page, journey: Journey) {
  const { javaScript, coach } = journey;
  const kolkata = page.locator(".zone-note", { hasText: "Kolkata time" });
  await kolkata.waitFor();

  // The timezone select: first after the heading.
  if (javaScript) await press(page, "Tab");
  else await tabTo(page, { role: "combobox", id: "timezone" });
  await expectFocus(
    page,
    { role: "combobox", id: "timezone", name: "Show times in", value: "Asia/Kolkata" },
    "on the timezone select",
  );

  // ArrowDown moves to the next zone, and that is all: no reload, nothing sent, times unchanged.
  const before = { url: page.url(), times: await offeredTimes(page) };
  const requests: string[] = [];
  const record = (request: { url: () => string }) => void requests.push(request.url());
  page.on("request", record);
  await press(page, "ArrowDown");
  await expectFocus(
    page,
    { role: "combobox", id: "timezone", value: coach.zone },
    "still on the timezone select after ArrowDown, on the next zone",
  );
  if (javaScript) {
    const navigation = await page.evaluate(
      () =>
        (window as unknown as { __remixRouter: { state: { navigation: { state: string } } } })
          .__remixRouter.state.navigation.state,
    );
    expect(navigation, "no navigation started by ArrowDown on the select").toBe("idle");
  }
  page.off("request", record);
  expect(requests, "nothing requested by ArrowDown on the select").toEqual([]);
  expect(page.url()).toBe(before.url);
  expect(await offeredTimes(page)).toEqual(before.times);
  expect(await kolkata.count(), "times still in Kolkata time").toBeGreaterThan(0);

  // Update times (the next Tab) applies it.
  await press(page, "Tab");
  await expectFocus(page, { role: "button", name: "Update times" }, "after the select");
  await press(page, "Enter");
  await page.locator(".zone-note", { hasText: coach.zoneLabel }).first().waitFor();
  await arrived(page, javaScript, /\/book\/time/, "Choose a day and time");
  if (javaScript)
    await expectFocus(
      page,
      { role: "button", name: "Update times" },
      "kept on Update times (same page)",
      // Soft: the walk can go on from wherever focus went.
      { soft: true },
    );
  else expect(await focusedElement(page)).toBeNull();

  // A week ahead, by the week link: with JavaScript on focus stays on it (the same page).
  const week = new URL(page.url()).searchParams.get("week");
  await tabTo(
    page,
    { role: "link", name: "Next week →" },
    { passing: (element) => !isTime(element) },
  );
  await press(page, "Enter");
  await page.waitForURL((address) => address.searchParams.get("week") !== week);
  await arrived(page, javaScript, /\/book\/time\?week=/, "Choose a day and time");
  if (javaScript)
    await expectFocus(page, { role: "link", name: "Next week →" }, "kept on Next week (same page)");

  const times = await offeredTimes(page);
  if (times.length < 3) throw new Error(`the open day has ${times.length} times; the walk needs 3`);
  expect(await page.locator('input[name="startAt"]:checked').count()).toBe(0);

  // Into the times: one tab stop, the first time (nothing chosen yet); days and links on the way.
  await tabTo(
    page,
    { role: "radio", value: times[0] },
    { max: 20, passing: (element) => !isTime(element) },
  );
  await expectFocus(
    page,
    { role: "radio", value: times[0], checked: false, id: "startAt" },
    "on the first time",
  );
  // The arrow keys move from time to time and choose each.
  await press(page, "ArrowDown");
  await expectFocus(
    page,
    { role: "radio", value: times[1], checked: true },
    "on the second time after ArrowDown",
  );
  await press(page, "ArrowRight");
  await expectFocus(
    page,
    { role: "radio", value: times[2], checked: true },
    "on the third time after ArrowRight",
  );
  expect(await page.locator('input[name="startAt"]:checked').count()).toBe(1);
  // Tab leaves the times at once: Continue, not the next time.
  await press(page, "Tab");
  await expectFocus(page, { role: "button", name: "Continue" }, "after the times (one tab stop)");
  // Shift+Tab comes back to the time chosen.
  await press(page, "Shift+Tab");
  await expectFocus(
    page,
    { role: "radio", value: times[2], checked: true },
    "back on the time chosen",
  );
  await press(page, "Tab");
  await expectFocus(page, { role: "button", name: "Continue" }, "on Continue again");
  await press(page, "Enter");
  return times[2]!;
}

/** Types into the field that has focus, after checking which it is. */
async function typeInto(page: Page, field: Partial<FocusedElement>, text: string) {
  await expectFocus(page, field, `on ${JSON.stringify(field)} before typing`);
  await page.keyboard.type(text);
  await expectFocus(page, { ...field, value: text }, `on ${JSON.stringify(field)} after typing`);
}

/** The details step, from its heading (JavaScript on) or the top of the page: name, email, on. */
async function fillDetails(page: Page, javaScript: boolean, email: string) {
  const name = { role: "textbox", id: "details-step-name", name: "Your name" };
  if (javaScript) await press(page, "Tab");
  else await tabTo(page, name);
  await typeInto(page, name, "Ada Lovelace");
  await press(page, "Tab");
  await typeInto(page, { role: "textbox", id: "details-step-email" }, email);
  await press(page, "Tab");
  await typeInto(page, { role: "textbox", id: "details-step-notes" }, "Booked with the keyboard");
  await press(page, "Tab");
  await expectFocus(page, { role: "combobox", id: "details-step-timezone" }, "on the timezone");
  await press(page, "Tab");
  await expectFocus(page, { role: "button", name: "Continue" }, "after the details");
  await press(page, "Enter");
}

/** Home → the details step, by keyboard. */
async function toDetails(page: Page, journey: Journey) {
  const { javaScript } = journey;
  await startBooking(page, javaScript);
  await chooseCard(page, javaScript, "service", journey.service);
  await newStep(page, javaScript, "/book/coach", "Choose a coach");
  await chooseCard(page, javaScript, "coach", journey.coach);
  await newStep(page, javaScript, "/book/time", "Choose a day and time");
  const time = await chooseTimeByKeyboard(page, journey);
  await newStep(page, javaScript, "/book/details", "Your details");
  return time;
}

/** A browser in Kolkata saying so both ways (its clock; its language, for the guess without JS). */
const client = (javaScript: boolean) =>
  openPage(kairos.browser, { javaScript, timezoneId: "Asia/Kolkata", locale: "en-IN" });

describe.each([
  { javaScript: false, label: "JavaScript off" },
  { javaScript: true, label: "JavaScript on" },
])("the wizard by keyboard alone with $label", ({ javaScript }) => {
  const mode = javaScript ? "js" : "nojs";

  it("books the free intro call", async () => {
    const { page, consoleErrors, close } = await client(javaScript);
    try {
      const start = await toDetails(page, {
        javaScript,
        service: { index: 0, slug: "intro-call" },
        coach: {
          index: 0,
          slug: "daniel-reyes",
          zone: "America/New_York",
          zoneLabel: "New York time",
        },
      });
      await fillDetails(page, javaScript, `keys-free-${mode}@example.com`);
      await newStep(page, javaScript, "/book/review", "Review and confirm");
      await tabTo(page, { role: "button", name: "Confirm booking" });
      await press(page, "Enter");
      await newStep(page, javaScript, "/book/confirmed", "You’re booked in, Ada");
      await page.getByText("Free intro call").first().waitFor();
      expect(start).toMatch(/^\d{4}-/);
      if (javaScript) expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("books and pays for a coaching session, on Stripe's page too", async () => {
    const { page, consoleErrors, close } = await client(javaScript);
    try {
      await toDetails(page, {
        javaScript,
        service: { index: 1, slug: "coaching-session" },
        coach: { index: 1, slug: "maya-okafor", zone: "Europe/London", zoneLabel: "London time" },
      });
      await fillDetails(page, javaScript, `keys-paid-${mode}@example.com`);
      await newStep(page, javaScript, "/book/review", "Review and confirm");
      await page.getByText("Maya Okafor").first().waitFor();
      await tabTo(page, { role: "button", name: "Continue to payment (£45)" });
      await press(page, "Enter");

      // Stripe's hosted page (the emulator's): Pay is a button like any other.
      await page.waitForURL(/\/c\/pay\/cs_test_/);
      await page.getByRole("heading", { level: 1, name: "Pay £45.00" }).waitFor();
      await tabTo(page, { role: "button", name: "Pay £45.00" });
      await press(page, "Enter");
      await arrived(page, javaScript, /\/book\/return\?session_id=cs_test_/, "Booking confirmed");
      await page.getByText("Thank you, Ada.", { exact: false }).waitFor();
      if (javaScript) expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("sends the details empty: focus on the error summary, whose first link leads to the name", async () => {
    const { page, close } = await client(javaScript);
    try {
      await toDetails(page, {
        javaScript,
        service: { index: 0, slug: "intro-call" },
        coach: {
          index: 0,
          slug: "daniel-reyes",
          zone: "America/New_York",
          zoneLabel: "New York time",
        },
      });
      await tabTo(page, { role: "button", name: "Continue" });
      await press(page, "Enter");

      const summary = page.locator(".error-summary");
      await summary.waitFor();
      await page.locator("#details-step-name-error", { hasText: "Enter your name." }).waitFor();
      expect
        .soft(await page.title(), "the title says the page came back with mistakes")
        .toMatch(/^Error: Your details · /);
      await expectFocus(
        page,
        { className: "error-summary", role: "alert", name: "There is a problem" },
        "on the error summary after sending the details empty",
      );
      await press(page, "Tab");
      await expectFocus(
        page,
        { role: "link", name: "Enter your name." },
        "on the summary's first link",
      );
      await press(page, "Enter");
      await expectFocus(
        page,
        { role: "textbox", id: "details-step-name" },
        "on the name field, from the summary",
      );

      // Put right from there, by keyboard: the step goes through.
      await typeInto(page, { role: "textbox", id: "details-step-name" }, "Ada Lovelace");
      await press(page, "Tab");
      await typeInto(
        page,
        { role: "textbox", id: "details-step-email" },
        `keys-errors-${mode}@example.com`,
      );
      await tabTo(page, { role: "button", name: "Continue" }, { max: 3 });
      await press(page, "Enter");
      await newStep(page, javaScript, "/book/review", "Review and confirm");
    } finally {
      await close();
    }
  });
});
