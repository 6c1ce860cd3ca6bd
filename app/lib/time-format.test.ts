import { describe, expect, it } from "vitest";
import { formatDay, formatSession, formatTime, zoneLabel, zoneOffset } from "./time-format";

describe("zoneOffset", () => {
  it("reads as people write it, at that instant", () => {
    const winter = Date.parse("2027-01-15T12:00:00Z");
    const summer = Date.parse("2027-07-15T12:00:00Z");
    expect(zoneOffset(winter, "Europe/London")).toBe("GMT");
    expect(zoneOffset(summer, "Europe/London")).toBe("GMT+1");
    expect(zoneOffset(winter, "America/New_York")).toBe("GMT-5");
    expect(zoneOffset(summer, "America/New_York")).toBe("GMT-4");
    expect(zoneOffset(winter, "Asia/Kolkata")).toBe("GMT+5:30");
    expect(zoneOffset(winter, "Asia/Kathmandu")).toBe("GMT+5:45");
    expect(zoneOffset(winter, "UTC")).toBe("GMT");
  });

  it("changes at the instant the clocks do (New York, 7 November 2027, 06:00 UTC)", () => {
    expect(zoneOffset(Date.parse("2027-11-07T05:59:59Z"), "America/New_York")).toBe("GMT-4");
    expect(zoneOffset(Date.parse("2027-11-07T06:00:00Z"), "America/New_York")).toBe("GMT-5");
  });
});

describe("formatTime and formatDay", () => {
  it("write midnight as 00:00 (never 24:00) and the day without a comma, in the zone", () => {
    const midnightInLondon = Date.parse("2027-06-30T23:00:00Z");
    expect(formatTime(midnightInLondon, "Europe/London")).toBe("00:00");
    expect(formatTime(midnightInLondon, "America/New_York")).toBe("19:00");
    expect(formatDay(midnightInLondon, "Europe/London")).toBe("Thursday 1 July 2027");
    expect(formatDay(midnightInLondon, "America/New_York")).toBe("Wednesday 30 June 2027");
  });
});

describe("formatSession", () => {
  it("names the day, the times and the zone, across midnight in the zone", () => {
    const start = Date.parse("2027-03-15T23:30:00Z");
    expect(formatSession(start, start + 30 * 60_000, "Asia/Tokyo")).toBe(
      "Tuesday 16 March 2027, 08:30 to 09:00 (Tokyo time)",
    );
    expect(zoneLabel("UTC")).toBe("UTC");
  });
});
