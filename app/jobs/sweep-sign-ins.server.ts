/**
 * Ended coach sessions and sign-in failures too old to count are deleted: neither is needed once
 * it can no longer sign anyone in or hold anyone back.
 */
import { sweepEndedSessions } from "~/auth/sessions.server";
import { sweepOldFailures } from "~/auth/throttle.server";
import type { Db } from "~db/database.server";
import type { Job } from "./scheduler.server";

export function sweepSignInsJob(db: Db, everyMs: number): Job {
  return {
    name: "sweep-sign-ins",
    everyMs,
    run: () => {
      const now = new Date();
      sweepEndedSessions(db, now);
      sweepOldFailures(db, now);
    },
  };
}
