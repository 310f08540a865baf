/**
 * Backups of the embedded store: a gzip tarball of the PGlite data folder (PGlite's own
 * dumpDataDir, taken between queries after a checkpoint), and its restore into the folder
 * (loadDataDir into a fresh folder beside it, checked, then swapped in; the old folder is kept
 * aside, never overwritten). PostgreSQL has pg_dump for this.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { t } from "../i18n.js";
import type { Store } from "./database.js";
import { makeOwnerOnly } from "./file-modes.js";
import { lockDataDir, PID_FILE, type LockMethod } from "./lock.js";

/** Names of automatic backups: vun-dap-auto-YYYYMMDD-HHmmss.tar.gz (Vietnam time). */
export const AUTO_BACKUP_PATTERN = /^vun-dap-auto-(\d{8})-(\d{6})\.tar\.gz$/;

const VN_OFFSET_MS = 7 * 3600_000;

/** "YYYYMMDD-HHmmss" of an instant in Vietnam time (UTC+7, no daylight saving). */
export function backupStamp(at: Date): string {
  const iso = new Date(at.getTime() + VN_OFFSET_MS).toISOString(); // 2025-11-29T02:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** The instant an automatic backup's file name records, or undefined for other files. */
export function autoBackupTime(name: string): Date | undefined {
  const m = AUTO_BACKUP_PATTERN.exec(name);
  if (!m) return undefined;
  const [d, h] = [m[1]!, m[2]!];
  const utc = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +h.slice(0, 2), +h.slice(2, 4), +h.slice(4, 6));
  return new Date(utc - VN_OFFSET_MS);
}

/** The store is not an embedded PGlite folder (PostgreSQL, or in memory): nothing to back up here. */
export class BackupUnsupportedError extends Error {
  override name = "BackupUnsupportedError";
  constructor() {
    super(t("backup:unsupported"));
  }
}

/** A backup file that cannot be restored (missing, not a PGlite backup, damaged). */
export class BackupUnreadableError extends Error {
  override name = "BackupUnreadableError";
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(t("backup:unreadable", { file, detail }));
  }
}

/** Writes a backup of an open PGlite store to `file` (0600; written beside and renamed, so never half a file). */
export async function writeBackup(store: Store, file: string): Promise<{ file: string; bytes: number }> {
  if (!store.backup) throw new BackupUnsupportedError();
  const blob = await store.backup();
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const abs = resolve(file);
  mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
  const partial = `${abs}.partial`;
  writeFileSync(partial, bytes, { mode: 0o600 });
  renameSync(partial, abs);
  return { file: abs, bytes: bytes.length };
}

/** Automatic backups in `dir`, oldest first. */
export function listAutoBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => AUTO_BACKUP_PATTERN.test(n))
    .sort();
}

/** Deletes all but the `keep` newest automatic backups in `dir`; returns the names deleted. */
export function pruneAutoBackups(dir: string, keep: number): string[] {
  const all = listAutoBackups(dir);
  const gone = all.slice(0, Math.max(0, all.length - keep));
  for (const name of gone) unlinkSync(join(dir, name));
  return gone;
}

/** Where a restore put things. */
export interface RestoreResult {
  dir: string;
  /** The folder that was there before, kept aside (undefined when there was none). */
  previous?: string;
}

function hasData(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => n !== PID_FILE);
}

/**
 * Restores a backup into the PGlite folder `dir`: refuses while another process holds the folder
 * (StoreLockedError), loads the backup into a new folder beside it and opens it once to check it,
 * then moves the current folder aside (`<dir>.before-restore-<stamp>`) and the new one in.
 */
export async function restoreBackup(file: string, dir: string, opts: { now?: Date; lockMethod?: LockMethod } = {}): Promise<RestoreResult> {
  const abs = resolve(dir);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new BackupUnreadableError(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(abs, {
    onLost: (err) => {

      process.stderr.write(`${t("store:lockLost", { dir: abs, detail: err.message })}\n`);
      process.exit(1);
    },
    ...(opts.lockMethod ? { method: opts.lockMethod } : {}),
  });
  try {
    const stamp = backupStamp(opts.now ?? new Date());
    const fresh = join(dirname(abs), `.${basename(abs)}.restoring-${stamp}`);
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(fresh, { mode: 0o700 });
    try {
      const { PGlite } = await import("@electric-sql/pglite"); // only restores need it (not the bot on PostgreSQL)
      const db = new PGlite(fresh, { loadDataDir: new Blob([new Uint8Array(data)], { type: "application/x-gzip" }) });
      try {
        await db.waitReady;
        await db.query(`SELECT count(*) FROM "_prisma_migrations"`);
      } finally {
        await db.close().catch(() => undefined);
      }
    } catch (err) {
      rmSync(fresh, { recursive: true, force: true });
      throw new BackupUnreadableError(file, (err as Error).message);
    }
    rmSync(join(fresh, PID_FILE), { force: true });
    let previous: string | undefined;
    if (hasData(abs)) {
      previous = `${abs}.before-restore-${stamp}`;
      renameSync(abs, previous);
      rmSync(join(previous, PID_FILE), { force: true });
    } else {
      rmSync(abs, { recursive: true, force: true });
    }
    renameSync(fresh, abs);
    makeOwnerOnly(abs);
    return { dir: abs, ...(previous ? { previous } : {}) };
  } finally {
    await lock.release();
  }
}
