import { describe, expect, it } from "vitest";
import { formatDuration, formatPrice, timezoneCity } from "./format";

describe("formatPrice", () => {
  it.each([
    [0, "gbp", "Free"],
    [4500, "gbp", "£45"],
    [4550, "gbp", "£45.50"],
    [12000, "usd", "US$120"],
    [5000, "jpy", "JP¥5,000"], // zero-decimal currency: minor unit is the yen itself
    [1234, "eur", "€12.34"],
  ])("%i %s is %s", (amount, currency, expected) => {
    expect(formatPrice(amount, currency)).toBe(expected);
  });
});

describe("formatDuration", () => {
  it.each([
    [15, "15 minutes"],
    [1, "1 minute"],
    [60, "1 hour"],
    [90, "1 hour 30 minutes"],
    [120, "2 hours"],
  ])("%i minutes reads %s", (minutes, expected) => {
    expect(formatDuration(minutes)).toBe(expected);
  });
});

describe("timezoneCity", () => {
  it("names the city of a zone", () => {
    expect(timezoneCity("America/New_York")).toBe("New York");
    expect(timezoneCity("Europe/London")).toBe("London");
    expect(timezoneCity("UTC")).toBe("UTC");
  });
});
