/**
 * The HTTP layer around Remix, in the order a request meets it: request id and log line, the
 * start-up gate, `/healthz`, Stripe's webhook, compression, security headers, static files,
 * the demo's checkout page, then the protections every page and form gets (methods, same-origin
 * POSTs, form bodies, rate limits), then Remix. Whatever still goes wrong is answered with a page, never a stack trace.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { log, redactPath } from "~/lib/log.server";
import { coalescedWrites } from "./coalesced-writes";
import { healthRoute } from "./health";
import {
  allowedMethods,
  formBodies,
  rateLimits,
  sameOriginPosts,
  securityHeaders,
  wellFormedRequests,
  type ProtectionOptions,
} from "./protections";
import { sendRefusal } from "./refusal-page";
import { remixHandler } from "./remix-handler";
import { stripeWebhookRoute } from "./stripe-webhook";

// build/index.js sits one level below the project root, beside public/.
const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** Where demo mode shows the emulator's hosted checkout page, on Kairos's own origin. */
export const DEMO_CHECKOUT_PATH = "/_demo-stripe";

type DemoCheckout = (req: IncomingMessage, res: ServerResponse) => void;

export type AppOptions = ProtectionOptions & { trustProxy: boolean | number | string[] };

/** The app, and the switches start-up and shutdown use. */
export function createExpressApp(build: ServerBuild, options: AppOptions) {
  const state = { ready: false, stopping: false, demoCheckout: null as DemoCheckout | null };
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);

  app.use(requestLog);
  app.use((req, res, next) => {
    // Requests that arrive during shutdown are still served, on connections that then close.
    if (state.stopping) res.setHeader("Connection", "close");
    if (state.ready || req.path === "/healthz") return next();
    res.status(503).set("Retry-After", "1").type("text/plain").send("Kairos is starting.");
  });
  app.use(healthRoute(() => (state.stopping ? "stopping" : state.ready ? "ok" : "starting")));
  // Before everything a page needs (compression, a page's security headers, static files):
  // Stripe's webhook is answered in a few bytes of JSON, and as fast as it can be.
  app.use(stripeWebhookRoute());
  // gzip or brotli for pages, data and assets (a phone's /book/time is a quarter of its size).
  app.use(compression());
  app.use(securityHeaders(options));
  app.use(wellFormedRequests);
  // Fingerprinted by the compiler, so they can be cached for good.
  app.use(
    "/build",
    express.static(join(projectRoot, "public/build"), { immutable: true, maxAge: "1y" }),
  );
  app.use(publicFiles(join(projectRoot, "public")));

  app.use(allowedMethods, sameOriginPosts(options), formBodies, ...rateLimits());
  app.use(DEMO_CHECKOUT_PATH, (req, res, next) => {
    if (!state.demoCheckout) return next();
    // The emulator's page styles itself inline and has no scripts.
    res.setHeader(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    state.demoCheckout(req, res);
  });
  app.all(
    "*",
    coalescedWrites,
    remixHandler({
      build,
      getLoadContext: (req, res) => ({
        cspNonce: res.locals.cspNonce as string,
        clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown",
      }),
    }),
  );
  app.use(lastResort);

  return {
    handler: app,
    markReady: () => {
      state.ready = true;
    },
    markStopping: () => {
      state.stopping = true;
    },
    showDemoCheckout: (page: DemoCheckout) => {
      state.demoCheckout = page;
    },
  };
}

/**
 * The icons and manifest at public/'s top level, listed once at start: a page request is never
 * looked for on disk first (express.static alone stats a file for every request it sees).
 */
function publicFiles(folder: string): RequestHandler {
  const paths = new Set(
    existsSync(folder)
      ? readdirSync(folder, { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => `/${entry.name}`)
      : [],
  );
  const serve = express.static(folder, { maxAge: "1h" });
  return (req, res, next) => (paths.has(req.path) ? serve(req, res, next) : next());
}

/** One structured line per request, with an id the response carries too. Never a query string. */
const requestLog: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  const given = req.get("x-request-id");
  const id = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader("X-Request-Id", id);
  res.on("finish", () => {
    if (req.path.startsWith("/build/") || req.path === "/healthz") return;
    log.info(
      {
        requestId: id,
        method: req.method,
        route: redactPath(req.originalUrl),
        status: res.statusCode,
        durationMs: Number((Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)),
      },
      "request",
    );
  });
  next();
};

/** Errors Express itself meets (a malformed path, an unreadable body): a page with the right code. */
const lastResort: ErrorRequestHandler = (error, req, res, _next) => {
  const status = (error as { status?: number; statusCode?: number }).status ?? 500;
  if (status >= 500)
    log.error({ err: error, route: redactPath(req.originalUrl) }, "request failed");
  if (res.headersSent) return res.end();
  sendRefusal(req, res, {
    status: status >= 400 && status < 600 ? status : 500,
    title: status < 500 ? "We couldn’t read that request" : "Something went wrong",
    message:
      status < 500
        ? "Please go back and try again."
        : "Something went wrong on our side. Please try again in a minute.",
  });
};
