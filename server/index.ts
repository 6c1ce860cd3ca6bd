/**
 * The Kairos process. With no arguments it serves: validate the environment, open and migrate the
 * database, listen, connect to Stripe (or start the demo's emulator), seed the demo practice on
 * first start, start the background jobs, then let requests through; on SIGTERM or SIGINT it stops
 * the same way in reverse without dropping a request. With a command (`migrate`, `seed`,
 * `backup <file>`, `restore <file>`) it does that and exits.
 *
 * Bundled with the app into build/index.js by the Remix compiler (remix.config.js `server`), so
 * `node build/index.js` is all production runs.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import type { Duplex } from "node:stream";
import * as build from "@remix-run/dev/server-build";
import { broadcastDevReady } from "@remix-run/node";
import { folderTransport, smtpTransport, type Transport } from "~/email/delivery.server";
import { setMessageIdDomain } from "~/email/outbox.server";
import { startJobs, type Scheduler } from "~/jobs/scheduler.server";
import { sendEmailsJob } from "~/jobs/send-emails.server";
import { sweepDraftsJob } from "~/jobs/sweep-drafts.server";
import { sweepHoldsJob } from "~/jobs/sweep-holds.server";
import { sweepSignInsJob } from "~/jobs/sweep-sign-ins.server";
import { ConfigError, getEnv, type Env } from "~/lib/env.server";
import { log } from "~/lib/log.server";
import { getSessionSecret } from "~/lib/session-secret.server";
import { configureStripe, getStripe } from "~/lib/stripe.server";
import { claimDatabase } from "~db/backup.server";
import { closeDb, getDb, migrateDatabase, type Db } from "~db/database.server";
import { describeSeedLogin, seedDemoPractice } from "~db/seed.server";
import { startStripeEmulator } from "../stripe-emulator/index";
import { runCommand } from "./commands";
import { createExpressApp, DEMO_CHECKOUT_PATH } from "./express-app";

type App = ReturnType<typeof createExpressApp>;

async function serve() {
  const env = getEnv();
  const db = getDb();
  migrateDatabase(db);
  getSessionSecret(env);

  const app = createExpressApp(build, {
    appOrigin: new URL(env.APP_URL).origin,
    checkoutOrigins: checkoutOrigins(env),
    trustProxy: env.trustProxy,
  });
  const server = await listen(app.handler, env);
  const claim = claimDatabase(env.DATABASE_PATH);
  const stripe = await connectStripe(env, server, app);
  // The demo practice only in demo mode; a real install starts empty. Seeded only once the port
  // is ours: a start that fails must not swallow the one-time password.
  const seed = env.demoMode ? await seedDemoPractice(db) : ({ seeded: false } as const);
  // Printed for the person at the console, not logged: a password has no place in a log.
  if (seed.seeded) console.log(describeSeedLogin(seed.login));
  const jobs = startHousekeeping(db, env);
  app.markReady();
  log.info(`Kairos is listening on ${env.APP_URL} (${describeMode(env)})`);
  if (build.mode === "development") await broadcastDevReady(build);
  stopGracefullyOnSignals({ server, app, jobs, stopStripe: stripe.stop, release: claim.release });
}

/** Where Pay sends a browser: Stripe Checkout, or the emulator (on our own origin in demo mode). */
function checkoutOrigins(env: Env): string[] {
  if (!env.stripe) return [];
  return [env.stripe.apiBase ? new URL(env.stripe.apiBase).origin : "https://checkout.stripe.com"];
}

/**
 * The in-process jobs (app/jobs/): queued emails sent; lapsed holds settled against Stripe; stale
 * drafts, ended sessions and old sign-in failures removed.
 */
function startHousekeeping(db: Db, env: Env): Scheduler {
  const everyMs = env.HOUSEKEEPING_INTERVAL_SECONDS * 1000;
  return startJobs([
    sendEmailsJob(db, emailTransport(env), {
      everyMs: env.EMAIL_SEND_INTERVAL_SECONDS * 1000,
      retryWaitsMs: env.EMAIL_RETRY_SECONDS,
    }),
    sweepDraftsJob(db, everyMs),
    sweepHoldsJob(db, getStripe, { appUrl: env.APP_URL, everyMs }),
    sweepSignInsJob(db, everyMs),
  ]);
}

/** SMTP when configured; otherwise `.eml` files beside the database. Start-up says which. */
function emailTransport(env: Env): Transport {
  setMessageIdDomain(env.EMAIL_FROM);
  const transport = env.SMTP_URL
    ? smtpTransport(env.SMTP_URL, env.EMAIL_FROM)
    : folderTransport(join(dirname(env.DATABASE_PATH), "emails"), env.EMAIL_FROM);
  log.info(`Emails: ${transport.describe}`);
  return transport;
}

/** The key the demo uses with its own emulator: a test key, so every page says "no real money". */
const DEMO_SECRET_KEY = "sk_test_kairos_demo";

/**
 * Real Stripe (or STRIPE_API_BASE) with keys; without them, a Stripe emulator in this process. Its
 * API listens on loopback for the SDK; its checkout page is shown on Kairos's own origin, so the
 * demo takes payments on whatever address a browser reaches it by (inside Docker, on a VPS).
 */
