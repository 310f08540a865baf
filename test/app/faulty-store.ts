/** A store with a fault in its transactions, to check that a failed unit of work leaves nothing behind. */
import { readFileSync } from "node:fs";
import type { Store } from "../../src/store/database.js";
import type { SqlConnection } from "../../src/store/sql.js";

/** The connection error pg raises when the server goes away mid-transaction. */
export const terminated = () => new Error("Connection terminated unexpectedly");

/** The SQL the one-statement commit runs (vundap_commit's body): a fault on any of it fails that statement. */
const LEAN_COMMIT_BODY = readFileSync(new URL("../../prisma/migrations/20261202010000_lean_commit/migration.sql", import.meta.url), "utf8");

/**
 * The store with a fault: while `fault.on`, any statement of a transaction whose SQL matches
 * `fault.when` fails like a dropped connection (after the earlier statements ran, so the rollback is
 * real); so does a one-statement commit (`SELECT vundap_commit(…)`) when `fault.when` matches the
 * function's SQL — a statement is its own transaction, so none of it is kept.
 */
export function faulty(store: Store, fault: { on: boolean; when: RegExp }): Store {
  const wrap = (tx: SqlConnection): SqlConnection => ({
    exec: (script) => tx.exec(script),
    query: async (text, params) => {
      if (fault.on && fault.when.test(text)) throw terminated();
      return tx.query(text, params);
    },
  });
  return {
    ...store,
    sql: {
      ...store.sql,
      query: async <T,>(text: string, params?: unknown[]) => {
        if (fault.on && /vundap_commit/.test(text) && fault.when.test(LEAN_COMMIT_BODY)) throw terminated();
        return store.sql.query<T>(text, params);
      },
      transaction: (fn) => store.sql.transaction((tx) => fn(wrap(tx))),
    },
  };
}
