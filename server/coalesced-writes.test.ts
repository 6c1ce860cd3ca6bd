import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { brotliDecompressSync } from "node:zlib";
import compression from "compression";
import express, { type RequestHandler } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { coalescedWrites } from "./coalesced-writes";

const nextTurn = promisify(setTimeout);

/** Counts what reaches the layer below (compression), as the writes coalescedWrites makes. */
function countWrites(counts: { writes: number; flushes: number }): RequestHandler {
  return (_req, res, next) => {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const flushable = res as typeof res & { flush?: () => void };
    const flush = flushable.flush?.bind(res);
    res.write = ((...args: unknown[]) => {
      counts.writes++;
      return write(...args);
    }) as typeof res.write;
    flushable.flush = () => {
      counts.flushes++;
      flush?.();
    };
    next();
  };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(handler: RequestHandler, counts: { writes: number; flushes: number }) {
  const app = express();
  app.use(compression());
  app.get("/", countWrites(counts), coalescedWrites, handler);
  server = createServer(app).listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** The raw bytes as sent (fetch would decompress them), and the encoding they were sent in. */
async function getCompressed(url: string) {
  const { request } = await import("node:http");
  return new Promise<{ body: Buffer; encoding: string | undefined }>((resolve, reject) => {
    request(url, { headers: { "accept-encoding": "br" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ body: Buffer.concat(chunks), encoding: res.headers["content-encoding"] }),
      );
    })
      .on("error", reject)
      .end();
  });
}

describe("coalescedWrites", () => {
  it("gathers what is written and flushed in one turn into one write, the bytes intact", async () => {
    const counts = { writes: 0, flushes: 0 };
    const chunks = Array.from({ length: 300 }, (_, i) => `<p>chunk ${i} ünïcode</p>`);
    const url = await serve((_req, res) => {
      res.type("html");
      const flushable = res as typeof res & { flush: () => void };
      for (const chunk of chunks.slice(0, -1)) {
        res.write(chunk.slice(0, 5));
        res.write(Buffer.from(chunk.slice(5)));
        flushable.flush();
      }
      res.end(chunks.at(-1));
    }, counts);

    const { body, encoding } = await getCompressed(url);

    expect(encoding).toBe("br");
    expect(brotliDecompressSync(body).toString("utf8")).toBe(chunks.join(""));
    // Everything was written in one turn: nothing reached compression before end.
    expect(counts).toEqual({ writes: 0, flushes: 0 });
  });

  it("still streams: what is written in an earlier turn is sent (and flushed) then", async () => {
    const counts = { writes: 0, flushes: 0 };
    const doneCalled: string[] = [];
    const url = await serve(async (_req, res) => {
      res.type("text");
      res.write("first ", () => doneCalled.push("first"));
      res.write("part, ", "utf8", () => doneCalled.push("second"));
      await nextTurn(20);
      res.write("later ");
      await nextTurn(20);
      res.end("end", () => doneCalled.push("end"));
    }, counts);

    const response = await fetch(url);

    expect(await response.text()).toBe("first part, later end");
    expect(counts).toEqual({ writes: 2, flushes: 2 });
    await nextTurn(10);
    expect(doneCalled).toEqual(["first", "second", "end"]);
  });
});