async function connectStripe(
  env: Env,
  server: Server,
  app: App,
): Promise<{ stop?: () => Promise<void> }> {
  if (env.stripe) {
    configureStripe(env.stripe);
    return {};
  }
  const { port } = server.address() as AddressInfo;
  // Webhooks go to this very process: over loopback, unless it listens on one address only.
  const host = env.HOST && !["0.0.0.0", "::"].includes(env.HOST) ? env.HOST : "127.0.0.1";
  const emulator = await startStripeEmulator({
    port: env.STRIPE_EMULATOR_PORT ?? 0,
    webhookUrl: `http://${host.includes(":") ? `[${host}]` : host}:${port}/webhooks/stripe`,
    publicUrl: DEMO_CHECKOUT_PATH,
    // Fixed when given, so tools outside the process can sign test events too.
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    log: (line) => log.info({ component: "stripe-emulator" }, line),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") {
      throw new ConfigError(`STRIPE_EMULATOR_PORT ${env.STRIPE_EMULATOR_PORT} is already in use`);
    }
    throw error;
  });
  configureStripe({
    secretKey: DEMO_SECRET_KEY,
    webhookSecret: emulator.webhookSecret,
    apiBase: emulator.url,
  });
  app.showDemoCheckout(emulator.hostedPage);
  log.info(
    `Stripe emulator for test payments: API on ${emulator.url}, checkout pages under ${DEMO_CHECKOUT_PATH} (webhook signing secret ${emulator.webhookSecret})`,
  );
  return { stop: emulator.stop };
}

function describeMode(env: Env) {
  if (env.demoMode) return "demo mode: test payments through the Stripe emulator, no real money";
  return env.testPayments ? "Stripe test mode: no real money" : "live payments through Stripe";
}

function listen(handler: App["handler"], env: Env): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = env.HOST ? handler.listen(env.PORT, env.HOST) : handler.listen(env.PORT);
    // Idle keep-alive connections are closed by the other side first (browsers, proxies, load
    // balancers use shorter timeouts): when a server closes one as a client reuses it, the
    // client's request is lost to a reset. Headers must still arrive within a minute.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on("clientError", answerUnparseable);
    server.once("listening", () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(new ConfigError(`PORT ${env.PORT} is already in use`));
      else if (error.code === "EACCES")
        reject(new ConfigError(`PORT ${env.PORT} needs privileges this user does not have`));
      else reject(error);
    });
  });
}

const CLIENT_ERRORS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
};

/**
 * A request Node cannot even parse (a malformed request line or header). Node's own answer closes
 * the connection at once, and a client still sending its body then loses the answer to a reset:
 * send it, stop writing, and read whatever still comes for a moment before letting go.
 */
function answerUnparseable(error: NodeJS.ErrnoException, socket: Duplex) {
  // An answer already under way on this connection (the garbage came after a request) is all the
  // client will get, as with Node's own handler.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || error.code === "ECONNRESET" || answering?.headersSent)
    return socket.destroy();
  const status = CLIENT_ERRORS[error.code ?? ""] ?? "400 Bad Request";
  // No body: the request may have been a HEAD, and nothing of it could be read to know.
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  socket.resume();
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/**
 * How long a stopping server keeps accepting connections (answering each request with
 * `Connection: close`, and /healthz with 503) before it closes its port. Closing at once would
 * reset the connections the kernel has already accepted for us but we have not yet picked up.
 */
const SHUTDOWN_DRAIN_MS = 1_000;
/** How long requests in flight then get to finish before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * SIGTERM (a deploy, `docker stop`) or SIGINT (Ctrl-C): drain (still accept, but close every
 * connection after its answer), stop accepting, let every request in flight finish (connections
 * close as they fall idle), stop the jobs after their current run, stop the demo's emulator, then
 * checkpoint the write-ahead log into the database file and close it, so the file on disk is whole
 * on its own.
 */
function stopGracefullyOnSignals(running: {
  server: Server;
  app: App;
  jobs: Scheduler;
  stopStripe?: () => Promise<void>;
  release: () => void;
}) {
  const stop = async (signal: string) => {
    log.info({ signal }, "Stopping: finishing the requests in flight");
    running.app.markStopping();
    await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS));
    const closed = new Promise((resolve) => running.server.close(resolve));
    const closeIdle = setInterval(() => running.server.closeIdleConnections(), 50);
    running.server.closeIdleConnections();
    const cutOff = setTimeout(() => running.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await closed;
    clearInterval(closeIdle);
    clearTimeout(cutOff);
    await running.jobs.stop();
    await running.stopStripe?.();
    closeDb({ checkpoint: true });
    running.release();
    log.info("Stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

const [command, ...args] = process.argv.slice(2);
const failure = command ? `kairos ${command}` : "Kairos could not start";
(command ? runCommand(command, args) : serve()).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    // The operator's to fix: one line that names the problem, no stack trace.
    console.error(`${failure}: ${error.message}`);
  } else {
    console.error(`${failure}:`, error);
  }
  process.exit(1);
});
