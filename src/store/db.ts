/** A store function's target: the store itself, or a connection inside a caller's transaction. */
import type { Store } from "./database.js";
import type { SqlConnection } from "./sql.js";

/** The store, or a connection inside a caller's transaction (an inbound update's unit of work). */
export type Db = Store | SqlConnection;

/** The raw-SQL connection of `db`: the transaction's own, or the store's. */
export function sqlOf(db: Db): SqlConnection {
  return "prisma" in db ? db.sql : db;
}
