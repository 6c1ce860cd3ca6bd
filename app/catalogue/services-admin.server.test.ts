/**
 * The owner's service editor below the HTTP layer, against a real SQLite file seeded with the demo
 * practice: every field of the form and the message a coach reads when it is wrong (all of them at
 * once), and the writes: create (unique slugs, coaches, questions), update (questions replaced, the
 * unchanged ones kept, so drafts keep their answers), deactivate and reactivate, delete only when
 * never booked, and a price change that leaves existing bookings' prices alone.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as lifecycle from "~/booking/lifecycle.server";
import { findServiceById, listBookableServices } from "~/catalogue/catalogue.server";
import type { Db } from "~db/database.server";
import { APP_URL, freshPractice, newBooking, offerOf, rows } from "../../tests/support/domain";
import {
  createService,
  currencyChoices,
  deleteUnbookedService,
  findServiceForEditing,
  formValuesOf,
  listCoachOptions,
  listServicesForAdmin,
  serviceFormSchema,
  setServiceActive,
  slugFromName,
  updateService,
  usualCurrency,
  type ServiceInput,
} from "./services-admin.server";

let db: Db;
let close: () => void;
beforeEach(async () => {
  ({ db, close } = await freshPractice());
});
afterEach(() => close());

const coachId = (slug: string) =>
  rows<{ id: number }>(db, "select id from coaches where slug = ?", slug)[0]!.id;

type Fields = Record<string, string | string[] | undefined>;

/** A complete, valid form: a paid video-room session by Maya with two questions and a blank row. */
const validFields = (): Fields => ({
  name: "  Walk and talk  ",
  description: "An hour outdoors.",
  duration: "60",
  price: "55.50",
  currency: "GBP",
  coaches: [String(coachId("maya-okafor"))],
  locationKind: "video_room",
  roomPattern: "https://meet.jit.si/{room}",
  address: "",
  phoneNote: "",
  "questions[0].kind": "short_text",
  "questions[0].label": "What would you like to work on?",
  "questions[0].required": "on",
  "questions[0].options": "",
  "questions[1].kind": "consent",
  "questions[1].label": "I agree to the practice’s terms.",
  "questions[1].options": "",
  "questions[2].kind": "short_text",
  "questions[2].label": "",
  "questions[2].options": "",
});

function formData(fields: Fields): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) data.append(name, item);
  }
  return data;
}

function parse(fields: Fields) {
  const schema = serviceFormSchema({
    coaches: listCoachOptions(db),
    currencies: currencyChoices(),
  });
  return parseWithZod(formData(fields), { schema });
}

/** The messages by field of a submission that should fail. */
function errorsOf(fields: Fields): Record<string, string[] | null> {
  const submission = parse(fields);
  expect(submission.status).toBe("error");
  return submission.status === "error" ? (submission.error ?? {}) : {};
}

/** The service a valid form means. */
function inputOf(fields: Fields): ServiceInput {
  const submission = parse(fields);
  if (submission.status !== "success")
    throw new Error(`expected a valid form: ${JSON.stringify(submission.error)}`);
  return submission.value;
}

const setVideoLink = (slug: string, link: string | null) =>
  db.$client.prepare("update coaches set video_link = ? where slug = ?").run(link, slug);

