import { describe, expect, it } from "vitest";
import { pushBounded, setBounded } from "./bounded";

describe("pushBounded", () => {
  it("keeps the newest entries up to the limit", () => {
    const items: number[] = [];
    for (let i = 1; i <= 7; i++) pushBounded(items, i, 3);
    expect(items).toEqual([5, 6, 7]);
  });
});

describe("setBounded", () => {
  it("forgets the oldest keys beyond the limit; a key set again counts as new", () => {
    const map = new Map<string, number>();
    setBounded(map, "a", 1, 2);
    setBounded(map, "b", 2, 2);
    setBounded(map, "a", 3, 2);
    setBounded(map, "c", 4, 2);
    expect([...map]).toEqual([
      ["a", 3],
      ["c", 4],
    ]);
  });
});
