/**
 * The Kairos process: validate the environment, open and migrate the database, seed the demo
 * practice on first start, then serve the Remix app. Bundled with the app into build/index.js by
 * the Remix compiler (remix.config.js `server`), so `node build/index.js` is all production runs.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as build from "@remix-run/dev/server-build";
import { broadcastDevReady } from "@remix-run/node";
import { ConfigError, getEnv, type Env } from "~/lib/env.server";
import { getSessionSecret } from "~/lib/session-secret.server";
import { startJobs, type Scheduler } from "~/jobs/scheduler.server";
import { sweepDraftsJob } from "~/jobs/sweep-drafts.server";
import { sweepHoldsJob } from "~/jobs/sweep-holds.server";
import { configureStripe, getStripe } from "~/lib/stripe.server";
import { startStripeEmulator } from "../stripe-emulator/index";
import { closeDb, getDb, migrateDatabase, type Db } from "~db/database.server";
import { describeSeedLogin, seedDemoPractice } from "~db/seed.server";
import { createExpressApp } from "./express-app";

async function main() {
  const env = getEnv();
  const db = getDb();
  migrateDatabase(db);
  getSessionSecret(env);

  const app = createExpressApp(build);
  const server = await listen(app.handler, env);
  const stripe = await connectStripe(env, server);
  // Seed only once the port is ours: a start that fails must not swallow the one-time password.
  const seed = await seedDemoPractice(db);
  if (seed.seeded) console.log(describeSeedLogin(seed.login));
  const jobs = startHousekeeping(db, env);
  app.markReady();
  console.log(`Kairos is listening on ${env.APP_URL} (${describeMode(env)})`);
  if (build.mode === "development") await broadcastDevReady(build);
  stopGracefullyOnSignals(server, jobs, stripe.stop);
}

/** The in-process jobs (app/jobs/): lapsed holds settled against Stripe, stale drafts removed. */
function startHousekeeping(db: Db, env: Env): Scheduler {
  const everyMs = env.HOUSEKEEPING_INTERVAL_SECONDS * 1000;
  return startJobs([
    sweepDraftsJob(db, everyMs),
    sweepHoldsJob(db, getStripe, { appUrl: env.APP_URL, everyMs }),
  ]);
}

/** The key the demo uses with its own emulator: a test key, so every page says "no real money". */
const DEMO_SECRET_KEY = "sk_test_kairos_demo";

/** Real Stripe (or STRIPE_API_BASE) with keys; without them, a Stripe emulator in this process. */
async function connectStripe(env: Env, server: Server): Promise<{ stop?: () => Promise<void> }> {
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
    // Fixed when given, so tools outside the process can sign test events too.
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    log: (line) => console.log(`[stripe emulator] ${line}`),
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
  console.log(
    `Stripe emulator for test payments on ${emulator.url} (webhook signing secret ${emulator.webhookSecret})`,
  );
  return { stop: emulator.stop };
}

function describeMode(env: Env) {
  if (env.demoMode) return "demo mode: test payments through the Stripe emulator, no real money";
  return env.testPayments ? "Stripe test mode: no real money" : "live payments through Stripe";
}

function listen(app: ReturnType<typeof createExpressApp>["handler"], env: Env): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = env.HOST ? app.listen(env.PORT, env.HOST) : app.listen(env.PORT);
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

function stopGracefullyOnSignals(
  server: Server,
  jobs: Scheduler,
  stopStripe?: () => Promise<void>,
) {
  const stop = () => {
    void jobs.stop();
    void stopStripe?.();
    server.close(() => {
      closeDb();
      process.exit(0);
    });
    // Keep-alive connections can hold close() open; don't let them delay a deploy.
    setTimeout(() => process.exit(0), 5000).unref();
    server.closeIdleConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    // The operator's to fix: one line that names the problem, no stack trace.
    console.error(`Kairos could not start: ${error.message}`);
  } else {
    console.error("Kairos could not start:", error);
  }
  process.exit(1);
});
