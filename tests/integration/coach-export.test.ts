/**
 * The bookings CSV over HTTP, against the built server in demo mode: signed out it sends you to
 * sign in; signed in as the owner it downloads the exact rows of a booking a client just made
 * through the wizard; bad dates are a 400 that says what to fix. Also: the review step of a paid
 * session leaves its funnel mark once, and a free one none.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server-harness";
import { FormClient, offeredStarts, type Page } from "./form-client";
import { readDb } from "./payment-support";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const HEADER =
  "id,status,start,end,client_timezone,service,coach,client_name,client_email,price,currency,refunded,created_at";

function expectRedirect(page: Page, location: string) {
  expect(page.status, page.html.slice(0, 300)).toBe(303);
  expect(page.location).toBe(location);
}

/** The owner, signed in with the password the server printed at its first start. */
async function signedInOwner(): Promise<FormClient> {
  const [, email, password] = server.output().match(/Coach login: (\S+) \/ (\S+)/) ?? [];
  expect(email).toBe("maya@example.com");
  const owner = new FormClient(server.url);
  expectRedirect(await owner.post("/login", { email: email!, password: password! }), "/coach");
  return owner;
}

/** A client walks the wizard to the review step of `service` with Maya, at the first time. */
async function atReview(service: string, client: { name: string; email: string }) {
  const browser = new FormClient(server.url);
  expectRedirect(await browser.post("/book/service", { service }), "/book/coach");
  expectRedirect(await browser.post("/book/coach", { coach: "maya-okafor" }), "/book/time");
  const slot = offeredStarts((await browser.get("/book/time")).html)[0]!;
  expectRedirect(await browser.post("/book/time", { startAt: slot }), "/book/details");
  expectRedirect(
    await browser.post("/book/details", { ...client, notes: "", timezone: "America/New_York" }),
    "/book/review",
  );
  expect((await browser.get("/book/review")).status).toBe(200);
  return { browser, slot };
}

const funnelRowsOf = (draftId: string) =>
  readDb<{ stage: string }>(server, "select stage from funnel_events where draft_id = ?", draftId);

describe("GET /coach/export", () => {
  it("sends someone signed out to sign in, and back afterwards", async () => {
    const page = await new FormClient(server.url).get(
      "/coach/export?from=2026-03-01&to=2026-03-31",
    );
    expectRedirect(
      page,
      `/login?redirectTo=${encodeURIComponent("/coach/export?from=2026-03-01&to=2026-03-31")}`,
    );
    expect(page.html).not.toContain("id,status");
  });

  it("downloads the owner's CSV with the row of a booking made through the wizard", async () => {
    const { browser, slot } = await atReview("intro-call", {
      name: "Ada, Countess of Lovelace",
      email: "ada@example.com",
    });
    expectRedirect(await browser.post("/book/review", { intent: "confirm" }), "/book/confirmed");
    const [booking] = readDb<{
      id: string;
      draft_id: string;
      start_at: number;
      end_at: number;
      created_at: number;
    }>(
      server,
      "select id, draft_id, start_at, end_at, created_at from bookings where client_email = 'ada@example.com'",
    );
    expect(booking!.start_at).toBe(Date.parse(slot));

    const london = (ms: number) =>
      DateTime.fromMillis(ms, { zone: "Europe/London" }).toISO({ suppressMilliseconds: true });
    const day = DateTime.fromMillis(booking!.start_at, { zone: "Europe/London" }).toISODate();
    const owner = await signedInOwner();
    const page = await owner.get(`/coach/export?from=${day}&to=${day}`);

    expect(page.status).toBe(200);
    expect(page.response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(page.response.headers.get("content-disposition")).toBe(
      `attachment; filename="bookings-${day}-to-${day}.csv"`,
    );
    expect(page.response.headers.get("cache-control")).toBe("no-store");
    expect(page.html).toBe(
      `${HEADER}\r\n` +
        [
          booking!.id,
          "confirmed",
          london(booking!.start_at),
          london(booking!.end_at),
          "America/New_York",
          "Free intro call",
          "Maya Okafor",
          '"Ada, Countess of Lovelace"',
          "ada@example.com",
          "0.00",
          "GBP",
          "0.00",
          new Date(booking!.created_at).toISOString(),
        ].join(",") +
        "\r\n",
    );
    // A free session leaves no mark in the payment funnel.
    expect(booking!.draft_id).toEqual(expect.any(String));
    expect(funnelRowsOf(booking!.draft_id)).toEqual([]);

    // The day before holds nothing: just the header.
    const before = DateTime.fromISO(day!).minus({ days: 1 }).toISODate();
    expect((await owner.get(`/coach/export?from=${before}&to=${before}`)).html).toBe(
      `${HEADER}\r\n`,
    );
  });

  it("answers bad or missing dates with a 400 that says what to fix", async () => {
    const owner = await signedInOwner();
    const cases: [string, string][] = [
      ["/coach/export", "Add from=YYYY-MM-DD to the address."],
      ["/coach/export?from=2026-03-01", "Add to=YYYY-MM-DD to the address."],
      ["/coach/export?from=1%20March&to=2026-03-31", "Write from as YYYY-MM-DD"],
      ["/coach/export?from=2026-02-30&to=2026-03-31", "from is not a date that exists."],
      ["/coach/export?from=2026-03-31&to=2026-03-01", "to must be the same day as from, or later."],
    ];
    for (const [path, message] of cases) {
      const page = await owner.get(path);
      expect(page.status, path).toBe(400);
      expect(page.response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(page.html, path).toContain(message);
    }
  });
});

describe("the payment funnel's first step", () => {
  it("records a paid session's draft reaching review once, however often it is shown", async () => {
    const { browser } = await atReview("coaching-session", {
      name: "Grace Hopper",
      email: "grace@example.com",
    });
    expect((await browser.get("/book/review")).status).toBe(200);
    const [draft] = readDb<{ id: string }>(
      server,
      "select id from booking_drafts where client_email = 'grace@example.com'",
    );
    expect(funnelRowsOf(draft!.id)).toEqual([{ stage: "reached_review" }]);
  });
});
