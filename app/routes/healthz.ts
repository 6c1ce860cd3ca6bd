import { sql } from "drizzle-orm";
import { getDb } from "~db/database.server";

/** For load balancers and the Docker HEALTHCHECK: 200 when the database answers, 503 when not. */
export function loader() {
  const headers = { "Cache-Control": "no-store" };
  try {
    // A real read of a table, not just `select 1`: proves the file is there and migrated.
    getDb().get(sql`select count(*) from __drizzle_migrations`);
    return Response.json({ status: "ok" }, { headers });
  } catch (error) {
    console.error("healthz: database check failed:", error);
    return Response.json({ status: "error", database: "unavailable" }, { status: 503, headers });
  }
}
