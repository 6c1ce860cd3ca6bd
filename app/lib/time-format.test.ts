import { describe, expect, it } from "vitest";
import { formatSession, zoneLabel, zoneOffset } from "./time-format";

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

describe("formatSession", () => {
  it("names the day, the times and the zone, across midnight in the zone", () => {
    const start = Date.parse("2027-03-15T23:30:00Z");
    expect(formatSession(start, start + 30 * 60_000, "Asia/Tokyo")).toBe(
      "Tuesday 16 March 2027, 08:30 to 09:00 (Tokyo time)",
    );
    expect(zoneLabel("UTC")).toBe("UTC");
  });
});
