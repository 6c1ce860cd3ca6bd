import { describe, expect, it } from "vitest";
import { formatAmount, formatDuration, formatPrice, parseAmount, timezoneCity } from "./format";

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

describe("amounts typed by people", () => {
  it.each([
    ["22.50", "gbp", 2250],
    ["22.5", "gbp", 2250],
    ["22", "gbp", 2200],
    ["£22.50", "gbp", 2250],
    ["  1,000.00 ", "gbp", 100000],
    ["0.01", "gbp", 1],
    ["1500", "jpy", 1500],
  ])("%s in %s is %i minor units", (text, currency, minor) => {
    expect(parseAmount(text, currency)).toBe(minor);
  });

  it.each([["22.505"], ["-5"], ["abc"], [""], ["1.2.3"], ["12,50"], ["1e3"]])(
    "%s is not an amount",
    (text) => {
      expect(parseAmount(text, "gbp")).toBeNull();
    },
  );

  it("refuses decimals a currency does not have", () => {
    expect(parseAmount("15.5", "jpy")).toBeNull();
  });

  it("writes amounts back as typed", () => {
    expect(formatAmount(2250, "gbp")).toBe("22.50");
    expect(formatAmount(1500, "jpy")).toBe("1500");
  });
});
