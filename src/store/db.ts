/** A store function's target: the store itself, or a connection inside a caller's transaction. */
import type { Store } from "./database.js";
import type { SqlConnection } from "./sql.js";

/** The store, or a connection inside a caller's transaction (an inbound update's unit of work). */
export type Db = Store | SqlConnection;

/** The raw-SQL connection of `db`: the transaction's own, or the store's. */
export function sqlOf(db: Db): SqlConnection {
  return "prisma" in db ? db.sql : db;
}

/**
 * SQL for a timestamp column's value from epoch milliseconds in parameter `$n`: the columns hold
 * UTC wall time without a zone, as Prisma writes them, so `timezone('UTC', …)` whatever the
 * session's time zone.
 */
export function utcFromMs(n: number): string {
  return `timezone('UTC', to_timestamp($${n}::double precision / 1000))`;
}
