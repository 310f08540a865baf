/**
 * Owner-only files: the data folders are 0700 and every file in them 0600, fixed on every start
 * (folders made by older versions, or files PGlite creates 0666, included).
 */
import { chmodSync, existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The process umask: files and folders the process creates are the owner's only. */
export const OWNER_ONLY_UMASK = 0o077;

/** Folders are made 0700 and regular files 0600 in each tree (symbolic links and sockets are left alone). */
export function makeOwnerOnly(...roots: readonly string[]): void {
  for (const root of roots) if (existsSync(root)) walk(root);
}

function walk(path: string): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return; // removed meanwhile
  if (st.isDirectory()) {
    if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const name of names) walk(join(path, name));
  } else if (st.isFile()) {
    if ((st.mode & 0o777) !== 0o600) {
      try {
        chmodSync(path, 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  }
}
