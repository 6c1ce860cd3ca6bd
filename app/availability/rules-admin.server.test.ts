/**
 * The availability editor's server side against a real, freshly seeded SQLite file: ranges typed
 * as text (every accepted spelling, every refusal and its message), the form schemas as the route
 * runs them (through Conform's `parseWithZod`, so field errors land on the field the page shows),
 * saves that replace rows, overrides over a range of dates, the rules' bounds, who may edit whom,
 * and the preview: the same starts `findAvailableStarts` gives a client, grouped by the coach's
 * dates, across London's spring-forward week.
 *
 * Local times in the DST tests are read back with `Intl.DateTimeFormat`, not luxon, so the preview
 * is checked against something independent of the library it uses.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { User } from "~/auth/accounts.server";
import { confirmFree } from "~/booking/lifecycle.server";
import type { Db } from "~db/database.server";
import { APP_URL, freshPractice, newBooking, offerOf, rows } from "../../tests/support/domain";
import { findAvailableStarts } from "./availability.server";
import {
  addOverrideSchema,
  addOverrides,
  bookingRulesSchema,
  coachForEditing,
  datesBetween,
  formatRanges,
  loadAvailabilityEditor,
  loadCoachRules,
  loadUpcomingOverrides,
  loadWeeklyHours,
  parseRanges,
  previewTimes,
  removeOverrideSchema,
  removeOverrides,
  saveCoachRules,
  saveWeeklyHours,
  weeklyHoursSchema,
  type WeeklyHours,
} from "./rules-admin.server";

let db: Db;
let close: () => void;
beforeEach(async () => {
  ({ db, close } = await freshPractice());
});
afterEach(() => close());

const coachId = (slug: string) =>
  rows<{ id: number }>(db, "select id from coaches where slug = ?", slug)[0]!.id;
const ruleRows = (slug: string) =>
  rows<{ weekday: number; start_minute: number; end_minute: number }>(
    db,
    "select weekday, start_minute, end_minute from availability_rules where coach_id = ? order by weekday, start_minute",
    coachId(slug),
  );
const overrideRows = (slug: string) =>
  rows<{ date: string; start_minute: number | null; end_minute: number | null }>(
    db,
    "select date, start_minute, end_minute from availability_overrides where coach_id = ? order by date, start_minute",
    coachId(slug),
  );

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};
/** The field errors a submission comes back with, as the page would show them. */
const errorsOf = (submission: { reply: () => { error?: Record<string, string[] | null> } }) =>
  submission.reply().error ?? {};

const h = (hours: number, minutes = 0) => hours * 60 + minutes;
const NO_HOURS: WeeklyHours = {
  monday: [],
  tuesday: [],
  wednesday: [],
  thursday: [],
  friday: [],
  saturday: [],
  sunday: [],
};

