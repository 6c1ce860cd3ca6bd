/**
 * The week a client picks from, against a real SQLite file of the demo practice (Maya: weekdays
 * 09:00–12:30 and 13:30–17:00 in her zone, 30-minute coaching sessions). Every `now` is fixed,
 * and the coach's zone and hours are set with SQL as her settings would. The clock changes are
 * the point: a time must never be misread, and two equal wall-clock times must not look alike.
 */
import { describe, expect, it } from "vitest";
import { offerOf, withDomainWorld } from "../../tests/support/domain";
import { findAvailableStarts, isStartAvailable } from "./availability.server";
import { startOfLocalDate } from "./engine";
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

/** Maya's weekly hours replaced by the same ranges (minutes after local midnight) every day. */
function setDailyHours(zone: string, ranges: Array<[number, number]>) {
  const db = world.db.$client;
  setCoach(zone);
  db.prepare(
    "delete from availability_rules where coach_id = (select id from coaches where slug = 'maya-okafor')",
  ).run();
  for (let weekday = 1; weekday <= 7; weekday++)
    for (const [start, end] of ranges)
      db.prepare(
        `insert into availability_rules (coach_id, weekday, start_minute, end_minute)
         select id, ?, ?, ? from coaches where slug = 'maya-okafor'`,
      ).run(weekday, start, end);
}

const ROUND_THE_CLOCK: Array<[number, number]> = [[0, 24 * 60]];

/** Local date and time of an instant, read by Intl (not luxon): ["2027-09-05", "01:00"]. */
function readIn(zone: string, value: string): [string, string] {
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
      .formatToParts(new Date(value))
      .map((p) => [p.type, p.value]),
  );
  return [`${parts.year}-${parts.month}-${parts.day}`, `${parts.hour}:${parts.minute}`];
}

/** The week opened at each of its days in turn. */
function everyDay(zone: string, now: string, requestedWeek: string) {
  const first = week(zone, now, { requestedWeek });
  return first.days.map((day) => week(zone, now, { requestedWeek, requestedDay: day.date }).day);
}

describe("where the clocks skip midnight (America/Santiago, Sunday 5 September 2027)", () => {
  // Santiago's clocks go from 23:59:59 on Saturday 4 September to 01:00 on Sunday 5 September.
  const now = "2027-08-25T12:00:00Z";

  it("a New York client's week of 2 September ends with 23:00 and 23:30 on Wednesday 8 September, as the next week shows them", () => {
    // Santiago's Thursday 00:00 and 00:30 (-03) are New York's Wednesday 23:00 and 23:30 (EDT).
    setDailyHours("America/Santiago", ROUND_THE_CLOCK);
    const wednesday = (requestedWeek: string) =>
      week("America/New_York", now, { requestedWeek, requestedDay: "2027-09-08" }).day;
    const inFirstWeek = wednesday("2027-09-02");
    expect(inFirstWeek.slots.slice(-2)).toEqual([
      { value: "2027-09-09T03:00:00.000Z", label: "23:00", selected: false },
      { value: "2027-09-09T03:30:00.000Z", label: "23:30", selected: false },
    ]);
    expect(inFirstWeek.slots).toHaveLength(48);
    expect(inFirstWeek).toEqual(wednesday("2027-09-03"));
  });

  it("Monday 6 September 00:00 (03:00Z), offered, is accepted when chosen", () => {
    setDailyHours("America/Santiago", ROUND_THE_CLOCK);
    const monday = week("America/Santiago", now, {
      requestedWeek: "2027-09-02",
      requestedDay: "2027-09-06",
    }).day;
    expect(monday.slots[0]).toEqual({
      value: "2027-09-06T03:00:00.000Z",
      label: "00:00",
      selected: false,
    });
    const offer = offerOf(world.db, "coaching-session");
    for (const slot of monday.slots)
      expect(isStartAvailable(world.db, offer, Date.parse(slot.value), Date.parse(now))).toBe(true);
  });

  it("a Santiago client's Sunday begins at 01:00 and holds no Monday time; Monday begins at 00:00", () => {
    setDailyHours("America/Santiago", ROUND_THE_CLOCK);
    const open = (requestedDay: string) =>
      week("America/Santiago", now, { requestedWeek: "2027-09-02", requestedDay }).day;
    const sunday = open("2027-09-05");
    const monday = open("2027-09-06");
    expect(sunday.heading).toBe("Sunday 5 September");
    // 01:00 to 23:30: 46 times (the hour from 00:00 never happened).
    expect(sunday.slots.map((s) => s.label)).toHaveLength(46);
    expect(sunday.slots[0]).toMatchObject({ value: "2027-09-05T04:00:00.000Z", label: "01:00" });
    expect(sunday.slots.at(-1)).toMatchObject({
      value: "2027-09-06T02:30:00.000Z",
      label: "23:30",
    });
    expect(sunday.count).toBe(46);
    expect(monday.slots[0]).toMatchObject({ value: "2027-09-06T03:00:00.000Z", label: "00:00" });
    const sundayValues = new Set(sunday.slots.map((s) => s.value));
    expect(monday.slots.filter((s) => sundayValues.has(s.value))).toEqual([]);
  });
});

