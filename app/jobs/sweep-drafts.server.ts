/**
 * Drafts nobody touched for 24 hours are deleted: the personal data a client typed and never
 * booked with does not outstay its use.
 */
import { sweepExpiredDrafts } from "~/wizard/drafts.server";
import type { Db } from "~db/database.server";
import type { Job } from "./scheduler.server";

export function sweepDraftsJob(db: Db, everyMs: number): Job {
  return {
    name: "sweep-drafts",
    everyMs,
    run: () => {
      const removed = sweepExpiredDrafts(db, new Date());
      return removed > 0 ? `Removed ${removed} expired booking draft(s)` : undefined;
    },
  };
}