describe("parseRanges", () => {
  it.each([
    ["09:00–12:30, 13:30–17:00", [h(9), h(12, 30), h(13, 30), h(17)]],
    ["9-12:30; 13:30 to 17", [h(9), h(12, 30), h(13, 30), h(17)]],
    ["09.00 - 12.30 and 13:30—17:00", [h(9), h(12, 30), h(13, 30), h(17)]],
    ["13:30 TO 17:00,\n09:00-12:30,", [h(9), h(12, 30), h(13, 30), h(17)]],
    ["22:00–24:00", [h(22), h(24)]],
    ["00:00–24:00", [0, h(24)]],
    ["   ", []],
  ])("reads %j", (text, minutes) => {
    const parsed = parseRanges(text, "Monday");
    expect(parsed).toEqual({
      ok: true,
      ranges: Array.from({ length: minutes.length / 2 }, (_, i) => ({
        startMinute: minutes[2 * i],
        endMinute: minutes[2 * i + 1],
      })),
    });
  });

  it.each([
    ["9-", "Monday: “9-” isn’t a range of times like 09:00–12:30."],
    ["nine to five", "Monday: “nine to five” isn’t a range of times like 09:00–12:30."],
    ["9:5-10", "Monday: “9:5-10” isn’t a range of times like 09:00–12:30."],
    ["09:00-24:30", "Monday: “24:30” isn’t a time of day (00:00 to 24:00)."],
    ["25:00-26:00", "Monday: “25:00” isn’t a time of day (00:00 to 24:00)."],
    ["09:60-10:00", "Monday: “09:60” isn’t a time of day (00:00 to 24:00)."],
    ["12:00–10:00", "Monday: 12:00–10:00 ends before it starts."],
    ["24:00–01:00", "Monday: 24:00–01:00 ends before it starts."],
    ["10:00–10:00", "Monday: 10:00–10:00 ends when it starts."],
    ["24:00–24:00", "Monday: 24:00–24:00 ends when it starts."],
    ["09:00–12:00, 11:00–13:00", "Monday: 09:00–12:00 and 11:00–13:00 overlap."],
    ["13:00–14:00, 09:00–17:00", "Monday: 09:00–17:00 and 13:00–14:00 overlap."],
    ["09:00–10:00, 09:00–10:00", "Monday: 09:00–10:00 and 09:00–10:00 overlap."],
    [
      "12:00–13:00, 09:00–12:00",
      "Monday: 09:00–12:00 and 12:00–13:00 touch; write them as one range, 09:00–13:00.",
    ],
  ])("refuses %j", (text, message) => {
    expect(parseRanges(text, "Monday")).toEqual({ ok: false, message });
  });

  it("refuses more than twelve ranges in a day", () => {
    const text = Array.from({ length: 13 }, (_, i) => `${i}:00-${i}:30`).join(", ");
    expect(parseRanges(text, "Friday")).toEqual({
      ok: false,
      message: "Friday: at most 12 ranges.",
    });
  });

  it("formats ranges back the way it reads them", () => {
    const text = "09:00–12:30, 13:30–17:00, 22:00–24:00";
    const parsed = parseRanges(text, "Monday");
    expect(parsed.ok && formatRanges(parsed.ranges)).toBe(text);
  });
});

describe("weekly hours", () => {
  it("puts each day's message on that day's field and keeps the others quiet", () => {
    const submission = parseWithZod(
      form({ monday: "09:00–12:00", tuesday: "12:00–10:00", friday: "9-12, 11-13" }),
      { schema: weeklyHoursSchema },
    );
    expect(submission.status).toBe("error");
    expect(errorsOf(submission)).toEqual({
      tuesday: ["Tuesday: 12:00–10:00 ends before it starts."],
      friday: ["Friday: 09:00–12:00 and 11:00–13:00 overlap."],
    });
  });

  it("reads every day, empty ones as not working", () => {
    const submission = parseWithZod(
      form({ intent: "weekly", monday: "9-12", tuesday: "", wednesday: "13:00 to 24:00" }),
      { schema: weeklyHoursSchema },
    );
    expect(submission.status === "success" && submission.value).toEqual({
      ...NO_HOURS,
      monday: [{ startMinute: h(9), endMinute: h(12) }],
      wednesday: [{ startMinute: h(13), endMinute: h(24) }],
    });
  });

  it("saving replaces the coach's rows, and only theirs", () => {
    const daniel = ruleRows("daniel-reyes");
    expect(ruleRows("maya-okafor")).toHaveLength(10);
    saveWeeklyHours(db, coachId("maya-okafor"), {
      ...NO_HOURS,
      tuesday: [{ startMinute: h(10), endMinute: h(12) }],
      saturday: [
        { startMinute: h(8), endMinute: h(9) },
        { startMinute: h(22), endMinute: h(24) },
      ],
    });
    expect(ruleRows("maya-okafor")).toEqual([
      { weekday: 2, start_minute: h(10), end_minute: h(12) },
      { weekday: 6, start_minute: h(8), end_minute: h(9) },
      { weekday: 6, start_minute: h(22), end_minute: h(24) },
    ]);
    expect(ruleRows("daniel-reyes")).toEqual(daniel);
    expect(loadWeeklyHours(db, coachId("maya-okafor")).saturday).toEqual([
      { startMinute: h(8), endMinute: h(9) },
      { startMinute: h(22), endMinute: h(24) },
    ]);

    saveWeeklyHours(db, coachId("maya-okafor"), NO_HOURS);
    expect(ruleRows("maya-okafor")).toEqual([]);
  });

  it("the editor shows each day's hours as text", () => {
    const coach = { id: coachId("maya-okafor"), name: "Maya", timezone: "Europe/London" };
    const editor = loadAvailabilityEditor(
      db,
      { ...coach, active: true },
      new Date("2027-03-24T10:00Z"),
    );
    expect(editor.weekly).toEqual({
      monday: "09:00–12:30, 13:30–17:00",
      tuesday: "09:00–12:30, 13:30–17:00",
      wednesday: "09:00–12:30, 13:30–17:00",
      thursday: "09:00–12:30, 13:30–17:00",
      friday: "09:00–12:30, 13:30–17:00",
      saturday: "",
      sunday: "",
    });
    expect(editor.today).toBe("2027-03-24");
  });
});

