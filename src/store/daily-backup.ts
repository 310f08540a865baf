/**
 * The daily automatic backup of the embedded store, inside the running bot: once a day after
 * BACKUP_HOUR (Vietnam time) a backup goes to BACKUP_DIR and only the BACKUP_KEEP newest automatic
 * ones are kept. A missed day (the bot was down at that hour) is made up at the next check.
 * The clock is injected, so that the schedule can be tested without waiting.
 */
import type { Logger } from "../log.js";
import { autoBackupTime, backupStamp, listAutoBackups, pruneAutoBackups, writeBackup } from "./backup.js";
import type { Store } from "./database.js";
import { makeOwnerOnly } from "./file-modes.js";

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const VN_OFFSET_MS = 7 * HOUR_MS;

/** Options of DailyBackup. */
export interface DailyBackupOptions {
  store: Pick<Store, "backup">;
  dir: string;
  keep: number;
  /** Hour of the day (0–23, Vietnam time) from which the day's backup is due. */
  hour: number;
  now?: () => Date;
  log?: Logger;
  /** How often start() checks whether a backup is due (ms). */
  checkEveryMs?: number;
  /** Folders made owner-only again after each backup (the data folder: PGlite creates files 0666). */
  secure?: readonly string[];
}

/** The latest instant at or before `now` when a daily backup became due. */
export function lastDueInstant(now: Date, hour: number): Date {
  const local = now.getTime() + VN_OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  let due = dayStart + hour * HOUR_MS;
  if (due > local) due -= DAY_MS;
  return new Date(due - VN_OFFSET_MS);
}

/** Daily backups with retention; `tick()` does one check, `start()` checks now and every minute. */
export class DailyBackup {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly opts: DailyBackupOptions) {}

  /** True when no automatic backup exists since the last due instant. */
  isDue(now: Date = this.now()): boolean {
    const due = lastDueInstant(now, this.opts.hour).getTime();
    const latest = listAutoBackups(this.opts.dir).at(-1);
    const at = latest ? autoBackupTime(latest) : undefined;
    return !at || at.getTime() < due;
  }

  /** Makes the day's backup when it is due and prunes old ones; returns the file written, or null. */
  async tick(): Promise<string | null> {
    const now = this.now();
    if (!this.isDue(now)) return null;
    const file = `${this.opts.dir}/vun-dap-auto-${backupStamp(now)}.tar.gz`;
    const written = await writeBackup(this.opts.store as Store, file);
    const removed = pruneAutoBackups(this.opts.dir, this.opts.keep);
    makeOwnerOnly(this.opts.dir, ...(this.opts.secure ?? []));
    this.opts.log?.info({ file: written.file, bytes: written.bytes, removed }, "daily backup written");
    return written.file;
  }

  /** Checks now and then every minute (never two backups at once); failures are logged. */
  start(): void {
    const check = (): void => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err) => this.opts.log?.error({ err: (err as Error).message }, "daily backup failed"))
        .finally(() => (this.running = undefined));
    };
    check();
    this.timer = setInterval(check, this.opts.checkEveryMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops checking and waits for a backup in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }
}
