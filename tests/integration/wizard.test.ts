import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDataDir, startServer, type RunningServer } from "../server-harness";
import {
  decodeEntities,
  errorText,
  FormClient,
  isChecked,
  offeredStarts,
  weekStarts,
  type Page,
} from "./form-client";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const query = <T>(sql: string, ...params: unknown[]): T[] => {
  const db = new Database(server.databasePath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
};

function expectRedirect(page: Page, location: string) {
  expect(page.status, page.html.slice(0, 300)).toBe(303);
  expect(page.location).toBe(location);
}

/** Walks service → coach → time (first free slot) → details for a new client. */
async function clientAtReview(options: { coach?: string; slot?: string; email?: string } = {}) {
  const client = new FormClient(server.url);
  expectRedirect(await client.post("/book/service", { service: "intro-call" }), "/book/coach");
  expectRedirect(
    await client.post("/book/coach", { coach: options.coach ?? "maya-okafor" }),
    "/book/time",
  );
  const slot = options.slot ?? offeredStarts((await client.get("/book/time")).html)[0]!;
  expectRedirect(await client.post("/book/time", { startAt: slot }), "/book/details");
  expectRedirect(
    await client.post("/book/details", {
      name: "Ada Lovelace",
      email: options.email ?? "ada@example.com",
      notes: "",
      timezone: "Europe/London",
    }),
    "/book/review",
  );
  return { client, slot };
}

/** The first time offered on the page: its value (an instant) and what it reads. */
function firstSlot(html: string): { value: string; label: string } {
  const match = html.match(/name="startAt" value="([^"]+)"\/><span>(\d\d:\d\d)<\/span>/);
  if (!match) throw new Error("the page offers no time");
  return { value: match[1]!, label: match[2]! };
}

/** "09:30": the instant on the zone's 24-hour clock. */
const clockIn = (zone: string, iso: string) =>
  new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: zone,
  }).format(new Date(iso));

