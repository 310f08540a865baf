/** A store with a fault in its transactions, to check that a failed unit of work leaves nothing behind. */
import type { Store } from "../../src/store/database.js";
import type { SqlConnection } from "../../src/store/sql.js";

/** The connection error pg raises when the server goes away mid-transaction. */
export const terminated = () => new Error("Connection terminated unexpectedly");

/**
 * The store with a fault: while `fault.on`, any statement of a transaction whose SQL matches
 * `fault.when` fails like a dropped connection (after the earlier statements ran, so the rollback is real).
 */
export function faulty(store: Store, fault: { on: boolean; when: RegExp }): Store {
  const wrap = (tx: SqlConnection): SqlConnection => ({
    exec: (script) => tx.exec(script),
    query: async (text, params) => {
      if (fault.on && fault.when.test(text)) throw terminated();
      return tx.query(text, params);
    },
  });
  return { ...store, sql: { ...store.sql, transaction: (fn) => store.sql.transaction((tx) => fn(wrap(tx))) } };
}
