/**
 * PGlite is one process, one data folder: a second writer destroys it. The folder is therefore
 * locked by a listening Unix socket, which the kernel frees only when the holding process dies —
 * never because the holder is paused or busy, and at once after a crash (kill -9).
 *
 * - Linux: a socket in the abstract namespace named after the folder's real path
 *   ("\0vun-dap:" + sha256). bind() is atomic and there is no file to go stale.
 * - Elsewhere: a socket file beside the folder (`.<folder>.vun-dap.sock`; inside it, it would
 *   break PGlite's dumpDataDir, which cannot archive a socket). A leftover file of a dead holder refuses
 *   connections (ECONNREFUSED): it is removed and the bind retried. A watchdog notices when the
 *   file is removed or replaced under us and reports the lock lost.
 *
 * The holder also writes its pid to `vun-dap.pid` in the folder and answers every connection
 * with it, so that a refused process can name it (the file serves when the holder is paused).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { basename, dirname, join, resolve } from "node:path";
import { t } from "../i18n.js";

/** Another live process holds the data folder. */
export class StoreLockedError extends Error {
  override name = "StoreLockedError";
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(pid ? t("store:locked", { dir, pid }) : t("store:lockedNoPid", { dir }));
  }
}

/** How the lock is taken: "abstract" (Linux only) or "socket-file" (every platform). */
export type LockMethod = "abstract" | "socket-file";

/** The platform's method: the abstract namespace on Linux, a socket file elsewhere. */
export const DEFAULT_LOCK_METHOD: LockMethod = process.platform === "linux" ? "abstract" : "socket-file";

/** The pid file the holder writes into the folder. */
export const PID_FILE = "vun-dap.pid";
/** The socket file of the "socket-file" method for a folder: beside it, hidden. */
export function socketFilePath(realDir: string): string {
  return join(dirname(realDir), `.${basename(realDir)}.vun-dap.sock`);
}

/** A held lock. */
export interface DataDirLock {
  /** The folder's real path. */
  dir: string;
  method: LockMethod;
  /** Stop listening (frees the lock). Idempotent. */
  release(): Promise<void>;
}

/** Options of lockDataDir. */
export interface LockOptions {
  /** Called once if the lock is lost while held (the socket fails or its file is replaced). */
  onLost(err: Error): void;
  method?: LockMethod;
  /** How often the socket-file watchdog checks the file (ms). */
  watchMs?: number;
}

/** The abstract socket name of a folder (its real path hashed). */
export function abstractLockName(realDir: string): string {
  return `\0vun-dap:${createHash("sha256").update(realDir).digest("hex")}`;
}

function listen(server: net.Server, path: string): Promise<void> {
  return new Promise((resolveListen, reject) => {
    const onError = (err: Error): void => {
      server.off("listening", onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolveListen();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ path, exclusive: true });
  });
}

/** Connects to a lock socket: "held" with the pid it answers (if any within `ms`), or "free" when nobody listens. */
function probe(path: string, ms = 500): Promise<{ state: "held"; pid?: number } | { state: "free" }> {
  return new Promise((done) => {
    const socket = net.connect({ path });
    let text = "";
    const finish = (r: { state: "held"; pid?: number } | { state: "free" }): void => {
      clearTimeout(timer);
      socket.destroy();
      done(r);
    };
    // A paused holder accepts (the kernel does) but never answers: still held.
    const timer = setTimeout(() => finish({ state: "held" }), ms);
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (text += d));
    socket.on("end", () => {
      const pid = Number.parseInt(text, 10);
      finish({ state: "held", ...(pid > 0 ? { pid } : {}) });
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNREFUSED" || err.code === "ENOENT") finish({ state: "free" });
      else finish({ state: "held" });
    });
  });
}

function pidFromFile(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, PID_FILE), "utf8"), 10);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of the process holding `dir`'s lock, as far as it can be learned (answer, else pid file). */
async function holderPid(path: string, dir: string): Promise<number | undefined> {
  const p = await probe(path);
  return (p.state === "held" ? p.pid : undefined) ?? pidFromFile(dir);
}

/**
 * Take the exclusive lock on a PGlite data folder (created 0700 if missing). Throws
 * StoreLockedError, naming the holder's pid, when another live process holds it.
 */
export async function lockDataDir(dir: string, opts: LockOptions): Promise<DataDirLock> {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  const real = realpathSync(abs);
  const method = opts.method ?? DEFAULT_LOCK_METHOD;
  const path = method === "abstract" ? abstractLockName(real) : socketFilePath(real);

  const server = net.createServer((socket) => {
    socket.on("error", () => undefined);
    socket.end(String(process.pid));
  });
  try {
    await listen(server, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    if (method === "abstract") throw new StoreLockedError(real, await holderPid(path, real));
    // A socket file: alive (someone answers) or left by a dead holder.
    const p = await probe(path);
    if (p.state === "held") throw new StoreLockedError(real, p.pid ?? pidFromFile(real));
    try {
      unlinkSync(path);
    } catch (unlinkErr) {
      if ((unlinkErr as NodeJS.ErrnoException).code !== "ENOENT") throw unlinkErr;
    }
    try {
      await listen(server, path);
    } catch (retryErr) {
      if ((retryErr as NodeJS.ErrnoException).code === "EADDRINUSE") throw new StoreLockedError(real, await holderPid(path, real));
      throw retryErr;
    }
  }
  server.unref();
  writeFileSync(join(real, PID_FILE), `${process.pid}\n`, { mode: 0o600 });

  let released = false;
  let lost = false;
  const loseLock = (err: Error): void => {
    if (released || lost) return;
    lost = true;
    opts.onLost(err);
  };
  server.on("error", loseLock);
  server.on("close", () => loseLock(new Error(`the lock socket of ${real} closed`)));

  let watchdog: NodeJS.Timeout | undefined;
  let ino: number | undefined;
  if (method === "socket-file") {
    ino = statSync(path).ino;
    watchdog = setInterval(() => {
      let now: number | undefined;
      try {
        now = statSync(path).ino;
      } catch {
        now = undefined;
      }
      if (now !== ino) loseLock(new Error(`the lock file ${path} was removed or replaced`));
    }, opts.watchMs ?? 2_000);
    watchdog.unref();
  }

  return {
    dir: real,
    method,
    async release() {
      if (released) return;
      released = true;
      if (watchdog) clearInterval(watchdog);
      await new Promise<void>((done) => server.close(() => done()));
      if (method === "socket-file") {
        try {
          if (statSync(path).ino === ino) unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}
