/**
 * What `node build/index.js <command>` does besides serving (the npm scripts `db:*` call these, and
 * in the Docker image `docker exec <container> node build/index.js <command>` does): the same
 * compiled code and configuration as the server, no TypeScript runtime needed.
 */
import { resolve } from "node:path";
import * as z from "zod";
import { createOrResetAccount } from "~/auth/accounts.server";
import { describeReport, practiceZone, readPeriod, reconcile } from "~/coach/reconcile.server";
import { ConfigError, getEnv } from "~/lib/env.server";
import { createStripeClient } from "~/lib/stripe.server";
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

/**
 * `reconcile [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: Stripe against the bookings (the last 30 days
 * by default). Exit code 0 when they agree, 1 when anything disagrees, 2 when the check could not
 * run (no Stripe keys, bad dates, Stripe unreachable), so a cron job can tell the three apart.
 */
async function reconcileCommand(args: string[]): Promise<number> {
  const usage = "usage: npm run reconcile -- [--from YYYY-MM-DD] [--to YYYY-MM-DD]";
  try {
    const env = getEnv();
    // In demo mode Stripe is an emulator inside the server's own process: nothing to ask here.
    if (!env.stripe)
      throw new ConfigError(
        "reconciliation asks Stripe, so it needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (in demo mode, use the Payments page of the running server)",
      );
    const { from, to, ...unknown } = options(args);
    const extra = Object.keys(unknown)[0];
    if (extra || from === true || to === true)
      throw new ConfigError(
        `${extra ? `unknown option --${extra}` : "a date is missing"} (${usage})`,
      );
    const db = getDb();
    const read = readPeriod({ from, to }, { zone: practiceZone(db), now: new Date() });
    if (!read.ok) {
      const [field, messages] = Object.entries(read.errors)[0]!;
      throw new ConfigError(`--${field}: ${messages?.join(" ")} (${usage})`);
    }
    const report = await reconcile(db, createStripeClient(env.stripe), read.period);
    console.log(describeReport(report, read.period).join("\n"));
    return report.findings.length === 0 ? 0 : 1;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`kairos reconcile: ${message}`);
    return 2;
  }
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
  reconcile: async (args) => {
    process.exitCode = await reconcileCommand(args);
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
