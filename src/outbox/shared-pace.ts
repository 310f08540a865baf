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
    return this.store.sql.transaction(async (tx) => {
      const [pace] = await tx.query<{ nextAt: number }>(`SELECT "nextAt" FROM "OutboxPace" WHERE channel = $1 FOR UPDATE`, [this.channel]);
      const [counts] = await tx.query<{ inflight: number }>(
        `SELECT count(*)::int AS inflight FROM "OutboxMessage"
          WHERE channel = $1 AND status = 'sending' AND "launchedAt" IS NOT NULL AND id <> $2`,
        [this.channel, id],
      );
      const inflight = counts?.inflight ?? 0;
      const room = this.rate.count - inflight;
      if (room <= 0) return { granted: false, retryAt: now + Math.max(1, Math.ceil(this.spacingMs)) } as SlotGrant;
      // The answered sends that may still be inside the window, newest first.
      const answers = await tx.query<{ sentAt: Date }>(
        `SELECT "sentAt" FROM "OutboxMessage"
          WHERE channel = $1 AND "sentAt" > $2::timestamptz ORDER BY "sentAt" DESC LIMIT $3`,
        [this.channel, new Date(now - this.rate.perMs).toISOString(), room],
      );
      let at = Math.max(now, Math.ceil(Number(pace?.nextAt ?? 0)));
      // Fewer than `room` answers may lie within perMs before the slot: the room-th newest must not.
      const oldestAllowed = answers[room - 1];
      if (oldestAllowed) at = Math.max(at, new Date(oldestAllowed.sentAt).getTime() + this.rate.perMs + 1);
      if (at > now + maxAheadMs) return { granted: false, retryAt: at } as SlotGrant;
      await tx.query(`UPDATE "OutboxMessage" SET "launchedAt" = $2::timestamptz WHERE id = $1`, [id, new Date(at).toISOString()]);
      await tx.query(`UPDATE "OutboxPace" SET "nextAt" = $2::float8 WHERE channel = $1`, [this.channel, at + this.spacingMs]);
      return { granted: true, at } as SlotGrant;
    });
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