describe("the service form", () => {
  it("turns a valid form into a service: trimmed, price in minor units, blank rows left out, consent required", () => {
    expect(inputOf(validFields())).toEqual({
      name: "Walk and talk",
      description: "An hour outdoors.",
      durationMinutes: 60,
      priceMinor: 5550,
      currency: "gbp",
      coachIds: [coachId("maya-okafor")],
      location: { kind: "video_room", detail: "https://meet.jit.si/{room}" },
      questions: [
        {
          kind: "short_text",
          label: "What would you like to work on?",
          required: true,
          options: [],
        },
        // Not ticked as required, and required all the same.
        { kind: "consent", label: "I agree to the practice’s terms.", required: true, options: [] },
      ],
    });
  });

  it("reads zero as free, whole amounts, amounts with a symbol, and currencies without decimals", () => {
    expect(inputOf({ ...validFields(), price: "0" }).priceMinor).toBe(0);
    expect(inputOf({ ...validFields(), price: "45" }).priceMinor).toBe(4500);
    expect(inputOf({ ...validFields(), price: "£1,200.5" }).priceMinor).toBe(120050);
    expect(inputOf({ ...validFields(), price: "4500", currency: "jpy" })).toMatchObject({
      priceMinor: 4500,
      currency: "jpy",
    });
  });

  it("keeps a choice's options one per line, and only a choice's", () => {
    const input = inputOf({
      ...validFields(),
      "questions[2].kind": "choice",
      "questions[2].label": "How did you hear of us?",
      "questions[2].options": "A friend\r\n\r\n  Online  \nA talk\n",
      "questions[3].kind": "long_text",
      "questions[3].label": "Anything else?",
      "questions[3].options": "stray text",
    });
    expect(input.questions.slice(2)).toEqual([
      {
        kind: "choice",
        label: "How did you hear of us?",
        required: false,
        options: ["A friend", "Online", "A talk"],
      },
      { kind: "long_text", label: "Anything else?", required: false, options: [] },
    ]);
  });

  it("stores the detail of the chosen place only", () => {
    const place = (fields: Fields) => inputOf({ ...validFields(), ...fields }).location;
    expect(place({ locationKind: "address", address: "12 Mill Lane\nLeeds" })).toEqual({
      kind: "address",
      detail: "12 Mill Lane\nLeeds",
    });
    expect(place({ locationKind: "phone", phoneNote: "Maya calls you." })).toEqual({
      kind: "phone",
      detail: "Maya calls you.",
    });
    expect(place({ locationKind: "phone" })).toEqual({ kind: "phone", detail: null });
    expect(place({ locationKind: "none" })).toEqual({ kind: "none", detail: null });
    setVideoLink("maya-okafor", "https://meet.example.com/maya");
    expect(place({ locationKind: "video_fixed" })).toEqual({ kind: "video_fixed", detail: null });
  });

  it.each<[string, Fields, string, string]>([
    ["no name", { name: "" }, "name", "Enter the session’s name."],
    ["a blank name", { name: "   " }, "name", "Enter the session’s name."],
    ["a long name", { name: "n".repeat(101) }, "name", "The name can be at most 100 characters."],
    [
      "a long description",
      { description: "d".repeat(1001) },
      "description",
      "The description can be at most 1,000 characters.",
    ],
    ["no length", { duration: "" }, "duration", "Enter how long the session lasts, in minutes."],
    [
      "a length in words",
      { duration: "an hour" },
      "duration",
      "Enter the length in whole minutes, like 30.",
    ],
    [
      "a fractional length",
      { duration: "30.5" },
      "duration",
      "Enter the length in whole minutes, like 30.",
    ],
    ["too short", { duration: "0" }, "duration", "A session lasts at least 5 minutes."],
    ["too long", { duration: "485" }, "duration", "A session lasts at most 480 minutes (8 hours)."],
    [
      "off the 5-minute grid",
      { duration: "32" },
      "duration",
      "Use steps of 5 minutes: 25, 30, 45…",
    ],
    ["no price", { price: "" }, "price", "Enter a price, or 0 for a free session."],
    ["a negative price", { price: "-5" }, "price", "The price can’t be negative."],
    [
      "a price in words",
      { price: "forty" },
      "price",
      "Enter a price like 45 or 45.50, or 0 for a free session.",
    ],
    [
      "too many decimals",
      { price: "45.555" },
      "price",
      "Prices in GBP have at most 2 decimals, like 45.50.",
    ],
    [
      "decimals in yen",
      { price: "4500.5", currency: "jpy" },
      "price",
      "Prices in JPY are whole numbers, like 4500.",
    ],
    [
      "a price Stripe would refuse",
      { price: "1000000" },
      "price",
      "The price can be at most 999999.99 GBP.",
    ],
    ["no currency", { currency: "" }, "currency", "Choose a currency."],
    ["an unknown currency", { currency: "xyz" }, "currency", "Choose a currency from the list."],
    ["an unknown coach", { coaches: ["999"] }, "coaches", "Choose coaches from the list."],
    ["no place", { locationKind: "" }, "locationKind", "Choose where the session takes place."],
    [
      "an unknown place",
      { locationKind: "moon" },
      "locationKind",
      "Choose where the session takes place.",
    ],
    [
      "a room without a link",
      { roomPattern: "" },
      "roomPattern",
      "Enter the link for the rooms, like https://meet.jit.si/{room}.",
    ],
    [
      "a room link over http",
      { roomPattern: "http://meet.jit.si/{room}" },
      "roomPattern",
      "Enter a link starting with https://, like https://meet.jit.si/{room}.",
    ],
    [
      "a room link that is no link",
      { roomPattern: "meet jit si" },
      "roomPattern",
      "Enter a link starting with https://, like https://meet.jit.si/{room}.",
    ],
    [
      "an address left empty",
      { locationKind: "address", address: "" },
      "address",
      "Enter the address where the session takes place.",
    ],
    [
      "options without a question",
      { "questions[2].kind": "choice", "questions[2].options": "Yes\nNo" },
      "questions[2].label",
      "Write the question, or clear its options to leave this row out.",
    ],
    [
      "a choice of one",
      {
        "questions[2].kind": "choice",
        "questions[2].label": "Pick",
        "questions[2].options": "Only",
      },
      "questions[2].options",
      "Give at least two options, one per line.",
    ],
    [
      "a choice without options",
      { "questions[0].kind": "choice" },
      "questions[0].options",
      "Give at least two options, one per line.",
    ],
    [
      "a choice of the same twice",
      {
        "questions[2].kind": "choice",
        "questions[2].label": "Pick",
        "questions[2].options": "A\nA",
      },
      "questions[2].options",
      "Each option must be different.",
    ],
    [
      "a choice of eleven",
      {
        "questions[2].kind": "choice",
        "questions[2].label": "Pick",
        "questions[2].options": Array.from({ length: 11 }, (_, i) => `Option ${i}`).join("\n"),
      },
      "questions[2].options",
      "Give at most 10 options.",
    ],
    [
      "a long option",
      {
        "questions[2].kind": "choice",
        "questions[2].label": "Pick",
        "questions[2].options": `A\n${"o".repeat(101)}`,
      },
      "questions[2].options",
      "Each option can be at most 100 characters.",
    ],
    [
      "a long question",
      { "questions[2].label": "q".repeat(301) },
      "questions[2].label",
      "A question can be at most 300 characters.",
    ],
    [
      "an unknown kind of question",
      { "questions[1].kind": "essay" },
      "questions[1].kind",
      "Choose what kind of question this is.",
    ],
    [
      "a forged required box",
      { "questions[0].required": "yes" },
      "questions[0].required",
      "Tick the box, or leave it empty.",
    ],
  ])("refuses %s with a message by the field", (_case, change, field, message) => {
    expect(errorsOf({ ...validFields(), ...change })[field]).toEqual([message]);
  });

  it("says which chosen coach has no video link for a session at the coach's own link", () => {
    setVideoLink("maya-okafor", "https://meet.example.com/maya");
    const both = [String(coachId("maya-okafor")), String(coachId("daniel-reyes"))];
    expect(errorsOf({ ...validFields(), locationKind: "video_fixed", coaches: both })).toEqual({
      locationKind: [
        "Daniel Reyes has no video link yet: add one to their profile first, or choose another place.",
      ],
    });
    setVideoLink("maya-okafor", null);
    expect(
      errorsOf({ ...validFields(), locationKind: "video_fixed", coaches: both }).locationKind,
    ).toEqual([
      "Daniel Reyes and Maya Okafor have no video link yet: add one to their profile first, or choose another place.",
    ]);
  });

  it("refuses an eleventh question", () => {
    const eleven: Fields = {};
    for (let i = 0; i < 11; i++) {
      eleven[`questions[${i}].kind`] = "short_text";
      eleven[`questions[${i}].label`] = `Question ${i}`;
    }
    const fields = { ...validFields(), ...eleven };
    expect(errorsOf(fields).questions).toEqual([
      "A session can ask at most 10 questions: clear 1 of them.",
    ]);
    delete fields["questions[10].kind"];
    delete fields["questions[10].label"];
    expect(inputOf(fields).questions).toHaveLength(10);
  });

  it("reports every wrong field at once, even when one is missing altogether", () => {
    expect(
      Object.keys(
        errorsOf({
          ...validFields(),
          name: undefined,
          duration: "7",
          price: "-1",
          roomPattern: "ftp://x",
          "questions[2].kind": "choice",
          "questions[2].label": "Pick one",
        }),
      ).sort(),
    ).toEqual(["duration", "name", "price", "questions[2].options", "roomPattern"]);
  });

  it("refuses repeated fields", () => {
    expect(errorsOf({ ...validFields(), name: ["A", "B"] }).name).toEqual([
      "Enter the session’s name.",
    ]);
  });

  it("starts a new service's form empty, in the usual currency, with the suggested room link", () => {
    expect(formValuesOf(null, usualCurrency(db))).toMatchObject({
      name: "",
      price: "",
      currency: "gbp",
      coaches: [],
      locationKind: "none",
      roomPattern: "https://meet.jit.si/{room}",
      questions: [],
    });
  });
});

