/**
 * Exactly one instance does a job that must not run twice (hold the Zalo session, poll Telegram).
 *
 * PostgreSQL: each instance opens a DEDICATED connection (not from the pool) and tries a
 * session-level `pg_try_advisory_lock(lockKey)` every `retryMs`. The holder keeps the connection
 * open and checks it at the same pace; when the holder dies or its connection drops, PostgreSQL
 * releases the lock and the next try of another instance takes over (a killed process: within
 * `retryMs`; a vanished machine: after the server's TCP keepalive gives up, about 20 s more). The
 * holder that notices its connection is gone calls `onLost` and stays out of the contest for two
 * intervals, so that another instance takes over. A holder cut off without noticing is found by its
 * next check, so two leaders overlap for at most about `retryMs`.
 *
 * PGlite: one process by construction (the data folder is locked), so it is always the leader.
 */
import pg from "pg";
import type { Logger } from "../log.js";
import type { Store } from "./database.js";

/** A held (or wanted) leadership. */
export interface Leadership {
  isLeader(): boolean;
  /** Gives up leadership (unlocks, closes the connection) and stops trying; onLost is not called. */
  release(): Promise<void>;
}

/** What a leadership contest needs. */
export interface LeadershipOptions {
  /** What is led, for log lines (e.g. "Telegram polling"). */
  name: string;
  /** The advisory-lock key; distinct per role and from Prisma's migration lock (72707369). */
  lockKey: number;
  onAcquired: () => void | Promise<void>;
  onLost: () => void | Promise<void>;
  /** Try / check interval (default 10 s). */
  retryMs?: number;
  log?: Logger;
  /** The PostgreSQL URL for the dedicated connection (default: process.env.DATABASE_URL). */
  databaseUrl?: string;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Joins the contest for `opts.lockKey`: resolves after the first try (leader or not); `onAcquired`
 * runs when this instance becomes the leader, `onLost` when it stops being it.
 */
export async function acquireLeadership(store: Store, opts: LeadershipOptions): Promise<Leadership> {
  if (store.kind === "pglite") {
    let held = true;
    try {
      await opts.onAcquired();
    } catch (err) {
      opts.log?.error({ err: errText(err) }, `${opts.name}: onAcquired failed`);
    }
    return {
      isLeader: () => held,
      async release() {
        held = false;
      },
    };
  }
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error(`${opts.name} leadership on PostgreSQL needs databaseUrl (or DATABASE_URL)`);
  const leadership = new PgLeadership(url, opts);
  await leadership.tick();
  return leadership;
}

class PgLeadership implements Leadership {
  private client?: pg.Client;
  private leader = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private callbacks: Promise<void> = Promise.resolve();
  /** When leadership was lost: the loser waits two intervals so that a healthy instance takes over. */
  private lostAt = 0;
  /** The last try failed: further failures are not logged until one succeeds (one line per outage). */
  private failing = false;
  private readonly retryMs: number;
  private readonly key: number;

  constructor(
    private readonly url: string,
    private readonly opts: LeadershipOptions,
  ) {
    this.retryMs = opts.retryMs ?? 10_000;
    this.key = opts.lockKey;
  }

  isLeader(): boolean {
    return this.leader;
  }

  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client;
    this.client = undefined;
    if (c) {
      if (this.leader) await c.query("SELECT pg_advisory_unlock($1)", [this.key]).catch(() => undefined);
      await c.end().catch(() => undefined);
    }
    this.leader = false;
    await this.callbacks;
  }

  /** One try (or, as leader, one check of the holding connection), then the next is scheduled. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.leader && Date.now() - this.lostAt < 2 * this.retryMs) return;
      const c = this.client ?? (await this.connect());
      if (this.stopped) return;
      if (!this.leader) {
        const r = await c.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [this.key]);
        if (r.rows[0]?.locked && c === this.client && !this.stopped) {
          this.leader = true;
          this.opts.log?.info({ lock: this.key }, `${this.opts.name}: leadership acquired`);
          this.queue(this.opts.onAcquired, "onAcquired");
        }
      } else {
        await c.query("SELECT 1");
      }
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        this.opts.log?.warn({ err: errText(err) }, `${this.opts.name}: leadership connection failed; retrying every ${this.retryMs / 1000} s`);
      }
      if (this.client) this.lose(this.client);
    } finally {
      if (!this.stopped) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.tick(), this.retryMs);
        this.timer.unref();
      }
    }
  }

  private async connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      application_name: `vun-dap leader: ${this.opts.name}`.slice(0, 63),
    });
    c.on("error", (err) => {
      this.opts.log?.warn({ err: errText(err) }, `${this.opts.name}: leadership connection error`);
      this.lose(c);
    });
    c.on("end", () => this.lose(c));
    this.client = c;
    try {
      await c.connect();
      // The server drops a holder whose machine vanished (no FIN) within about 20 s, releasing the lock.
      await c.query("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
    } catch (err) {
      this.lose(c);
      throw err;
    }
    return c;
  }

  private lose(c: pg.Client): void {
    if (c !== this.client) return;
    this.client = undefined;
    void c.end().catch(() => undefined);
    if (this.leader) {
      this.leader = false;
      this.lostAt = Date.now();
      if (!this.stopped) {
        this.opts.log?.warn(`${this.opts.name}: leadership lost (its database connection closed)`);
        this.queue(this.opts.onLost, "onLost");
      }
    }
  }

  private queue(fn: () => void | Promise<void>, name: string): void {
    this.callbacks = this.callbacks
      .then(() => fn())
      .catch((err) => this.opts.log?.error({ err: errText(err) }, `${this.opts.name}: leadership ${name} failed`));
  }
}
