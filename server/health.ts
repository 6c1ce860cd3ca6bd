/**
 * `GET /healthz`, for load balancers and Docker's HEALTHCHECK: 200 while the database answers and
 * the process is serving, 503 while it starts or stops or when the database does not answer. It
 * reports each background job's last run too, so a stuck sweeper shows up here.
 */
import { sql } from "drizzle-orm";
import express, { type Router } from "express";
import { jobStatuses } from "~/jobs/scheduler.server";
import { log } from "~/lib/log.server";
import { getDb } from "~db/database.server";

export type ProcessState = "starting" | "ok" | "stopping";

function databaseAnswers(): boolean {
  try {
    // A real read of a table, not just `select 1`: proves the file is there and migrated.
    getDb().get(sql`select count(*) from __drizzle_migrations`);
    return true;
  } catch (error) {
    log.error({ err: error }, "healthz: the database check failed");
    return false;
  }
}

export function healthRoute(state: () => ProcessState): Router {
  const router = express.Router();
  router.get("/healthz", (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    const status = state();
    if (status !== "ok") return res.status(503).json({ status });
    if (!databaseAnswers())
      return res.status(503).json({ status: "error", database: "unavailable" });
    res.json({
      status,
      jobs: jobStatuses().map((job) => ({
        name: job.name,
        everySeconds: job.everyMs / 1000,
        runs: job.runs,
        lastStartedAt: job.lastStartedAt?.toISOString() ?? null,
        lastFinishedAt: job.lastFinishedAt?.toISOString() ?? null,
        lastError: job.lastError,
      })),
    });
  });
  return router;
}
