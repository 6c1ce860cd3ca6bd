/**
 * The secret that signs Kairos's cookies. Production must set SESSION_SECRET (env.server.ts says
 * so at start); elsewhere one is generated on first start and kept beside the database, so that
 * signed cookies survive restarts without anyone having to make one up.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError, type Env } from "~/lib/env.server";
import { ensureDirectory } from "~/lib/fs.server";

export const GENERATED_SECRET_FILE = "session-secret";

export function resolveSessionSecret(env: Pick<Env, "SESSION_SECRET" | "DATABASE_PATH">): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  const file = join(dirname(env.DATABASE_PATH), GENERATED_SECRET_FILE);
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw unusable(file, error);
  }
  const secret = randomBytes(32).toString("hex");
  try {
    ensureDirectory(dirname(file));
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  } catch (error) {
    throw unusable(file, error);
  }
  return secret;
}

function unusable(file: string, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigError(
    `SESSION_SECRET is not set and ${file} cannot hold a generated one: ${reason}`,
  );
}

let cached: string | undefined;

export function getSessionSecret(env: Pick<Env, "SESSION_SECRET" | "DATABASE_PATH">): string {
  cached ??= resolveSessionSecret(env);
  return cached;
}