describe("a free booking with JavaScript off", () => {
  it("walks every step by form posts and redirects, switching timezone on the way", async () => {
    const client = new FormClient(server.url);

    // The home page's "Book" button posts the session; the draft cookie is set then.
    const home = await client.get("/");
    expect(home.html).toContain('name="service" value="intro-call"');
    const chosen = await client.post("/book/service", { service: "intro-call" });
    expectRedirect(chosen, "/book/coach");
    const cookie = client.lastSetCookie.get("kairos_draft")!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);

    const coachPage = await client.get("/book/coach");
    expect(coachPage.status).toBe(200);
    expect(coachPage.html).toContain("Step 2 of 5");
    expect(coachPage.html).toContain('href="/book/service"');
    expectRedirect(await client.post("/book/coach", { coach: "maya-okafor" }), "/book/time");

    const timePage = await client.get("/book/time");
    expect(timePage.html).toContain("Step 3 of 5");
    expect(timePage.html).toContain("London time");
    const londonStarts = await weekStarts(client, "/book/time");
    expect(londonStarts.length).toBeGreaterThan(0);
    // The times read in London time. (Which is the first depends on the hour the test runs: the
    // notice keeps the next morning's first times back in the evening.)
    expect(decodeEntities(timePage.html)).toContain("Times are in London time (GMT)");
    const inLondon = firstSlot(timePage.html);
    expect(inLondon.label).toBe(clockIn("Europe/London", inLondon.value));

    expectRedirect(
      await client.post("/book/time", { intent: "timezone", timezone: "America/New_York" }),
      "/book/time",
    );
    const newYorkPage = await client.get("/book/time");
    expect(newYorkPage.html).toContain("New York time");
    const inNewYork = firstSlot(newYorkPage.html);
    expect(inNewYork.label).toBe(clockIn("America/New_York", inNewYork.value));
    expect(inNewYork.label).not.toBe(inLondon.label);
    // The same instants, other labels, in the same seven days. Asked by the London week's first
    // day: from midnight in London to midnight in New York, the two zones' "today" differ.
    const londonWeek = timePage.html.match(/week=(\d{4}-\d{2}-\d{2})&(?:amp;)?day=/)![1];
    expect(await weekStarts(client, `/book/time?week=${londonWeek}`)).toEqual(londonStarts);

    const start = londonStarts[0]!;
    expectRedirect(await client.post("/book/time", { startAt: start }), "/book/details");
    const details = await client.get("/book/details");
    expect(details.html).toContain("Step 4 of 5");
    expect(details.html).toMatch(/<option value="America\/New_York" selected="">/);

    expectRedirect(
      await client.post("/book/details", {
        name: "Ada Lovelace",
        email: "ada@example.com",
        notes: "First time: hello!",
        timezone: "America/New_York",
        fax_number: "",
      }),
      "/book/review",
    );
    const review = await client.get("/book/review");
    expect(review.html).toContain("Step 5 of 5");
    expect(review.html).toContain("Free intro call");
    expect(review.html).toContain("Maya Okafor");
    expect(review.html).toContain("(New York time)");
    expect(decodeEntities(review.html)).toContain("“First time: hello!”");
    expect(review.html).toContain("Confirm booking");

    expectRedirect(await client.post("/book/review", { intent: "confirm" }), "/book/confirmed");
    const confirmed = await client.get("/book/confirmed");
    expect(confirmed.status).toBe(200);
    expect(decodeEntities(confirmed.html)).toContain("You’re booked in, Ada");
    expect(confirmed.html).toContain("(New York time)");

    const [booking] = query<Record<string, unknown>>(
      "select b.*, s.slug service, c.slug coach from bookings b join services s on s.id = b.service_id join coaches c on c.id = b.coach_id where client_email = 'ada@example.com' and client_notes = 'First time: hello!'",
    );
    expect(booking).toMatchObject({
      status: "confirmed",
      service: "intro-call",
      coach: "maya-okafor",
      start_at: Date.parse(start),
      end_at: Date.parse(start) + 15 * 60_000,
      client_name: "Ada Lovelace",
      client_timezone: "America/New_York",
      price_minor: 0,
    });
    expect(
      query(
        "select from_status, to_status, actor from booking_events where booking_id = ?",
        booking!.id,
      ),
    ).toEqual([{ from_status: null, to_status: "confirmed", actor: "client" }]);

    // Done: the wizard starts afresh, and the booked time is no longer offered.
    expectRedirect(await client.get("/book/review"), "/book/service");
    const again = new FormClient(server.url);
    await again.post("/book/service", { service: "intro-call" });
    await again.post("/book/coach", { coach: "maya-okafor" });
    expect(await weekStarts(again, "/book/time")).not.toContain(start);
  });

  it("skips the coach step when one coach gives the session", async () => {
    const client = new FormClient(server.url);
    expectRedirect(await client.post("/book/service", { service: "deep-dive" }), "/book/time");
    const time = await client.get("/book/time");
    expect(time.html).toContain("Step 2 of 4");
    expect(time.html).toContain('href="/book/service"');
    expectRedirect(await client.get("/book/coach"), "/book/time");
  });

  it("keeps every answer when going back two steps and forward again", async () => {
    const { client, slot } = await clientAtReview();
    const time = await client.get("/book/time");
    // The time chosen is open and checked: Continue keeps it.
    expect(isChecked(time.html, slot)).toBe(true);
    const coach = await client.get("/book/coach");
    expect(isChecked(coach.html, "maya-okafor")).toBe(true);
    expect(isChecked(coach.html, "daniel-reyes")).toBe(false);
    expectRedirect(await client.post("/book/coach", { coach: "maya-okafor" }), "/book/time");
    expectRedirect(await client.post("/book/time", { startAt: slot }), "/book/details");
    const details = await client.get("/book/details");
    expect(details.html).toContain('value="Ada Lovelace"');
    expect(details.html).toContain('value="ada@example.com"');
    expect((await client.get("/book/review")).status).toBe(200);
  });

  it("sends a step opened out of order to the first incomplete one", async () => {
    const stranger = new FormClient(server.url);
    for (const path of ["/book/coach", "/book/time", "/book/details", "/book/review", "/book"]) {
      expect((await stranger.get(path)).location).toBe("/book/service");
    }
    const halfway = new FormClient(server.url);
    await halfway.post("/book/service", { service: "coaching-session" });
    expect((await halfway.get("/book/details")).location).toBe("/book/coach");
    await halfway.post("/book/coach", { coach: "daniel-reyes" });
    expect((await halfway.get("/book/review")).location).toBe("/book/time");
    expect((await halfway.get("/book")).location).toBe("/book/time");
  });

  it("shows a paid session's review with a Continue to payment button", async () => {
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "coaching-session" });
    await client.post("/book/coach", { coach: "daniel-reyes" });
    const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
    await client.post("/book/time", { startAt: slot });
    await client.post("/book/details", {
      name: "Grace",
      email: "grace@example.com",
      timezone: "Europe/London",
    });
    const review = await client.get("/book/review");
    expect(decodeEntities(review.html)).toContain("Continue to payment (£45)");
    expect(review.html).not.toContain("Confirm booking");
    // The practice's cancellation policy, read before paying.
    expect(decodeEntities(review.html)).toContain(
      "You can cancel or move this booking yourself until 24 hours before it starts",
    );
    expect(decodeEntities(review.html)).toContain(
      "A full refund if you cancel at least 48 hours before, a 50% refund if you cancel at least 24 hours before; after that, no refund.",
    );
    // A forged confirm of a paid session books nothing.
    expect((await client.post("/book/review", { intent: "confirm" })).status).toBe(409);
    expect(query("select * from bookings where client_email = 'grace@example.com'")).toEqual([]);
  });
});

