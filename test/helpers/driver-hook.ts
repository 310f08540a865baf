/**
 * A hook on every statement sent to the database, at the drivers: pg's Client.query (the pool,
 * Prisma's adapter and raw SQL all go through it) and PGlite's query / exec / sql / transaction
 * (BEGIN and COMMIT reported as the statements they are, and every statement inside). Each is one
 * round trip. Shared by the round-trip tests (round-trips.ts) and the benchmarks that count
 * statements (bench/pipeline.ts, bench/grammy-baseline.ts).
 *
 * pg-pool runs a pooled query in the callback of whoever frees a client, which loses the caller's
 * async context: the hook sends a pooled query through connect/release with await instead, which
 * keeps it (release(err) on a failed query destroys the client, as pg-pool's own query does).
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** Installs `note` on the drivers; returns the function that takes it off again. */
export function hookDriverStatements(note: (sql: unknown) => void): () => void {
  const poolQuery = pg.Pool.prototype.query;
  pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
    if (typeof args[0] !== "string" || args.some((a) => typeof a === "function")) return (poolQuery as (...a: unknown[]) => unknown).apply(this, args);
    return (async () => {
      const client = await this.connect();
      try {
        const result = await client.query(args[0] as string, args[1] as unknown[] | undefined);
        client.release();
        return result;
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    })();
  } as typeof poolQuery;
  const pgQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    note(args[0]);
    return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pgQuery;
  const proto = PGlite.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const originals = { query: proto.query!, exec: proto.exec!, sql: proto.sql!, transaction: proto.transaction! };
  for (const name of ["query", "exec", "sql"] as const) {
    const orig = originals[name];
    proto[name] = function (this: unknown, ...args: unknown[]) {
      note(args[0]);
      return orig.apply(this, args);
    };
  }
  proto.transaction = function (this: unknown, fn: unknown) {
    note("BEGIN");
    return originals.transaction
      .call(this, async (tx: Record<string, (...a: unknown[]) => Promise<unknown>>) => {
        const counted = new Proxy(tx, {
          get(target, key, receiver) {
            const v = Reflect.get(target, key, receiver) as unknown;
            if (typeof v !== "function") return v;
            if (key === "query" || key === "exec" || key === "sql")
              return (...a: unknown[]) => {
                note(a[0]);
                return (v as (...b: unknown[]) => unknown).apply(target, a);
              };
            return (v as (...b: unknown[]) => unknown).bind(target);
          },
        });
        return (fn as (t: unknown) => Promise<unknown>)(counted);
      })
      .finally(() => note("COMMIT or ROLLBACK"));
  };
  return () => {
    pg.Pool.prototype.query = poolQuery;
    pg.Client.prototype.query = pgQuery;
    Object.assign(proto, originals);
  };
}
