/**
 * Opens the store: embedded PGlite in a data folder by default, PostgreSQL when a postgres:// URL is
 * given. Applies pending migrations, and (PGlite) holds the data-folder lock until closed, keeps the
 * folder owner-only, and reports a folder PGlite cannot start on as StoreDamagedError. Connection
 * failures on PostgreSQL come out as the operator's errors of ./errors.ts.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { t } from "../i18n.js";
import type { Logger } from "../log.js";
import { explainPostgresError, StoreDamagedError } from "./errors.js";
import { makeOwnerOnly } from "./file-modes.js";
import { tarGzipFolder } from "./folder-tar.js";
import { lockDataDir, PID_FILE, type LockMethod } from "./lock.js";
import { applyMigrations } from "./migrate.js";
import { copyTemplate, currentManifest, DEFAULT_TEMPLATE_DIR, saveTemplate, type TemplateManifest } from "./pglite-template.js";
import type { SqlConnection, TransactionalSql } from "./sql.js";

export type StoreKind = "pglite" | "postgres";

export interface Store {
  kind: StoreKind;
  /**
   * Prisma, made on first use: its query compiler (WebAssembly) costs about 25 MB resident and
   * 0.1 s, which a process that never reaches a Prisma query (raw SQL paths) does not pay.
   */
  readonly prisma: PrismaClient;
  /** Raw SQL for scripts, hot queries and transactions spanning several writes. */
  sql: TransactionalSql;
  /** PGlite in a folder only: a gzip tarball of the data folder (PGlite's layout), taken between queries after a checkpoint. */
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
  /**
   * PGlite, a new folder: the migrated template to copy it from (default the installation's, see
   * pglite-template.ts); false to always create it with initdb and every migration.
   */
  pgliteTemplateDir?: string | false;
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

/** PGlite and its start parameters, imported only when a PGlite store is opened (not on PostgreSQL). */
async function loadPglite(): Promise<{ PGlite: typeof PGlite; PGLITE_START_PARAMS: string[] }> {
  const [{ PGlite }, { PGLITE_START_PARAMS }] = await Promise.all([import("@electric-sql/pglite"), import("./pglite-create.js")]);
  return { PGlite, PGLITE_START_PARAMS };
}

async function openPglite(dir: string, opts: OpenStoreOptions): Promise<Store> {
  const { PGlite, PGLITE_START_PARAMS } = await loadPglite();
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
    if (!existed && opts.migrate !== false) await makeNewPgliteFolder(abs, opts);
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

/**
 * Makes the new data folder `abs`: a copy of the installation's migrated template when one fits
 * (pglite-template.ts; newer migrations then apply at open), else created and migrated in a child
 * process (pglite-create.ts: initdb here would leave ~450 MB resident), which then becomes the
 * template for the next new folder. If the child fails after initdb, opening the folder reports the
 * failure as on any start (e.g. a MigrationError).
 */
async function makeNewPgliteFolder(abs: string, opts: OpenStoreOptions): Promise<void> {
  const templateDir = opts.pgliteTemplateDir ?? DEFAULT_TEMPLATE_DIR;
  let current: TemplateManifest | undefined;
  if (templateDir !== false) {
    current = currentManifest();
    if (copyTemplate(templateDir, abs, current)) {
      opts.log?.info({ template: templateDir }, "new PGlite folder copied from the migrated template");
      return;
    }
  }
  let created = true;
  const { createPgliteFolderInChild } = await import("./pglite-create.js");
  await createPgliteFolderInChild(abs).catch((err: unknown) => {
    created = false;
    if (!existsSync(join(abs, "PG_VERSION"))) throw err;
  });
  if (created && templateDir !== false && current) {
    try {
      saveTemplate(abs, templateDir, current);
    } catch (err) {
      // Only the next new folder is slower: say why, and go on.
      opts.log?.warn({ err: (err as Error).message, template: templateDir }, "could not save the PGlite template");
    }
  }
}

async function pgliteStore(db: PGlite, opts: OpenStoreOptions, release: () => Promise<void>): Promise<Store> {
  try {
    await db.waitReady;
    const sql = pgliteConnection(db);
    if (opts.migrate !== false) await applyMigrations(sql, { advisoryLock: false, log: opts.log });
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // pglite-prisma-adapter 0.6 is built against @prisma/driver-adapter-utils 6.10, whose types
    // differ nominally (not at run time) from 6.19's; the cast keeps type-checking strict elsewhere.
    const prisma = lazyPrisma(() => new PrismaPGlite(db) as unknown as PrismaPg);
    const inFolder = db.dataDir !== undefined && !db.dataDir.startsWith("memory://");
    return {
      kind: "pglite",
      get prisma() {
        return prisma.client();
      },
      sql,
      ...(inFolder
        ? {
            async backup() {
              await db.exec("CHECKPOINT");
              // Read from the disk under PGlite's query lock (what dumpDataDir holds), not through it: see folder-tar.ts.
              const quiet = db as unknown as { _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T> };
              return quiet._runExclusiveQuery(() => tarGzipFolder(db.dataDir!, [PID_FILE]));
            },
          }
        : {}),
      async close() {
        await prisma.disconnect();
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
    const prisma = lazyPrisma(() => new PrismaPg(pool));
    return {
      kind: "postgres",
      get prisma() {
        return prisma.client();
      },
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
        await prisma.disconnect();
        await pool.end().catch(() => undefined);
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw explainPostgresError(err, url);
  }
}

/** A PrismaClient made on the first call of `client()`; `disconnect()` only if it was made. */
function lazyPrisma(adapter: () => PrismaPg): { client(): PrismaClient; disconnect(): Promise<void> } {
  let client: PrismaClient | undefined;
  return {
    client: () => (client ??= new PrismaClient({ adapter: adapter() })),
    disconnect: async () => {
      await client?.$disconnect();
    },
  };
}
