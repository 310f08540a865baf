/**
 * Opens the store: embedded PGlite in a data folder by default, PostgreSQL when a postgres:// URL is
 * given. Applies pending migrations, and (PGlite) holds the data-folder lock until closed, keeps the
 * folder owner-only, and reports a folder PGlite cannot start on as StoreDamagedError. Connection
 * failures on PostgreSQL come out as the operator's errors of ./errors.ts.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import { t } from "../i18n.js";
import type { Logger } from "../log.js";
import { explainPostgresError, StoreDamagedError } from "./errors.js";
import { makeOwnerOnly } from "./file-modes.js";
import { lockDataDir, type LockMethod } from "./lock.js";
import { applyMigrations } from "./migrate.js";
import { createPgliteFolderInChild, PGLITE_START_PARAMS } from "./pglite-create.js";
import type { SqlConnection, TransactionalSql } from "./sql.js";

export type StoreKind = "pglite" | "postgres";

export interface Store {
  kind: StoreKind;
  prisma: PrismaClient;
  /** Raw SQL for scripts, hot queries and transactions spanning several writes. */
  sql: TransactionalSql;
  /** PGlite in a folder only: a gzip tarball of the data folder, taken between queries after a checkpoint. */
  backup?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** postgres:// URL; when absent, PGlite in `pgliteDir`. */
  databaseUrl?: string;
  /** A folder, or "memory://" for a throw-away in-memory database (tests). */
  pgliteDir?: string;
  /**
   * "memory://" only: start from this data-folder tarball (PGlite's dumpDataDir) instead of an empty
   * cluster; tests pass one migrated once per run. Pending migrations still apply on top.
   */
  pgliteTemplate?: Blob;
  migrate?: boolean;
  log?: Logger;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * PGlite: called if the folder lock is lost while open. Default: one line on stderr and exit at
   * once (status 1), so that nothing more is written to a folder another process may now open.
   */
  onLockLost?: (err: Error) => void;
  /** PGlite: the lock method (tests); default the platform's. */
  lockMethod?: LockMethod;
}

/** What a process must do when its folder lock is gone: stop writing, at once. */
function exitOnLockLost(dir: string, log?: Logger): (err: Error) => void {
  return (err) => {
    log?.fatal({ err: err.message, dir }, "lost the data-folder lock; exiting");
    process.stderr.write(`${t("store:lockLost", { dir, detail: err.message })}\n`);
    process.exit(1);
  };
}

/** Open (and migrate) the store the options name. */
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
  if (dir.startsWith("memory://"))
    return pgliteStore(
      new PGlite({ startParams: PGLITE_START_PARAMS, ...(opts.pgliteTemplate ? { loadDataDir: opts.pgliteTemplate } : {}) }),
      opts,
      async () => undefined,
    );
  const abs = resolve(dir);
  const lock = await lockDataDir(abs, {
    onLost: opts.onLockLost ?? exitOnLockLost(abs, opts.log),
    ...(opts.lockMethod ? { method: opts.lockMethod } : {}),
  });
  const release = async (): Promise<void> => {
    makeOwnerOnly(abs);
    await lock.release();
  };
  try {
    makeOwnerOnly(abs);
    const existed = existsSync(join(abs, "PG_VERSION"));
    if (!existed && opts.migrate !== false) {
      // A new folder is created and migrated in a child process (see pglite-create.ts: initdb here
      // would leave ~450 MB resident). If the child fails after initdb, opening it here below
      // reports the failure as on any start (e.g. a MigrationError).
      await createPgliteFolderInChild(abs).catch((err: unknown) => {
        if (!existsSync(join(abs, "PG_VERSION"))) throw err;
      });
    }
    let db: PGlite | undefined;
    try {
      db = new PGlite(abs, { startParams: PGLITE_START_PARAMS });
      await db.waitReady;
      await db.query("SELECT 1");
    } catch (err) {
      await db?.close().catch(() => undefined);
      if (existed) throw new StoreDamagedError(abs, (err as Error).message);
      throw err;
    }
    makeOwnerOnly(abs); // PGlite creates its files 0666
    return await pgliteStore(db, opts, release);
  } catch (err) {
    await release();
    throw err;
  }
}

async function pgliteStore(db: PGlite, opts: OpenStoreOptions, release: () => Promise<void>): Promise<Store> {
  try {
    await db.waitReady;
    const sql = pgliteConnection(db);
    if (opts.migrate !== false) await applyMigrations(sql, { advisoryLock: false, log: opts.log });
    const prisma = new PrismaClient({ adapter: pgliteAdapter(db) });
    const inFolder = db.dataDir !== undefined && !db.dataDir.startsWith("memory://");
    return {
      kind: "pglite",
      prisma,
      sql,
      ...(inFolder
        ? {
            async backup() {
              await db.exec("CHECKPOINT");
              return db.dumpDataDir("gzip");
            },
          }
        : {}),
      async close() {
        await prisma.$disconnect();
        await db.close();
        await release();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
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
    throw explainPostgresError(err, url);
  }
}

/**
 * pglite-prisma-adapter 0.6 is built against @prisma/driver-adapter-utils 6.10, whose types differ
 * nominally (not at run time) from 6.19's; the cast keeps type-checking strict elsewhere.
 */
export function pgliteAdapter(db: PGlite): PrismaPg {
  return new PrismaPGlite(db) as unknown as PrismaPg;
}
