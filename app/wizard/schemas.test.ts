import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { canonicalTimeZone } from "~/lib/timezones";
import {
  detailsStepSchema,
  detailsStepSchemaFor,
  serviceStepSchema,
  timeStepSchema,
} from "./schemas";
import type { AskedQuestion } from "./fields";

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

describe("detailsStepSchemaFor: the session's questions", () => {
  const person = { name: "Ada", email: "ada@example.com", timezone: "Europe/London" };
  const questions: AskedQuestion[] = [
    { id: 11, kind: "short_text", label: "Goal?", required: true, options: [] },
    { id: 12, kind: "long_text", label: "Anything else?", required: false, options: [] },
    {
      id: 13,
      kind: "choice",
      label: "Heard of us?",
      required: true,
      options: ["A friend", "Online"],
    },
    { id: 14, kind: "consent", label: "I agree.", required: true, options: [] },
    { id: 15, kind: "choice", label: "Morning?", required: false, options: ["Yes", "No"] },
  ];
  const answered = {
    "answers.q11": " A new job ",
    "answers.q13": "Online",
    "answers.q14": "yes",
  };
  const parse = (fields: Record<string, string>) =>
    parseWithZod(form({ ...person, ...fields }), { schema: detailsStepSchemaFor(questions) });
  const answerErrors = (fields: Record<string, string>) => {
    const submission = parse({ ...answered, ...fields });
    return submission.status === "success" ? {} : (submission.error ?? {});
  };

  it("accepts every required answer, trimmed, and leaves unanswered optional ones out", () => {
    const submission = parse({ ...answered, "answers.q12": "", "answers.q99": "forged" });
    expect(submission.status).toBe("success");
    if (submission.status === "success")
      expect(submission.value.answers).toEqual({
        q11: "A new job",
        q13: "Online",
        q14: "yes",
      });
  });

  it("names every missing required answer at once", () => {
    const submission = parse({});
    expect(submission.status).toBe("error");
    expect(submission.status === "error" ? submission.error : null).toEqual({
      "answers.q11": ["Answer this question."],
      "answers.q13": ["Choose one of the options."],
      "answers.q14": ["Tick this box to book the session."],
    });
  });

  it.each([
    [{ "answers.q11": "   " }, "answers.q11", "Answer this question."],
    [
      { "answers.q11": "x".repeat(201) },
      "answers.q11",
      "Your answer can be at most 200 characters.",
    ],
    [
      { "answers.q12": "x".repeat(2001) },
      "answers.q12",
      "Your answer can be at most 2,000 characters.",
    ],
    [{ "answers.q13": "Astrology" }, "answers.q13", "Choose one of the options."],
    [{ "answers.q15": "Maybe" }, "answers.q15", "Choose one of the options."],
    [{ "answers.q14": "on" }, "answers.q14", "Tick this box to book the session."],
  ])("refuses %o with a message for %s", (change, field, message) => {
    expect(answerErrors(change)[field]).toEqual([message]);
  });

  it("allows exactly 200 and 2,000 characters", () => {
    expect(
      answerErrors({ "answers.q11": "x".repeat(200), "answers.q12": "y".repeat(2000) }),
    ).toEqual({});
  });

  it("is the plain details step for a session without questions", () => {
    const submission = parseWithZod(form(person), { schema: detailsStepSchemaFor([]) });
    expect(submission.status).toBe("success");
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
