/**
 * What `node build/index.js <command>` does besides serving (the npm scripts `db:*` call these, and
 * in the Docker image `docker exec <container> node build/index.js <command>` does): the same
 * compiled code and configuration as the server, no TypeScript runtime needed.
 */
import { resolve } from "node:path";
import * as z from "zod";
import { createOrResetAccount } from "~/auth/accounts.server";
import { ConfigError, getEnv } from "~/lib/env.server";
import { backupDatabase, restoreDatabase } from "~db/backup.server";
import { closeDb, getDb, migrateDatabase } from "~db/database.server";
import { describeSeedLogin, seedDemoPractice } from "~db/seed.server";

type Command = (args: string[]) => Promise<void> | void;

/** `--name value` and `--flag` options of a command. */
function options(args: string[]): Record<string, string | true> {
  const parsed: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.match(/^--([\w-]+)$/)?.[1];
    if (!name) throw new ConfigError(`unexpected argument "${args[i]}"`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) parsed[name] = true;
    else {
      parsed[name] = value;
      i++;
    }
  }
  return parsed;
}

const accountOptions = z.object({
  email: z.email({ message: "--email must be an email address" }),
  name: z.string({ message: "--name is required" }).trim().min(1, "--name is required").max(100),
  owner: z.literal(true).optional(),
});

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
  /** `coach:create -- --email … --name … [--owner]`: an account, or a new password for one. */
  "coach:create": async (args) => {
    const parsed = accountOptions.safeParse(options(args));
    if (!parsed.success) {
      throw new ConfigError(
        `${parsed.error.issues[0]!.message} (usage: npm run coach:create -- --email you@example.com --name "Your Name" [--owner])`,
      );
    }
    const db = getDb();
    migrateDatabase(db);
    const { email, name, owner } = parsed.data;
    const account = await createOrResetAccount(db, { email, name, owner: owner === true });
    console.log(
      [
        `${account.created ? "Created" : "Reset"} the ${account.user.role} account ${account.user.email}.`,
        `Password: ${account.password}`,
        "It is shown only now; sign in at /login and keep it somewhere safe.",
      ].join("\n"),
    );
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
