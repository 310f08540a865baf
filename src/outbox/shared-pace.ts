/**
 * The channel-wide rate (Telegram: 30 per second) kept by every instance on one PostgreSQL
 * database together. Before each send a worker asks for a slot in one short transaction under the
 * channel's "OutboxPace" row lock:
 *
 * - sends in flight on any instance (status "sending" with "launchedAt") count as sent now, and
 *   answered sends count at their answer time ("sentAt"): a message reaches the channel between
 *   its launch and its answer, so if fewer than `count` sends are counted within `perMs` before
 *   the slot, no window of `perMs` at the channel ever holds more than `count` — whatever the
 *   network's delays and however many instances send;
 * - slots are also at least perMs/count apart ("nextAt"), so sends are spread, not bursts;
 * - a channel-wide 429 moves "nextAt" past the pause, so every instance waits.
 *
 * The request is one statement (the plpgsql function vundap_pace_acquire), one round trip per send.
 *
 * The instants are the workers' clocks (hosts need synchronised clocks, as for the leases).
 */
import type { Store } from "../store/database.js";
import type { Rate } from "./rate-limit.js";

/** The answer to a slot request. */
export type SlotGrant =
  /** Send at `at` (the row now counts as in flight). */
  | { granted: true; at: number }
  /** No slot before `retryAt` (too many sends in flight, or the channel is paused). */
  | { granted: false; retryAt: number };

/** Shared send slots of one channel (see the file comment). */
export class SharedPace {
  readonly spacingMs: number;
  private created = false;

  constructor(
    private readonly store: Store,
    readonly channel: string,
    readonly rate: Rate,
  ) {
    this.spacingMs = rate.perMs === 0 ? 0 : rate.perMs / rate.count;
  }

  /**
   * A slot for claimed row `id` at or after `now`, unless none is free within `maxAheadMs`. A
   * granted row counts as in flight until its outcome is recorded (or its claim ends).
   */
  async acquire(id: number, now: number, maxAheadMs: number): Promise<SlotGrant> {
    if (this.rate.perMs === 0) return { granted: true, at: now };
    await this.ensureRow();
    // One statement (migration 20261202010100_outbox_pace_acquire): lock the pace row, count the
    // sends in flight, read the answers of the last window, take the slot.
    const [row] = await this.store.sql.query<{ granted: boolean; at_ms: number }>(
      `SELECT granted, at_ms FROM vundap_pace_acquire($1, $2, $3, $4, $5, $6, $7)`,
      [this.channel, id, now, this.rate.count, this.rate.perMs, this.spacingMs, maxAheadMs],
    );
    if (!row) throw new Error("vundap_pace_acquire returned nothing");
    const at = Number(row.at_ms);
    return row.granted ? { granted: true, at } : { granted: false, retryAt: at };
  }

  /** No instance sends on this channel before `until` (a channel-wide 429). */
  async pauseUntil(until: number): Promise<void> {
    await this.ensureRow();
    await this.store.sql.query(`UPDATE "OutboxPace" SET "nextAt" = GREATEST("nextAt", $2::float8) WHERE channel = $1`, [this.channel, until]);
  }

  private async ensureRow(): Promise<void> {
    if (this.created) return;
    await this.store.sql.query(`INSERT INTO "OutboxPace" (channel, "nextAt") VALUES ($1, 0) ON CONFLICT (channel) DO NOTHING`, [this.channel]);
    this.created = true;
  }
}
