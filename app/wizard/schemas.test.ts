import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { canonicalTimeZone } from "~/lib/timezones";
import { detailsStepSchema, serviceStepSchema, timeStepSchema } from "./schemas";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};

const detailsErrors = (fields: Record<string, string>) => {
  const submission = parseWithZod(form(fields), { schema: detailsStepSchema });
  return submission.status === "success" ? {} : (submission.error ?? {});
};

describe("detailsStepSchema", () => {
  const valid = { name: "Ada Lovelace", email: "ada@example.com", timezone: "Europe/London" };

  it("accepts a complete, sensible submission, trimming and canonicalising", () => {
    const submission = parseWithZod(
      form({ ...valid, name: "  Ada  ", timezone: "europe/london", notes: "" }),
      {
        schema: detailsStepSchema,
      },
    );
    expect(submission.status).toBe("success");
    if (submission.status === "success") {
      expect(submission.value).toEqual({
        name: "Ada",
        email: "ada@example.com",
        timezone: "Europe/London",
      });
    }
  });

  it.each([
    [{ name: "" }, "name", "Enter your name."],
    [{ name: "   " }, "name", "Enter your name."],
    [{ name: "x".repeat(101) }, "name", "Your name can be at most 100 characters."],
    [{ email: "" }, "email", "Enter your email address."],
    [{ email: "ada@" }, "email", "Enter an email address like name@example.com."],
    [
      { email: `${"a".repeat(250)}@example.com` },
      "email",
      "Your email address can be at most 254 characters.",
    ],
    [{ notes: "n".repeat(1001) }, "notes", "Notes can be at most 1,000 characters."],
    [{ timezone: "Mars/Olympus_Mons" }, "timezone", "Choose a timezone from the list."],
    [{ fax_number: "x" }, "fax_number", "Leave this field empty."],
  ])("rejects %o with a message for %s", (change, field, message) => {
    expect(detailsErrors({ ...valid, ...change })[field]).toEqual([message]);
  });

  it("allows exactly 100 characters of name and 1,000 of notes", () => {
    expect(detailsErrors({ ...valid, name: "x".repeat(100), notes: "n".repeat(1000) })).toEqual({});
  });
});

describe("the other steps", () => {
  it("accepts slugs and ISO instants only", () => {
    expect(
      parseWithZod(form({ service: "intro-call" }), { schema: serviceStepSchema }).status,
    ).toBe("success");
    expect(
      parseWithZod(form({ service: "Intro Call!" }), { schema: serviceStepSchema }).status,
    ).toBe("error");
    expect(
      parseWithZod(form({ startAt: "2027-03-14T14:00:00.000Z" }), { schema: timeStepSchema })
        .status,
    ).toBe("success");
    expect(parseWithZod(form({ startAt: "14:00" }), { schema: timeStepSchema }).status).toBe(
      "error",
    );
  });
});

describe("canonicalTimeZone", () => {
  it("knows IANA zones in any case and rejects the rest", () => {
    expect(canonicalTimeZone("america/new_york")).toBe("America/New_York");
    expect(canonicalTimeZone("Australia/Lord_Howe")).toBe("Australia/Lord_Howe");
    // ICU resolves these to retired names; clients know the current ones.
    expect(canonicalTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("Asia/Calcutta")).toBe("Asia/Kolkata");
    expect(canonicalTimeZone("europe/kiev")).toBe("Europe/Kyiv");
    expect(canonicalTimeZone("US/Eastern")).toBe("US/Eastern");
    expect(canonicalTimeZone("Not/AZone")).toBeNull();
    expect(canonicalTimeZone("x".repeat(65))).toBeNull();
  });
});
