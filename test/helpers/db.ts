/** Test databases: a fresh PGlite (in memory or in a temp folder) or a fresh PostgreSQL database. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStore, type Store } from "../../src/store/database.js";

export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Creates an empty PostgreSQL database; returns its URL and a function that drops it. */
export async function createPgDatabase(prefix = "vundap_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export function tempDir(prefix = "vundap-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type StoreFlavour = "pglite" | "postgres";
export const FLAVOURS: StoreFlavour[] = ["pglite", "postgres"];

/** Opens a fresh, migrated store of the flavour; `cleanup` closes and deletes it. */
export async function freshStore(flavour: StoreFlavour): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (flavour === "pglite") {
    const store = await openStore({ pgliteDir: "memory://" });
    return { store, cleanup: () => store.close() };
  }
  const db = await createPgDatabase();
  const store = await openStore({ databaseUrl: db.url, poolSize: 4 });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}
