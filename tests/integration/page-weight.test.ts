/**
 * What a client's phone downloads for each step of the wizard, HTML only (the document with its
 * inlined data for React): under 30 KB each, the time step included, for clients far from the
 * coach (other regions' zones) and with a clock change in the week. Every zone in the world stays
 * a link away on the time step; only that page is allowed to be big, because it was asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server-harness";
import { FormClient, offeredStarts, type Page } from "./form-client";

const BUDGET_BYTES = 30 * 1024;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const weight = (page: Page) => Buffer.byteLength(page.html);

/** A client who says (by their browser's language) they are in `country`, walking the wizard. */
async function walk(acceptLanguage: string) {
  const client = new FormClient(server.url);
  const sized: Record<string, number> = {};
  const visit = async (path: string) => {
    const page = await client.request(path, { headers: { "Accept-Language": acceptLanguage } });
    expect(page.status, path).toBe(200);
    sized[path] = weight(page);
    return page;
  };
  await visit("/");
  await visit("/book/service");
  await client.post("/book/service", { service: "coaching-session" });
  await visit("/book/coach");
  await client.post("/book/coach", { coach: "maya-okafor" });
  const time = await visit("/book/time");
  const [start] = offeredStarts(time.html);
  await client.post("/book/time", { startAt: start! });
  const details = await visit("/book/details");
  const zone = details.html.match(/<option value="([^"]+)" selected=""/)?.[1];
  await client.post("/book/details", {
    name: "Ada Lovelace",
    email: "weight@example.com",
    notes: "",
    timezone: zone ?? "Europe/London",
  });
  await visit("/book/review");
  return { sized, zone };
}

describe("each step's HTML", () => {
  it.each([
    ["a client in London (the coach's zone)", "en-GB,en;q=0.9"],
    ["a client in New York (another region)", "en-US,en;q=0.9"],
    ["a client in Sydney (the other side of the world)", "en-AU"],
  ])("stays under 30 KB for %s", async (_who, acceptLanguage) => {
    const { sized } = await walk(acceptLanguage);
    expect(Object.keys(sized)).toEqual([
      "/",
      "/book/service",
      "/book/coach",
      "/book/time",
      "/book/details",
      "/book/review",
    ]);
    for (const [path, bytes] of Object.entries(sized))
      expect(bytes, `${path}: ${bytes} bytes`).toBeLessThan(BUDGET_BYTES);
  });

  it("shows times in the zone the browser's language suggests, and offers every zone on request", async () => {
    const client = new FormClient(server.url);
    await client.post("/book/service", { service: "coaching-session" });
    await client.post("/book/coach", { coach: "maya-okafor" });
    const guessed = await client.request("/book/time", { headers: { "Accept-Language": "de-DE" } });
    expect(guessed.html).toContain("We guessed it from your browser’s language settings");
    expect(guessed.html).toMatch(/<option value="Europe\/Berlin" selected="">Berlin \(GMT\+\d\)/);
    // Only the likely zones: Berlin and the coach's London.
    expect([...guessed.html.matchAll(/<option /g)]).toHaveLength(2);
    const link = guessed.html.match(/href="([^"]*zones=all[^"]*)"/)?.[1]?.replaceAll("&amp;", "&");
    expect(link).toBeDefined();
    const all = await client.request(link!, { headers: { "Accept-Language": "de-DE" } });
    expect(all.status).toBe(200);
    const options = [...all.html.matchAll(/<option /g)].length;
    expect(options).toBeGreaterThan(250);
    for (const region of ["Africa", "Americas", "Asia", "Australia", "Europe", "Pacific"])
      expect(all.html).toContain(`<optgroup label="${region}">`);
  });
});