describe("bad input", () => {
  async function draftRow(client: FormClient) {
    void client;
    return query<Record<string, unknown>>(
      "select * from booking_drafts order by updated_at desc limit 1",
    )[0];
  }

  it("answers an empty step with 400 and a message by the field, at every step", async () => {
    const client = new FormClient(server.url);
    const service = await client.post("/book/service", {});
    expect(service.status).toBe(400);
    expect(errorText(service.html, "service-step-service-error")).toBe("Choose a session.");

    await client.post("/book/service", { service: "intro-call" });
    const coach = await client.post("/book/coach", {});
    expect(coach.status).toBe(400);
    expect(errorText(coach.html, "coach-step-coach-error")).toBe("Choose a coach.");

    await client.post("/book/coach", { coach: "maya-okafor" });
    const time = await client.post("/book/time", {});
    expect(time.status).toBe(400);
    expect(errorText(time.html, "startAt-error")).toBe("Choose one of the times shown.");

    await client.post("/book/time", {
      startAt: offeredStarts((await client.get("/book/time")).html)[0]!,
    });
    const details = await client.post("/book/details", {});
    expect(details.status).toBe(400);
    expect(errorText(details.html, "details-step-name-error")).toBe("Enter your name.");
    expect(errorText(details.html, "details-step-email-error")).toBe("Enter your email address.");
    expect(errorText(details.html, "details-step-timezone-error")).toBe("Choose your timezone.");
    expect(details.html).toMatch(
      /id="details-step-name"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="details-step-name"/,
    );
  });

  it("keeps every typed value when details are wrong, and stores none of them", async () => {
    const { client } = await clientAtReview();
    const before = await draftRow(client);
    const longNotes = "n".repeat(1001);
    const page = await client.post("/book/details", {
      name: "x".repeat(101),
      email: "not-an-email",
      notes: longNotes,
      timezone: "Mars/Olympus_Mons",
    });
    expect(page.status).toBe(400);
    expect(errorText(page.html, "details-step-name-error")).toBe(
      "Your name can be at most 100 characters.",
    );
    expect(errorText(page.html, "details-step-email-error")).toBe(
      "Enter an email address like name@example.com.",
    );
    expect(errorText(page.html, "details-step-notes-error")).toBe(
      "Notes can be at most 1,000 characters.",
    );
    expect(errorText(page.html, "details-step-timezone-error")).toBe(
      "Choose a timezone from the list.",
    );
    expect(page.html).toContain(`value="${"x".repeat(101)}"`);
    expect(page.html).toContain('value="not-an-email"');
    expect(page.html).toContain(longNotes);
    expect(await draftRow(client)).toEqual(before);
  });

  it("refuses a filled honeypot", async () => {
    const { client } = await clientAtReview({ email: "human@example.com" });
    const page = await client.post("/book/details", {
      name: "Bot",
      email: "bot@example.com",
      timezone: "Europe/London",
      fax_number: "+1 555 0100",
    });
    expect(page.status).toBe(400);
    expect(query("select * from booking_drafts where client_email = 'bot@example.com'")).toEqual(
      [],
    );
  });

  it.each([
    [
      "an unknown session",
      "/book/service",
      { service: "astrology" },
      "service-step-service-error",
      /isn’t available/,
    ],
    [
      "a malformed session id",
      "/book/service",
      { service: "<script>" },
      "service-step-service-error",
      /from the list/,
    ],
    [
      "repeated fields",
      "/book/service",
      { service: ["intro-call", "deep-dive"] },
      "service-step-service-error",
      /Choose a session/,
    ],
  ])("refuses %s with 400", async (_label, path, fields, errorId, message) => {
    const client = new FormClient(server.url);
    const page = await client.post(path, fields);
    expect(page.status).toBe(400);
    expect(decodeEntities(errorText(page.html, errorId) ?? "")).toMatch(message);
    expect(page.response.headers.getSetCookie()).toEqual([]); // no draft was made
  });

  it("refuses a coach who does not give the session, or who does not exist", async () => {
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "coaching-session" });
    for (const coach of ["nobody", "maya-okafor-2"]) {
      const page = await client.post("/book/coach", { coach });
      expect(page.status).toBe(400);
      expect(decodeEntities(errorText(page.html, "coach-step-coach-error")!)).toMatch(
        /doesn’t give this session/,
      );
    }
  });

  it("refuses times in the past, outside the coach's hours, off the grid, or malformed", async () => {
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "intro-call" });
    await client.post("/book/coach", { coach: "maya-okafor" });
    const offered = offeredStarts((await client.get("/book/time")).html);
    const first = Date.parse(offered[0]!);
    const sundayNight = new Date(first);
    sundayNight.setUTCDate(sundayNight.getUTCDate() + ((7 - sundayNight.getUTCDay()) % 7 || 7));
    sundayNight.setUTCHours(3, 0, 0, 0);
    for (const startAt of [
      "2020-01-06T09:00:00.000Z",
      sundayNight.toISOString(),
      new Date(first + 7 * 60_000).toISOString(),
      new Date(first + 400 * 24 * 3600_000).toISOString(),
    ]) {
      const page = await client.post("/book/time", { startAt });
      expect(page.status, startAt).toBe(400);
      expect(decodeEntities(errorText(page.html, "startAt-error")!)).toBe(
        "That time isn’t available. Choose one of the times shown.",
      );
    }
    const malformed = await client.post("/book/time", { startAt: "tomorrow at ten" });
    expect(malformed.status).toBe(400);
    expect(errorText(malformed.html, "startAt-error")).toBe("Choose one of the times shown.");
  });

  it("refuses a taken time", async () => {
    const { client, slot } = await clientAtReview({ email: "first@example.com" });
    expectRedirect(await client.post("/book/review", { intent: "confirm" }), "/book/confirmed");
    const late = new FormClient(server.url);
    await late.post("/book/service", { service: "intro-call" });
    await late.post("/book/coach", { coach: "maya-okafor" });
    expect((await late.post("/book/time", { startAt: slot })).status).toBe(400);
  });

  it("refuses a huge body with 413 before reading it", async () => {
    const client = new FormClient(server.url);
    const page = await client.post("/book/details", { name: "a".repeat(100_000) });
    expect(page.status).toBe(413);
  });
});

