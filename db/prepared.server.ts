/**
 * Statements prepared once per connection. Drizzle builds a query's SQL and better-sqlite3
 * prepares it again on every call unless the query is prepared; on the pages every request runs
 * (the root's practice name, the catalogue) that was a tenth of the CPU.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "./database.server";

type Reader = Pick<DbOrTx, "select">;

/**
 * A value bound when the statement runs. In a condition Drizzle binds it as it is, without the
 * column's mapping: instants as epoch milliseconds (as they are stored), booleans as 0 or 1. In
 * an insert's values it goes through the column's mapping: instants as Dates (never null there:
 * the timestamp mapping cannot take it).
 */
export const placeholder = (name: string) => sql.placeholder(name);

/** The better-sqlite3 connection under a Drizzle handle (the handle itself if it has none). */
export const connectionOf = (db: object): object =>
  (db as { session?: { client?: object } }).session?.client ?? db;

/**
 * A map kept for each SQLite connection, keyed weakly. A transaction's handle runs on its
 * database's connection (better-sqlite3 transactions are the connection's), so what is kept
 * through one transaction serves the next, and the database's own handle, too.
 */
export function mapPerConnection<K, V>(): (db: object) => Map<K, V> {
  const maps = new WeakMap<object, Map<K, V>>();
  return (db) => {
    const connection = connectionOf(db);
    let map = maps.get(connection);
    if (!map) maps.set(connection, (map = new Map()));
    return map;
  };
}

const statementsOf = mapPerConnection<string, unknown>();

/** The statement `name` on this connection, prepared by `prepare` the first time it is asked for. */
export function prepared<D extends Reader, T>(db: D, name: string, prepare: (db: D) => T): T {
  const statements = statementsOf(db);
  let statement = statements.get(name) as T | undefined;
  if (!statement) statements.set(name, (statement = prepare(db)));
  return statement;
}

/**
 * What an UPDATE's SET needs to be prepared once per set of columns, with the values bound when it
 * runs: the statement's `key` (its columns) and the `set` to give Drizzle. As Drizzle's own `set`
 * does, a column given as undefined is left as it is. A NULL is written into the statement, as a
 * timestamp column's mapping cannot bind one.
 */
export function preparedSet(changes: Record<string, unknown>) {
  const columns = Object.keys(changes)
    .filter((column) => changes[column] !== undefined)
    .sort();
  return {
    key: columns.map((column) => (changes[column] === null ? `${column}=null` : column)).join(","),
    set: Object.fromEntries(
      columns.map((column) => [column, changes[column] === null ? null : placeholder(column)]),
    ),
  };
}
