/**
 * The owner's service editor over HTTP, as a browser with JavaScript off, against a server paying
 * through a Stripe emulator in this process: a paid service with two intake questions and a room
 * per booking is created, appears on the home page and in the wizard, is booked (answers required,
 * stored with the booking, the room on the return page), has its price changed (the booking keeps
 * its own), is deactivated (gone for clients, its booking kept for the coach); bad input is a 400
 * with messages by the fields and everything typed kept; unknown ids are 404s; a coach who is not
 * the owner gets 403 on every page and action. Each test checks the database, not only the page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, ownerLogin, signedIn, tableRows, text } from "./coach-support";
import { decodeEntities, errorText, FormClient, offeredStarts, type Page } from "./form-client";
import {
  bookingsOf,
  hostedPage,
  pressPay,
  readDb,
  startPaymentWorld,
  writeDb,
  type PaymentWorld,
} from "./payment-support";

let world: PaymentWorld;
let owner: FormClient;
let coach: FormClient;
let mayaId: number;
beforeAll(async () => {
  world = await startPaymentWorld();
  owner = await signedIn(world.server, ownerLogin(world.server));
  const daniel = await createAccount(world.server, {
    email: "daniel@example.com",
    name: "Daniel",
  });
  coach = await signedIn(world.server, { email: "daniel@example.com", password: daniel.password });
  mayaId = db<{ id: number }>("select id from coaches where slug = 'maya-okafor'")[0]!.id;
});
afterAll(() => world?.stop());

const db = <T = Record<string, unknown>>(sql: string, ...params: unknown[]) =>
  readDb<T>(world.server, sql, ...params);

type Fields = Record<string, string | string[]>;

/** The form of a paid 45-minute session by Maya in a room per booking, with two questions. */
const serviceForm = (changes: Fields = {}): Fields => ({
  intent: "save",
  name: "Career clarity session",
  description: "Forty-five minutes to untangle your next career move.",
  duration: "45",
  price: "62.50",
  currency: "gbp",
  coaches: [String(mayaId)],
  locationKind: "video_room",
  roomPattern: "https://meet.jit.si/northlight-{room}",
  address: "",
  phoneNote: "",
  "questions[0].kind": "short_text",
  "questions[0].label": "What would you like to leave with?",
  "questions[0].required": "on",
  "questions[0].options": "",
  "questions[1].kind": "consent",
  "questions[1].label": "I understand that coaching is not therapy.",
  "questions[1].options": "",
  "questions[2].kind": "short_text",
  "questions[2].label": "",
  "questions[2].options": "",
  ...changes,
});

function expectRedirect(page: Page, location: string) {
  expect(page.status, text(page.html).slice(0, 400)).toBe(303);
  expect(page.location).toBe(location);
}

/** The opening tag of the element with this id. */
function tagOf(html: string, id: string): string {
  const escaped = id.replace(/[[\].]/g, "\\$&");
  return html.match(new RegExp(`<(input|textarea|select)[^>]*id="${escaped}"[^>]*>`))?.[0] ?? "";
}

const serviceCount = () => db<{ n: number }>("select count(*) n from services")[0]!.n;

async function createService(changes: Fields = {}): Promise<number> {
  const page = await owner.post("/coach/services/new", serviceForm(changes));
  expect(page.status, text(page.html).slice(0, 600)).toBe(303);
  const id = Number(page.location?.match(/^\/coach\/services\/(\d+)\?done=created$/)?.[1]);
  expect(id).toBeGreaterThan(0);
  return id;
}

