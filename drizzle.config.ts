import { defineConfig } from "drizzle-kit";

// `npm run db:generate` diffs db/schema.ts against drizzle/meta and writes the next SQL migration.
// Migrations are applied by the app at start (db/database.server.ts) and by `npm run db:migrate`.
export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_PATH ?? "./data/kairos.db" },
});
