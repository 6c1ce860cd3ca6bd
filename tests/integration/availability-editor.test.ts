/**
 * The availability editor over HTTP, against the built server, as a browser with JavaScript off:
 * the owner changes Maya's weekly hours, days off and booking rules, and a client's wizard offers
 * what the editor says (and its preview lists the same times); refused input comes back as a 400
 * with the message next to the field and the typed text kept, and nothing saved; a coach may edit
 * only their own availability.
 *
 * Each test starts from the demo practice's hours and rules for Maya (reset in the database), so
 * no test depends on another's changes.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server-harness";
import {
  bookFreeCall,
  createAccount,
  inputValue,
  ownerLogin,
  signedIn,
  text,
} from "./coach-support";
import { errorText, FormClient, weekStarts, type Page } from "./form-client";
import { readDb, writeDb } from "./payment-support";

const LONDON = "Europe/London";

let server: RunningServer;
let owner: FormClient;
let daniel: FormClient;
let mayaId: number;
let danielId: number;

const coachIdOf = (slug: string) =>
  readDb<{ id: number }>(server, "select id from coaches where slug = ?", slug)[0]!.id;
const editorPath = (coachId: number) => `/coach/coaches/${coachId}/availability`;

beforeAll(async () => {
  server = await startServer({ env: { TRUST_PROXY: "loopback" } });
  const account = await createAccount(server, {
    email: "daniel@example.com",
    name: "Daniel Reyes",
  });
  owner = await signedIn(server, ownerLogin(server));
  daniel = await signedIn(server, { email: "daniel@example.com", password: account.password });
  mayaId = coachIdOf("maya-okafor");
  danielId = coachIdOf("daniel-reyes");
});
afterAll(() => server?.stop());

/** The demo practice's week for Maya, as the form shows it. */
const SEED_WEEK = {
  monday: "09:00–12:30, 13:30–17:00",
  tuesday: "09:00–12:30, 13:30–17:00",
  wednesday: "09:00–12:30, 13:30–17:00",
  thursday: "09:00–12:30, 13:30–17:00",
  friday: "09:00–12:30, 13:30–17:00",
  saturday: "",
  sunday: "",
};
const SEED_RULES = {
  noticeHours: "12",
  windowDays: "365",
  bufferBefore: "0",
  bufferAfter: "10",
  interval: "30",
  maxPerDay: "",
  maxPerWeek: "",
  timezone: LONDON,
};

beforeEach(() => {
  writeDb(server, "delete from availability_overrides");
  writeDb(server, "delete from bookings where coach_id = ?", mayaId);
  writeDb(server, "delete from availability_rules where coach_id = ?", mayaId);
  for (const weekday of [1, 2, 3, 4, 5])
    writeDb(
      server,
      "insert into availability_rules (coach_id, weekday, start_minute, end_minute) values (?, ?, 540, 750), (?, ?, 810, 1020)",
      mayaId,
      weekday,
      mayaId,
      weekday,
    );
  writeDb(
    server,
    `update coaches set minimum_notice_minutes = 720, booking_window_days = 365,
      buffer_before_minutes = 0, buffer_after_minutes = 10, slot_interval_minutes = 30,
      max_per_day = null, max_per_week = null, timezone = ? where id = ?`,
    LONDON,
    mayaId,
  );
});

// ---- Reading the database and the pages -----------------------------------------------------------

type RuleRow = { weekday: number; start_minute: number; end_minute: number };
const rulesOf = (coachId: number) =>
  readDb<RuleRow>(
    server,
    "select weekday, start_minute, end_minute from availability_rules where coach_id = ? order by weekday, start_minute",
    coachId,
  );
const overridesOf = (coachId: number) =>
  readDb<{ date: string; start_minute: number | null; end_minute: number | null }>(
    server,
    "select date, start_minute, end_minute from availability_overrides where coach_id = ? order by date, start_minute",
    coachId,
  );