describe("date overrides", () => {
  const schema = addOverrideSchema("2027-06-01");
  const parse = (fields: Record<string, string>) => parseWithZod(form(fields), { schema });

  it("reads a single day off, a range of days off, and special hours on a date", () => {
    const single = parse({ from: "2027-06-01", kind: "off", hours: "" });
    expect(single.status === "success" && single.value).toEqual({
      from: "2027-06-01",
      to: "2027-06-01",
      hours: null,
    });
    const range = parse({ from: "2027-12-20", to: "2027-12-31", kind: "off" });
    expect(range.status === "success" && range.value).toEqual({
      from: "2027-12-20",
      to: "2027-12-31",
      hours: null,
    });
    const special = parse({ from: "2027-06-05", kind: "hours", hours: "10-12, 14:00–16:00" });
    expect(special.status === "success" && special.value).toEqual({
      from: "2027-06-05",
      to: "2027-06-05",
      hours: [
        { startMinute: h(10), endMinute: h(12) },
        { startMinute: h(14), endMinute: h(16) },
      ],
    });
  });

  it.each([
    [{ kind: "off" }, { from: ["Enter the first date."] }],
    [{ from: "24/12/2027", kind: "off" }, { from: ["Enter a date like 2027-12-24."] }],
    [{ from: "2027-02-30", kind: "off" }, { from: ["Enter a date like 2027-12-24."] }],
    [
      { from: "2027-05-31", kind: "off" },
      { from: ["That date has passed: choose today or a later date."] },
    ],
    [
      { from: "2027-06-02", to: "2027-06-01", kind: "off" },
      { to: ["The last date is before the first."] },
    ],
    [{ from: "2027-06-01", to: "2028-06-01", kind: "off" }, { to: ["At most 366 days at once."] }],
    [{ from: "2027-06-01" }, { kind: ["Choose a day off or special hours."] }],
    [
      { from: "2027-06-01", kind: "hours", hours: "" },
      { hours: ["Enter the hours for those dates, like 10:00–14:00 (or choose a day off)."] },
    ],
    [
      { from: "2027-06-01", kind: "hours", hours: "14:00–12:00" },
      { hours: ["Special hours: 14:00–12:00 ends before it starts."] },
    ],
  ])("refuses %j", (fields, errors) => {
    expect(errorsOf(parse(fields as Record<string, string>))).toEqual(errors);
  });

  it("takes up to 366 days at once", () => {
    expect(parse({ from: "2027-06-01", to: "2028-05-31", kind: "off" }).status).toBe("success");
    expect(datesBetween("2027-06-01", "2028-05-31")).toHaveLength(366);
  });

  it("counts calendar dates across a clock change", () => {
    expect(datesBetween("2027-10-30", "2027-11-01")).toEqual([
      "2027-10-30",
      "2027-10-31",
      "2027-11-01",
    ]);
    expect(datesBetween("2027-03-27", "2027-03-29")).toEqual([
      "2027-03-27",
      "2027-03-28",
      "2027-03-29",
    ]);
  });

  it("a range of days off is one row a date; special hours replace what a date had", () => {
    const maya = coachId("maya-okafor");
    expect(addOverrides(db, maya, { from: "2027-12-20", to: "2027-12-31", hours: null })).toBe(12);
    expect(overrideRows("maya-okafor")).toEqual(
      datesBetween("2027-12-20", "2027-12-31").map((date) => ({
        date,
        start_minute: null,
        end_minute: null,
      })),
    );
    const hours = [
      { startMinute: h(10), endMinute: h(12) },
      { startMinute: h(14), endMinute: h(15) },
    ];
    addOverrides(db, maya, { from: "2027-12-24", to: "2027-12-24", hours });
    expect(overrideRows("maya-okafor").filter((row) => row.date === "2027-12-24")).toEqual([
      { date: "2027-12-24", start_minute: h(10), end_minute: h(12) },
      { date: "2027-12-24", start_minute: h(14), end_minute: h(15) },
    ]);
    expect(overrideRows("maya-okafor")).toHaveLength(13);
    expect(overrideRows("daniel-reyes")).toEqual([]);

    expect(loadUpcomingOverrides(db, maya, "2027-12-01")).toEqual([
      { from: "2027-12-20", to: "2027-12-23", hours: null },
      { from: "2027-12-24", to: "2027-12-24", hours: "10:00–12:00, 14:00–15:00" },
      { from: "2027-12-25", to: "2027-12-31", hours: null },
    ]);
    // Past dates are not listed; an entry under way shows from today.
    expect(loadUpcomingOverrides(db, maya, "2027-12-27")).toEqual([
      { from: "2027-12-27", to: "2027-12-31", hours: null },
    ]);

    expect(removeOverrides(db, maya, { from: "2027-12-24", to: "2027-12-24" })).toBe(1);
    expect(overrideRows("maya-okafor").map((row) => row.date)).not.toContain("2027-12-24");
    expect(removeOverrides(db, maya, { from: "2027-12-20", to: "2027-12-31" })).toBe(11);
    expect(overrideRows("maya-okafor")).toEqual([]);
    expect(removeOverrides(db, maya, { from: "2027-12-20", to: "2027-12-31" })).toBe(0);
  });

  it("removing needs both ends of the stretch, in order", () => {
    const parsed = (fields: Record<string, string>) =>
      parseWithZod(form(fields), { schema: removeOverrideSchema });
    expect(parsed({ from: "2027-12-20", to: "2027-12-31" }).status).toBe("success");
    expect(errorsOf(parsed({ from: "2027-12-20", to: "2027-12-19" }))).toEqual({
      to: ["The last date is before the first."],
    });
    expect(errorsOf(parsed({ from: "2027-12-20" }))).toEqual({
      to: ["Say which dates to remove."],
    });
  });
});