describe("the last free slot", () => {
  it("goes to exactly one of two clients confirming at once; the other keeps the rest of the form", async () => {
    const first = await clientAtReview({ email: "racer-one@example.com", coach: "daniel-reyes" });
    const second = await clientAtReview({
      email: "racer-two@example.com",
      coach: "daniel-reyes",
      slot: first.slot,
    });
    const [a, b] = await Promise.all([
      first.client.post("/book/review", { intent: "confirm" }),
      second.client.post("/book/review", { intent: "confirm" }),
    ]);
    const outcomes = [a.location, b.location].sort();
    expect(outcomes).toEqual(["/book/confirmed", "/book/time?taken=1"]);
    const booked = query<{ client_email: string }>(
      "select client_email from bookings where start_at = ? and coach_id = (select id from coaches where slug = 'daniel-reyes')",
      Date.parse(first.slot),
    );
    expect(booked).toHaveLength(1);

    const loser = a.location === "/book/time?taken=1" ? first.client : second.client;
    const time = await loser.get("/book/time?taken=1");
    expect(decodeEntities(time.html)).toContain("That time was just taken by someone else");
    expect(await weekStarts(loser, "/book/time?taken=1")).not.toContain(first.slot);
    const loserEmail = loser === first.client ? "racer-one@example.com" : "racer-two@example.com";
    const [draft] = query(
      "select client_name, start_at from booking_drafts where client_email = ?",
      loserEmail,
    );
    expect(draft).toMatchObject({ client_name: "Ada Lovelace", start_at: null });
    // Picking another time leads straight back to the details, still filled in.
    expectRedirect(
      await loser.post("/book/time", { startAt: offeredStarts(time.html)[0]! }),
      "/book/details",
    );
    expect((await loser.get("/book/details")).html).toContain('value="Ada Lovelace"');
  });
});

