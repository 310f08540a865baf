/**
 * The channel-wide rate (Telegram: 30/s) shared by every instance on one PostgreSQL database: a
 * row per channel holds the next free send slot ("OutboxPace"."nextAt", epoch ms); a worker
 * reserves n slots by moving it forward under the row lock, then sends each message at its slot.
 *
 * Slots are `spacingMs` apart. A send that starts more than `lateMs` after its slot (a busy event
 * loop, a slow store) takes a fresh slot instead, so late sends never bunch up: with spacing =
 * (perMs + lateMs) / (count − 1), no window of perMs holds more than `count` sends, whatever the
 * number of instances. (Telegram 30/s → 35.2 ms apart, about 28 sends a second.)
 *
 * A channel-wide 429 moves the slot past the pause, so every instance waits.
 */
import type { Store } from "../store/database.js";
import type { Rate } from "./rate-limit.js";

/** The slot an instance may send at too late to count on it: take a fresh one. */
export const LATE_MS = 20;

/** Shared send slots of one channel (see the file comment). */
export class SharedPace {
  readonly spacingMs: number;
  private created = false;

  constructor(
    private readonly store: Store,
    readonly channel: string,
    rate: Rate,
    readonly lateMs = LATE_MS,
  ) {
    this.spacingMs = rate.perMs === 0 ? 0 : rate.count <= 1 ? rate.perMs + lateMs : (rate.perMs + lateMs) / (rate.count - 1);
  }

  /**
   * Reserve `n` consecutive slots starting at or after `now`, unless the first free one is more
   * than `maxAheadMs` away (then nothing is reserved). Returns the first slot's instant.
   */
  async reserve(n: number, now: number, maxAheadMs: number): Promise<{ start: number; reserved: boolean }> {
    if (this.spacingMs === 0) return { start: now, reserved: true };
    await this.ensureRow();
    const [row] = await this.store.sql.query<{ start: number }>(
      `WITH cur AS (SELECT "nextAt" FROM "OutboxPace" WHERE channel = $1 FOR UPDATE)
       UPDATE "OutboxPace" p
          SET "nextAt" = CASE WHEN GREATEST(cur."nextAt", $2::float8) <= $2::float8 + $4::float8
                              THEN GREATEST(cur."nextAt", $2::float8) + $3::float8 * $5::float8
                              ELSE cur."nextAt" END
         FROM cur WHERE p.channel = $1
       RETURNING GREATEST(cur."nextAt", $2::float8) AS start`,
      [this.channel, now, n, maxAheadMs, this.spacingMs],
    );
    const start = Number(row!.start);
    return { start, reserved: start <= now + maxAheadMs };
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
