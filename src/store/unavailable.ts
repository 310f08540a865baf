/**
 * Tells a store outage (the database cannot be reached, the connection dropped, the embedded store
 * is closed) from every other error. An inbound update that failed because of an outage must not be
 * confirmed to the channel (it is handled when the store returns); any other failure is a bug or
 * bad input, answered with an apology and confirmed so that it cannot block the queue.
 */

/** Node socket errors that mean the database server cannot be reached (also used at start-up, src/store/errors.ts). */
export const SOCKET_OUTAGE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** Socket errors, Prisma codes and PostgreSQL SQLSTATEs that mean "the store is not there right now". */
const OUTAGE_CODES = new Set([
  ...SOCKET_OUTAGE_CODES,
  // Prisma: can't reach the server, server closed the connection, timed out, pool timeout.
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections.
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** Prisma driver-adapter error kinds that mean an outage. */
const OUTAGE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

const OUTAGE_MESSAGES = [
  /connection terminated/i,
  /connection (?:was )?closed/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Cannot use a pool after calling end/i,
  /server closed the connection/i,
  /PGlite is closed/i,
  /\bECONNREFUSED\b|\bECONNRESET\b/,
  /Can't reach database server/i,
];

/** The error raised to a channel when an update could not be handled because the store is unreachable. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(override readonly cause: unknown) {
    super(`the store is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** True when `err` (or anything in its cause chain) says the store cannot be reached now. */
export function isStoreUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === "object" && !seen.has(e); ) {
    seen.add(e);
    if (e instanceof StoreUnavailableError) return true;
    const o = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === "string" && OUTAGE_CODES.has(o.code)) return true;
    // PostgreSQL connection exceptions (class 08).
    if (typeof o.code === "string" && /^08[0-9A-Z]{3}$/.test(o.code)) return true;
    if (typeof o.kind === "string" && OUTAGE_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && OUTAGE_MESSAGES.some((re) => re.test(o.message as string))) return true;
    // AggregateError (a connection attempt on several addresses).
    if (Array.isArray(o.errors) && o.errors.some((x) => isStoreUnavailable(x))) return true;
    e = o.cause;
  }
  return false;
}
