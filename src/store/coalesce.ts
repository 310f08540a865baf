/**
 * Coalescing one statement's calls: when more calls arrive than may run at once, the waiting ones
 * go to the database together, as ONE statement, when a running one returns. Used by the hot path
 * (inbound.ts, lean-commit.ts): with messages from many chats arriving at the same time, each
 * message still waits for one read and one commit, but the database and the driver see a few
 * statements carrying many messages instead of one statement each.
 *
 * Invariants:
 * - No call waits for a batch to fill: a call is sent at once while fewer than `maxInFlight`
 *   statements run; it waits only behind running ones, and goes with the next statement.
 * - A batch of one is sent as the single statement (`one`), the path a message alone has always taken.
 * - A statement running longer than `slowMs` stops counting against `maxInFlight`: a statement hung
 *   on a dead connection holds its own calls only, never every call after it (the pool's size
 *   bounds the statements at once, as it does without coalescing).
 * - Each caller gets its own answer, at its position: `many` returns them in the order given.
 * - When a batch fails as a whole: on an outage (isStoreUnavailable) every call fails with that
 *   error, as its own statement would have; on any other error for which `retryAlone(err)` holds
 *   (the database refused the statement, so nothing of it was kept), each call is sent again alone,
 *   so one bad call fails alone and the others are answered; otherwise every call fails with it.
 */
import { channel } from "node:diagnostics_channel";
import type { Store } from "./database.js";
import type { SqlConnection } from "./sql.js";
import { isStoreUnavailable } from "./unavailable.js";

/** How a coalesced statement is run. */
export interface CoalescerOptions<I, O> {
  /** A name for diagnostics (the `statement` of each published batch). */
  name: string;
  /** One call alone: the single statement. */
  one(input: I): Promise<O>;
  /** Several calls in one statement; the answers in the same order. */
  many(inputs: I[]): Promise<O[]>;
  /** Statements that may run at once. */
  maxInFlight: number;
  /** Calls one statement carries at most. */
  maxBatch: number;
  /** After this long a running statement no longer holds back the next one (default 1,000 ms). */
  slowMs?: number;
  /** A failed batch whose calls may each be sent again alone (see the file comment). */
  retryAlone(err: unknown): boolean;
}

/**
 * Published for every statement a Coalescer sends, before it is sent: `{ statement, calls }`.
 * For operators' tooling and the benchmarks (node:diagnostics_channel; nothing is done when nobody listens).
 */
export const BATCH_CHANNEL = channel("vundap:store:batch");
/**
 * Published for every call when its answer reaches the caller, in the caller's async context:
 * `{ statement, roundTrips }`, the statements the call waited for (1, or 2 after a batch failed).
 */
export const CALL_CHANNEL = channel("vundap:store:call");

interface Waiting<I, O> {
  input: I;
  resolve(value: { value: O; roundTrips: number }): void;
  reject(err: unknown): void;
}

/** Runs calls of one statement, coalescing the waiting ones (see the file comment). */
export class Coalescer<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(private readonly opts: CoalescerOptions<I, O>) {}

  /** One call: resolves with its own answer. */
  async run(input: I): Promise<O> {
    const { value, roundTrips } = await new Promise<{ value: O; roundTrips: number }>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.pump();
    });
    if (CALL_CHANNEL.hasSubscribers) CALL_CHANNEL.publish({ statement: this.opts.name, roundTrips });
    return value;
  }

  private pump(): void {
    while (this.running < this.opts.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.opts.maxBatch);
      this.running++;
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        clearTimeout(slow);
        this.running--;
        this.pump();
      };
      const slow = setTimeout(release, this.opts.slowMs ?? 1_000);
      slow.unref();
      void this.send(batch).finally(release);
    }
  }

  private async send(batch: Waiting<I, O>[]): Promise<void> {
    if (BATCH_CHANNEL.hasSubscribers) BATCH_CHANNEL.publish({ statement: this.opts.name, calls: batch.length });
    if (batch.length === 1) {
      const w = batch[0]!;
      try {
        w.resolve({ value: await this.opts.one(w.input), roundTrips: 1 });
      } catch (err) {
        w.reject(err);
      }
      return;
    }
    let answers: O[];
    try {
      answers = await this.opts.many(batch.map((w) => w.input));
      if (answers.length !== batch.length) throw new Error(`${this.opts.name}: ${answers.length} answers for ${batch.length} calls`);
    } catch (err) {
      if (isStoreUnavailable(err) || !this.opts.retryAlone(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      // Nothing of the statement was kept: each call alone, so that only a bad one fails.
      await Promise.all(
        batch.map(async (w) => {
          try {
            w.resolve({ value: await this.opts.one(w.input), roundTrips: 2 });
          } catch (e) {
            w.reject(e);
          }
        }),
      );
      return;
    }
    batch.forEach((w, i) => w.resolve({ value: answers[i]!, roundTrips: 1 }));
  }
}

/** What a statement's coalescer needs from a store; the concurrency is the store's (see below). */
export type StatementOptions<I, O> = Omit<CoalescerOptions<I, O>, "maxInFlight" | "maxBatch">;

/**
 * One coalescer per store connection (a store's own, or a test's wrapper of it) for a statement:
 * at most two statements at once on PostgreSQL; one on PGlite, which runs one statement at a time
 * anyway, so that everything waiting goes with the next one; at most 100 calls in one.
 */
export function coalescerPerStore<I, O>(make: (sql: SqlConnection) => StatementOptions<I, O>): (store: Store) => Coalescer<I, O> {
  const made = new WeakMap<SqlConnection, Coalescer<I, O>>();
  return (store) => {
    let c = made.get(store.sql);
    if (!c) {
      c = new Coalescer<I, O>({ ...make(store.sql), maxInFlight: store.kind === "pglite" ? 1 : 2, maxBatch: 100 });
      made.set(store.sql, c);
    }
    return c;
  };
}

/**
 * SQLSTATE classes of a statement the database refused while running it, after which nothing of it
 * is kept: data exception, integrity constraint violation, transaction rollback (serialization,
 * deadlock), syntax or access rule, WITH CHECK, program limit, object not in prerequisite state
 * (lock not available), a plpgsql RAISE; and 57014, a cancelled statement.
 */
const REFUSED_CLASSES = new Set(["22", "23", "40", "42", "44", "54", "55", "P0"]);

/**
 * Whether `err` is the database's refusal of a statement (an error response with a severity and a
 * SQLSTATE of the classes above, from pg or PGlite), after which nothing of the statement is kept.
 * A connection that broke, a server shutting down, or an error raised in this process is not: the
 * statement may have committed.
 */
export function isStatementRefused(err: unknown): boolean {
  const e = err as { severity?: unknown; code?: unknown } | null;
  if (!e || typeof e !== "object" || typeof e.severity !== "string" || typeof e.code !== "string") return false;
  if (isStoreUnavailable(err)) return false;
  return e.code === "57014" || (/^[0-9A-Z]{5}$/.test(e.code) && REFUSED_CLASSES.has(e.code.slice(0, 2)));
}
