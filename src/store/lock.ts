/**
 * PGlite is one process, one data directory: a second writer silently loses data. The directory is
 * therefore locked (proper-lockfile: an atomic mkdir beside it, refreshed while we run, stale after
 * the holder dies) and a second process refuses to start with a clear message.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import lockfile from "proper-lockfile";
import { t } from "../i18n.js";

export class StoreLockedError extends Error {
  override name = "StoreLockedError";
  constructor(readonly dir: string) {
    super(t("store:locked", { dir }));
  }
}

export const LOCK_STALE_MS = 10_000;

/** Take the exclusive lock on a PGlite data directory; resolves to the release function. */
export async function lockDataDir(dir: string, onCompromised: (err: Error) => void): Promise<() => Promise<void>> {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  try {
    return await lockfile.lock(abs, {
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_STALE_MS / 2,
      retries: 0,
      lockfilePath: `${abs}.lock`,
      onCompromised,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOCKED") throw new StoreLockedError(abs);
    throw err;
  }
}
