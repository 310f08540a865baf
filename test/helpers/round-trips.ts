/**
 * Counts the statements an async call sends to the database, at the drivers (as bench:pipeline
 * does): pg's Client.query (the pool, Prisma's adapter and raw SQL all go through it) and PGlite's
 * query / exec / sql / transaction (BEGIN and COMMIT counted as the statements they are). Each is
 * one round trip. Only statements issued inside `count(fn)` are counted (AsyncLocalStorage), so a
 * worker or another test's work running meanwhile is not.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** What one counted call sent. */
export interface RoundTrips {
  /** Every statement (round trip). */
  statements: number;
  /** Explicit transactions opened (BEGIN): a one-statement commit opens none. */
  transactions: number;
  /** The statements' SQL, in order (for failure messages). */
  sql: string[];
}

const current = new AsyncLocalStorage<RoundTrips>();
let installed = 0;
let restore: (() => void) | null = null;

function note(sql: unknown): void {
  const c = current.getStore();
  if (!c) return;
  c.statements++;
  const text = typeof sql === "string" ? sql : ((sql as { text?: string } | null)?.text ?? String(sql));
  if (/^\s*BEGIN\b/i.test(text)) c.transactions++;
  c.sql.push(text.replace(/\s+/g, " ").trim().slice(0, 80));
}

function install(): void {
  if (installed++ > 0) return;
  // pg-pool runs a pooled query in the callback of whoever frees a client, which loses the caller's
  // async context: the same query through connect/release with await keeps it (release(err) on a
  // failed query destroys the client, as pg-pool's own query does).
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
  restore = () => {
    pg.Pool.prototype.query = poolQuery;
    pg.Client.prototype.query = pgQuery;
    Object.assign(proto, originals);
  };
}

function uninstall(): void {
  if (--installed > 0) return;
  restore?.();
  restore = null;
}

/** Runs `fn` and returns what it sent to the database (see the file comment). */
export async function countRoundTrips(fn: () => Promise<unknown>): Promise<RoundTrips> {
  install();
  const c: RoundTrips = { statements: 0, transactions: 0, sql: [] };
  try {
    await current.run(c, fn);
  } finally {
    uninstall();
  }
  return c;
}
