/**
 * One writer per PGlite folder, with real processes: a paused (SIGSTOP) holder keeps the folder
 * however long it is paused, a killed (kill -9) holder frees it at once, and the folder and its
 * rows survive both. Also the socket-file method used off Linux.
 */
import { cpSync, existsSync, realpathSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { t } from "../../src/i18n.js";
import { openStore } from "../../src/store/database.js";
import { lockDataDir, socketFilePath, StoreLockedError } from "../../src/store/lock.js";
import { tempDir } from "../helpers/db.js";
import { startChild } from "./child.js";
import { runProgram } from "./run.js";

const dirs = tempDir("vundap-lock-");
afterAll(() => dirs.remove());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Child processes on a loaded 2-core machine: generous bounds (a fresh folder is made once, then copied). */
const SLOW = 180_000;
const template = join(dirs.dir, "template");
beforeAll(async () => {
  await (await openStore({ pgliteDir: template })).close();
});

/** A migrated, empty PGlite folder named `name`. */
function folder(name: string): string {
  const dir = join(dirs.dir, name);
  cpSync(template, dir, { recursive: true });
  return dir;
}

async function personCount(pgliteDir: string): Promise<number> {
  const store = await openStore({ pgliteDir });
  try {
    return await store.prisma.person.count();
  } finally {
    await store.close();
  }
}

// At the same time: the paused holder's test mostly waits (11 s), the others need not wait for it.
describe.concurrent("the PGlite folder lock between processes", () => {
  it("a paused holder keeps the folder: a second process is refused with its pid, the holder goes on, no row is lost", async ({ expect }) => {
    const pgliteDir = folder("paused");
    const holder = startChild(["test/store/fixtures/hold-store.ts", pgliteDir]);
    try {
      const ready = await holder.line(/^ready /);
      const pid = Number(ready.split(" ")[1]);
      expect(pid).toBe(holder.proc.pid);
      process.kill(pid, "SIGSTOP");
      try {
        // Longer than the 10 s after which the old file lock called a silent holder stale.
        await sleep(11_000);
        const second = await runProgram(["test/store/fixtures/open-store.ts", pgliteDir]);
        expect(second.code).toBe(3);
        expect(second.stdout).toBe("");
        expect(second.stderr.trim()).toBe(t("store:locked", { dir: resolve(pgliteDir), pid }));
      } finally {
        process.kill(pid, "SIGCONT");
      }
      holder.send("insert");
      expect(await holder.line(/^inserted /)).toBe("inserted 2");
      holder.send("close");
      expect(await holder.exited()).toBe(0);
    } finally {
      holder.proc.kill("SIGKILL");
    }
    // Both rows written before and after the pause are there, and the folder opens.
    expect(await personCount(pgliteDir)).toBe(2);
  }, SLOW);

  it("a holder killed with kill -9 frees the folder at once: a restart opens it with its rows", async ({ expect }) => {
    const pgliteDir = folder("killed");
    const holder = startChild(["test/store/fixtures/hold-store.ts", pgliteDir]);
    await holder.line(/^ready /);
    holder.send("insert");
    expect(await holder.line(/^inserted /)).toBe("inserted 2");
    holder.proc.kill("SIGKILL");
    await holder.exited();
    const restart = await runProgram(["test/store/fixtures/open-store.ts", pgliteDir]);
    expect(restart.stderr).toBe("");
    expect(restart.stdout.trim()).toBe("opened 2");
    expect(restart.code).toBe(0);
  }, SLOW);

  it("within one process: a second lock on the same folder is refused with our pid, and free again after release", async ({ expect }) => {
    const dir = join(dirs.dir, "same");
    const first = await lockDataDir(dir, { onLost: () => undefined });
    const err = await lockDataDir(dir, { onLost: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as StoreLockedError).pid).toBe(process.pid);
    await first.release();
    const again = await lockDataDir(dir, { onLost: () => undefined });
    await again.release();
  });
});

describe("the socket-file lock (platforms without the abstract namespace)", () => {
  it("refuses while held, takes over a file left by a dead holder, and reports a replaced file as lost", async () => {
    const dir = join(dirs.dir, "socket-file");
    const lost: Error[] = [];
    const first = await lockDataDir(dir, { method: "socket-file", onLost: (e) => lost.push(e), watchMs: 50 });
    expect(existsSync(socketFilePath(first.dir))).toBe(true);
    const refused = await lockDataDir(dir, { method: "socket-file", onLost: () => undefined }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreLockedError);
    expect((refused as StoreLockedError).pid).toBe(process.pid);
    await first.release();

    // A holder killed with kill -9 leaves its socket file behind; the next one takes over.
    const leftover = startChild(["test/store/fixtures/hold-lock.ts", dir]);
    await leftover.line(/^locked /);
    leftover.proc.kill("SIGKILL");
    await leftover.exited();
    expect(existsSync(socketFilePath(first.dir))).toBe(true);
    const next = await lockDataDir(dir, { method: "socket-file", onLost: (e) => lost.push(e), watchMs: 50 });

    // Someone deletes the socket file: the holder learns it lost the lock (its watch looks every
    // 50 ms; the deadline is generous for a loaded machine, the wait ends as soon as it is told).
    unlinkSync(socketFilePath(first.dir));
    await vi.waitFor(() => expect(lost).not.toHaveLength(0), { timeout: 30_000, interval: 20 });
    expect(lost.map((e) => e.message)).toEqual([expect.stringContaining("removed or replaced")]);
    await next.release();
  });
});

describe("a lost lock", () => {
  it("a bot whose lock file is removed under it stops at once with one line, status 1", async () => {
    const pgliteDir = folder("lost");
    const holder = startChild(["test/store/fixtures/hold-store.ts", pgliteDir, "socket-file"]);
    try {
      await holder.line(/^ready /);
      unlinkSync(socketFilePath(realpathSync(pgliteDir)));
      expect(await holder.exited()).toBe(1);
      const prefix = t("store:lockLost", { dir: realpathSync(pgliteDir), detail: "§" }).split("§")[0]!;
      expect(holder.stderr().startsWith(prefix)).toBe(true);
      expect(holder.stderr().trim().split("\n")).toHaveLength(1);
    } finally {
      holder.proc.kill("SIGKILL");
    }
  }, SLOW);
});
