/**
 * New PGlite folders from the installation's migrated template (src/store/pglite-template.ts):
 * copied only when the template's migrations are the first ones of today's set, byte for byte;
 * otherwise made the slow way, which then replaces the template.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/database.js";
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from "../../src/store/migrate.js";
import {
  copyTemplate,
  currentManifest,
  DEFAULT_TEMPLATE_DIR,
  MANIFEST_FILE,
  readManifest,
  saveTemplate,
  templateFits,
  templateIsCurrent,
  type TemplateManifest,
} from "../../src/store/pglite-template.js";
import { tempDir } from "../helpers/db.js";

const m = (name: string, checksum = `sum-${name}`) => ({ name, checksum });
const now: TemplateManifest = { pglite: "0.5.17", migrations: [m("1_a"), m("2_b"), m("3_c")] };

describe("which template fits today's migrations", () => {
  const cases: { what: string; template: TemplateManifest; fits: boolean }[] = [
    { what: "the same migrations", template: now, fits: true },
    { what: "the first ones (the newer apply at open)", template: { ...now, migrations: [m("1_a"), m("2_b")] }, fits: true },
    { what: "none yet", template: { ...now, migrations: [] }, fits: true },
    { what: "one edited since", template: { ...now, migrations: [m("1_a"), m("2_b", "older")] }, fits: false },
    { what: "one removed since", template: { ...now, migrations: [m("1_a"), m("3_c")] }, fits: false },
    { what: "one more than today (a later checkout)", template: { ...now, migrations: [...now.migrations, m("4_d")] }, fits: false },
    { what: "another PGlite", template: { ...now, pglite: "0.5.16" }, fits: false },
  ];
  it.each(cases)("$what: $fits", ({ template, fits }) => {
    expect(templateFits(template, now)).toBe(fits);
  });
});

/** Names of the user tables of an open store. */
async function tables(sql: { query<T>(text: string): Promise<T[]> }): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
  return rows.map((r) => r.name);
}

describe("a copy cut short", () => {
  it("is undone, keeping what the folder held before (the lock's pid file), and reported as no copy", () => {
    const d = tempDir();
    try {
      const template = join(d.dir, "template");
      mkdirSync(join(template, "base", "1"), { recursive: true });
      writeFileSync(join(template, "base", "1", "112"), "x");
      writeFileSync(join(template, MANIFEST_FILE), JSON.stringify(currentManifest()));
      // No PG_VERSION: the last copy fails, as when the template is replaced meanwhile.
      const target = join(d.dir, "pglite");
      mkdirSync(target);
      writeFileSync(join(target, "vun-dap.pid"), "123");
      expect(copyTemplate(template, target)).toBe(false);
      expect(readdirSync(target)).toEqual(["vun-dap.pid"]);
    } finally {
      d.remove();
    }
  });
});

describe("new PGlite folders and the template", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const scratch = () => {
    const d = tempDir();
    cleanups.push(d.remove);
    return d.dir;
  };

  it("makes the first folder the slow way and saves it; the next folder is a copy of the template", async () => {
    const root = scratch();
    const templateDir = join(root, "cache", "pglite-template");
    const first = await openStore({ pgliteDir: join(root, "one"), pgliteTemplateDir: templateDir });
    await first.close();
    expect(templateIsCurrent(templateDir)).toBe(true);
    expect(existsSync(join(templateDir, "vun-dap.pid"))).toBe(false); // the lock's pid file is not copied

    // A marker only the template has: a folder holding it was copied, not made afresh.
    const db = new PGlite(templateDir);
    await db.exec(`CREATE TABLE "TemplateMarker" (id int)`);
    await db.close();

    const second = await openStore({ pgliteDir: join(root, "two"), pgliteTemplateDir: templateDir });
    try {
      expect(await tables(second.sql)).toContain("TemplateMarker");
      const rows = await second.sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
      expect(rows.map((r) => r.migration_name).sort()).toEqual(readMigrations().map((x) => x.name));
      expect(await second.prisma.unit.count()).toBe(0);
    } finally {
      await second.close();
    }
    expect(existsSync(join(root, "two", MANIFEST_FILE))).toBe(false);
  });

  it("copies a template of an older migration set and applies only the newer migrations", async () => {
    const root = scratch();
    const all = readMigrations();
    expect(all.length).toBeGreaterThan(1);
    // An older checkout's migrations: all but the last.
    const olderDir = join(root, "older-migrations");
    for (const x of all.slice(0, -1)) {
      mkdirSync(join(olderDir, x.name), { recursive: true });
      cpSync(join(MIGRATIONS_DIR, x.name, "migration.sql"), join(olderDir, x.name, "migration.sql"));
    }
    const made = join(root, "older-folder");
    const db = new PGlite(made);
    try {
      await applyMigrations(
        { exec: async (s) => void (await db.exec(s)), query: async <T>(q: string, p?: unknown[]) => (await db.query<T>(q, p as never[])).rows },
        { advisoryLock: false, dir: olderDir },
      );
      await db.exec(`CREATE TABLE "TemplateMarker" (id int)`);
    } finally {
      await db.close();
    }
    const templateDir = join(root, "pglite-template");
    saveTemplate(made, templateDir, currentManifest(readMigrations(olderDir)));
    expect(templateIsCurrent(templateDir)).toBe(false);

    const store = await openStore({ pgliteDir: join(root, "new"), pgliteTemplateDir: templateDir });
    try {
      expect(await tables(store.sql)).toContain("TemplateMarker");
      const rows = await store.sql.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(all.map((x) => [x.name, x.checksum]));
    } finally {
      await store.close();
    }
  });

  it("never copies a template whose migration was edited since: the folder is made afresh and replaces it", async () => {
    const root = scratch();
    const templateDir = join(root, "pglite-template");
    // The installation's template (test/global-setup.ts makes it), with a marker only it has.
    expect(templateIsCurrent(DEFAULT_TEMPLATE_DIR)).toBe(true);
    cpSync(DEFAULT_TEMPLATE_DIR, templateDir, { recursive: true });
    const db = new PGlite(templateDir);
    await db.exec(`CREATE TABLE "TemplateMarker" (id int)`);
    await db.close();
    // The template says it was made with another text of the first migration.
    const manifest = readManifest(templateDir)!;
    manifest.migrations[0]!.checksum = "0".repeat(64);
    writeFileSync(join(templateDir, MANIFEST_FILE), JSON.stringify(manifest));

    const second = await openStore({ pgliteDir: join(root, "two"), pgliteTemplateDir: templateDir });
    try {
      expect(await tables(second.sql)).not.toContain("TemplateMarker");
    } finally {
      await second.close();
    }
    expect(templateIsCurrent(templateDir)).toBe(true);
    expect(readdirSync(root).filter((n) => n.includes(".new-") || n.includes(".old-"))).toEqual([]);
  });
});
