/**
 * A real install from nothing, over HTTP against the built server: with Stripe keys it starts
 * empty (no demo practice) and the public pages say bookings are not open; the owner made with
 * `coach:create --owner` lands on the setup checklist; the practice's settings and the coaches are
 * edited in the browser, every bad input answered next to its field with the typed values kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator/index";
import { startServer, type RunningServer } from "../server-harness";
import { createAccount, signedIn, text } from "./coach-support";
import { errorText, FormClient } from "./form-client";
import { readDb } from "./payment-support";

let emulator: StripeEmulator;
let server: RunningServer;
let owner: FormClient;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  server = await startServer({
    env: {
      STRIPE_SECRET_KEY: "sk_test_real_install",
      STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
      STRIPE_API_BASE: emulator.url,
    },
  });
  const { password } = await createAccount(server, {
    email: "owner@practice.test",
    name: "Olive Owner",
    owner: true,
  });
  owner = await signedIn(server, { email: "owner@practice.test", password });
});
afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

const post = (path: string, fields: Record<string, string>) => owner.post(path, fields);

describe("an empty install", () => {
  it("has no demo practice, and says it is not taking bookings yet", async () => {
    expect(server.output()).not.toContain("Coach login:");
    expect(readDb(server, "select count(*) as n from coaches")).toEqual([{ n: 0 }]);
    const home = await new FormClient(server.url).get("/");
    expect(home.status).toBe(200);
    expect(text(home.html)).toContain("We’re not taking bookings online yet");
    expect(home.html).not.toContain('href="/book"');
    const wizard = await new FormClient(server.url).get("/book/service");
    expect(text(wizard.html)).toContain("We’re not taking bookings online yet");
  });

  it("sends the owner from the dashboard to the setup checklist, all four steps to do", async () => {
    const dashboard = await owner.get("/coach");
    expect(dashboard.location).toBe("/coach/setup");
    const setup = await owner.get("/coach/setup");
    expect(setup.status).toBe(200);
    expect((text(setup.html).match(/To do/g) ?? []).length).toBe(4);
  });
});

describe("practice settings", () => {
  it("refuses bad input next to each field, keeping what was typed, and stores nothing", async () => {
    const page = await post("/coach/practice", {
      name: "",
      contactEmail: "not an email",
      timezone: "Mars/Olympus",
      selfServiceNoticeHours: "-3",
      "tiers[0].hoursBefore": "48",
      "tiers[0].percent": "",
      "tiers[1].hoursBefore": "24",
      "tiers[1].percent": "150",
    });
    expect(page.status).toBe(400);
    expect(errorText(page.html, "practice-name-error")).toBe("Enter the practice’s name.");
    expect(errorText(page.html, "practice-contactEmail-error")).toMatch(/email address/);
    expect(errorText(page.html, "practice-timezone-error")).toBe(
      "Choose a timezone from the list.",
    );
    expect(errorText(page.html, "practice-selfServiceNoticeHours-error")).toMatch(/negative/);
    expect(errorText(page.html, "practice-tiers[0].percent-error")).toMatch(/both/);
    expect(errorText(page.html, "practice-tiers[1].percent-error")).toMatch(/at most 100/);
    expect(page.html).toContain('value="not an email"');
    expect(readDb(server, "select count(*) as n from practice_settings")).toEqual([{ n: 0 }]);
  });

  it("saves the practice and its policy, which reads back in words", async () => {
    const saved = await post("/coach/practice", {
      name: "Harbour Coaching",
      tagline: "",
      contactEmail: "hello@harbour.test",
      timezone: "Europe/Berlin",
      selfServiceNoticeHours: "12",
      "tiers[0].hoursBefore": "24",
      "tiers[0].percent": "50",
      "tiers[1].hoursBefore": "72",
      "tiers[1].percent": "100",
    });
    expect(saved.status).toBe(303);
    expect(
      readDb(
        server,
        "select name, contact_email, timezone, self_service_notice_hours, refund_policy from practice_settings",
      ),
    ).toEqual([
      {
        name: "Harbour Coaching",
        contact_email: "hello@harbour.test",
        timezone: "Europe/Berlin",
        self_service_notice_hours: 12,
        refund_policy: '[{"hoursBefore":72,"percent":100},{"hoursBefore":24,"percent":50}]',
      },
    ]);
    const page = await owner.get("/coach/practice");
    expect(text(page.html)).toContain(
      "A full refund if you cancel at least 72 hours before, a 50% refund if you cancel at least 24 hours before; after that, no refund.",
    );
    expect(text((await owner.get("/")).html)).toContain("Harbour Coaching");
  });
});

describe("coaches", () => {
  it("adds the owner as a coach without touching their password, and another with one shown once", async () => {
    const self = await post("/coach/coaches", {
      name: "Olive Owner",
      email: "owner@practice.test",
      timezone: "Europe/Berlin",
    });
    expect(self.status).toBe(200);
    expect(text(self.html)).toContain("Their existing account now opens their calendar.");
    const other = await post("/coach/coaches", {
      name: "Sam Coach",
      email: "sam@practice.test",
      timezone: "America/Chicago",
      bio: "Career changes.",
      videoLink: "https://video.example/sam",
    });
    expect(other.status).toBe(200);
    const password = text(other.html).match(/and the password (\S+) ?\./)?.[1];
    expect(password).toBeDefined();
    // The new coach can sign in with it and reaches their own calendar.
    const sam = await signedIn(server, { email: "sam@practice.test", password: password! });
    expect((await sam.get("/coach")).status).toBe(200);
    expect((await sam.get("/coach/coaches")).status).toBe(403);
    expect(
      readDb(
        server,
        "select c.name, c.video_link, u.role from coaches c join users u on u.coach_id = c.id order by c.id",
      ),
    ).toEqual([
      { name: "Olive Owner", video_link: null, role: "owner" },
      { name: "Sam Coach", video_link: "https://video.example/sam", role: "coach" },
    ]);
  });

  it("refuses a taken email, a bad timezone and an http link next to their fields", async () => {
    const page = await post("/coach/coaches", {
      name: "Dup",
      email: "SAM@practice.test",
      timezone: "Europe/Berlin",
      photoUrl: "http://insecure.example/p.jpg",
    });
    expect(page.status).toBe(400);
    expect(errorText(page.html, "add-coach-photoUrl-error")).toMatch(/https/);
    const taken = await post("/coach/coaches", {
      name: "Dup",
      email: "SAM@practice.test",
      timezone: "Europe/Berlin",
    });
    expect(taken.status).toBe(400);
    expect(errorText(taken.html, "add-coach-email-error")).toBe(
      "Another coach already has this email address.",
    );
    expect(readDb(server, "select count(*) as n from coaches")).toEqual([{ n: 2 }]);
  });

  it("edits a coach, deactivates and reactivates them; an unknown coach is 404", async () => {
    const [sam] = readDb<{ id: number }>(server, "select id from coaches where name = 'Sam Coach'");
    const edited = await post(`/coach/coaches/${sam!.id}`, {
      name: "Sam Coach",
      email: "sam@practice.test",
      timezone: "America/Denver",
      bio: "Career changes, and returns.",
    });
    expect(edited).toMatchObject({ status: 303, location: `/coach/coaches/${sam!.id}?done=saved` });
    const confirm = await owner.get(`/coach/coaches/${sam!.id}?do=deactivate`);
    expect(text(confirm.html)).toContain("Deactivate Sam Coach?");
    await post(`/coach/coaches/${sam!.id}`, { intent: "deactivate" });
    expect(readDb(server, `select timezone, active from coaches where id = ${sam!.id}`)).toEqual([
      { timezone: "America/Denver", active: 0 },
    ]);
    await post(`/coach/coaches/${sam!.id}`, { intent: "reactivate" });
    expect(readDb(server, `select active from coaches where id = ${sam!.id}`)).toEqual([
      { active: 1 },
    ]);
    expect((await owner.get("/coach/coaches/999999")).status).toBe(404);
    expect((await owner.get("/coach/coaches/nope")).status).toBe(404);
  });

  it("marks the checklist's first two steps done", async () => {
    const setup = text((await owner.get("/coach/setup")).html);
    expect((setup.match(/Done/g) ?? []).length).toBe(2);
  });
});
