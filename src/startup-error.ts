/**
 * What an operator reads when the bot or a CLI command cannot start: one line naming the variable
 * or file, what was found and what to check (a bad plan or units file adds its line-numbered
 * problems below), in the process language. No stack trace unless LOG_LEVEL is debug or trace.
 */
import { ConfigError } from "./config/env.js";
import { t } from "./i18n.js";
import { PlanError } from "./plan/load.js";
import { BackupUnreadableError, BackupUnsupportedError } from "./store/backup.js";
import { DatabaseAuthError, DatabaseMissingError, DatabaseUnreachableError, StoreDamagedError } from "./store/errors.js";
import { StoreLockedError } from "./store/lock.js";
import { MigrationError } from "./store/migrate.js";
import { UnitFileError, UnitTreeError } from "./store/units.js";

/** Errors whose message is already the operator's sentence. */
const SELF_EXPLAINING = [
  ConfigError,
  PlanError,
  StoreLockedError,
  StoreDamagedError,
  DatabaseUnreachableError,
  DatabaseAuthError,
  DatabaseMissingError,
  MigrationError,
  BackupUnreadableError,
  BackupUnsupportedError,
];

/** True when LOG_LEVEL asks for stack traces. */
export function wantsStack(env: Record<string, string | undefined> = process.env): boolean {
  const level = env.LOG_LEVEL?.trim().toLowerCase();
  return level === "debug" || level === "trace";
}

/** The text for a start-up failure (no trailing newline). */
export function describeStartupError(err: unknown, opts: { stack?: boolean } = {}): string {
  if (SELF_EXPLAINING.some((cls) => err instanceof cls)) return withStack((err as Error).message, err, opts.stack);
  if (err instanceof UnitFileError) {
    const file = err.errors[0]?.file ?? "?";
    return withStack([t("startup:unitsFile", { file, count: err.errors.length }), err.message].join("\n"), err, opts.stack);
  }
  if (err instanceof UnitTreeError) return withStack(`${t("startup:unitsTree")}\n${err.message}`, err, opts.stack);
  const e = err as NodeJS.ErrnoException;
  const detail = e instanceof Error ? [e.code, e.message].filter(Boolean).join(": ") : String(err);
  return withStack(t("startup:unexpected", { detail: detail.replace(/\s*\n\s*/g, " ") }), err, opts.stack);
}

function withStack(text: string, err: unknown, stack: boolean | undefined): string {
  return stack && err instanceof Error && err.stack ? `${text}\n${err.stack}` : text;
}
