/**
 * Backups of the one SQLite file. A backup is taken online, through SQLite's backup API, while the
 * server keeps serving; a restore replaces the file and is refused while a server uses it (the
 * server keeps a pid file beside the database while it runs).
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "~/lib/env.server";
import type { Db } from "./database.server";

/** Copies the live database to `file`, consistently, without stopping anyone. */
export async function backupDatabase(db: Db, file: string): Promise<void> {
  await db.$client.backup(file);
}

export function pidFileFor(databasePath: string): string {
  return join(dirname(databasePath), "kairos.pid");
}

/** Marks the database as in use by this process, until `release` is called. */
export function claimDatabase(databasePath: string): { release: () => void } {
  const file = pidFileFor(databasePath);
  writeFileSync(file, `${process.pid}\n`);
  return { release: () => rmSync(file, { force: true }) };
}

/** The pid of a live process using the database, if there is one. */
export function runningServerPid(databasePath: string): number | null {
  const file = pidFileFor(databasePath);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0); // no signal: only asks whether the process exists
    return pid;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still running.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}

/** Refuses anything that is not a whole, migrated Kairos database. */
function checkBackup(file: string) {
  if (!existsSync(file)) throw new ConfigError(`there is no backup at ${file}`);
  let backup: Database.Database | undefined;
  try {
    backup = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = backup.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new Error(`integrity check says: ${String(integrity)}`);
    backup.prepare("select count(*) from __drizzle_migrations").get();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${file} is not a usable Kairos backup: ${reason}`);
  } finally {
    backup?.close();
  }
}

/**
 * Replaces the database at `databasePath` with the backup `file`. Refused while a server runs on
 * it. The old file's write-ahead log goes too (it belongs to the old file), and the swap is a
 * rename, so an interrupted restore leaves either the old database or the new one.
 */
export function restoreDatabase(databasePath: string, file: string): void {
  const pid = runningServerPid(databasePath);
  if (pid !== null)
    throw new ConfigError(`Kairos is running on this database (pid ${pid}); stop it first`);
  checkBackup(file);
  const incoming = `${databasePath}.restoring`;
  copyFileSync(file, incoming);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${databasePath}${suffix}`, { force: true });
  renameSync(incoming, databasePath);
}