describe("a service from creation to deactivation", () => {
  it("is created, booked with its answers and room, repriced, and deactivated with its booking kept", async () => {
    // The list and the empty form.
    const list = await owner.get("/coach/services");
    expect(list.status).toBe(200);
    expect(list.html).toContain('href="/coach/services/new"');
    expect(text(list.html)).toContain("Add a service");
    const blank = await owner.get("/coach/services/new");
    expect(blank.status).toBe(200);
    expect(blank.html).toContain('name="questions[2].label"');
    expect(blank.html).not.toContain('name="questions[3].label"');

    // Created: the row, its coach, its questions (the consent required though not ticked).
    const id = await createService();
    const [service] = db("select * from services where id = ?", id);
    expect(service).toMatchObject({
      slug: "career-clarity-session",
      name: "Career clarity session",
      duration_minutes: 45,
      price_minor: 6250,
      currency: "gbp",
      active: 1,
      location_kind: "video_room",
      location_detail: "https://meet.jit.si/northlight-{room}",
    });
    expect(db("select coach_id from coach_services where service_id = ?", id)).toEqual([
      { coach_id: mayaId },
    ]);
    const questions = db<{ id: number; kind: string; label: string; required: number }>(
      "select id, kind, label, required from service_questions where service_id = ? order by position",
      id,
    );
    expect(questions.map((q) => [q.kind, q.required])).toEqual([
      ["short_text", 1],
      ["consent", 1],
    ]);
    const [goal, consent] = questions as [(typeof questions)[0], (typeof questions)[0]];

    const edit = await owner.get(`/coach/services/${id}?done=created`);
    expect(text(edit.html)).toContain("The service is created.");
    expect(tagOf(edit.html, "service-price")).toContain('value="62.50"');
    expect(edit.html).toContain('name="questions[4].label"'); // two questions and three blank rows
    expect(edit.html).not.toContain('name="questions[5].label"');
    expect(tableRows((await owner.get("/coach/services")).html, "Services")).toContain(
      "Career clarity session 45 minutes, 2 questions | Active | £62.50 | Maya Okafor | Video room per booking | 0",
    );

    // On the home page and in the wizard.
    const client = new FormClient(world.server.url);
    const home = decodeEntities((await client.get("/")).html);
    expect(home).toContain("Career clarity session");
    expect(home).toContain('name="service" value="career-clarity-session"');
    expect(text((await client.get("/book/service")).html)).toContain("Career clarity session");
    expectRedirect(
      await client.post("/book/service", { service: "career-clarity-session" }),
      "/book/time",
    );
    const slot = offeredStarts((await client.get("/book/time")).html)[0]!;
    expectRedirect(await client.post("/book/time", { startAt: slot }), "/book/details");
    const details = await client.get("/book/details");
    expect(decodeEntities(details.html)).toContain("What would you like to leave with?");
    expect(tagOf(details.html, `details-step-answers.q${consent.id}`)).toContain('type="checkbox"');

    // Unanswered: 400 by the fields, the rest kept, nothing stored.
    const person = {
      name: "Grace Hopper",
      email: "grace@example.com",
      notes: "Mornings suit me.",
      timezone: "Europe/London",
    };
    const missing = await client.post("/book/details", person);
    expect(missing.status).toBe(400);
    expect(errorText(missing.html, `details-step-answers.q${goal.id}-error`)).toBe(
      "Answer this question.",
    );
    expect(errorText(missing.html, `details-step-answers.q${consent.id}-error`)).toBe(
      "Tick this box to book the session.",
    );
    expect(tagOf(missing.html, "details-step-name")).toContain('value="Grace Hopper"');
    expect(missing.html).toContain("Mornings suit me.");
    expect(db("select * from booking_drafts where client_email = 'grace@example.com'")).toEqual([]);

    // Answered: stored by question id, shown on the review, copied to the booking with its room.
    expectRedirect(
      await client.post("/book/details", {
        ...person,
        [`answers.q${goal.id}`]: "A plan for my next role",
        [`answers.q${consent.id}`]: "yes",
      }),
      "/book/review",
    );
    const [draft] = db<{ intake_answers: string }>(
      "select intake_answers from booking_drafts where client_email = 'grace@example.com'",
    );
    expect(JSON.parse(draft!.intake_answers)).toEqual({
      [goal.id]: "A plan for my next role",
      [consent.id]: "yes",
    });
    const review = text((await client.get("/book/review")).html);
    expect(review).toContain("What would you like to leave with? A plan for my next role");
    expect(review).toContain("I understand that coaching is not therapy. Agreed");
    expect(review).toContain("Continue to payment (£62.50)");

    const { url } = await pressPay(client);
    const paid = await hostedPage(url, "pay");
    const back = await client.get(paid.path!);
    await world.emulator.webhooks.idle();
    const [booking] = bookingsOf(world.server, "grace@example.com");
    expect(booking).toMatchObject({ status: "confirmed" });
    const [stored] = db<{ price_minor: number; location: string; intake_answers: string }>(
      "select price_minor, location, intake_answers from bookings where id = ?",
      booking!.id,
    );
    expect(stored!.price_minor).toBe(6250);
    expect(stored!.location).toMatch(/^https:\/\/meet\.jit\.si\/northlight-kairos-[\w-]{12}$/);
    expect(JSON.parse(stored!.intake_answers)).toEqual([
      {
        question: "What would you like to leave with?",
        kind: "short_text",
        answer: "A plan for my next role",
      },
      { question: "I understand that coaching is not therapy.", kind: "consent", answer: "yes" },
    ]);
    expect(back.status).toBe(200);
    expect(back.html).toContain(`<a href="${stored!.location}">`);

    // A new price for new bookings only.
    expectRedirect(
      await owner.post(`/coach/services/${id}`, serviceForm({ price: "80" })),
      `/coach/services/${id}?done=saved`,
    );
    expect(db("select price_minor from services where id = ?", id)).toEqual([
      { price_minor: 8000 },
    ]);
    expect(db("select price_minor from bookings where id = ?", booking!.id)).toEqual([
      { price_minor: 6250 },
    ]);
    // The questions asked word for word keep their rows.
    expect(
      db<{ id: number }>(
        "select id from service_questions where service_id = ? order by position",
        id,
      ),
    ).toEqual([{ id: goal.id }, { id: consent.id }]);

    // Another client half-way through when it is deactivated.
    const late = new FormClient(world.server.url);
    await late.post("/book/service", { service: "career-clarity-session" });
    expectRedirect(
      await owner.post(`/coach/services/${id}`, { intent: "deactivate" }),
      `/coach/services/${id}?done=deactivated`,
    );
    expect(db("select active from services where id = ?", id)).toEqual([{ active: 0 }]);
    expect(decodeEntities((await client.get("/")).html)).not.toContain("Career clarity session");
    expect((await late.get("/book/time")).location).toBe("/book/service");
    expect(
      (
        await new FormClient(world.server.url).post("/book/service", {
          service: "career-clarity-session",
        })
      ).status,
    ).toBe(400);
    expect(bookingsOf(world.server, "grace@example.com")).toEqual([
      expect.objectContaining({ id: booking!.id, status: "confirmed" }),
    ]);
    const dashboard = text((await owner.get("/coach")).html);
    expect(dashboard).toContain("Grace Hopper");
    expect(dashboard).toContain("Career clarity session");
    expect(tableRows((await owner.get("/coach/services")).html, "Services")).toContain(
      "Career clarity session 45 minutes, 2 questions | Deactivated | £80 | Maya Okafor | Video room per booking | 1",
    );

    // It has a booking: never deleted.
    const refused = await owner.post(`/coach/services/${id}`, { intent: "delete" });
    expect(refused.status).toBe(409);
    expect(db("select id from services where id = ?", id)).toEqual([{ id }]);

    // And back again.
    expectRedirect(
      await owner.post(`/coach/services/${id}`, { intent: "activate" }),
      `/coach/services/${id}?done=activated`,
    );
    expect(decodeEntities((await client.get("/")).html)).toContain("Career clarity session");
  });

  it("deletes a service that was never booked, after asking", async () => {
    const id = await createService({ name: "Mistake" });
    const asking = await owner.get(`/coach/services/${id}?do=delete`);
    expect(text(asking.html)).toContain("Delete Mistake?");
    expectRedirect(
      await owner.post(`/coach/services/${id}`, { intent: "delete" }),
      "/coach/services?done=deleted",
    );
    expect(db("select * from services where id = ?", id)).toEqual([]);
    expect(db("select * from service_questions where service_id = ?", id)).toEqual([]);
    expect(text((await owner.get("/coach/services?done=deleted")).html)).toContain(
      "The service is deleted.",
    );
  });
});

