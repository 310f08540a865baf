/** The daily automatic backup on an injected clock: due once a day from BACKUP_HOUR (Vietnam time), keeps the N newest. */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DailyBackup, lastDueInstant } from "../../src/store/daily-backup.js";
import { tempDir } from "../helpers/db.js";

const dirs = tempDir("vundap-daily-");
afterAll(() => dirs.remove());

/** A stand-in store whose backup is a few bytes (the real dump is tested in backup.test.ts). */
const store = { backup: async () => new Blob([new Uint8Array([0x1f, 0x8b, 1, 2, 3])]) };

describe("daily backup", () => {
  it("the due instant is today at the hour once it has passed, else yesterday's (Vietnam time)", () => {
    // 2025-11-29 01:30 in Vietnam is 2025-11-28 18:30 UTC.
    expect(lastDueInstant(new Date("2025-11-28T18:30:00Z"), 2).toISOString()).toBe("2025-11-27T19:00:00.000Z");
    expect(lastDueInstant(new Date("2025-11-28T19:00:00Z"), 2).toISOString()).toBe("2025-11-28T19:00:00.000Z");
    expect(lastDueInstant(new Date("2025-11-29T16:59:00Z"), 0).toISOString()).toBe("2025-11-28T17:00:00.000Z");
  });

  it("makes one backup a day after the hour, and keeps only the N newest automatic ones", async () => {
    const dir = join(dirs.dir, "keep3");
    let now = new Date("2025-11-01T03:00:00+07:00");
    const daily = new DailyBackup({ store, dir, keep: 3, hour: 2, now: () => now });
    // A manual backup in the same folder is never pruned.
    const written: (string | null)[] = [];
    written.push(await daily.tick());
    writeFileSync(join(dir, "vun-dap-20251101-120000.tar.gz"), "manual");
    written.push(await daily.tick()); // same day: not due again
    for (let day = 2; day <= 10; day++) {
      now = new Date(`2025-11-${String(day).padStart(2, "0")}T01:59:00+07:00`);
      written.push(await daily.tick()); // before the hour: yesterday's exists
      now = new Date(`2025-11-${String(day).padStart(2, "0")}T02:00:30+07:00`);
      written.push(await daily.tick());
    }
    expect(written.filter(Boolean)).toHaveLength(10);
    expect(written[1]).toBeNull();
    expect(readdirSync(dir).sort()).toEqual([
      "vun-dap-20251101-120000.tar.gz",
      "vun-dap-auto-20251108-020030.tar.gz",
      "vun-dap-auto-20251109-020030.tar.gz",
      "vun-dap-auto-20251110-020030.tar.gz",
    ]);
    for (const name of readdirSync(dir).filter((n) => n.includes("auto"))) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
  });

  it("makes up a missed day at the next check (the bot was down at the hour)", async () => {
    const dir = join(dirs.dir, "missed");
    let now = new Date("2025-11-01T02:10:00+07:00");
    const daily = new DailyBackup({ store, dir, keep: 7, hour: 2, now: () => now });
    expect(await daily.tick()).not.toBeNull();
    now = new Date("2025-11-03T23:00:00+07:00"); // down on the 2nd and the 3rd at 02:00
    expect(daily.isDue()).toBe(true);
    expect(await daily.tick()).toMatch(/vun-dap-auto-20251103-230000\.tar\.gz$/);
    expect(daily.isDue()).toBe(false);
  });
});
