/**
 * `npm run db:migrate` and `npm run db:seed`: the same steps the server takes at start, on their own.
 */
import { ConfigError, getEnv } from "~/lib/env.server";
import { closeDb, getDb, migrateDatabase } from "./database.server";
import { describeSeedLogin, seedDemoPractice } from "./seed.server";

async function run(command: string | undefined) {
  const env = getEnv();
  const db = getDb();
  migrateDatabase(db);
  console.log(`Migrated ${env.DATABASE_PATH}`);
  if (command === "seed") {
    const result = await seedDemoPractice(db);
    console.log(
      result.seeded
        ? describeSeedLogin(result.login)
        : "The database already has a practice; nothing seeded.",
    );
  } else if (command !== "migrate") {
    throw new ConfigError(`unknown command "${command ?? ""}" (expected migrate or seed)`);
  }
  closeDb();
}

run(process.argv[2]).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`kairos: ${error.message}`);
  process.exitCode = 1;
});