describe("bad input", () => {
  it("answers 400 with each message by its field, everything typed kept, nothing stored", async () => {
    const before = serviceCount();
    const page = await owner.post(
      "/coach/services/new",
      serviceForm({
        name: "",
        duration: "50 minutes",
        price: "12.345",
        roomPattern: "http://meet.jit.si/{room}",
        "questions[2].kind": "choice",
        "questions[2].label": "Morning or evening?",
        "questions[2].options": "Mornings only",
      }),
    );
    expect(page.status).toBe(400);
    expect(decodeEntities(errorText(page.html, "service-name-error")!)).toBe(
      "Enter the session’s name.",
    );
    expect(errorText(page.html, "service-duration-error")).toBe(
      "Enter the length in whole minutes, like 30.",
    );
    expect(errorText(page.html, "service-price-error")).toBe(
      "Prices in GBP have at most 2 decimals, like 45.50.",
    );
    expect(errorText(page.html, "service-roomPattern-error")).toBe(
      "Enter a link starting with https://, like https://meet.jit.si/{room}.",
    );
    expect(errorText(page.html, "service-questions[2].options-error")).toBe(
      "Give at least two options, one per line.",
    );
    expect(tagOf(page.html, "service-name")).toContain('aria-invalid="true"');
    expect(tagOf(page.html, "service-name")).toContain('aria-describedby="service-name-error');
    expect(tagOf(page.html, "service-duration")).toContain('value="50 minutes"');
    expect(tagOf(page.html, "service-price")).toContain('value="12.345"');
    expect(tagOf(page.html, "service-questions[2].label")).toContain('value="Morning or evening?"');
    expect(page.html).toContain("Mornings only</textarea>");
    expect(tagOf(page.html, `service-coaches-${mayaId}`)).toContain('checked=""');
    expect(tagOf(page.html, "service-locationKind-video_room")).toContain('checked=""');
    expect(tagOf(page.html, "service-questions[0].required")).toContain('checked=""');
    expect(page.html).toMatch(/<option value="choice" selected="">/);
    expect(serviceCount()).toBe(before);
  });

  it("names the coach without a video link for a session at the coach's own link", async () => {
    writeDb(world.server, "update coaches set video_link = null where id = ?", mayaId);
    const before = serviceCount();
    const page = await owner.post(
      "/coach/services/new",
      serviceForm({ locationKind: "video_fixed" }),
    );
    expect(page.status).toBe(400);
    expect(errorText(page.html, "service-locationKind-error")).toBe(
      "Maya Okafor has no video link yet: add one to their profile first, or choose another place.",
    );
    expect(serviceCount()).toBe(before);
  });

  it("refuses an unknown coach and keeps the service as it was", async () => {
    const id = await createService({ name: "Steady session" });
    const page = await owner.post(
      `/coach/services/${id}`,
      serviceForm({ name: "Changed", coaches: ["99999"] }),
    );
    expect(page.status).toBe(400);
    expect(errorText(page.html, "service-coaches-error")).toBe("Choose coaches from the list.");
    expect(db("select name from services where id = ?", id)).toEqual([{ name: "Steady session" }]);
  });

  it("answers 404 for an id that is not a service's", async () => {
    for (const path of ["/coach/services/99999", "/coach/services/abc", "/coach/services/0"]) {
      expect((await owner.get(path)).status, path).toBe(404);
      expect((await owner.post(path, serviceForm())).status, path).toBe(404);
    }
  });
});