const coachRow = (coachId: number) =>
  readDb<Record<string, unknown>>(
    server,
    `select minimum_notice_minutes, booking_window_days, buffer_before_minutes, buffer_after_minutes,
      slot_interval_minutes, max_per_day, max_per_week, timezone from coaches where id = ?`,
    coachId,
  )[0]!;

const today = () => DateTime.now().setZone(LONDON).startOf("day");
const dateIn = (days: number) => today().plus({ days }).toISODate()!;
const local = (iso: string) => DateTime.fromISO(iso, { zone: LONDON });

/**
 * What a new client's wizard offers for an intro call with Maya, week by week (the client's zone
 * is Maya's until they choose another), as London dates and times.
 */
async function wizardOffers(weeks: number): Promise<{ iso: string; date: string; time: string }[]> {
  const client = new FormClient(server.url);
  await client.post("/book/service", { service: "intro-call" });
  await client.post("/book/coach", { coach: "maya-okafor" });
  const offered: string[] = [];
  for (let week = 0; week < weeks; week++) {
    offered.push(...(await weekStarts(client, `/book/time?week=${dateIn(7 * week)}`)));
  }
  return offered.map((iso) => ({
    iso,
    date: local(iso).toISODate()!,
    time: local(iso).toFormat("HH:mm"),
  }));
}

const timesOn = (offers: { date: string; time: string }[], date: string) =>
  offers.filter((offer) => offer.date === date).map((offer) => offer.time);
const datesOffered = (offers: { date: string }[]) => new Set(offers.map((offer) => offer.date));

function post(client: FormClient, fields: Record<string, string>, coachId = mayaId) {
  return client.post(editorPath(coachId), fields);
}

function expectSaved(page: Page, saved: string, coachId = mayaId) {
  expect(page.status, text(page.html).slice(0, 500)).toBe(303);
  expect(page.location).toBe(`${editorPath(coachId)}?saved=${saved}`);
}

/** The page's Preview section: the instants of the times it lists. */
function previewInstants(html: string): string[] {
  const section = html.slice(html.indexOf('id="preview"'));
  return [...section.matchAll(/<time dateTime="([^"]+)"/g)].map((match) => match[1]!);
}

// ---- Tests --------------------------------------------------------------------------------------

