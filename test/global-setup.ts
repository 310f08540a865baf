/**
 * Once per `vitest run`, before any test file: compiles src/ to dist/ when a source is newer than
 * the build (the CLI and bot tests run the compiled programs with node, as `npm start` does; a
 * current build is kept, so a second run at the same time never replaces dist/ under the first),
 * makes the installation's PGlite template unless it is current (src/store/pglite-template.ts), and
 * makes from a copy of that template (with any newer migration applied) the data-folder tarball
 * every test's fresh PGlite store starts from (test/helpers/db.ts), instead of each test running
 * PGlite's initdb and every migration again.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { build, buildPgliteTemplate, isStale } from "../scripts/build.mjs";
import { applyMigrations } from "../src/store/migrate.js";
import { migratePglite, PGLITE_START_PARAMS } from "../src/store/pglite-create.js";
import { copyTemplate, DEFAULT_TEMPLATE_DIR } from "../src/store/pglite-template.js";
import { PG_ADMIN_URL } from "./helpers/pg-admin.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Path of a gzip-less tarball of a migrated PGlite data folder. */
    pgliteTemplate: string;
    /** Name of a migrated PostgreSQL database that fresh test databases are created from. */
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "vundap-template-"));
  const pgTemplate = `vundap_template_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  // The CLI and bot tests' new data folders are copies of the installation's template (made once).
  const [tarball] = await Promise.all([
    (isStale() ? build() : Promise.resolve())
      .then(() => buildPgliteTemplate())
      .then(() => migratedPgliteTarball(dir)),
    migratedPgTemplate(pgTemplate),
  ]);
  const file = join(dir, "pglite.tar");
  writeFileSync(file, Buffer.from(await tarball.arrayBuffer()));
  project.provide("pgliteTemplate", file);
  project.provide("pgTemplate", pgTemplate);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    await adminQuery(`DROP DATABASE IF EXISTS "${pgTemplate}" WITH (FORCE)`);
  };
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** Creates and migrates the template database; its connection is closed before any copy is made. */
async function migratedPgTemplate(name: string): Promise<void> {
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await applyMigrations(
      {
        async exec(script) {
          await client.query(script);
        },
        async query<T>(text: string, params?: unknown[]) {
          return (await client.query(text, params)).rows as T[];
        },
      },
      { advisoryLock: false },
    );
  } finally {
    await client.end();
  }
}

/**
 * The tarball of a migrated PGlite data folder: a copy of the installation's template (made or
 * checked just before) with the newer migrations applied — opening it costs well under a second,
 * PGlite's initdb several. Without a fitting template (never after buildPgliteTemplate), initdb.
 */
async function migratedPgliteTarball(parent: string): Promise<Blob> {
  const folder = join(parent, "pglite-folder");
  const db = copyTemplate(DEFAULT_TEMPLATE_DIR, folder) ? new PGlite(folder, { startParams: PGLITE_START_PARAMS }) : new PGlite();
  try {
    await migratePglite(db);
    return await db.dumpDataDir("none");
  } finally {
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