describe("booking rules", () => {
  const valid = {
    noticeHours: "12",
    windowDays: "60",
    bufferBefore: "0",
    bufferAfter: "10",
    interval: "30",
    maxPerDay: "",
    maxPerWeek: "",
    timezone: "Europe/London",
  };
  const parse = (changes: Record<string, string>) =>
    parseWithZod(form({ ...valid, ...changes }), { schema: bookingRulesSchema });
  const valueOf = (changes: Record<string, string>) => {
    const submission = parse(changes);
    return submission.status === "success" ? submission.value : submission.reply().error;
  };

  it("reads the form into the coach's rules", () => {
    expect(valueOf({ noticeHours: "1.5", maxPerDay: "3", timezone: "asia/calcutta" })).toEqual({
      minimumNoticeMinutes: 90,
      bookingWindowDays: 60,
      bufferBeforeMinutes: 0,
      bufferAfterMinutes: 10,
      slotIntervalMinutes: 30,
      maxPerDay: 3,
      maxPerWeek: null,
      timezone: "Asia/Kolkata",
    });
  });

  it.each([
    ["windowDays", "1"],
    ["windowDays", "730"],
    ["bufferBefore", "240"],
    ["bufferAfter", "0"],
    ["noticeHours", "0"],
    ["noticeHours", "720"],
    ["interval", "5"],
    ["interval", "45"],
    ["interval", "120"],
    ["maxPerDay", "1"],
    ["maxPerWeek", "1000"],
  ])("accepts %s = %s", (field, value) => {
    expect(parse({ [field]: value }).status).toBe("success");
  });

  it.each([
    ["windowDays", "0", "Between 1 and 730 days."],
    ["windowDays", "731", "Between 1 and 730 days."],
    ["windowDays", "1.5", "Enter a whole number of days, like 60."],
    ["windowDays", "", "Enter a whole number of days, like 60."],
    ["bufferBefore", "-1", "Between 0 and 240 minutes."],
    ["bufferAfter", "241", "Between 0 and 240 minutes."],
    ["bufferAfter", "ten", "Enter a whole number of minutes, like 0 or 10."],
    ["noticeHours", "-1", "Between 0 and 720 hours."],
    ["noticeHours", "721", "Between 0 and 720 hours."],
    ["noticeHours", "soon", "Enter the notice in hours, like 12 or 1.5."],
    ["interval", "7", "Choose one of the intervals listed."],
    ["interval", "0", "Choose one of the intervals listed."],
    ["maxPerDay", "0", "At least 1, or leave it empty for no limit."],
    ["maxPerDay", "2.5", "Enter a whole number of sessions a day, or leave it empty for no limit."],
    ["maxPerWeek", "1001", "At most 1000, or leave it empty for no limit."],
    ["timezone", "Mars/Olympus_Mons", "Choose a timezone from the list."],
    ["timezone", "", "Choose a timezone."],
  ])("refuses %s = %j", (field, value, message) => {
    expect(errorsOf(parse({ [field]: value }))).toEqual({ [field]: [message] });
  });

  it("saving sets the coach's rules and zone, and only theirs", () => {
    const maya = coachId("maya-okafor");
    const daniel = loadCoachRules(db, coachId("daniel-reyes"));
    const rules = {
      minimumNoticeMinutes: 90,
      bookingWindowDays: 14,
      bufferBeforeMinutes: 5,
      bufferAfterMinutes: 15,
      slotIntervalMinutes: 45,
      maxPerDay: 2,
      maxPerWeek: 6,
      timezone: "Asia/Kolkata",
    };
    saveCoachRules(db, maya, rules);
    expect(loadCoachRules(db, maya)).toEqual(rules);
    expect(loadCoachRules(db, coachId("daniel-reyes"))).toEqual(daniel);
    const editor = loadAvailabilityEditor(
      db,
      { id: maya, name: "Maya", timezone: "Asia/Kolkata", active: true },
      new Date("2027-03-24T20:00Z"),
    );
    expect(editor.rules).toEqual({
      noticeHours: "1.5",
      windowDays: "14",
      bufferBefore: "5",
      bufferAfter: "15",
      interval: "45",
      maxPerDay: "2",
      maxPerWeek: "6",
      timezone: "Asia/Kolkata",
    });
    // 20:00Z is 01:30 the next day in Kolkata: the coach's today.
    expect(editor.today).toBe("2027-03-25");
  });
});

