/**
 * Wakes outbox workers in this process when another process enqueues on the same PostgreSQL
 * database: a dedicated connection LISTENs on OUTBOX_NOTIFY_CHANNEL (the enqueue's INSERT sends
 * the NOTIFY, delivered when its transaction commits). The connection is re-opened after a loss
 * (every few seconds); meanwhile the workers' polling covers.
 */
import pg from "pg";
import type { Logger } from "../log.js";
import { OUTBOX_NOTIFY_CHANNEL } from "./queue.js";

/** A source of "something was enqueued" events from other processes (OutboxWorkerOptions.wakeups). */
export interface WakeSource {
  /** Calls `fn` on every event until the returned function is called. */
  subscribe(fn: () => void): () => void;
  /** Close the connection. */
  close(): Promise<void>;
  /** Resolves once the first LISTEN is in place (tests; production need not wait). */
  readonly ready: Promise<void>;
}

/** LISTEN on `databaseUrl` for enqueues by other processes. */
export function listenForEnqueues(databaseUrl: string, opts: { log?: Logger; reconnectMs?: number } = {}): WakeSource {
  const subscribers = new Set<() => void>();
  const reconnectMs = opts.reconnectMs ?? 3000;
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const fire = () => {
    for (const fn of subscribers) fn();
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on("notification", (n) => {
      if (n.channel === OUTBOX_NOTIFY_CHANNEL) fire();
    });
    c.on("error", (err) => {
      opts.log?.warn({ err: err.message }, "outbox LISTEN connection lost; polling until it is back");
      void c.end().catch(() => undefined);
      if (client === c) client = null;
      schedule();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      if (failures > 0) opts.log?.info("outbox LISTEN connection back");
      failures = 0;
      markReady();
      // Something may have been enqueued while the connection was down.
      fire();
    } catch (err) {
      if (failures++ === 0) opts.log?.warn({ err: (err as Error).message }, "outbox LISTEN connection failed; polling until it works");
      await c.end().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, reconnectMs);
    timer.unref();
  };
  void connect();

  return {
    ready,
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
