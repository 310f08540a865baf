/**
 * Why a store would not open, in words an operator can act on: each error names the setting
 * (PGLITE_DIR, DATABASE_URL) or folder, what was found and what to check. Passwords are never shown.
 */
import { t } from "../i18n.js";
import { SOCKET_OUTAGE_CODES } from "./unavailable.js";

/** The PGlite folder exists but PGlite cannot start on it. */
export class StoreDamagedError extends Error {
  override name = "StoreDamagedError";
  constructor(
    readonly dir: string,
    readonly detail: string,
  ) {
    super(t("store:damaged", { dir, detail }));
  }
}

/** host:port of a postgres:// URL (never the user or password). */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}`;
  } catch {
    return "?";
  }
}

/** The database name of a postgres:// URL. */
function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
  } catch {
    return "?";
  }
}

/** PostgreSQL at DATABASE_URL cannot be reached (refused, unknown host, timeout). */
export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
  constructor(
    readonly address: string,
    readonly code: string,
  ) {
    super(t("store:unreachable", { address, code }));
  }
}

/** PostgreSQL refused the user or password of DATABASE_URL. */
export class DatabaseAuthError extends Error {
  override name = "DatabaseAuthError";
  constructor(readonly address: string, readonly user: string) {
    super(t("store:auth", { address, user }));
  }
}

/** The database named in DATABASE_URL does not exist. */
export class DatabaseMissingError extends Error {
  override name = "DatabaseMissingError";
  constructor(readonly address: string, readonly database: string) {
    super(t("store:missing", { address, database }));
  }
}

/** The operator's error for a PostgreSQL connection failure, or the error itself when it is something else. */
export function explainPostgresError(err: unknown, url: string): unknown {
  const e = err as { code?: string; errors?: { code?: string }[] };
  const code = e?.code ?? e?.errors?.find((x) => x.code)?.code;
  if (!code) return err;
  const address = databaseAddress(url);
  if (SOCKET_OUTAGE_CODES.has(code)) return new DatabaseUnreachableError(address, code);
  if (code === "28P01" || code === "28000") {
    let user = "?";
    try {
      user = decodeURIComponent(new URL(url).username) || "?";
    } catch {
      // keep "?"
    }
    return new DatabaseAuthError(address, user);
  }
  if (code === "3D000") return new DatabaseMissingError(address, databaseName(url));
  return err;
}
