/** One structured logger (pino, JSON lines). Secrets are redacted by key name. */
import { pino, type Logger } from "pino";

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { app: "vun-dap" },
    redact: { paths: ["token", "*.token", "secret", "*.secret", "password", "*.password", "databaseUrl"], censor: "[hidden]" },
  });
}

export type { Logger };
