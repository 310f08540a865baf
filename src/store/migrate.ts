/**
 * Applies pending migrations from prisma/migrations at start, on PGlite and PostgreSQL alike,
 * with Prisma's own `_prisma_migrations` bookkeeping (same table, same checksums), so that
 * `prisma migrate status` agrees. On PostgreSQL a session advisory lock (Prisma's own key) makes
 * concurrent starts apply each migration once.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { SqlConnection } from "./sql.js";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "prisma", "migrations");

/** The advisory lock key `prisma migrate deploy` uses, so our runner and Prisma's exclude each other. */
export const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  script: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const script = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, script, checksum: createHash("sha256").update(script).digest("hex") };
    });
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Apply every pending migration in order, each in its own transaction.
 * `conn` must be one connection for the whole call (the advisory lock is per session).
 * Returns the names applied now.
 */
export async function applyMigrations(
  conn: SqlConnection,
  opts: { advisoryLock: boolean; log?: Logger; dir?: string },
): Promise<string[]> {
  const migrations = readMigrations(opts.dir);
  if (opts.advisoryLock) await conn.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK})`);
  try {
    await conn.exec(CREATE_TABLE);
    const rows = await conn.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const done = new Map<string, AppliedRow>();
    for (const r of rows) {
      if (r.rolled_back_at !== null) continue;
      if (r.finished_at === null) {
        throw new MigrationError(
          `Migration ${r.migration_name} started earlier but did not finish; fix the database by hand ` +
            `(see "prisma migrate resolve") before starting again.`,
        );
      }
      done.set(r.migration_name, r);
    }
    const applied: string[] = [];
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior) {
        if (prior.checksum !== m.checksum)
          opts.log?.warn({ migration: m.name }, "an applied migration file was modified after it was applied");
        continue;
      }
      const id = randomUUID();
      const started = Date.now();
      await conn.exec("BEGIN");
      try {
        await conn.exec(m.script);
        await conn.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, now(), 1)`,
          [id, m.checksum, m.name],
        );
        await conn.exec("COMMIT");
      } catch (err) {
        await conn.exec("ROLLBACK").catch(() => undefined);
        throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
      }
      opts.log?.info({ migration: m.name, ms: Date.now() - started }, "migration applied");
      applied.push(m.name);
    }
    return applied;
  } finally {
    if (opts.advisoryLock) await conn.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK})`);
  }
}
