/**
 * A migrated, empty PGlite data folder kept once per installation, copied (plain file copies, a
 * fraction of a second) whenever a new data folder is needed, instead of PGlite's initdb and every
 * migration (several seconds in a child process, see pglite-create.ts).
 *
 * The template lives in node_modules/.cache/vun-dap/ (a fresh `npm ci` starts without one). It is
 * built at install (`node scripts/build.mjs`), or saved at the first start that had to create a folder
 * the slow way. Beside the folder's files it holds `template.json`, what it was made from: the PGlite
 * version and the name and checksum of every migration applied. It is used only when the PGlite
 * version is the installed one and its migrations are, in order and byte for byte, the first ones of
 * prisma/migrations; the newer ones are then applied at open as on any start. A template whose
 * migration was edited or removed since, or from another PGlite, is never copied: the folder is
 * created the slow way and the template replaced. A template appears only whole (built aside, then
 * renamed into place).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readMigrations, type MigrationFile } from "./migrate.js";
import { PID_FILE } from "./lock.js";

/** The checkout's root (src/store/ and dist/store/ are both two levels down). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the installation's template folder is kept. */
export const DEFAULT_TEMPLATE_DIR = join(ROOT, "node_modules", ".cache", "vun-dap", "pglite-template");

/** The file inside a template naming what it was made from. */
export const MANIFEST_FILE = "template.json";

/** What a template was made from. */
export interface TemplateManifest {
  pglite: string;
  migrations: { name: string; checksum: string }[];
}

/** The installed PGlite's version (a data folder is tied to the PostgreSQL build inside it). */
export function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  // The package's exports do not list package.json: read it beside the resolved entry point.
  let dir = dirname(require.resolve("@electric-sql/pglite"));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** The manifest of a template made now, with every migration of `migrations`. */
export function currentManifest(migrations: MigrationFile[] = readMigrations()): TemplateManifest {
  return { pglite: pgliteVersion(), migrations: migrations.map(({ name, checksum }) => ({ name, checksum })) };
}

/** The manifest of the template in `dir`, or undefined when there is none (or it is unreadable). */
export function readManifest(dir: string): TemplateManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as TemplateManifest;
    return typeof m.pglite === "string" && Array.isArray(m.migrations) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a template made from `template` may start a folder that `current` describes: the same
 * PGlite, and the template's migrations exactly the first ones of the current set (names and
 * checksums). The migrations after them are applied at open.
 */
export function templateFits(template: TemplateManifest, current: TemplateManifest): boolean {
  if (template.pglite !== current.pglite) return false;
  if (template.migrations.length > current.migrations.length) return false;
  return template.migrations.every(
    (m, i) => m.name === current.migrations[i]!.name && m.checksum === current.migrations[i]!.checksum,
  );
}

/** Whether the template in `dir` was made from exactly `current` (nothing left to apply). */
export function templateIsCurrent(dir: string, current: TemplateManifest = currentManifest()): boolean {
  const m = readManifest(dir);
  return m !== undefined && templateFits(m, current) && m.migrations.length === current.migrations.length;
}

/**
 * Copies the template in `templateDir` into the new data folder `target` (made if missing; files of
 * the lock may already be there) when it fits the current migrations. PG_VERSION, by which a
 * folder counts as created, is copied last, so that a copy cut short is not taken for a store.
 * Returns false, copying nothing, when there is no fitting template.
 */
export function copyTemplate(templateDir: string, target: string, current: TemplateManifest = currentManifest()): boolean {
  const manifest = readManifest(templateDir);
  if (!manifest || !templateFits(manifest, current)) return false;
  mkdirSync(target, { recursive: true });
  const before = new Set(readdirSync(target));
  const skip = new Set([join(templateDir, MANIFEST_FILE), join(templateDir, "PG_VERSION")]);
  try {
    cpSync(templateDir, target, { recursive: true, filter: (src) => !skip.has(src) });
    cpSync(join(templateDir, "PG_VERSION"), join(target, "PG_VERSION"));
    return true;
  } catch {
    // The template went away meanwhile (another process replacing a stale one): undo, and make the folder the slow way.
    for (const name of readdirSync(target)) if (!before.has(name)) rmSync(join(target, name), { recursive: true, force: true });
    return false;
  }
}

/**
 * Saves the freshly created (and closed) data folder `source`, migrated with every migration of
 * `current`, as the template in `templateDir`: copied aside, then renamed into place, so that a
 * template is whole or absent. A template already current is kept; a stale one is replaced.
 */
export function saveTemplate(source: string, templateDir: string = DEFAULT_TEMPLATE_DIR, current: TemplateManifest = currentManifest()): void {
  if (templateIsCurrent(templateDir, current)) return;
  const parent = dirname(templateDir);
  mkdirSync(parent, { recursive: true });
  const aside = `${templateDir}.new-${process.pid}-${Date.now()}`;
  try {
    cpSync(source, aside, { recursive: true, filter: (src) => src !== join(source, PID_FILE) });
    writeFileSync(join(aside, MANIFEST_FILE), `${JSON.stringify(current)}\n`);
    if (existsSync(templateDir)) {
      const old = `${templateDir}.old-${process.pid}-${Date.now()}`;
      try {
        renameSync(templateDir, old);
        rmSync(old, { recursive: true, force: true });
      } catch {
        // another process replaced it meanwhile
      }
    }
    try {
      renameSync(aside, templateDir);
    } catch (err) {
      // Another process put its (equally current) template in place first.
      if (!templateIsCurrent(templateDir, current)) throw err;
    }
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
}
