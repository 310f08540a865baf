/**
 * Events from other processes on the same PostgreSQL database: a dedicated connection LISTENs on
 * one channel (a NOTIFY is delivered when the transaction that sent it commits). The connection is
 * re-opened after a loss (every few seconds); subscribers are called once when it is back, since
 * something may have happened meanwhile. Used for outbox enqueues (src/outbox/listen.ts) and
 * unit-tree changes (src/app/unit-changes.ts).
 */
import pg from "pg";
import type { Logger } from "../log.js";

/** A source of events from other processes (e.g. OutboxWorkerOptions.wakeups). */
export interface WakeSource {
  /** Calls `fn` on every event until the returned function is called. */
  subscribe(fn: () => void): () => void;
  /** Close the connection. */
  close(): Promise<void>;
  /** Resolves once the first LISTEN is in place (tests; production need not wait). */
  readonly ready: Promise<void>;
}

/** LISTEN on `channel` of `databaseUrl`; `what` names the events in log lines ("outbox", "unit tree"). */
export function listenForNotifications(
  databaseUrl: string,
  channel: string,
  opts: { log?: Logger; reconnectMs?: number; what: string },
): WakeSource {
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
      if (n.channel === channel) fire();
    });
    c.on("error", (err) => {
      opts.log?.warn({ err: err.message }, `${opts.what} LISTEN connection lost; reconnecting`);
      void c.end().catch(() => undefined);
      if (client === c) client = null;
      schedule();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      if (failures > 0) opts.log?.info(`${opts.what} LISTEN connection back`);
      failures = 0;
      markReady();
      // Something may have been enqueued while the connection was down.
      fire();
    } catch (err) {
      if (failures++ === 0) opts.log?.warn({ err: (err as Error).message }, `${opts.what} LISTEN connection failed; retrying`);
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
