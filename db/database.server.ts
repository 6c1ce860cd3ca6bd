/**
 * The one database module: opens the SQLite file, applies migrations, hands out the connection.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { ConfigError, getEnv } from "~/env.server";
import { ensureDirectory } from "~/fs.server";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

// This file runs from db/ (tsx, vitest) and bundled into build/index.js (the server): both sit
// one level below the project root, where drizzle/ holds the committed migrations.
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/**
 * Opens (creating if needed) the SQLite file at `path` with the settings every connection needs.
 * Throws a ConfigError with a one-line reason when the path cannot hold a database.
 */
export function openDatabase(path: string): Db {
  try {
    if (path !== ":memory:") ensureDirectory(dirname(path));
    const sqlite = new Database(path);
    // WAL lets readers carry on while a booking transaction writes; the busy timeout makes a
    // second writer wait for the lock instead of failing at once.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    return drizzle(sqlite, { schema });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`DATABASE_PATH cannot be used as a database ("${path}"): ${reason}`);
  }
}

/** Applies every migration in drizzle/ that this file has not seen yet. */
export function migrateDatabase(db: Db): void {
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`the database could not be migrated: ${reason}`);
  }
}

let connection: Db | undefined;

/** This process's connection to DATABASE_PATH, opened on first use. */
export function getDb(): Db {
  connection ??= openDatabase(getEnv().DATABASE_PATH);
  return connection;
}

export function closeDb(): void {
  connection?.$client.close();
  connection = undefined;
}