describe("weekly hours", () => {
  it("Tuesday set to 10:00–12:00: the wizard offers only those times on Tuesdays", async () => {
    const page = await post(owner, { intent: "weekly", ...SEED_WEEK, tuesday: "10:00 - 12:00" });
    expectSaved(page, "weekly");
    const after = await owner.follow(page);
    expect(text(after.html)).toContain("Weekly hours saved.");
    expect(inputValue(after.html, "weekly-tuesday")).toBe("10:00–12:00");
    expect(inputValue(after.html, "weekly-monday")).toBe(SEED_WEEK.monday);

    expect(rulesOf(mayaId).filter((row) => row.weekday === 2)).toEqual([
      { weekday: 2, start_minute: 600, end_minute: 720 },
    ]);
    expect(rulesOf(mayaId).filter((row) => row.weekday !== 2)).toHaveLength(8);

    const offers = await wizardOffers(3);
    // From the day after tomorrow: the notice (12 hours) takes tomorrow's first times away in the
    // evening, whatever the hours say.
    const beyondNotice = [...datesOffered(offers)].filter((date) => date > dateIn(1));
    const tuesdays = beyondNotice.filter((date) => local(date).weekday === 2);
    expect(tuesdays.length).toBeGreaterThanOrEqual(2);
    for (const tuesday of tuesdays)
      expect(timesOn(offers, tuesday)).toEqual(["10:00", "10:30", "11:00", "11:30"]);
    // The other weekdays keep their hours.
    const wednesday = beyondNotice.find((date) => local(date).weekday === 3)!;
    expect(timesOn(offers, wednesday)).toContain("09:00");
    expect(timesOn(offers, wednesday)).toContain("16:30");
  });

  it("inverted, overlapping and touching ranges: 400, the message next to the day, the text kept, nothing saved", async () => {
    const before = rulesOf(mayaId);
    const page = await post(owner, {
      intent: "weekly",
      ...SEED_WEEK,
      tuesday: "12:00–10:00",
      thursday: "09:00–12:00, 12:00–13:00",
      friday: "09:00–12:00, 11:00–13:00",
      saturday: "8 to 9",
    });
    expect(page.status).toBe(400);
    expect(errorText(page.html, "weekly-tuesday-error")).toBe(
      "Tuesday: 12:00–10:00 ends before it starts.",
    );
    expect(errorText(page.html, "weekly-thursday-error")).toBe(
      "Thursday: 09:00–12:00 and 12:00–13:00 touch; write them as one range, 09:00–13:00.",
    );
    expect(errorText(page.html, "weekly-friday-error")).toBe(
      "Friday: 09:00–12:00 and 11:00–13:00 overlap.",
    );
    expect(errorText(page.html, "weekly-monday-error")).toBeUndefined();
    expect(inputValue(page.html, "weekly-tuesday")).toBe("12:00–10:00");
    expect(inputValue(page.html, "weekly-friday")).toBe("09:00–12:00, 11:00–13:00");
    expect(inputValue(page.html, "weekly-saturday")).toBe("8 to 9");
    const tuesday = page.html.match(/<input[^>]*id="weekly-tuesday"[^>]*>/)![0];
    expect(tuesday).toContain('aria-invalid="true"');
    expect(tuesday).toMatch(/aria-describedby="[^"]*weekly-tuesday-error/);
    expect(text(page.html)).toContain("Nothing was saved");
    expect(text(page.html)).not.toContain("Weekly hours saved.");
    expect(rulesOf(mayaId)).toEqual(before);
  });

  it("a field checked on blur (Conform's validate intent, JavaScript on) saves nothing", async () => {
    const before = rulesOf(mayaId);
    const page = await post(owner, {
      intent: "weekly",
      __intent__: JSON.stringify({ type: "validate", payload: { name: "tuesday" } }),
      ...SEED_WEEK,
      tuesday: "10:00–11:00",
    });
    expect(page.status).toBe(200);
    expect(text(page.html)).not.toContain("Nothing was saved");
    expect(rulesOf(mayaId)).toEqual(before);
  });
});

