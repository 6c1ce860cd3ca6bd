/**
 * What `node build/index.js <command>` does besides serving (the npm scripts `db:*` call these, and
 * in the Docker image `docker exec <container> node build/index.js <command>` does): the same
 * compiled code and configuration as the server, no TypeScript runtime needed.
 */
import { resolve } from "node:path";
import { ConfigError, getEnv } from "~/lib/env.server";
import { backupDatabase, restoreDatabase } from "~db/backup.server";
import { closeDb, getDb, migrateDatabase } from "~db/database.server";
import { describeSeedLogin, seedDemoPractice } from "~db/seed.server";

type Command = (args: string[]) => Promise<void> | void;

function fileArgument(args: string[], usage: string): string {
  if (!args[0]) throw new ConfigError(`usage: ${usage}`);
  return resolve(args[0]);
}

export const COMMANDS: Record<string, Command> = {
  migrate: () => {
    migrateDatabase(getDb());
    console.log(`Migrated ${getEnv().DATABASE_PATH}`);
  },
  seed: async () => {
    const db = getDb();
    migrateDatabase(db);
    const result = await seedDemoPractice(db);
    console.log(
      result.seeded
        ? describeSeedLogin(result.login)
        : "The database already has a practice; nothing seeded.",
    );
  },
  backup: async (args) => {
    const file = fileArgument(args, "npm run db:backup -- <file>");
    await backupDatabase(getDb(), file);
    console.log(`Backed up ${getEnv().DATABASE_PATH} to ${file}`);
  },
  restore: (args) => {
    const file = fileArgument(args, "npm run db:restore -- <file>");
    restoreDatabase(resolve(getEnv().DATABASE_PATH), file);
    console.log(`Restored ${getEnv().DATABASE_PATH} from ${file}`);
  },
};

export async function runCommand(name: string, args: string[]) {
  const command = COMMANDS[name];
  if (!command)
    throw new ConfigError(
      `unknown command "${name}" (expected ${Object.keys(COMMANDS).join(", ")}, or none to serve)`,
    );
  try {
    await command(args);
  } finally {
    closeDb();
  }
}
