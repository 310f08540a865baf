/** Start-up tests: a migrated PGlite folder made once per file and copied, and the environment of a clean start. */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/store/database.js";

/** Makes a migrated, empty PGlite folder at `dir` (slow: once per test file). */
export async function makeTemplate(dir: string): Promise<void> {
  await (await openStore({ pgliteDir: dir })).close();
}

/** A copy of the template at `dir`. */
export function copyOf(template: string, dir: string): string {
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** The environment of `npm start` in the local chat, every setting pointed into `root` (nothing inherited). */
export function startEnv(root: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: "",
    PGLITE_DIR: join(root, "pglite"),
    DATA_DIR: root,
    BACKUP_DIR: join(root, "backups"),
    PLAN_FILE: "",
    UNITS_FILE: "",
    TELEGRAM_BOT_TOKEN: "",
    ZALO_ENABLED: "",
    LANGUAGE: "vi",
    LOG_LEVEL: "",
    ...extra,
  };
}

/** The lines of an output, without the trailing newline. */
export function lines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}