describe("every day's times, chosen back, add up to the week", () => {
  // Round-the-clock coaches around clock changes, each seen from a client's zone: opened day by
  // day, the week's times are exactly the engine's for the week (each under the client's date it
  // reads, once), and each is accepted when chosen.
  it.each([
    {
      coach: "America/Santiago",
      client: "America/New_York",
      weekStart: "2027-09-02",
      now: "2027-08-25",
    },
    {
      coach: "America/Santiago",
      client: "America/Santiago",
      weekStart: "2027-09-02",
      now: "2027-08-25",
    },
    {
      coach: "America/Santiago",
      client: "America/Santiago",
      weekStart: "2027-03-31",
      now: "2027-03-25",
    },
    {
      coach: "Europe/London",
      client: "America/Santiago",
      weekStart: "2027-09-04",
      now: "2027-08-25",
    },
    { coach: "America/Havana", client: "Asia/Beirut", weekStart: "2027-03-12", now: "2027-03-05" },
    { coach: "Asia/Beirut", client: "Europe/London", weekStart: "2027-10-28", now: "2027-10-20" },
    {
      coach: "America/Havana",
      client: "America/Santiago",
      weekStart: "2027-11-04",
      now: "2027-10-28",
    },
    {
      coach: "America/Los_Angeles",
      client: "America/Los_Angeles",
      weekStart: "2027-11-04",
      now: "2027-10-28",
    },
    {
      coach: "America/Asuncion",
      client: "America/Asuncion",
      weekStart: "2023-09-28",
      now: "2023-09-20",
    },
  ])(
    "a $coach coach, a $client client, the week of $weekStart",
    ({ coach, client, weekStart, now }) => {
      setDailyHours(coach, ROUND_THE_CLOCK);
      const nowAt = `${now}T12:00:00Z`;
      const days = everyDay(client, nowAt, weekStart);
      expect(days[0]!.date).toBe(weekStart);
      const offered: string[] = [];
      for (const day of days) {
        expect(day.count).toBe(day.slots.length);
        for (const slot of day.slots) {
          // Listed under the date it reads in the client's zone, labelled with its time there.
          const [date, time] = readIn(client, slot.value);
          expect(date).toBe(day.date);
          expect(slot.label.slice(0, 5)).toBe(time);
          offered.push(slot.value);
        }
      }
      expect(new Set(offered).size).toBe(offered.length);
      const offer = offerOf(world.db, "coaching-session");
      const weekEnd = new Date(Date.parse(`${weekStart}T00:00:00Z`) + 7 * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const engine = findAvailableStarts(world.db, offer, {
        from: startOfLocalDate(client, weekStart),
        to: startOfLocalDate(client, weekEnd),
        now: Date.parse(nowAt),
      });
      expect(offered).toEqual(engine.map((start) => new Date(start).toISOString()));
      expect(offered.length).toBeGreaterThan(7 * 40);
      for (const value of offered)
        expect(isStartAvailable(world.db, offer, Date.parse(value), Date.parse(nowAt))).toBe(true);
    },
  );

  it("labels both 01:00s of a Los Angeles coach working through the night the clocks go back", () => {
    // 00:30–03:00 on Sunday 7 November 2027, read in Los Angeles: both occurrences of 01:00 and
    // 01:30 are offered, as distinct instants, each named by its offset.
    setDailyHours("America/Los_Angeles", [[30, 180]]);
    const sunday = week("America/Los_Angeles", "2027-11-01T12:00:00Z", {
      requestedWeek: "2027-11-04",
      requestedDay: "2027-11-07",
    }).day;
    expect(sunday.slots.map((s) => [s.label, s.value])).toEqual([
      ["00:30 PDT", "2027-11-07T07:30:00.000Z"],
      ["01:00 PDT", "2027-11-07T08:00:00.000Z"],
      ["01:30 PDT", "2027-11-07T08:30:00.000Z"],
      ["01:00 PST", "2027-11-07T09:00:00.000Z"],
      ["01:30 PST", "2027-11-07T09:30:00.000Z"],
      ["02:00 PST", "2027-11-07T10:00:00.000Z"],
      ["02:30 PST", "2027-11-07T10:30:00.000Z"],
    ]);
  });
});

describe("work per request", () => {
  it("reads the coach's booking rules once per week built", () => {
    const offer = offerOf(world.db, "coaching-session");
    // Count executions of the rules query (`select "minimum_notice_minutes", ... from "coaches"`)
    // on this connection: statements prepared from here on are wrapped.
    const client = world.db.$client;
    const prepare = client.prepare.bind(client);
    let rulesRead = 0;
    client.prepare = ((source: string) => {
      const statement = prepare(source);
      if (/^select "minimum_notice_minutes"/.test(source)) {
        for (const method of ["get", "all"] as const) {
          const run = statement[method].bind(statement) as (...args: unknown[]) => unknown;
          (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
            rulesRead++;
            return run(...args);
          };
        }
      }
      return statement;
    }) as typeof client.prepare;
    try {
      const view = buildWeek(world.db, {
        offer,
        zone: "Europe/London",
        requestedWeek: null,
        selected: null,
        now: new Date("2027-03-06T08:00:00Z"),
        viewer: {},
      });
      expect(view.days.map((day) => day.count)).toEqual([0, 0, 14, 14, 14, 14, 14]);
      expect(rulesRead).toBe(1);
    } finally {
      client.prepare = prepare;
    }
  });
});
