/**
 * `npm run build`: compiles src/ (tests left out) to dist/ as plain ES modules that node runs
 * directly, one output file per source file. dist/ mirrors src/ at the same depth, so the paths
 * the code finds from its own location (../../prisma/migrations, ../locales, plans/…) hold in both.
 * Transpile only (esbuild, the copy tsx already ships, nothing downloaded); `npm run typecheck`
 * checks types. Runs at install (postinstall) and once before the tests (test/global-setup.ts).
 */
import { readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// esbuild is tsx's own dependency (tsx is a dependency of the bot): resolve it from tsx's folder.
const fromTsx = createRequire(createRequire(join(ROOT, "package.json")).resolve("tsx/package.json"));
const esbuild = await import(fromTsx.resolve("esbuild"));

/** Every non-test TypeScript file under src/. */
export function sources(dir = join(ROOT, "src")) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** Compiles src/ into `outdir` (default dist/), removing what was there. */
export async function build(outdir = join(ROOT, "dist")) {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: sources(),
    outdir,
    outbase: join(ROOT, "src"),
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  await build();
  console.log(`dist/ built in ${Date.now() - started} ms`);
}
