/**
 * The Kairos process: validate the environment, open and migrate the database, seed the demo
 * practice on first start, then serve the Remix app. Bundled with the app into build/index.js by
 * the Remix compiler (remix.config.js `server`), so `node build/index.js` is all production runs.
 */
import type { Server } from "node:http";
import * as build from "@remix-run/dev/server-build";
import { broadcastDevReady } from "@remix-run/node";
import { ConfigError, getEnv, type Env } from "~/env.server";
import { getSessionSecret } from "~/session-secret.server";
import { closeDb, getDb, migrateDatabase } from "~db/database.server";
import { describeSeedLogin, seedDemoPractice } from "~db/seed.server";
import { createExpressApp } from "./express-app";

async function main() {
  const env = getEnv();
  const db = getDb();
  migrateDatabase(db);
  getSessionSecret(env);

  const app = createExpressApp(build);
  const server = await listen(app.handler, env);
  // Seed only once the port is ours: a start that fails must not swallow the one-time password.
  const seed = await seedDemoPractice(db);
  if (seed.seeded) console.log(describeSeedLogin(seed.login, env.APP_URL));
  app.markReady();
  console.log(`Kairos is listening on ${env.APP_URL} (${describeMode(env)})`);
  if (build.mode === "development") await broadcastDevReady(build);
  stopGracefullyOnSignals(server);
}

function describeMode(env: Env) {
  return env.demoMode
    ? "demo mode: test payments through the local Stripe emulator, no real money"
    : "payments through Stripe";
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

function stopGracefullyOnSignals(server: Server) {
  const stop = () => {
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
