/**
 * The sign-in throttle's arithmetic, against a real database: five failures in fifteen minutes
 * stop an account or an address until the oldest of the five is fifteen minutes old; success
 * forgives the account; old failures are swept.
 */
import { describe, expect, it } from "vitest";
import { rows, withDomainWorld } from "../../tests/support/domain";
import {
  FAILURE_WINDOW_MS,
  forgiveFailures,
  MAX_FAILURES,
  recordFailure,
  sweepOldFailures,
  waitBeforeTrying,
} from "./throttle.server";

const world = withDomainWorld();
const T0 = new Date("2027-03-15T09:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe("the sign-in throttle", () => {
  it("lets four failures by, stops the fifth's account until the first is 15 minutes old", () => {
    const { db } = world;
    const attempt = { email: "Maya@Example.com", address: "10.0.0.1" };
    for (let minute = 0; minute < MAX_FAILURES - 1; minute++) {
      recordFailure(db, { ...attempt, address: `10.0.0.${minute}` }, at(minute));
      expect(waitBeforeTrying(db, attempt, at(minute))).toBe(0);
    }
    recordFailure(db, { ...attempt, address: "10.0.0.9" }, at(4));
    // Same account, any address, any spelling of the email.
    expect(waitBeforeTrying(db, { email: "maya@example.com", address: "10.9.9.9" }, at(4))).toBe(
      FAILURE_WINDOW_MS - 4 * 60_000,
    );
    expect(waitBeforeTrying(db, attempt, at(15))).toBe(0);
  });

  it("stops an address that tries many accounts, and no other address", () => {
    const { db } = world;
    for (let i = 0; i < MAX_FAILURES; i++)
      recordFailure(db, { email: `guess${i}@example.com`, address: "10.0.0.1" }, at(i));
    expect(waitBeforeTrying(db, { email: "new@example.com", address: "10.0.0.1" }, at(5))).toBe(
      FAILURE_WINDOW_MS - 5 * 60_000,
    );
    expect(waitBeforeTrying(db, { email: "new@example.com", address: "10.0.0.2" }, at(5))).toBe(0);
  });

  it("forgives the account, not the address, on success; sweeps what no longer counts", () => {
    const { db } = world;
    for (let i = 0; i < MAX_FAILURES; i++)
      recordFailure(db, { email: "maya@example.com", address: "10.0.0.1" }, at(i));
    forgiveFailures(db, "MAYA@example.com");
    expect(waitBeforeTrying(db, { email: "maya@example.com", address: "10.0.0.2" }, at(5))).toBe(0);
    recordFailure(db, { email: "x@example.com", address: "10.0.0.3" }, at(0));
    recordFailure(db, { email: "x@example.com", address: "10.0.0.3" }, at(20));
    expect(sweepOldFailures(db, at(20))).toBe(1);
    expect(rows(db, "select email from login_failures")).toEqual([{ email: "x@example.com" }]);
  });
});