describe("days off and special hours", () => {
  it("a holiday week is not offered at all; removing it brings the days back", async () => {
    const [from, to] = [dateIn(8), dateIn(14)];
    const holiday = new Set([8, 9, 10, 11, 12, 13, 14].map(dateIn));
    const page = await post(owner, { intent: "add-override", from, to, kind: "off", hours: "" });
    expectSaved(page, "days-off");
    expect(overridesOf(mayaId)).toEqual(
      [...holiday].map((date) => ({ date, start_minute: null, end_minute: null })),
    );
    const listed = text((await owner.follow(page)).html);
    expect(listed).toContain("Days off saved.");
    expect(listed).toContain(
      `${local(from).setLocale("en-GB").toFormat("cccc d LLLL yyyy")} to ${local(to)
        .setLocale("en-GB")
        .toFormat("cccc d LLLL yyyy")} day off`,
    );

    const offers = await wizardOffers(4);
    const offered = datesOffered(offers);
    expect([...offered].filter((date) => holiday.has(date))).toEqual([]);
    expect([...offered].some((date) => date < from)).toBe(true);
    expect([...offered].some((date) => date > to)).toBe(true);

    const removed = await post(owner, { intent: "remove-override", from, to });
    expectSaved(removed, "removed");
    expect(overridesOf(mayaId)).toEqual([]);
    const back = datesOffered(await wizardOffers(4));
    const holidayWeekdays = [...holiday].filter((date) => local(date).weekday <= 5);
    expect(holidayWeekdays.filter((date) => !back.has(date))).toEqual([]);
  });

  it("special hours replace the week's on their date", async () => {
    const date = [3, 4, 5].map(dateIn).find((d) => local(d).weekday <= 5)!;
    const page = await post(owner, {
      intent: "add-override",
      from: date,
      kind: "hours",
      hours: "14:00 to 15:00",
    });
    expectSaved(page, "special-hours");
    expect(overridesOf(mayaId)).toEqual([{ date, start_minute: 840, end_minute: 900 }]);
    expect(timesOn(await wizardOffers(2), date)).toEqual(["14:00", "14:30"]);
  });

  it("refused: the last date before the first, special hours without hours; nothing saved", async () => {
    const backwards = await post(owner, {
      intent: "add-override",
      from: dateIn(10),
      to: dateIn(9),
      kind: "off",
    });
    expect(backwards.status).toBe(400);
    expect(errorText(backwards.html, "override-to-error")).toBe(
      "The last date is before the first.",
    );
    expect(inputValue(backwards.html, "override-from")).toBe(dateIn(10));
    expect(inputValue(backwards.html, "override-to")).toBe(dateIn(9));

    const noHours = await post(owner, {
      intent: "add-override",
      from: dateIn(10),
      kind: "hours",
      hours: "",
    });
    expect(noHours.status).toBe(400);
    expect(errorText(noHours.html, "override-hours-error")).toBe(
      "Enter the hours for those dates, like 10:00–14:00 (or choose a day off).",
    );
    const inverted = await post(owner, {
      intent: "add-override",
      from: dateIn(10),
      kind: "hours",
      hours: "15:00–14:00",
    });
    expect(errorText(inverted.html, "override-hours-error")).toBe(
      "Special hours: 15:00–14:00 ends before it starts.",
    );
    expect(inputValue(inverted.html, "override-hours")).toBe("15:00–14:00");
    expect(overridesOf(mayaId)).toEqual([]);
  });
});

describe("booking rules", () => {
  it("at most one a day: once the first time is booked, that day leaves the wizard", async () => {
    const page = await post(owner, { intent: "rules", ...SEED_RULES, maxPerDay: "1" });
    expectSaved(page, "rules");
    expect(coachRow(mayaId)).toMatchObject({ max_per_day: 1, max_per_week: null });
    expect(text((await owner.follow(page)).html)).toContain("Booking rules saved.");

    const before = await wizardOffers(2);
    const first = before[0]!;
    expect(timesOn(before, first.date).length).toBeGreaterThan(1);
    const booking = await bookFreeCall(server, { coach: "maya-okafor", email: "ada@example.com" });
    expect(new Date(booking.start_at).toISOString()).toBe(first.iso);

    const after = await wizardOffers(2);
    expect(timesOn(after, first.date)).toEqual([]);
    const nextDay = [...datesOffered(before)].find((date) => date > first.date)!;
    expect(timesOn(after, nextDay)).toEqual(timesOn(before, nextDay));
  });

  it("bad rules: 400 with each message next to its field, the values kept, nothing saved", async () => {
    const before = coachRow(mayaId);
    const page = await post(owner, {
      intent: "rules",
      ...SEED_RULES,
      windowDays: "0",
      bufferAfter: "300",
      interval: "7",
      maxPerWeek: "0",
      timezone: "Mars/Olympus_Mons",
    });
    expect(page.status).toBe(400);
    expect(errorText(page.html, "rules-windowDays-error")).toBe("Between 1 and 730 days.");
    expect(errorText(page.html, "rules-bufferAfter-error")).toBe("Between 0 and 240 minutes.");
    expect(errorText(page.html, "rules-interval-error")).toBe(
      "Choose one of the intervals listed.",
    );
    expect(errorText(page.html, "rules-maxPerWeek-error")).toBe(
      "At least 1, or leave it empty for no limit.",
    );
    expect(errorText(page.html, "rules-timezone-error")).toBe("Choose a timezone from the list.");
    expect(errorText(page.html, "rules-noticeHours-error")).toBeUndefined();
    expect(inputValue(page.html, "rules-windowDays")).toBe("0");
    expect(inputValue(page.html, "rules-bufferAfter")).toBe("300");
    expect(coachRow(mayaId)).toEqual(before);
  });

  it("the timezone moves the hours with it: 09:00 in New York is offered as 09:00 New York time", async () => {
    const page = await post(owner, {
      intent: "rules",
      ...SEED_RULES,
      timezone: "America/New_York",
    });
    expectSaved(page, "rules");
    expect(coachRow(mayaId)).toMatchObject({ timezone: "America/New_York" });
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "intro-call" });
    await client.post("/book/coach", { coach: "maya-okafor" });
    const offered = await weekStarts(client, "/book/time?week=" + dateIn(7));
    const times = new Set(
      offered.map((iso) => DateTime.fromISO(iso, { zone: "America/New_York" }).toFormat("HH:mm")),
    );
    expect(times.has("09:00")).toBe(true);
    expect([...times].every((time) => time >= "09:00" && time < "17:00")).toBe(true);
  });
});