describe("who may edit whose availability", () => {
  const user = (role: "owner" | "coach", coachId: number | null): User => ({
    id: 1,
    email: "someone@example.com",
    name: "Someone",
    role,
    coachId,
  });

  it("the owner any coach; a coach only their own; an unknown coach is not found", () => {
    const [maya, daniel] = [coachId("maya-okafor"), coachId("daniel-reyes")];
    expect(coachForEditing(db, user("owner", maya), String(daniel))).toEqual({
      found: { id: daniel, name: "Daniel Reyes", timezone: "America/New_York", active: true },
    });
    expect(coachForEditing(db, user("coach", daniel), String(daniel))).toMatchObject({
      found: { id: daniel },
    });
    expect(coachForEditing(db, user("coach", daniel), String(maya))).toEqual({
      refused: "forbidden",
    });
    expect(coachForEditing(db, user("coach", null), String(maya))).toEqual({
      refused: "forbidden",
    });
    for (const id of ["9999", "abc", "1.0", "", undefined, "12345678901234567890"])
      expect(coachForEditing(db, user("owner", maya), id)).toEqual({ refused: "not_found" });
  });
});

describe("previewTimes", () => {
  /** Wall-clock "HH:mm" and date of an instant in a zone, by Intl. */
  const wall = (instant: number, zone: string) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(instant)
        .map((part) => [part.type, part.value]),
    );
    return {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      time: `${parts.hour}:${parts.minute}`,
    };
  };
  const NOW = new Date("2027-03-24T10:00Z");
  /** Midnight at the start of 7 April 2027 in London (BST): the end of a 14-day preview from 24 March. */
  const PREVIEW_END = Date.parse("2027-04-07T00:00+01:00");

  it("lists exactly what findAvailableStarts offers a client, for the shortest service by default", () => {
    const maya = coachId("maya-okafor");
    const preview = previewTimes(db, maya, NOW);
    expect(preview.services.map((s) => s.slug)).toEqual([
      "intro-call",
      "coaching-session",
      "deep-dive",
    ]);
    expect(preview.service?.slug).toBe("intro-call");
    expect(preview.bookable).toBe(true);
    const offered = findAvailableStarts(db, offerOf(db, "intro-call"), {
      from: NOW.getTime(),
      to: PREVIEW_END,
      now: NOW.getTime(),
    });
    expect(offered.length).toBeGreaterThan(100);
    expect(preview.days.flatMap((day) => day.starts)).toEqual(offered);
    expect(preview.days.map((day) => day.date)).toEqual(datesBetween("2027-03-24", "2027-04-06"));
    for (const day of preview.days)
      for (const start of day.starts) expect(wall(start, "Europe/London").date).toBe(day.date);
    expect(preview.days[0]!.heading).toBe("Wednesday 24 March");

    const deepDive = previewTimes(db, maya, NOW, "deep-dive");
    expect(deepDive.service?.slug).toBe("deep-dive");
    expect(deepDive.days.flatMap((day) => day.starts)).toEqual(
      findAvailableStarts(db, offerOf(db, "deep-dive"), {
        from: NOW.getTime(),
        to: PREVIEW_END,
        now: NOW.getTime(),
      }),
    );
    // A service the coach does not give falls back to the shortest.
    expect(previewTimes(db, maya, NOW, "no-such-thing").service?.slug).toBe("intro-call");
  });

  it("a day off removes the day; a per-day limit hides the day once reached", () => {
    const maya = coachId("maya-okafor");
    const dates = (preview: ReturnType<typeof previewTimes>) =>
      preview.days.filter((day) => day.starts.length > 0).map((day) => day.date);
    expect(dates(previewTimes(db, maya, NOW))).toContain("2027-03-26");

    addOverrides(db, maya, { from: "2027-03-26", to: "2027-03-30", hours: null });
    expect(dates(previewTimes(db, maya, NOW))).toEqual([
      "2027-03-25",
      "2027-03-31",
      "2027-04-01",
      "2027-04-02",
      "2027-04-05",
      "2027-04-06",
    ]);

    saveCoachRules(db, maya, { ...loadCoachRules(db, maya), maxPerDay: 1 });
    const offer = offerOf(db, "intro-call");
    const first = previewTimes(db, maya, NOW).days[1]!.starts[0]!;
    const booked = confirmFree(db, newBooking(db, offer, new Date(first)), {
      actor: "client",
      at: NOW,
      appUrl: APP_URL,
    });
    expect(booked.ok).toBe(true);
    expect(dates(previewTimes(db, maya, NOW))).toEqual([
      "2027-03-31",
      "2027-04-01",
      "2027-04-02",
      "2027-04-05",
      "2027-04-06",
    ]);
  });

  it("an inactive coach is previewed as not bookable; a coach with no services has none", () => {
    const maya = coachId("maya-okafor");
    db.$client.prepare("update coaches set active = 0 where id = ?").run(maya);
    const inactive = previewTimes(db, maya, NOW);
    expect(inactive.bookable).toBe(false);
    expect(inactive.days.flatMap((day) => day.starts)).toEqual([]);
    db.$client.prepare("delete from coach_services where coach_id = ?").run(maya);
    expect(previewTimes(db, maya, NOW).service).toBeNull();
  });

  it("follows the coach's clock through London's spring-forward week", () => {
    const maya = coachId("maya-okafor");
    saveCoachRules(db, maya, {
      ...loadCoachRules(db, maya),
      minimumNoticeMinutes: 0,
      slotIntervalMinutes: 30,
      bufferAfterMinutes: 0,
    });
    // Sunday 28 March 2027: 01:00 GMT becomes 02:00 BST; the hour between never happens.
    const parsed = parseWithZod(
      form({ friday: "09:00–10:00", sunday: "00:00–03:00", monday: "09:00–10:00" }),
      { schema: weeklyHoursSchema },
    );
    if (parsed.status !== "success") throw new Error("the hours did not parse");
    saveWeeklyHours(db, maya, parsed.value);

    const preview = previewTimes(db, maya, new Date("2027-03-25T12:00Z"));
    const byDate = Object.fromEntries(
      preview.days.map((day) => [day.date, day.starts.map((s) => wall(s, "Europe/London").time)]),
    );
    expect(byDate["2027-03-26"]).toEqual(["09:00", "09:30"]);
    expect(byDate["2027-03-28"]).toEqual(["00:00", "00:30", "02:00", "02:30"]);
    expect(byDate["2027-03-29"]).toEqual(["09:00", "09:30"]);
    const utc = Object.fromEntries(
      preview.days.map((day) => [day.date, day.starts.map((s) => new Date(s).toISOString())]),
    );
    expect(utc["2027-03-26"]).toEqual(["2027-03-26T09:00:00.000Z", "2027-03-26T09:30:00.000Z"]);
    expect(utc["2027-03-28"]).toEqual([
      "2027-03-28T00:00:00.000Z",
      "2027-03-28T00:30:00.000Z",
      "2027-03-28T01:00:00.000Z",
      "2027-03-28T01:30:00.000Z",
    ]);
    expect(utc["2027-03-29"]).toEqual(["2027-03-29T08:00:00.000Z", "2027-03-29T08:30:00.000Z"]);
    expect(preview.days.map((day) => day.heading).slice(2, 5)).toEqual([
      "Saturday 27 March",
      "Sunday 28 March",
      "Monday 29 March",
    ]);
    // Days off across the change are whole local dates.
    addOverrides(db, maya, { from: "2027-03-28", to: "2027-03-29", hours: null });
    const off = previewTimes(db, maya, new Date("2027-03-25T12:00Z"));
    expect(off.days.filter((day) => day.starts.length > 0).map((day) => day.date)).toEqual([
      "2027-03-26",
      "2027-04-02",
      "2027-04-04",
      "2027-04-05",
    ]);
  });
});
