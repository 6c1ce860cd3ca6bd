/**
 * The one database module: opens the SQLite file, applies migrations, hands out the connection.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { ConfigError, getEnv } from "~/lib/env.server";
import { ensureDirectory } from "~/lib/fs.server";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** The connection or a transaction on it: what a function that only reads and writes needs. */
export type DbOrTx = BaseSQLiteDatabase<"sync", Database.RunResult, typeof schema>;
/** The handle a transaction's callback receives. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Runs `work` in a write transaction: `BEGIN IMMEDIATE` on the connection, so SQLite's write lock is
 * taken before anything is read and a check-then-write can never interleave with another writer;
 * a savepoint inside a caller's transaction, so that the caller's work and this one commit together.
 */
export function writeTransaction<T>(db: DbOrTx, work: (tx: Tx) => T): T {
  return db.transaction(work, { behavior: "immediate" });
}

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

/**
 * Applies every migration in drizzle/ that this file has not seen yet.
 *
 * Foreign keys are off while they run. SQLite changes a column by rebuilding its table (create a
 * copy, move the rows, drop the old one); with foreign keys on, that drop deletes every row that
 * points at the table (`on delete cascade`: a booking's whole history). drizzle-kit writes
 * `PRAGMA foreign_keys=OFF` into such migrations, but the migrator runs them inside a transaction,
 * where SQLite ignores that pragma: so it is done here, outside, and the keys checked afterwards.
 */
export function migrateDatabase(db: Db): void {
  db.$client.pragma("foreign_keys = OFF");
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const broken = db.$client.pragma("foreign_key_check") as { table: string }[];
    if (broken.length > 0)
      throw new Error(`${broken.length} row(s) point nowhere, first in ${broken[0]!.table}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`the database could not be migrated: ${reason}`);
  } finally {
    db.$client.pragma("foreign_keys = ON");
  }
}

let connection: Db | undefined;

/** This process's connection to DATABASE_PATH, opened on first use. */
export function getDb(): Db {
  connection ??= openDatabase(getEnv().DATABASE_PATH);
  return connection;
}

/**
 * Closes this process's connection. With `checkpoint`, the write-ahead log is first folded into
 * the database file and emptied, so the file alone holds everything (a clean stop).
 */
export function closeDb({ checkpoint = false } = {}): void {
  if (checkpoint) connection?.$client.pragma("wal_checkpoint(TRUNCATE)");
  connection?.$client.close();
  connection = undefined;
}
