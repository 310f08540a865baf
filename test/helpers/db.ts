/** Test databases: a fresh PGlite (in memory or in a temp folder) or a fresh PostgreSQL database. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { PG_ADMIN_URL } from "./pg-admin.js";

export { PG_ADMIN_URL };

/**
 * Creates a PostgreSQL database, empty or (`migrated`) a copy of the run's migrated template
 * (test/global-setup.ts); returns its URL and a function that drops it.
 */
export async function createPgDatabase(
  prefix = "vundap_test",
  opts: { migrated?: boolean } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(opts.migrated ? `CREATE DATABASE "${name}" TEMPLATE "${inject("pgTemplate")}"` : `CREATE DATABASE "${name}"`);
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

let template: Blob | undefined;

/** The migrated PGlite data folder test/global-setup.ts made for this run, read once per worker. */
export function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject("pgliteTemplate"))]);
  return template;
}

/** Opens a fresh, migrated store of the flavour; `cleanup` closes and deletes it. */
export async function freshStore(flavour: StoreFlavour): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (flavour === "pglite") {
    const store = await openStore({ pgliteDir: "memory://", pgliteTemplate: pgliteTemplate() });
    return { store, cleanup: () => store.close() };
  }
  const db = await createPgDatabase("vundap_test", { migrated: true });
  const store = await openStore({ databaseUrl: db.url, poolSize: 4 });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}
