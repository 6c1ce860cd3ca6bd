/**
 * The week a client picks from, against a real SQLite file of the demo practice (Maya: weekdays
 * 09:00–12:30 and 13:30–17:00 in her zone, 30-minute coaching sessions). Every `now` is fixed,
 * and the coach's zone and hours are set with SQL as her settings would. The clock changes are
 * the point: a time must never be misread, and two equal wall-clock times must not look alike.
 */
import { describe, expect, it } from "vitest";
import { offerOf, withDomainWorld } from "../../tests/support/domain";
import { buildWeek } from "./week.server";

const world = withDomainWorld();

function setCoach(zone: string, overrides: { date: string; start: number; end: number }[] = []) {
  const db = world.db.$client;
  db.prepare("update coaches set timezone = ? where slug = 'maya-okafor'").run(zone);
  for (const { date, start, end } of overrides)
    db.prepare(
      `insert into availability_overrides (coach_id, date, start_minute, end_minute)
       select id, ?, ?, ? from coaches where slug = 'maya-okafor'`,
    ).run(date, start, end);
}

function week(
  zone: string,
  now: string,
  options: { requestedWeek?: string; requestedDay?: string; selected?: string } = {},
) {
  return buildWeek(world.db, {
    offer: offerOf(world.db, "coaching-session"),
    zone,
    requestedWeek: options.requestedWeek ?? null,
    requestedDay: options.requestedDay ?? null,
    selected: options.selected ? new Date(options.selected) : null,
    now: new Date(now),
    viewer: {},
  });
}

describe("the days of the week", () => {
  it("counts each day's free times and opens the first day that has some", () => {
    // Saturday 6 March 2027 in London: the weekend is closed, Monday opens.
    const view = week("Europe/London", "2027-03-06T08:00:00Z");
    expect(view.days.map((day) => [day.short, day.count])).toEqual([
      ["Sat 6", 0],
      ["Sun 7", 0],
      ["Mon 8", 14],
      ["Tue 9", 14],
      ["Wed 10", 14],
      ["Thu 11", 14],
      ["Fri 12", 14],
    ]);
    expect(view.day).toMatchObject({ date: "2027-03-08", heading: "Monday 8 March" });
    expect(view.day.slots).toHaveLength(14);
    expect(view.day.slots[0]).toEqual({
      value: "2027-03-08T09:00:00.000Z",
      label: "09:00",
      selected: false,
    });
  });

  it("opens the day asked for, or the chosen time's day, ignoring a day outside the week", () => {
    const now = "2027-03-06T08:00:00Z";
    expect(week("Europe/London", now, { requestedDay: "2027-03-10" }).day.date).toBe("2027-03-10");
    const chosen = week("Europe/London", now, { selected: "2027-03-11T10:00:00Z" });
    expect(chosen.day.date).toBe("2027-03-11");
    expect(chosen.day.slots.filter((slot) => slot.selected).map((slot) => slot.value)).toEqual([
      "2027-03-11T10:00:00.000Z",
    ]);
    for (const wrong of ["2027-04-01", "2027-3-10", "tomorrow"])
      expect(week("Europe/London", now, { requestedDay: wrong }).day.date).toBe("2027-03-08");
  });
});

describe("across a clock change", () => {
  it("labels the repeated hour with its offset when the clocks go back (Los Angeles, 7 November 2027)", () => {
    // Maya, in London, works 08:00–10:00 GMT that Sunday: 01:00 to 02:00 in Los Angeles, twice,
    // as its clocks go back from 02:00 PDT to 01:00 PST at 09:00 UTC.
    setCoach("Europe/London", [{ date: "2027-11-07", start: 480, end: 600 }]);
    const view = week("America/Los_Angeles", "2027-11-01T12:00:00Z", {
      requestedWeek: "2027-11-05",
      requestedDay: "2027-11-07",
    });
    expect(view.day).toMatchObject({
      date: "2027-11-07",
      clockChange: true,
      offsets: "GMT-7, then GMT-8",
    });
    const labels = view.day.slots.map((slot) => slot.label);
    expect(labels).toEqual(["01:00 PDT", "01:30 PDT", "01:00 PST", "01:30 PST"]);
    // 01:00 PDT is 08:00 UTC; 01:00 PST an hour later.
    const at = (label: string) => view.day.slots.find((slot) => slot.label === label)!.value;
    expect(at("01:00 PDT")).toBe("2027-11-07T08:00:00.000Z");
    expect(at("01:00 PST")).toBe("2027-11-07T09:00:00.000Z");

    // Friday has one offset, and plain times: London's 09:00 is 02:00 in Los Angeles.
    const friday = week("America/Los_Angeles", "2027-11-01T12:00:00Z", {
      requestedWeek: "2027-11-05",
      requestedDay: "2027-11-05",
    });
    expect(friday.day).toMatchObject({ clockChange: false, offsets: "GMT-7" });
    expect(friday.day.slots[0]).toMatchObject({
      value: "2027-11-05T09:00:00.000Z",
      label: "02:00",
    });
  });

  it("shows a New York coach's hours in Tokyo's time on each side of New York's change", () => {
    setCoach("America/New_York");
    const tokyo = (day: string) =>
      week("Asia/Tokyo", "2027-11-01T00:00:00Z", { requestedWeek: "2027-11-05", requestedDay: day })
        .day;
    // Friday 5 November 09:00 EDT (13:00 UTC) is 22:00 in Tokyo; Monday 8 November 09:00 EST
    // (14:00 UTC) is 23:00 in Tokyo, the same day. (Each Tokyo day also holds the afternoon of New
    // York's day before.)
    const labelAt = (day: ReturnType<typeof tokyo>, value: string) =>
      day.slots.find((slot) => slot.value === value)?.label;
    const friday = tokyo("2027-11-05");
    expect(labelAt(friday, "2027-11-05T13:00:00.000Z")).toBe("22:00");
    expect(labelAt(friday, "2027-11-04T15:00:00.000Z")).toBe("00:00");
    const monday = tokyo("2027-11-08");
    expect(labelAt(monday, "2027-11-08T14:00:00.000Z")).toBe("23:00");
    expect(labelAt(monday, "2027-11-08T13:00:00.000Z")).toBeUndefined();
    // Tokyo has no clock change: its offset is the same every day, and the times are plain.
    for (const day of [friday, monday])
      expect(day).toMatchObject({ clockChange: false, offsets: "GMT+9" });
  });
});
