/** One structured logger (pino, JSON lines), to stdout or to a file. Secrets are redacted by key name. */
import { destination, pino, type Logger } from "pino";

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info", file?: string): Logger {
  const options = {
    level,
    base: { app: "vun-dap" },
    redact: { paths: ["token", "*.token", "secret", "*.secret", "password", "*.password", "databaseUrl"], censor: "[hidden]" },
  };
  return file ? pino(options, destination({ dest: file, mkdir: true, sync: false })) : pino(options);
}

export type { Logger };
