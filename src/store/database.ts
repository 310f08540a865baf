/**
 * Opens the store: embedded PGlite in a data folder by default, PostgreSQL when a postgres:// URL is
 * given. Applies pending migrations, and (PGlite) holds the data-folder lock until closed.
 */
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../log.js";
import { lockDataDir } from "./lock.js";
import { applyMigrations } from "./migrate.js";
import type { SqlConnection, TransactionalSql } from "./sql.js";

export type StoreKind = "pglite" | "postgres";

export interface Store {
  kind: StoreKind;
  prisma: PrismaClient;
  /** Raw SQL for scripts, hot queries and transactions spanning several writes. */
  sql: TransactionalSql;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** postgres:// URL; when absent, PGlite in `pgliteDir`. */
  databaseUrl?: string;
  /** A folder, or "memory://" for a throw-away in-memory database (tests). */
  pgliteDir?: string;
  migrate?: boolean;
  log?: Logger;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts.pgliteDir ?? "data/pglite", opts);
}

function pgliteConnection(db: PGlite): TransactionalSql {
  return {
    async exec(script) {
      await db.exec(script);
    },
    async query<T>(text: string, params?: unknown[]) {
      return (await db.query<T>(text, params as never[])).rows;
    },
    async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) =>
        fn({
          async exec(script) {
            await tx.exec(script);
          },
          async query<R>(text: string, params?: unknown[]) {
            return (await tx.query<R>(text, params as never[])).rows;
          },
        }),
      );
    },
  };
}

function clientConnection(client: pg.PoolClient): SqlConnection {
  return {
    async exec(script) {
      await client.query(script);
    },
    async query<T>(text: string, params?: unknown[]) {
      return (await client.query(text, params)).rows as T[];
    },
  };
}

async function openPglite(dir: string, opts: OpenStoreOptions): Promise<Store> {
  const inMemory = dir.startsWith("memory://");
  const release = inMemory
    ? async () => undefined
    : await lockDataDir(dir, (err) => opts.log?.error({ err, dir }, "lost the data-folder lock; stop this process"));
  let db: PGlite | undefined;
  try {
    db = new PGlite(inMemory ? undefined : dir);
    await db.waitReady;
    const sql = pgliteConnection(db);
    if (opts.migrate !== false) await applyMigrations(sql, { advisoryLock: false, log: opts.log });
    const prisma = new PrismaClient({ adapter: pgliteAdapter(db) });
    const opened = db;
    return {
      kind: "pglite",
      prisma,
      sql,
      async close() {
        await prisma.$disconnect();
        await opened.close();
        await release();
      },
    };
  } catch (err) {
    await db?.close().catch(() => undefined);
    await release();
    throw err;
  }
}

async function openPostgres(url: string, opts: OpenStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  pool.on("error", (err) => opts.log?.error({ err: err.message }, "PostgreSQL pool error"));
  try {
    if (opts.migrate !== false) {
      const client = await pool.connect();
      try {
        await applyMigrations(clientConnection(client), { advisoryLock: true, log: opts.log });
      } finally {
        client.release();
      }
    }
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      kind: "postgres",
      prisma,
      sql: {
        async exec(script) {
          await pool.query(script);
        },
        async query<T>(text: string, params?: unknown[]) {
          return (await pool.query(text, params)).rows as T[];
        },
        async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
          const client = await pool.connect();
          let broken: unknown;
          try {
            await client.query("BEGIN");
            const result = await fn(clientConnection(client));
            await client.query("COMMIT");
            return result;
          } catch (err) {
            await client.query("ROLLBACK").catch((rollbackErr: unknown) => {
              broken = rollbackErr;
            });
            throw err;
          } finally {
            // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
            client.release(broken instanceof Error ? broken : undefined);
          }
        },
      },
      async close() {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/**
 * pglite-prisma-adapter 0.6 is built against @prisma/driver-adapter-utils 6.10, whose types differ
 * nominally (not at run time) from 6.19's; the cast keeps type-checking strict elsewhere.
 */
export function pgliteAdapter(db: PGlite): PrismaPg {
  return new PrismaPGlite(db) as unknown as PrismaPg;
}
