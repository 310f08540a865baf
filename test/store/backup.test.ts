/**
 * Backups of the embedded store: a store with rows in every table goes through `cli backup` and
 * `cli restore` (real processes) into a new folder and every row of every table comes back; a
 * restore over a folder keeps the old one aside; a restore is refused while the folder is held.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../../src/i18n.js";
import { writeBackup } from "../../src/store/backup.js";
import { openStore } from "../../src/store/database.js";
import { tempDir } from "../helpers/db.js";
import { everyRow, fillEveryTable } from "./fixtures/every-table.js";
import { runProgram } from "./run.js";

const CLI = "src/cli/index.ts";
const SLOW = 400_000; // three PGlite processes in a row on a loaded 2-core machine
const dirs = tempDir("vundap-backup-");
afterAll(() => dirs.remove());
const env = (pgliteDir: string) => ({ DATABASE_URL: "", PGLITE_DIR: pgliteDir, BACKUP_DIR: join(dirs.dir, "backups"), LANGUAGE: "vi", LOG_LEVEL: "" });

const source = join(dirs.dir, "source");
let before: Record<string, string[]>;

beforeAll(async () => {
  const store = await openStore({ pgliteDir: source });
  try {
    await fillEveryTable(store);
    before = await everyRow(store);
    // The bot's own path (the daily backup): from the open store.
    await writeBackup(store, join(dirs.dir, "in-process.tar.gz"));
  } finally {
    await store.close();
  }
}, SLOW);

async function rowsOf(pgliteDir: string): Promise<Record<string, string[]>> {
  const store = await openStore({ pgliteDir, migrate: false });
  try {
    return await everyRow(store);
  } finally {
    await store.close();
  }
}

describe("backup and restore of the PGlite store", () => {
  it("the source has rows in every table (else the round trip proves less than it claims)", () => {
    const empty = Object.entries(before)
      .filter(([, rows]) => rows.length === 0)
      .map(([table]) => table);
    expect(empty, "add rows for these tables to test/store/fixtures/every-table.ts").toEqual([]);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(14);
  });

  it("cli backup, then cli restore into a new folder: every row of every table comes back", async () => {
    const file = join(dirs.dir, "manual.tar.gz");
    const b = await runProgram([CLI, "backup", "--out", file], env(source), SLOW);
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(`✔ Đã sao lưu ${resolve(source)} vào ${resolve(file)}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const target = join(dirs.dir, "restored");
    const r = await runProgram([CLI, "restore", file], env(target), SLOW);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(t("backup:restored", { file, dir: resolve(target) }, "vi"));
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(await rowsOf(target)).toEqual(before);
  }, SLOW);

  it("restoring over a folder keeps the old folder aside and brings back the backup's rows (in-process backup)", async () => {
    const target = join(dirs.dir, "over");
    const store = await openStore({ pgliteDir: target });
    await store.prisma.person.create({ data: { channel: "local", externalId: "old", displayName: "Old" } });
    await store.close();
    const file = join(dirs.dir, "in-process.tar.gz");
    const r = await runProgram([CLI, "restore", file, "--lang", "en"], env(target), SLOW);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const aside = readdirSync(dirname(target)).filter((n) => n.startsWith("over.before-restore-"));
    expect(aside).toHaveLength(1);
    expect(r.stdout).toContain(`The old folder is kept at ${join(resolve(dirname(target)), aside[0]!)}`);
    expect(existsSync(join(dirname(target), aside[0]!, "PG_VERSION"))).toBe(true);
    expect(await rowsOf(target)).toEqual(before);
  }, SLOW);

  it("refuses to restore while another process holds the folder, naming its pid, and changes nothing", async () => {
    const target = join(dirs.dir, "held");
    const store = await openStore({ pgliteDir: target });
    try {
      const r = await runProgram([CLI, "restore", join(dirs.dir, "in-process.tar.gz")], env(target), SLOW);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim()).toBe(t("store:locked", { dir: resolve(target), pid: process.pid }, "vi"));
      expect(await store.prisma.unit.count()).toBe(0);
    } finally {
      await store.close();
    }
    expect(readdirSync(dirs.dir).filter((n) => n.startsWith("held."))).toEqual([]);
  }, SLOW);
});
