/**
 * The HTTP layer around Remix: static files, security headers, request logging.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type RequestHandler } from "express";

// build/index.js sits one level below the project root, beside public/.
const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** The app, and the switch that lets requests through once start-up has finished. */
export function createExpressApp(build: ServerBuild) {
  let ready = false;
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders);
  app.use(logRequests);
  app.use(limitRequestBodies);
  app.use((_req, res, next) => {
    if (ready) return next();
    res
      .status(503)
      .set("Retry-After", "1")
      .type("text/plain")
      .send("Kairos is starting; try again in a moment.");
  });
  // Fingerprinted by the compiler, so they can be cached for good.
  app.use(
    "/build",
    express.static(join(projectRoot, "public/build"), { immutable: true, maxAge: "1y" }),
  );
  app.use(express.static(join(projectRoot, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: build.mode }));
  return {
    handler: app,
    markReady: () => {
      ready = true;
    },
  };
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  next();
};

/** Forms are small: anything bigger is refused before Remix reads it. Stripe's events get more room. */
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

const limitRequestBodies: RequestHandler = (req, res, next) => {
  if (req.method === "GET" || req.method === "HEAD") return next();
  const length = req.headers["content-length"];
  if (length === undefined) {
    if (req.headers["transfer-encoding"]) {
      return res.status(411).type("text/plain").send("Please send a Content-Length.");
    }
    return next();
  }
  const limit = req.path.startsWith("/webhooks/") ? MAX_WEBHOOK_BODY_BYTES : MAX_BODY_BYTES;
  if (Number(length) > limit) {
    res.setHeader("Connection", "close");
    return res
      .status(413)
      .type("text/plain")
      .send("That was too much to send in one form (64 KB at most).");
  }
  next();
};

const logRequests: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    if (req.path.startsWith("/build/") || req.path === "/healthz") return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`${req.method} ${req.originalUrl} ${res.statusCode} ${ms.toFixed(1)}ms`);
  });
  next();
};
