import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { controlProps, formFromReply, textProps } from "./form-reply";

/** A reply as the wizard's actions make it: Conform's parse on the server, then `reply()`. */
function replyTo(entries: [string, string][]) {
  const formData = new FormData();
  for (const [name, value] of entries) formData.append(name, value);
  const schema = z.object({
    name: z.string({ error: "Enter your name" }),
    email: z.email({ error: "Enter an email address like name@example.com" }),
    answers: z.object({ q1: z.string({ error: "Answer this question" }) }),
  });
  return parseWithZod(formData, { schema }).reply();
}

describe("formFromReply", () => {
  it("shows the page's defaults before anything is sent", () => {
    const form = formFromReply("details-step", undefined, {
      name: "Ada",
      answers: { q1: "Saved answer" },
    });
    expect(form.status).toBeUndefined();
    expect(form.field("name")).toEqual({
      id: "details-step-name",
      name: "name",
      errorId: "details-step-name-error",
      errors: undefined,
      initialValue: "Ada",
    });
    expect(form.field("answers.q1").initialValue).toBe("Saved answer");
    expect(form.field("email").initialValue).toBeUndefined();
  });

  it("after a refusal: every value as typed (nested ones too), and each field's own message", () => {
    const reply = replyTo([
      ["name", "Ada Lovelace"],
      ["email", "not an address"],
    ]);
    const form = formFromReply("details-step", reply, {
      name: "Old name",
      email: "old@example.com",
    });
    expect(form.status).toBe("error");
    expect(form.field("name")).toMatchObject({ initialValue: "Ada Lovelace", errors: undefined });
    expect(form.field("email")).toMatchObject({
      initialValue: "not an address",
      errors: ["Enter an email address like name@example.com"],
    });
    expect(form.field("answers.q1").errors).toEqual(["Answer this question"]);
  });

  it("a repeated field (a forged post) shows its first value", () => {
    const form = formFromReply(
      "x",
      { initialValue: { timezone: ["Europe/Paris", "Asia/Tokyo"] } },
      {},
    );
    expect(form.field("timezone").initialValue).toBe("Europe/Paris");
  });
});

describe("controlProps and textProps", () => {
  it("tie a field to its error only when it has one, as Conform does", () => {
    const clean = formFromReply("f", undefined, { name: "Ada" }).field("name");
    expect(controlProps(clean)).toEqual({
      id: "f-name",
      name: "name",
      "aria-invalid": undefined,
      "aria-describedby": undefined,
    });
    expect(textProps(clean, "f-name-hint")).toMatchObject({
      "aria-describedby": "f-name-hint",
      defaultValue: "Ada",
    });
    const wrong = formFromReply("f", { error: { name: ["Enter your name"] } }, {}).field("name");
    expect(controlProps(wrong, "f-name-hint")).toMatchObject({
      "aria-invalid": true,
      "aria-describedby": "f-name-error f-name-hint",
    });
  });
});
