import { IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import {
  canonicalTimeZone,
  listTimeZones,
  timezoneGroups,
  timezoneLabel,
  type TimezoneGroup,
} from "./timezones";
import { countryOfZone } from "./zone-countries";

// Mid-January and mid-July 2026 at noon UTC: northern winter and summer, southern the other way.
const JANUARY = new Date("2026-01-15T12:00:00Z");
const JULY = new Date("2026-07-15T12:00:00Z");

const labels = (group: TimezoneGroup | undefined) => group?.options.map((o) => o.label) ?? [];
const values = (group: TimezoneGroup | undefined) => group?.options.map((o) => o.value) ?? [];
const group = (groups: TimezoneGroup[], label: string) => groups.find((g) => g.label === label);
const everyValue = (groups: TimezoneGroup[]) => groups.flatMap(values);

describe("timezoneLabel", () => {
  it.each([
    // Eastern time: standard GMT-5 in winter, daylight GMT-4 in summer.
    ["America/New_York", JANUARY, "New York (GMT-5)"],
    ["America/New_York", JULY, "New York (GMT-4)"],
    // Central European time, +1 and +2 in summer.
    ["Europe/Berlin", JANUARY, "Berlin (GMT+1)"],
    ["Europe/Berlin", JULY, "Berlin (GMT+2)"],
    // Greenwich itself in winter reads as plain GMT, not GMT+0.
    ["Europe/London", JANUARY, "London (GMT)"],
    ["Europe/London", JULY, "London (GMT+1)"],
    // India keeps +5:30 all year; Nepal +5:45.
    ["Asia/Kolkata", JANUARY, "Kolkata (GMT+5:30)"],
    ["Asia/Kolkata", JULY, "Kolkata (GMT+5:30)"],
    ["Asia/Kathmandu", JULY, "Kathmandu (GMT+5:45)"],
    // Lord Howe Island: +10:30, and only half an hour more (+11) in its summer.
    ["Australia/Lord_Howe", JULY, "Lord Howe (GMT+10:30)"],
    ["Australia/Lord_Howe", JANUARY, "Lord Howe (GMT+11)"],
    // Santiago: -4, and -3 in the southern summer.
    ["America/Santiago", JULY, "Santiago (GMT-4)"],
    ["America/Santiago", JANUARY, "Santiago (GMT-3)"],
    // Negative offsets with minutes: Newfoundland -3:30, the Marquesas -9:30.
    ["America/St_Johns", JANUARY, "St Johns (GMT-3:30)"],
    ["Pacific/Marquesas", JANUARY, "Marquesas (GMT-9:30)"],
    // The far ends: Kiritimati +14; Chatham +13:45 in its summer.
    ["Pacific/Kiritimati", JANUARY, "Kiritimati (GMT+14)"],
    ["Pacific/Chatham", JANUARY, "Chatham (GMT+13:45)"],
  ])("%s on %s reads %s", (zone, now, label) => {
    expect(timezoneLabel(zone, now)).toBe(label);
  });

  it("uses the offset at the instant given, to the minute", () => {
    // New York springs forward on 8 March 2026 at 02:00 local, 07:00 UTC.
    expect(timezoneLabel("America/New_York", Date.parse("2026-03-08T06:59:00Z"))).toBe(
      "New York (GMT-5)",
    );
    expect(timezoneLabel("America/New_York", Date.parse("2026-03-08T07:00:00Z"))).toBe(
      "New York (GMT-4)",
    );
  });

  it("names three-part zones city first, then the area, with spaces for underscores", () => {
    expect(timezoneLabel("America/Argentina/Buenos_Aires", JANUARY)).toBe(
      "Buenos Aires, Argentina (GMT-3)",
    );
    expect(timezoneLabel("America/North_Dakota/New_Salem", JANUARY)).toBe(
      "New Salem, North Dakota (GMT-6)",
    );
  });

  it("reads fixed offsets as the offset they are, not by their POSIX-signed names", () => {
    expect(timezoneLabel("UTC", JULY)).toBe("UTC");
    expect(timezoneLabel("Etc/GMT+5", JULY)).toBe("GMT-5"); // POSIX: +5 means west, GMT-5
    expect(timezoneLabel("Etc/GMT-14", JULY)).toBe("GMT+14");
    expect(timezoneLabel("US/Eastern", JULY)).toBe("US/Eastern (GMT-4)");
  });
});

describe("timezoneGroups", () => {
  it("lists the suggested zones first, then regions in order, UTC under Other", () => {
    const groups = timezoneGroups({ current: "Europe/Berlin", now: JANUARY });
    expect(groups.map((g) => g.label)).toEqual([
      "Suggested",
      "Africa",
      "Americas",
      "Antarctica",
      "Asia",
      "Atlantic",
      "Australia",
      "Europe",
      "Indian Ocean",
      "Pacific",
      "Other",
    ]);
    expect(values(group(groups, "Americas"))).toContain("America/New_York");
    expect(values(group(groups, "Indian Ocean"))).toContain("Indian/Maldives");
    expect(values(group(groups, "Europe"))).toContain("Arctic/Longyearbyen");
    expect(values(group(groups, "Other"))).toEqual(["UTC"]);
  });

  it("suggests the zone shown, then the others, by their current names, each once", () => {
    const groups = timezoneGroups({
      current: "Asia/Calcutta",
      suggested: ["Europe/Berlin", "asia/kolkata", null, "Mars/Olympus_Mons", "Europe/Kiev", ""],
      now: JANUARY,
    });
    expect(groups[0]).toEqual({
      label: "Suggested",
      options: [
        { value: "Asia/Kolkata", label: "Kolkata (GMT+5:30)" },
        { value: "Europe/Berlin", label: "Berlin (GMT+1)" },
        { value: "Europe/Kyiv", label: "Kyiv (GMT+2)" },
      ],
    });
    // Suggested zones stay where people look for them too.
    expect(values(group(groups, "Asia"))).toContain("Asia/Kolkata");
    expect(values(group(groups, "Europe"))).toContain("Europe/Kyiv");
  });

  it("has no Suggested group when nothing is suggested", () => {
    const groups = timezoneGroups({ current: null, suggested: [null, "nonsense"], now: JANUARY });
    expect(groups[0]!.label).toBe("Africa");
  });

  it("lists every zone once by region, each value canonical", () => {
    const groups = timezoneGroups({ current: null, now: JULY });
    const listed = everyValue(groups);
    expect([...listed].sort()).toEqual([...listTimeZones()].sort());
    for (const value of listed) expect(canonicalTimeZone(value)).toBe(value);
  });

  it("sorts each region by label", () => {
    const groups = timezoneGroups({ current: "Europe/Zurich", now: JANUARY });
    for (const { options } of groups.slice(1)) {
      const names = options.map((o) => o.label);
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
    }
    const europe = labels(group(groups, "Europe"));
    expect(europe.indexOf("Amsterdam (GMT+1)")).toBeLessThan(europe.indexOf("Andorra (GMT+1)"));
    expect(europe.at(-1)).toBe("Zurich (GMT+1)");
  });

  it("keeps a zone shown under an old alias, in Suggested and in Other", () => {
    const groups = timezoneGroups({ current: "US/Eastern", now: JULY });
    expect(groups[0]!.options).toEqual([{ value: "US/Eastern", label: "US/Eastern (GMT-4)" }]);
    expect(values(group(groups, "Other"))).toEqual(["US/Eastern", "UTC"]);
  });

  it("tells apart zones that would read the same within a group", () => {
    const groups = timezoneGroups({ current: "UTC", suggested: ["Etc/UTC"], now: JULY });
    expect(labels(groups[0])).toEqual(["UTC", "UTC – Etc/UTC"]);
    expect(labels(group(groups, "Other"))).toEqual(["UTC", "UTC – Etc/UTC"]);
  });

  it.each([
    ["full", false],
    ["compact", true],
  ])("gives unique labels within every group (%s)", (_, compact) => {
    for (const now of [JANUARY, JULY]) {
      const groups = timezoneGroups({
        current: "Europe/London",
        suggested: ["Europe/Berlin", "America/Detroit"],
        now,
        compact,
      });
      for (const { options } of groups)
        expect(new Set(options.map((o) => o.label)).size).toBe(options.length);
    }
  });
});

describe("timezoneGroups, compact", () => {
  const full = everyValue(timezoneGroups({ current: null, now: JANUARY }));
  const compact = everyValue(timezoneGroups({ current: null, now: JANUARY, compact: true }));
  // Daily through the year, independently of how timezoneGroups samples it.
  const timelines = new Map<string, string>();
  const offsetsOverYear = (zone: string) => {
    const rules = IANAZone.create(zone);
    const days = Array.from({ length: 366 }, (_, day) => +JANUARY + day * 86_400_000);
    if (!timelines.has(zone)) timelines.set(zone, days.map((day) => rules.offset(day)).join());
    return timelines.get(zone)!;
  };

  it("leaves out zones keeping the time of a zone of their country that is kept", () => {
    const left = full.filter((zone) => !compact.includes(zone));
    expect(left.length).toBeGreaterThan(50);
    for (const zone of left) {
      const country = countryOfZone(zone);
      const standIn = compact.find(
        (kept) =>
          countryOfZone(kept) === country && offsetsOverYear(kept) === offsetsOverYear(zone),
      );
      expect(standIn, `${zone} has no stand-in`).toBeDefined();
    }
  });

  it("keeps the zone most people use and well-known cities as stand-ins", () => {
    // Detroit and Indianapolis keep New York's time; Broken Hill Adelaide's; Melbourne Sydney's.
    expect(compact).toEqual(expect.arrayContaining(["America/New_York", "Australia/Adelaide"]));
    expect(compact).toEqual(expect.arrayContaining(["Australia/Sydney", "America/Sao_Paulo"]));
    expect(compact).not.toContain("America/Detroit");
    expect(compact).not.toContain("America/Indiana/Indianapolis");
    expect(compact).not.toContain("Australia/Broken_Hill");
    expect(compact).not.toContain("Australia/Melbourne");
  });

  it("keeps zones whose clocks differ some of the year, and never merges countries", () => {
    // Phoenix has no summer time, so it is Denver's time only in winter; Brisbane likewise.
    expect(compact).toEqual(expect.arrayContaining(["America/Phoenix", "America/Denver"]));
    expect(compact).toEqual(expect.arrayContaining(["Australia/Brisbane", "Australia/Lord_Howe"]));
    // Punta Arenas stays at -3 while Santiago goes back to -4 in April.
    expect(compact).toEqual(expect.arrayContaining(["America/Santiago", "America/Punta_Arenas"]));
    // Paris and Berlin keep the same time but are different countries.
    expect(compact).toEqual(expect.arrayContaining(["Europe/Paris", "Europe/Berlin"]));
  });

  it("keeps zones whose clocks change a few days apart in the same week", () => {
    // In 2008 Gaza left summer time on 29 August, Hebron three days later.
    const in2008 = timezoneGroups({ current: null, now: Date.UTC(2008, 0, 1), compact: true });
    expect(everyValue(in2008)).toEqual(expect.arrayContaining(["Asia/Gaza", "Asia/Hebron"]));
  });

  it("never leaves out the zone shown or a suggested one", () => {
    const groups = timezoneGroups({
      current: "America/Detroit",
      suggested: ["Australia/Melbourne"],
      now: JANUARY,
      compact: true,
    });
    expect(values(groups[0])).toEqual(["America/Detroit", "Australia/Melbourne"]);
    expect(values(group(groups, "Americas"))).toContain("America/Detroit");
    expect(values(group(groups, "Australia"))).toContain("Australia/Melbourne");
  });
});

describe("timezoneGroups, regions of the suggested zones only", () => {
  it("lists Suggested and the regions of the suggested zones", () => {
    const groups = timezoneGroups({
      current: "Europe/Berlin",
      suggested: ["America/New_York", "Europe/London"],
      now: JANUARY,
      regions: "suggested",
    });
    expect(groups.map((g) => g.label)).toEqual(["Suggested", "Americas", "Europe"]);
  });

  it("lists every region when nothing is suggested", () => {
    const groups = timezoneGroups({ current: null, now: JANUARY, regions: "suggested" });
    expect(groups).toHaveLength(10);
  });
});

describe("timezoneGroups, the suggested zones only", () => {
  it("is one group of the likely zones, each once, labelled, in the order given", () => {
    const groups = timezoneGroups({
      current: "Europe/Berlin",
      suggested: ["Europe/London", "Europe/Berlin", "not/a-zone"],
      now: JANUARY,
      regions: "none",
    });
    expect(groups).toEqual([
      {
        label: "Suggested",
        options: [
          { value: "Europe/Berlin", label: "Berlin (GMT+1)" },
          { value: "Europe/London", label: "London (GMT)" },
        ],
      },
    ]);
  });

  it("is empty when there is nothing likely", () => {
    expect(timezoneGroups({ current: null, now: JANUARY, regions: "none" })).toEqual([]);
  });
});