describe("writing services", () => {
  const serviceRow = (id: number) =>
    rows<Record<string, unknown>>(db, "select * from services where id = ?", id)[0];
  const questionRows = (id: number) =>
    rows<{
      id: number;
      position: number;
      kind: string;
      label: string;
      required: number;
      options: string | null;
    }>(
      db,
      "select id, position, kind, label, required, options from service_questions where service_id = ? order by position",
      id,
    );
  const giverRows = (id: number) =>
    rows<{ slug: string }>(
      db,
      "select c.slug from coach_services cs join coaches c on c.id = cs.coach_id where cs.service_id = ? order by c.slug",
      id,
    ).map((row) => row.slug);

  it("creates a service with a slug from its name, last in the list, with its coaches and questions", () => {
    const id = createService(db, inputOf(validFields()));
    expect(serviceRow(id)).toMatchObject({
      slug: "walk-and-talk",
      name: "Walk and talk",
      description: "An hour outdoors.",
      duration_minutes: 60,
      price_minor: 5550,
      currency: "gbp",
      active: 1,
      sort_order: 3,
      location_kind: "video_room",
      location_detail: "https://meet.jit.si/{room}",
    });
    expect(giverRows(id)).toEqual(["maya-okafor"]);
    expect(questionRows(id)).toEqual([
      expect.objectContaining({ position: 0, kind: "short_text", required: 1, options: null }),
      expect.objectContaining({ position: 1, kind: "consent", required: 1, options: null }),
    ]);
    // Maya has working hours: clients can book it now.
    expect(listBookableServices(db).map((s) => s.slug)).toContain("walk-and-talk");
  });

  it("makes slugs unique and readable", () => {
    const first = createService(db, inputOf(validFields()));
    const second = createService(db, inputOf(validFields()));
    expect([serviceRow(first)!.slug, serviceRow(second)!.slug]).toEqual([
      "walk-and-talk",
      "walk-and-talk-2",
    ]);
    expect(slugFromName("Café & Crème: 1:1 coaching!")).toBe("cafe-creme-1-1-coaching");
    expect(slugFromName("日本語")).toBe("session");
    expect(slugFromName("x".repeat(80))).toHaveLength(56);
    expect(slugFromName("Free intro call")).toBe("free-intro-call");
  });

  it("stores a choice's options as a JSON array", () => {
    const id = createService(
      db,
      inputOf({
        ...validFields(),
        "questions[2].kind": "choice",
        "questions[2].label": "Morning or evening?",
        "questions[2].options": "Morning\nEvening",
      }),
    );
    expect(questionRows(id)[2]).toMatchObject({
      kind: "choice",
      options: JSON.stringify(["Morning", "Evening"]),
    });
  });

  it("updates every field but the slug, and replaces the coaches", () => {
    const id = createService(db, inputOf(validFields()));
    expect(
      updateService(
        db,
        id,
        inputOf({
          ...validFields(),
          name: "Walk, talk and tea",
          duration: "90",
          price: "0",
          coaches: [String(coachId("daniel-reyes"))],
          locationKind: "address",
          address: "The park gates",
        }),
      ),
    ).toBe(true);
    expect(serviceRow(id)).toMatchObject({
      slug: "walk-and-talk",
      name: "Walk, talk and tea",
      duration_minutes: 90,
      price_minor: 0,
      location_kind: "address",
      location_detail: "The park gates",
    });
    expect(giverRows(id)).toEqual(["daniel-reyes"]);
    expect(updateService(db, 9999, inputOf(validFields()))).toBe(false);
  });

  it("replaces the questions: a question asked word for word keeps its row, others go or come", () => {
    const id = createService(db, inputOf(validFields()));
    const [kept, dropped] = questionRows(id);
    updateService(
      db,
      id,
      inputOf({
        ...validFields(),
        // The consent is cleared (gone), a new question comes first, the first one moves down
        // and stops being required.
        "questions[0].kind": "long_text",
        "questions[0].label": "Tell us about your goals.",
        "questions[0].required": undefined,
        "questions[1].kind": "short_text",
        "questions[1].label": "What would you like to work on?",
        "questions[1].required": undefined,
        "questions[2].kind": "short_text",
        "questions[2].label": "",
      }),
    );
    const after = questionRows(id);
    expect(after).toEqual([
      expect.objectContaining({
        position: 0,
        kind: "long_text",
        label: "Tell us about your goals.",
      }),
      { ...kept!, position: 1, required: 0 },
    ]);
    expect(after[0]!.id).not.toBe(dropped!.id);
    expect(rows(db, "select * from service_questions where id = ?", dropped!.id)).toEqual([]);

    updateService(
      db,
      id,
      inputOf({ ...validFields(), "questions[0].label": "", "questions[1].label": "" }),
    );
    expect(questionRows(id)).toEqual([]);
  });

  it("never changes the price of a booking already made", () => {
    const offer = offerOf(db, "coaching-session");
    const now = new Date();
    const held = lifecycle.hold(db, newBooking(db, offer), {
      actor: "client",
      at: now,
      holdExpiresAt: new Date(now.getTime() + 30 * 60_000),
    });
    expect(held.ok).toBe(true);
    const service = findServiceForEditing(db, offer.service.id)!;
    updateService(db, service.id, {
      ...inputOf({ ...validFields(), name: service.name, price: "60" }),
      coachIds: service.coachIds,
    });
    expect(serviceRow(service.id)!.price_minor).toBe(6000);
    expect(
      rows(db, "select price_minor, currency from bookings where service_id = ?", service.id),
    ).toEqual([{ price_minor: 4500, currency: "gbp" }]);
  });

  it("deactivates: gone from the public pages and the wizard, bookings kept; reactivates", () => {
    const offer = offerOf(db, "intro-call");
    lifecycle.confirmFree(db, newBooking(db, offer), {
      actor: "client",
      at: new Date(),
      appUrl: APP_URL,
    });
    const id = offer.service.id;
    expect(setServiceActive(db, id, false)).toBe(true);
    expect(listBookableServices(db).map((s) => s.id)).not.toContain(id);
    expect(findServiceById(db, id)).toBeNull();
    expect(rows(db, "select status from bookings where service_id = ?", id)).toEqual([
      { status: "confirmed" },
    ]);
    expect(listServicesForAdmin(db).at(-1)).toMatchObject({
      id,
      active: false,
      bookable: false,
      bookingCount: 1,
    });

    expect(setServiceActive(db, id, true)).toBe(true);
    expect(listBookableServices(db).map((s) => s.id)).toContain(id);
    expect(setServiceActive(db, 9999, false)).toBe(false);
  });

  it("deletes a service never booked, with its questions; refuses one with bookings", () => {
    const id = createService(db, inputOf(validFields()));
    expect(deleteUnbookedService(db, id)).toBe("deleted");
    expect(serviceRow(id)).toBeUndefined();
    expect(questionRows(id)).toEqual([]);
    expect(giverRows(id)).toEqual([]);
    expect(deleteUnbookedService(db, id)).toBe("not_found");

    const offer = offerOf(db, "intro-call");
    lifecycle.confirmFree(db, newBooking(db, offer), {
      actor: "client",
      at: new Date(),
      appUrl: APP_URL,
    });
    expect(deleteUnbookedService(db, offer.service.id)).toBe("has_bookings");
    expect(serviceRow(offer.service.id)).toBeDefined();
  });

  it("lists every service with its coaches, questions and bookings, active ones first", () => {
    const id = createService(db, inputOf(validFields()));
    setServiceActive(db, offerOf(db, "deep-dive").service.id, false);
    const listed = listServicesForAdmin(db);
    expect(listed.map((s) => [s.name, s.active, s.bookable])).toEqual([
      ["Free intro call", true, true],
      ["Coaching session", true, true],
      ["Walk and talk", true, true],
      ["Deep-dive session", false, false],
    ]);
    expect(listed.find((s) => s.id === id)).toMatchObject({
      coachNames: ["Maya Okafor"],
      questionCount: 2,
      bookingCount: 0,
      priceMinor: 5550,
      locationKind: "video_room",
    });
    expect(listed[1]!.coachNames).toEqual(["Daniel Reyes", "Maya Okafor"]);
  });

  it("reads one service for its form, and nothing for an unknown id", () => {
    const id = createService(db, inputOf(validFields()));
    const service = findServiceForEditing(db, id)!;
    expect(formValuesOf(service, "eur")).toEqual({
      name: "Walk and talk",
      description: "An hour outdoors.",
      duration: "60",
      price: "55.50",
      currency: "gbp",
      coaches: [String(coachId("maya-okafor"))],
      locationKind: "video_room",
      roomPattern: "https://meet.jit.si/{room}",
      address: "",
      phoneNote: "",
      questions: [
        {
          kind: "short_text",
          label: "What would you like to work on?",
          required: "on",
          options: "",
        },
        { kind: "consent", label: "I agree to the practice’s terms.", required: "on", options: "" },
      ],
    });
    expect(findServiceForEditing(db, 9999)).toBeNull();
  });
});
