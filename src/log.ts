/**
 * One structured logger (pino, JSON lines), to stdout or to a file. Secrets are redacted by key name.
 * A log file is the owner's only (0600), also when an older version left it readable by others.
 */
import { fchmodSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { destination, pino, type Logger } from "pino";

/** A logger at `level`, writing to `file` (created 0600, or made 0600) or to stdout. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? "info", file?: string): Logger {
  const options = {
    level,
    base: { app: "vun-dap" },
    redact: { paths: ["token", "*.token", "secret", "*.secret", "password", "*.password", "databaseUrl"], censor: "[hidden]" },
  };
  if (!file) return pino(options);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Opened here (not by pino): the mode is ours, and the destination is ready at once, so that a
  // process exiting right after a start-up failure does not trip over a file still being opened.
  const fd = openSync(file, "a", 0o600);
  fchmodSync(fd, 0o600);
  return pino(options, destination({ dest: fd, sync: false }));
}

export type { Logger };
