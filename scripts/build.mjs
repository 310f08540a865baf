/**
 * `npm run build`: compiles src/ (tests left out) to dist/ as plain ES modules that node runs
 * directly, one output file per source file. dist/ mirrors src/ at the same depth, so the paths
 * the code finds from its own location (../../prisma/migrations, ../locales, plans/…) hold in both.
 * Transpile only (esbuild, the copy tsx already ships, nothing downloaded); `npm run typecheck`
 * checks types. Runs at install (postinstall), before the tests (test/global-setup.ts), and with
 * `--if-stale` before `npm start` / `npm run cli`: then only when a source is newer than the build.
 * Without `--if-stale` it also makes the migrated PGlite template that new data folders are copied
 * from (src/store/pglite-template.ts), unless the one there is current.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
/** Written last by a build: its time is the build's. */
const STAMP = ".built";

/** Every non-test TypeScript file under src/. */
export function sources(dir = SRC) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** True when dist/ is missing or older than a source file (or than this script). */
export function isStale(outdir = DIST) {
  const stamp = join(outdir, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return [fileURLToPath(import.meta.url), ...sources()].some((f) => statSync(f).mtimeMs > built);
}

/** Compiles src/ into `outdir` (default dist/), removing what was there. */
export async function build(outdir = DIST) {
  // esbuild is tsx's own dependency (tsx is a dependency of the bot): resolve it from tsx's folder.
  const fromTsx = createRequire(createRequire(join(ROOT, "package.json")).resolve("tsx/package.json"));
  const esbuild = await import(fromTsx.resolve("esbuild"));
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: sources(),
    outdir,
    outbase: SRC,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
  writeFileSync(join(outdir, STAMP), `${new Date().toISOString()}\n`);
  return outdir;
}

/**
 * Makes the installation's migrated PGlite template (initdb and every migration, in a child process)
 * unless a current one is there. Returns true when it made one.
 */
export async function buildPgliteTemplate(outdir = DIST) {
  const template = await import(pathToFileURL(join(outdir, "store", "pglite-template.js")).href);
  if (template.templateIsCurrent(template.DEFAULT_TEMPLATE_DIR)) return false;
  const { createPgliteFolderInChild } = await import(pathToFileURL(join(outdir, "store", "pglite-create.js")).href);
  const tmp = mkdtempSync(join(tmpdir(), "vundap-template-"));
  try {
    await createPgliteFolderInChild(join(tmp, "pglite"));
    template.saveTemplate(join(tmp, "pglite"));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes("--if-stale");
  if (!ifStale || isStale()) {
    const started = Date.now();
    await build();
    process.stderr.write(`dist/ built in ${Date.now() - started} ms\n`);
  }
  if (!ifStale) {
    // Only new data folders wait without it (they are then made the slow way, and saved as the template).
    const started = Date.now();
    await buildPgliteTemplate().then(
      (made) => made && process.stderr.write(`PGlite template made in ${Date.now() - started} ms\n`),
      (err) => process.stderr.write(`PGlite template not made (new data folders will take longer): ${err?.message ?? err}\n`),
    );
  }
}
