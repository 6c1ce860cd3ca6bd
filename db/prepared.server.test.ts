import { describe, expect, it } from "vitest";
import { preparedSet } from "./prepared.server";

describe("preparedSet", () => {
  it("keys the statement by its columns, sorted, whatever order they are given in", () => {
    const updatedAt = new Date();
    expect(preparedSet({ updatedAt, status: "completed" }).key).toBe("status,updatedAt");
    expect(preparedSet({ status: "editing", updatedAt }).key).toBe("status,updatedAt");
  });

  it("writes a NULL into the statement, and its key, instead of binding it", () => {
    const { key, set } = preparedSet({ startAt: null, status: "editing" });
    expect(key).toBe("startAt=null,status");
    expect(set.startAt).toBeNull();
    expect(set.status).not.toBeNull();
  });

  it("leaves a column given as undefined as it is, as Drizzle's set does", () => {
    const { key, set } = preparedSet({ startAt: undefined, status: "editing" });
    expect(key).toBe("status");
    expect(Object.keys(set)).toEqual(["status"]);
  });
});