describe("the preview", () => {
  it("lists the same times the wizard offers over the next two weeks", async () => {
    const page = await owner.get(editorPath(mayaId));
    expect(page.status).toBe(200);
    const offers = await wizardOffers(2);
    // A time can pass the notice edge between the two requests: compare from an hour past it.
    const settled = (iso: string) => Date.parse(iso) > Date.now() + 13 * 3_600_000;
    const preview = previewInstants(page.html).filter(settled);
    expect(preview.length).toBeGreaterThan(20);
    expect(preview).toEqual(offers.map((offer) => offer.iso).filter(settled));
    expect(text(page.html)).toContain("Free intro call (15 minutes)");
  });
});

describe("who may edit", () => {
  it("a coach edits their own availability, and gets 403 for another coach's", async () => {
    const own = await daniel.get(editorPath(danielId));
    expect(own.status).toBe(200);
    expect(text(own.html)).toContain("Daniel Reyes: availability");
    const saved = await post(
      daniel,
      { intent: "weekly", monday: "08:00–09:00", tuesday: "", wednesday: "" },
      danielId,
    );
    expectSaved(saved, "weekly", danielId);
    expect(rulesOf(danielId)).toEqual([{ weekday: 1, start_minute: 480, end_minute: 540 }]);

    const before = rulesOf(mayaId);
    expect((await daniel.get(editorPath(mayaId))).status).toBe(403);
    const refused = await post(daniel, { intent: "weekly", ...SEED_WEEK, monday: "" });
    expect(refused.status).toBe(403);
    expect(rulesOf(mayaId)).toEqual(before);
    const refusedRules = await post(daniel, { intent: "rules", ...SEED_RULES, maxPerDay: "1" });
    expect(refusedRules.status).toBe(403);
    expect(coachRow(mayaId)).toMatchObject({ max_per_day: null });
  });

  it("an unknown coach is 404; signed out, the page asks to sign in", async () => {
    expect((await owner.get(editorPath(9999))).status).toBe(404);
    expect((await owner.get("/coach/coaches/abc/availability")).status).toBe(404);
    expect((await post(owner, { intent: "weekly", ...SEED_WEEK }, 9999)).status).toBe(404);
    const stranger = new FormClient(server.url);
    const page = await stranger.get(editorPath(mayaId));
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/login?redirectTo=${encodeURIComponent(editorPath(mayaId))}`);
    const posted = await stranger.post(editorPath(mayaId), { intent: "weekly", ...SEED_WEEK });
    expect(posted.status).toBe(303);
    expect(rulesOf(mayaId)).toHaveLength(10);
  });
});
