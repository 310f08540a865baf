/**
 * Exactly one instance holds the Zalo session (a Zalo account allows one web session).
 *
 * PostgreSQL: each instance opens a DEDICATED connection (not from the pool) and tries a
 * session-level `pg_try_advisory_lock(ZALO_LEADER_LOCK)` every `retryMs`. The holder keeps the
 * connection open and checks it at the same pace; when the holder dies or its connection drops,
 * PostgreSQL releases the lock and the next try of another instance takes over. The holder that
 * notices its connection is gone calls `onLost` (the app stops its Zalo session) and stays out of
 * the contest for two intervals, so that another instance takes over. A holder cut off
 * without noticing is found by its next check, so two listeners overlap for at most about `retryMs`
 * (the older one is then closed by Zalo with code 3000).
 *
 * PGlite: one process by construction (the data folder is locked), so it is always the leader.
 *
 * Non-leaders still enqueue Zalo messages in the outbox; only `isLeader()` instances send them.
 */
import pg from "pg";
import type { Logger } from "../../log.js";
import type { Store } from "../../store/database.js";

/** "ZALO" in ASCII; distinct from Prisma's migration lock (72707369). */
export const ZALO_LEADER_LOCK = 0x5a414c4f;

export interface ZaloLeadership {
  isLeader(): boolean;
  /** Gives up leadership (unlocks, closes the connection) and stops trying; onLost is not called. */
  release(): Promise<void>;
}

export interface ZaloLeadershipOptions {
  onAcquired: () => void | Promise<void>;
  onLost: () => void | Promise<void>;
  /** Try / check interval (default 10 s). */
  retryMs?: number;
  log?: Logger;
  /** The PostgreSQL URL for the dedicated connection (default: process.env.DATABASE_URL). */
  databaseUrl?: string;
  lockKey?: number;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function acquireZaloLeadership(store: Store, opts: ZaloLeadershipOptions): Promise<ZaloLeadership> {
  if (store.kind === "pglite") {
    let held = true;
    try {
      await opts.onAcquired();
    } catch (err) {
      opts.log?.error({ err: errText(err) }, "Zalo onAcquired failed");
    }
    return {
      isLeader: () => held,
      async release() {
        held = false;
      },
    };
  }
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error("acquireZaloLeadership on PostgreSQL needs databaseUrl (or DATABASE_URL)");
  const leadership = new PgLeadership(url, opts);
  await leadership.tick();
  return leadership;
}

class PgLeadership implements ZaloLeadership {
  private client?: pg.Client;
  private leader = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private callbacks: Promise<void> = Promise.resolve();
  /** When leadership was lost: the loser waits two intervals so that a healthy instance takes over. */
  private lostAt = 0;
  private readonly retryMs: number;
  private readonly key: number;

  constructor(
    private readonly url: string,
    private readonly opts: ZaloLeadershipOptions,
  ) {
    this.retryMs = opts.retryMs ?? 10_000;
    this.key = opts.lockKey ?? ZALO_LEADER_LOCK;
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
          this.opts.log?.info({ lock: this.key }, "Zalo leadership acquired");
          this.queue(this.opts.onAcquired, "onAcquired");
        }
      } else {
        await c.query("SELECT 1");
      }
    } catch (err) {
      this.opts.log?.warn({ err: errText(err) }, "Zalo leadership connection failed");
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
    const c = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: "vun-dap zalo-leader" });
    c.on("error", (err) => {
      this.opts.log?.warn({ err: errText(err) }, "Zalo leadership connection error");
      this.lose(c);
    });
    c.on("end", () => this.lose(c));
    this.client = c;
    try {
      await c.connect();
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
        this.opts.log?.warn("Zalo leadership lost (its database connection closed)");
        this.queue(this.opts.onLost, "onLost");
      }
    }
  }

  private queue(fn: () => void | Promise<void>, name: string): void {
    this.callbacks = this.callbacks
      .then(() => fn())
      .catch((err) => this.opts.log?.error({ err: errText(err) }, `Zalo leadership ${name} failed`));
  }
}
