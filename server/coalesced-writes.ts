/**
 * Remix writes a response to Express chunk by chunk, and flushes after every chunk (so streamed
 * answers reach the client at once). Behind compression each flush ends a compressed block, and
 * each write is a trip to zlib's thread pool: a page of 8 KB in a few hundred small chunks cost
 * about 3 ms of CPU to compress, against 0.2 ms in one piece. This layer gathers what is written
 * in one turn of the event loop into one write and one flush. Nothing is held back longer than
 * that turn, so a response that really streams still streams.
 */
import type { RequestHandler, Response } from "express";

type Callback = (error?: Error | null) => void;
type FlushableResponse = Response & { flush?: () => void };

export const coalescedWrites: RequestHandler = (_req, res, next) => {
  const response = res as FlushableResponse;
  const write = response.write.bind(response) as (chunk: Buffer) => boolean;
  const end = response.end.bind(response) as (chunk?: Buffer) => Response;
  const flush = response.flush?.bind(response);
  let pending: Buffer[] = [];
  let scheduled = false;

  const writePending = () => {
    scheduled = false;
    if (pending.length === 0 || response.writableEnded) return;
    const chunk = Buffer.concat(pending);
    pending = [];
    write(chunk);
    flush?.();
  };

  // The overloads of write and end: (chunk, callback) or (chunk, encoding, callback).
  response.write = ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
    pending.push(toBuffer(chunk, encodingOrCallback));
    if (!scheduled) {
      scheduled = true;
      setImmediate(writePending);
    }
    const done = (typeof encodingOrCallback === "function" ? encodingOrCallback : callback) as
      Callback | undefined;
    if (done) process.nextTick(done);
    return true;
  }) as Response["write"];

  // Flushing is what writePending does, once per turn.
  response.flush = () => {};

  response.end = ((chunk?: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
    const done = [chunk, encodingOrCallback, callback].find((arg) => typeof arg === "function") as
      (() => void) | undefined;
    if (chunk !== undefined && chunk !== null && typeof chunk !== "function") {
      pending.push(toBuffer(chunk, encodingOrCallback));
    }
    const rest = pending.length > 0 ? Buffer.concat(pending) : undefined;
    pending = [];
    // What Node does with end's callback; compression's own end would drop it.
    if (done) response.once("finish", done);
    return end(rest);
  }) as Response["end"];

  next();
};

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (typeof chunk === "string") {
    return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  }
  // A copy: the writer may reuse its buffer once write returns.
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  throw new TypeError("A response chunk must be a string or bytes.");
}
