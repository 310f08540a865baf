/**
 * Counts the statements an async call sends to the database, at the drivers (as bench:pipeline
 * does): pg's Client.query (the pool, Prisma's adapter and raw SQL all go through it) and PGlite's
 * query / exec / sql / transaction (BEGIN and COMMIT counted as the statements they are). Each is
 * one round trip. Only statements issued inside `count(fn)` are counted (AsyncLocalStorage), so a
 * worker or another test's work running meanwhile is not.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { hookDriverStatements } from "./driver-hook.js";

/** What one counted call sent. */
export interface RoundTrips {
  /** Every statement (round trip). */
  statements: number;
  /** Explicit transactions opened (BEGIN): a one-statement commit opens none. */
  transactions: number;
  /** The statements' SQL, in order (for failure messages). */
  sql: string[];
}

const current = new AsyncLocalStorage<RoundTrips>();
let installed = 0;
let restore: (() => void) | null = null;

function note(sql: unknown): void {
  const c = current.getStore();
  if (!c) return;
  c.statements++;
  const text = typeof sql === "string" ? sql : ((sql as { text?: string } | null)?.text ?? String(sql));
  if (/^\s*BEGIN\b/i.test(text)) c.transactions++;
  c.sql.push(text.replace(/\s+/g, " ").trim().slice(0, 80));
}

function install(): void {
  if (installed++ > 0) return;
  restore = hookDriverStatements(note);
}

function uninstall(): void {
  if (--installed > 0) return;
  restore?.();
  restore = null;
}

/** Runs `fn` and returns what it sent to the database (see the file comment). */
export async function countRoundTrips(fn: () => Promise<unknown>): Promise<RoundTrips> {
  install();
  const c: RoundTrips = { statements: 0, transactions: 0, sql: [] };
  try {
    await current.run(c, fn);
  } finally {
    uninstall();
  }
  return c;
}
