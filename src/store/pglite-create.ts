/**
 * Creating a PGlite data folder (PostgreSQL's initdb, then every migration) in a child process.
 * initdb inside the bot's own process leaves about 450 MB resident for good (WASM memory never
 * shrinks); done in a short-lived child, the bot then opens a ready folder as on any restart.
 * Run as a program: `node pglite-create.js <folder>` (under tsx for the .ts source); exit 0 when
 * the folder is created and migrated, else 1 with the reason on stderr.
 */
import { spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { applyMigrations } from "./migrate.js";

/**
 * PGlite's start parameters for the bot: its defaults with a 16 MB buffer cache instead of
 * PostgreSQL's 128 MB (PGlite reads through the operating system's file cache anyway), which
 * keeps about 140 MB less resident.
 */
export const PGLITE_START_PARAMS: string[] = [
  ...(PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams,
  "-c",
  "shared_buffers=16MB",
];

/** Applies every migration to an open PGlite database (no advisory lock: nothing else has it open). */
export async function migratePglite(db: PGlite): Promise<void> {
  await applyMigrations(
    {
      async exec(script) {
        await db.exec(script);
      },
      async query<T>(text: string, params?: unknown[]) {
        return (await db.query<T>(text, params as never[])).rows;
      },
    },
    { advisoryLock: false },
  );
}

/** Creates and migrates a PGlite folder in this process (what the child runs). */
export async function createPgliteFolder(dir: string): Promise<void> {
  const db = new PGlite(dir, { startParams: PGLITE_START_PARAMS });
  try {
    await db.waitReady;
    await migratePglite(db);
  } finally {
    await db.close();
  }
}

/** Creates and migrates the PGlite folder `dir` in a child process; rejects with the child's reason. */
export function createPgliteFolderInChild(dir: string): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  // From the TypeScript sources (tests, benches) the child needs tsx's loader; from dist/ plain node.
  const args = self.endsWith(".ts") ? ["--import", "tsx", self, dir] : [self, dir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim() || `creating the PGlite folder ended with ${signal ?? `status ${code}`}`));
    });
  });
}

const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (isMain) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: pglite-create <folder>\n");
    process.exit(2);
  }
  createPgliteFolder(dir).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
