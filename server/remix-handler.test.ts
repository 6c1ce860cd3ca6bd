import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { fetchRequestOf } from "./remix-handler";

let server: Server | undefined;
afterEach(() => server?.close());

/** An app whose one route builds the fetch Request Remix would get, answers, and keeps it. */
async function serve(answer: (request: Request, res: express.Response) => Promise<void> | void) {
  const seen: Request[] = [];
  const app = express();
  app.set("trust proxy", "loopback");
  app.all("*", async (req, res) => {
    const request = fetchRequestOf(req, res);
    seen.push(request);
    await answer(request, res);
  });
  server = createServer(app).listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const aborted = (request: Request) =>
  request.signal.aborted
    ? Promise.resolve()
    : new Promise<void>((resolve) => request.signal.addEventListener("abort", () => resolve()));

describe("fetchRequestOf", () => {
  it("aborts the request's signal once its response is sent (Remix's per-request timer listens)", async () => {
    const { url, seen } = await serve((_request, res) => {
      res.type("text/plain").send("done");
    });
    const response = await fetch(`${url}/book/time`);
    expect(await response.text()).toBe("done");
    await aborted(seen[0]!);
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it("aborts it when the client goes away before the response", async () => {
    let gone!: () => void;
    const clientGone = new Promise<void>((resolve) => (gone = resolve));
    const { url, seen } = await serve(async (request) => {
      gone();
      await aborted(request);
    });
    const client = new AbortController();
    const pending = fetch(`${url}/slow`, { signal: client.signal }).catch(() => null);
    await clientGone;
    client.abort();
    await pending;
    await aborted(seen[0]!);
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it("carries the method, the full URL with its port, the headers and a form's body", async () => {
    const { url, seen } = await serve(async (request, res) => {
      res.json({ body: await request.text() });
    });
    const port = new URL(url).port;
    const response = await fetch(`${url}/book/details?week=2026-11-23`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-kairos-test": "yes" },
      body: "name=Ann&notes=caf%C3%A9",
    });
    expect(await response.json()).toEqual({ body: "name=Ann&notes=caf%C3%A9" });
    const request = seen[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`http://127.0.0.1:${port}/book/details?week=2026-11-23`);
    expect(request.headers.get("x-kairos-test")).toBe("yes");
  });

  it("takes the host and port a trusted proxy forwards", async () => {
    const { url, seen } = await serve((_request, res) => {
      res.end();
    });
    await fetch(`${url}/coach`, {
      headers: { "x-forwarded-host": "book.example.com:8443", "x-forwarded-proto": "https" },
    });
    expect(seen[0]!.url).toBe("https://book.example.com:8443/coach");
  });
});