describe("who may use it", () => {
  it("is the owner's only: a coach gets 403 on every page and action, and nothing changes", async () => {
    const id = await createService({ name: "Owner only" });
    const before = serviceCount();
    for (const path of ["/coach/services", "/coach/services/new", `/coach/services/${id}`])
      expect((await coach.get(path)).status, path).toBe(403);
    expect((await coach.post("/coach/services/new", serviceForm())).status).toBe(403);
    expect((await coach.post(`/coach/services/${id}`, { intent: "deactivate" })).status).toBe(403);
    expect((await coach.post(`/coach/services/${id}`, serviceForm({ price: "1" }))).status).toBe(
      403,
    );
    expect(serviceCount()).toBe(before);
    expect(db("select active, price_minor from services where id = ?", id)).toEqual([
      { active: 1, price_minor: 6250 },
    ]);
  });

  it("sends a visitor who is not signed in to sign in", async () => {
    const visitor = new FormClient(world.server.url);
    expect((await visitor.get("/coach/services/new")).location).toBe(
      `/login?redirectTo=${encodeURIComponent("/coach/services/new")}`,
    );
    const before = serviceCount();
    expect((await visitor.post("/coach/services/new", serviceForm())).status).toBe(303);
    expect(serviceCount()).toBe(before);
  });
});