describe("the draft", () => {
  it("survives a server restart", async () => {
    const dataDir = makeDataDir();
    const restartable = await startServer({ dataDir });
    const client = new FormClient(restartable.url);
    await client.post("/book/service", { service: "intro-call" });
    await client.post("/book/coach", { coach: "maya-okafor" });
    await restartable.stop();
    // Same data folder (database and generated cookie secret), new process.
    const again = await startServer({ dataDir });
    try {
      const resumed = client.at(again.url);
      expect((await resumed.get("/book")).location).toBe("/book/time");
    } finally {
      await again.stop();
    }
  });

  it("is unreadable without its cookie, and a forged cookie is ignored", async () => {
    const { client } = await clientAtReview({ email: "private@example.com" });
    const forger = new FormClient(server.url);
    const draftId = query<{ id: string }>(
      "select id from booking_drafts where client_email = 'private@example.com'",
    )[0]!.id;
    const page = await forger.request("/book/review", {
      headers: { Cookie: `kairos_draft=${encodeURIComponent(JSON.stringify(draftId))}` },
    });
    expect(page.location).toBe("/book/service");
    expect(page.html).not.toContain("private@example.com");
    expect((await client.get("/book/review")).html).toContain("private@example.com");
  });

  it("has at least 128 random bits for an id", () => {
    const ids = query<{ id: string }>("select id from booking_drafts");
    expect(ids.length).toBeGreaterThan(0);
    for (const { id } of ids)
      expect(Buffer.from(id, "base64url").length).toBeGreaterThanOrEqual(16);
  });
});

