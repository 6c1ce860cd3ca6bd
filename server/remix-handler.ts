/**
 * Remix's Express adapter (`@remix-run/express`'s createRequestHandler), with one difference: the
 * request's signal is aborted whenever the connection's response closes, after a response was
 * sent as well as before one.
 *
 * Why: Remix 2 starts a 4.95-second timer for every document and data request (the turbo-stream
 * encoder's limit for deferred data), and only that signal clears it. The adapter stops listening
 * once a response is sent, so each timer ran its course, keeping its AbortController and closure
 * alive long enough to be copied out of the young generation: about 1,500 of them at 300 pages a
 * second. React Router 7 clears the timer when encoding ends (remix-run/react-router#14735); Remix
 * 2.17 does not. Nothing of ours listens to the signal after a response (the error log ignores an
 * aborted request, and by then there is nothing left to fail).
 */
import type { IncomingHttpHeaders } from "node:http";
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import type { Request as ExpressRequest, RequestHandler, Response } from "express";

export function remixHandler({
  build,
  getLoadContext,
}: {
  build: ServerBuild;
  getLoadContext: (req: ExpressRequest, res: Response) => AppLoadContext;
}): RequestHandler {
  const handleRequest = createRequestHandler(build, build.mode);
  return async (req, res, next) => {
    try {
      const response = await handleRequest(fetchRequestOf(req, res), getLoadContext(req, res));
      await send(res, response);
    } catch (error) {
      next(error);
    }
  };
}

export function fetchRequestOf(req: ExpressRequest, res: Response): Request {
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers: headersOf(req.headers),
    signal: controller.signal,
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new Request(urlOf(req).href, init);
}

/**
 * As the adapter builds it: `req.hostname` respects "trust proxy"; it leaves the port out, so that
 * comes from X-Forwarded-Host, else Host.
 */
function urlOf(req: ExpressRequest) {
  const port = [req.get("X-Forwarded-Host"), req.get("host")]
    .map((host) => Number.parseInt(host?.split(":")[1] ?? "", 10))
    .find(Number.isSafeInteger);
  return new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
}

function headersOf(incoming: IncomingHttpHeaders) {
  const headers = new Headers();
  for (const [name, values] of Object.entries(incoming)) {
    if (Array.isArray(values)) for (const value of values) headers.append(name, value);
    else if (values) headers.set(name, values);
  }
  return headers;
}

/** No page streams events, so there is no flushing of headers ahead of the body. */
async function send(res: Response, response: globalThis.Response) {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