describe("the session's questions", () => {
  type Asked = { id: number; kind: string; label: string };
  let asked: Asked[];
  let otherQuestion: Asked;

  /** A session added straight to the database, by Maya, with these questions. */
  function addService(
    slug: string,
    place: { kind: string; detail: string | null },
    questions: { kind: string; label: string; required: boolean; options?: string[] }[],
  ): Asked[] {
    const db = new Database(server.databasePath);
    try {
      db.pragma("busy_timeout = 5000");
      const { id } = db
        .prepare(
          "insert into services (slug, name, duration_minutes, price_minor, currency, location_kind, location_detail, sort_order) values (?, ?, 30, 0, 'gbp', ?, ?, 10) returning id",
        )
        .get(slug, `Session ${slug}`, place.kind, place.detail) as { id: number };
      db.prepare(
        "insert into coach_services (coach_id, service_id) select id, ? from coaches where slug = 'maya-okafor'",
      ).run(id);
      return questions.map(
        (question, position) =>
          db
            .prepare(
              "insert into service_questions (service_id, position, kind, label, required, options) values (?, ?, ?, ?, ?, ?) returning id, kind, label",
            )
            .get(
              id,
              position,
              question.kind,
              question.label,
              question.required ? 1 : 0,
              question.options ? JSON.stringify(question.options) : null,
            ) as Asked,
      );
    } finally {
      db.close();
    }
  }

  beforeAll(() => {
    asked = addService("intake-call", { kind: "address", detail: "12 Mill Lane\nLeeds" }, [
      { kind: "short_text", label: "What brings you here?", required: true },
      { kind: "long_text", label: "Anything else we should know?", required: false },
      {
        kind: "choice",
        label: "How did you hear of us?",
        required: true,
        options: ["A friend", "Online"],
      },
      { kind: "consent", label: "I agree to the practice’s terms.", required: true },
    ]);
    otherQuestion = addService(
      "room-call",
      { kind: "video_room", detail: "https://meet.jit.si/{room}" },
      [{ kind: "short_text", label: "Your phone number", required: false }],
    )[0]!;
  });

  const field = (question: Asked) => `answers.q${question.id}`;
  const errorOf = (html: string, question: Asked) =>
    decodeEntities(errorText(html, `details-step-answers.q${question.id}-error`) ?? "");
  const person = { name: "Ada Lovelace", email: "", notes: "Hello", timezone: "Europe/London" };

  /** A client on the details step of a session (its first free time). */
  async function clientAtDetails(service: string) {
    const client = new FormClient(server.url);
    // Maya alone gives it: no coach step.
    expectRedirect(await client.post("/book/service", { service }), "/book/time");
    const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
    expectRedirect(await client.post("/book/time", { startAt: slot }), "/book/details");
    return client;
  }

  const draftAnswers = (email: string) =>
    query<{ intake_answers: string | null }>(
      "select intake_answers from booking_drafts where client_email = ?",
      email,
    ).map((row) => (row.intake_answers ? JSON.parse(row.intake_answers) : null));

  it("asks them after the notes, each as the field its kind calls for", async () => {
    const client = await clientAtDetails("intake-call");
    const html = decodeEntities((await client.get("/book/details")).html);
    const [goal, extra, heard, consent] = asked as [Asked, Asked, Asked, Asked];
    expect(html.indexOf(goal.label)).toBeGreaterThan(html.indexOf("Notes for your coach"));
    expect(html.indexOf(consent.label)).toBeLessThan(html.indexOf("Your timezone"));
    expect(html).toMatch(new RegExp(`<input[^>]*name="${field(goal)}"[^>]*type="text"`));
    expect(html).toMatch(new RegExp(`<textarea[^>]*name="${field(extra)}"`));
    expect(html).toContain(
      'Anything else we should know? <span class="optional">(optional)</span>',
    );
    expect(html).toMatch(/<fieldset[^>]*><legend>How did you hear of us\? <\/legend>/);
    expect(html).toMatch(
      new RegExp(`<input type="radio"[^>]*name="${field(heard)}" value="Online"`),
    );
    expect(html).toMatch(
      new RegExp(`<input[^>]*name="${field(consent)}"[^>]*type="checkbox" value="yes"`),
    );
  });

  it("refuses missing and wrong answers with 400 by each field, keeping every typed value, storing nothing", async () => {
    const client = await clientAtDetails("intake-call");
    const before = query("select * from booking_drafts order by updated_at desc limit 1");
    const [goal, extra, heard, consent] = asked as [Asked, Asked, Asked, Asked];
    const page = await client.post("/book/details", {
      ...person,
      email: "intake-wrong@example.com",
      [field(goal)]: "   ",
      [field(extra)]: "e".repeat(2001),
      [field(heard)]: "Astrology",
    });
    expect(page.status).toBe(400);
    expect(errorOf(page.html, goal)).toBe("Answer this question.");
    expect(errorOf(page.html, extra)).toBe("Your answer can be at most 2,000 characters.");
    expect(errorOf(page.html, heard)).toBe("Choose one of the options.");
    expect(errorOf(page.html, consent)).toBe("Tick this box to book the session.");
    expect(page.html).toMatch(
      new RegExp(`id="details-step-answers\\.q${goal.id}"[^>]*aria-invalid="true"`),
    );
    expect(page.html).toContain(`>${"e".repeat(2001)}</textarea>`);
    expect(page.html).toContain('value="Ada Lovelace"');
    expect(page.html).toContain('value="intake-wrong@example.com"');
    expect(query("select * from booking_drafts order by updated_at desc limit 1")).toEqual(before);

    // A required short answer left out entirely, and the rest right: only that one is named.
    const one = await client.post("/book/details", {
      ...person,
      email: "intake-wrong@example.com",
      [field(heard)]: "Online",
      [field(consent)]: "yes",
    });
    expect(one.status).toBe(400);
    expect(errorOf(one.html, goal)).toBe("Answer this question.");
    expect(errorOf(one.html, heard)).toBe("");
    expect(errorOf(one.html, consent)).toBe("");
    expect(isChecked(one.html, "Online")).toBe(true);
    expect(draftAnswers("intake-wrong@example.com")).toEqual([]);
  });

  it("stores the answers by question id, shows them on the review, and books them with the place", async () => {
    const client = await clientAtDetails("intake-call");
    const [goal, , heard, consent] = asked as [Asked, Asked, Asked, Asked];
    expectRedirect(
      await client.post("/book/details", {
        ...person,
        email: "intake-ok@example.com",
        [field(goal)]: "  A new job  ",
        [field(heard)]: "A friend",
        [field(consent)]: "yes",
      }),
      "/book/review",
    );
    expect(draftAnswers("intake-ok@example.com")).toEqual([
      { [goal.id]: "A new job", [heard.id]: "A friend", [consent.id]: "yes" },
    ]);
    // Back on the details step, the answers are there.
    const again = await client.get("/book/details");
    expect(again.html).toMatch(new RegExp(`name="${field(goal)}"[^>]*value="A new job"`));
    expect(isChecked(again.html, "A friend")).toBe(true);
    expect(isChecked(again.html, "Online")).toBe(false);
    expect(again.html).toMatch(new RegExp(`name="${field(consent)}"[^>]*checked=""`));

    const review = decodeEntities((await client.get("/book/review")).html);
    expect(review).toContain("What brings you here?");
    expect(review).toContain("A new job");
    expect(review).toContain("I agree to the practice’s terms.");
    expect(review).toContain("Agreed");
    expect(review).not.toContain("Anything else we should know?"); // not answered

    expectRedirect(await client.post("/book/review", { intent: "confirm" }), "/book/confirmed");
    const [booking] = query<{ location: string; intake_answers: string }>(
      "select location, intake_answers from bookings where client_email = 'intake-ok@example.com'",
    );
    expect(booking!.location).toBe("12 Mill Lane\nLeeds");
    expect(JSON.parse(booking!.intake_answers)).toEqual([
      { question: "What brings you here?", kind: "short_text", answer: "A new job" },
      { question: "How did you hear of us?", kind: "choice", answer: "A friend" },
      { question: "I agree to the practice’s terms.", kind: "consent", answer: "yes" },
    ]);
    const confirmed = await client.get("/book/confirmed");
    expect(confirmed.html).toContain("12 Mill Lane<br/>Leeds");
  });

  it("never carries answers over to another session's questions", async () => {
    const client = await clientAtDetails("room-call");
    expectRedirect(
      await client.post("/book/details", {
        ...person,
        email: "switcher@example.com",
        [field(otherQuestion)]: "+44 20 7946 0000",
      }),
      "/book/review",
    );
    expect(draftAnswers("switcher@example.com")).toEqual([
      { [otherQuestion.id]: "+44 20 7946 0000" },
    ]);

    // Back to the first step for another session: its own questions, none of the other's answers.
    expectRedirect(await client.post("/book/service", { service: "intake-call" }), "/book/time");
    const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
    expectRedirect(await client.post("/book/time", { startAt: slot }), "/book/details");
    const details = await client.get("/book/details");
    expect(details.html).not.toContain("+44 20 7946 0000");
    expect(details.html).not.toContain(field(otherQuestion));
    // A forged answer to the other session's question is not stored either.
    const [goal, , heard, consent] = asked as [Asked, Asked, Asked, Asked];
    expectRedirect(
      await client.post("/book/details", {
        ...person,
        email: "switcher@example.com",
        [field(goal)]: "Focus",
        [field(heard)]: "Online",
        [field(consent)]: "yes",
        [field(otherQuestion)]: "+44 20 7946 0000",
      }),
      "/book/review",
    );
    expect(draftAnswers("switcher@example.com")).toEqual([
      { [goal.id]: "Focus", [heard.id]: "Online", [consent.id]: "yes" },
    ]);
  });

  it("sends a client back to the details when the session gains a required question", async () => {
    const client = await clientAtDetails("room-call");
    expectRedirect(
      await client.post("/book/details", { ...person, email: "late-question@example.com" }),
      "/book/review",
    );
    const db = new Database(server.databasePath);
    const serviceId = db
      .prepare("select id from services where slug = 'room-call'")
      .pluck()
      .get() as number;
    const { id } = db
      .prepare(
        "insert into service_questions (service_id, position, kind, label, required) values (?, 1, 'short_text', 'Your goal', 1) returning id",
      )
      .get(serviceId) as { id: number };
    db.close();
    try {
      expectRedirect(await client.get("/book/review"), "/book/details");
      expect(decodeEntities((await client.get("/book/details")).html)).toContain("Your goal");
      // A confirm posted from the old page books nothing, and asks the question.
      expectRedirect(await client.post("/book/review", { intent: "confirm" }), "/book/details");
      expect(
        query("select * from bookings where client_email = 'late-question@example.com'"),
      ).toEqual([]);
    } finally {
      const cleanup = new Database(server.databasePath);
      cleanup.prepare("delete from service_questions where id = ?").run(id);
      cleanup.close();
    }
  });

  it("shows a room of the booking's own as a link once booked", async () => {
    const client = await clientAtDetails("room-call");
    expectRedirect(
      await client.post("/book/details", { ...person, email: "room@example.com" }),
      "/book/review",
    );
    expectRedirect(await client.post("/book/review", { intent: "confirm" }), "/book/confirmed");
    const [booking] = query<{ location: string; intake_answers: string | null }>(
      "select location, intake_answers from bookings where client_email = 'room@example.com'",
    );
    expect(booking!.location).toMatch(/^https:\/\/meet\.jit\.si\/kairos-[\w-]{12}$/);
    expect(booking!.intake_answers).toBeNull(); // the optional question was not answered
    const confirmed = await client.get("/book/confirmed");
    expect(confirmed.html).toContain(`<a href="${booking!.location}">${booking!.location}</a>`);
  });
});
