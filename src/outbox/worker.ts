/**
 * The outbox worker: delivers queued messages through the channel senders, paced, in order per
 * chat, with retries, on an injected clock.
 *
 * Delivery guarantees (see also index.ts):
 * - Order per chat: only a chat's oldest unfinished message (pending or sending) can be claimed;
 *   the next one waits until it is sent or set aside.
 * - Restart-safe: a row is claimed with a lease (status "sending", lockedUntil, lockedBy). A
 *   graceful stop hands unsent claims back at once; after a crash they are claimed again when the
 *   lease ends. Nothing queued is lost.
 * - At-least-once at the edge: if the process dies after the channel accepted a message but
 *   before the row was marked sent (one UPDATE), that one message is sent again after the lease.
 *   Only messages in flight at the crash can be affected (at most `concurrency` of them; one per
 *   chat). Every other message is sent exactly once.
 * - Several instances share the work: claims use FOR UPDATE SKIP LOCKED, and per-chat spacing is
 *   checked against the stored send times, so it holds across instances. Per-group and global
 *   limits are kept in memory per instance: with N instances give each 1/N of the global rate.
 */
import { randomUUID } from "node:crypto";
import {
  type ChannelName,
  type ChannelSender,
  type OutboundMessage,
  PermanentSendError,
  RetryAfterError,
} from "../channels/types.js";
import { createLogger, type Logger } from "../log.js";
import type { Store } from "../store/database.js";
import { type Clock, systemClock } from "./clock.js";
import { type ChannelLimits, type LimitsConfig, resolveLimits } from "./limits.js";
import { decodePayload, onEnqueue } from "./queue.js";
import { WindowLimiter } from "./rate-limit.js";

export interface OutboxWorkerOptions {
  store: Store;
  senders: Partial<Record<ChannelName, ChannelSender>>;
  /** Per-channel overrides of DEFAULT_LIMITS. */
  limits?: LimitsConfig;
  clock?: Clock;
  log?: Logger;
  /** Names this instance's claims (default: a random id). */
  workerId?: string;
  /** Network / 5xx failures before a message is set aside (default 5). */
  maxAttempts?: number;
  /** How long a claim holds (default 5 min); senders must give up well before. */
  leaseMs?: number;
  /** Sends in flight at once (default 32). */
  concurrency?: number;
  /** Longest idle wait before looking at the store again (default 1 s; enqueue in this process wakes at once). */
  pollMs?: number;
  /** Backoff after the n-th failure: min(max, base·2^(n−1)), jittered to 50–100 % (default 2 s, 10 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Random source for the jitter (tests pass a fixed one). */
  random?: () => number;
}

interface ChannelState {
  name: ChannelName;
  sender: ChannelSender;
  limits: ChannelLimits;
  /** Chat spacing as a per-chat sliding window (perChat). */
  chat: WindowLimiter;
  group: WindowLimiter | null;
  global: WindowLimiter;
  pausedUntil: number;
  recent429: { chatId: string; at: number }[];
}

interface ClaimedRow {
  id: number;
  chatId: string;
  payload: unknown;
  attempts: number;
  dedupeKey: string | null;
  /** The message as it will be sent (after the identical-text check). */
  prepared?: { msg: OutboundMessage; variant: number };
}

const ZERO_WIDTH_SPACE = "\u200B";
const MIN_SLEEP_MS = 10;
/** A claimed row whose pacing slot is further away than this is handed back rather than held. */
const MAX_HOLD_MS = 5_000;

export class OutboxWorker {
  readonly workerId: string;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly channels: ChannelState[];
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly random: () => number;

  private running = false;
  private loopPromise: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Counters since construction (for logs, tests and the bench). */
  readonly stats = { sent: 0, retried429: 0, failed: 0, setAside: 0, skipped: 0, leaseLost: 0 };

  constructor(opts: OutboxWorkerOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.workerId = opts.workerId ?? `outbox-${randomUUID().slice(0, 8)}`;
    this.log = (opts.log ?? createLogger("silent")).child({ component: "outbox", worker: this.workerId });
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.concurrency = opts.concurrency ?? 32;
    this.pollMs = opts.pollMs ?? 1000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 2000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 10 * 60_000;
    this.random = opts.random ?? Math.random;
    this.channels = [];
    for (const [name, sender] of Object.entries(opts.senders) as [ChannelName, ChannelSender | undefined][]) {
      if (!sender) continue;
      const limits = resolveLimits(name, opts.limits);
      this.channels.push({
        name,
        sender,
        limits,
        chat: new WindowLimiter(limits.perChat),
        group: limits.perGroup ? new WindowLimiter(limits.perGroup) : null,
        global: new WindowLimiter(limits.global, limits.smoothGlobal),
        pausedUntil: 0,
        recent429: [],
      });
    }
  }

  /** Start delivering in the background until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onEnqueue(() => this.wake());
    this.loopPromise = this.loop(false);
  }

  /**
   * Stop claiming; hand unsent claims back; wait for the sends in flight to finish and be recorded
   * (unless `wait: false`, which leaves them to the lease, like a crash would).
   */
  async stop(opts: { wait?: boolean } = {}): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.wake();
    await this.loopPromise;
    this.loopPromise = null;
    if (opts.wait !== false) await Promise.allSettled([...this.inflight]);
  }

  /** Deliver until nothing is pending or sending for this worker's channels (tests, scripts). */
  async drain(): Promise<void> {
    if (this.running) throw new Error("drain() while the worker runs in the background");
    this.running = true;
    try {
      await this.loop(true);
    } finally {
      this.running = false;
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private async loop(untilIdle: boolean): Promise<void> {
    while (this.running) {
      try {
        const dispatched = await this.dispatch();
        if (dispatched > 0) continue;
        if (this.inflight.size > 0) {
          await Promise.race(this.inflight);
          continue;
        }
        const { wakeAt, outstanding } = await this.nextWake();
        if (untilIdle && outstanding === 0) break;
        if (!this.running) break;
        await this.sleepUntil(wakeAt);
      } catch (err) {
        this.log.error({ err }, "outbox loop error; retrying");
        await this.clock.sleep(this.pollMs);
      }
    }
    if (untilIdle) await Promise.allSettled([...this.inflight]);
  }

  private async sleepUntil(wakeAt: number): Promise<void> {
    const ms = Math.max(MIN_SLEEP_MS, wakeAt - this.clock.now());
    await Promise.race([this.clock.sleep(ms), new Promise<void>((resolve) => (this.wakeUp = resolve))]);
    this.wakeUp = null;
  }

  // ------------------------------------------------------------------------------------------
  // Claiming and pacing

  private readyAt(ch: ChannelState, chatId: string, now: number): number {
    let t = Math.max(now, ch.pausedUntil, ch.chat.readyAt(chatId, now), ch.global.readyAt("*", now));
    if (ch.group && ch.limits.isGroup(chatId)) t = Math.max(t, ch.group.readyAt(chatId, now));
    return t;
  }

  private blockedChats(ch: ChannelState, now: number): Map<string, number> {
    const out = ch.chat.blocked(now);
    if (ch.group) for (const [k, t] of ch.group.blocked(now)) out.set(k, Math.max(t, out.get(k) ?? 0));
    return out;
  }

  private async dispatch(): Promise<number> {
    let total = 0;
    for (const ch of this.channels) {
      if (!this.running) break;
      const now = this.clock.now();
      if (ch.pausedUntil > now) continue;
      const free = this.concurrency - this.inflight.size;
      if (free <= 0) break;
      const batch = ch.limits.global.perMs === 0 ? free : Math.min(free, ch.limits.global.count);
      const rows = await this.claim(ch, now, batch, [...this.blockedChats(ch, now).keys()]);
      for (let i = 0; i < rows.length; ) {
        const row = rows[i]!;
        if (!this.running || ch.pausedUntil > this.clock.now()) {
          await this.release(rows.slice(i));
          break;
        }
        if (!row.prepared) {
          // Before pacing, so that the send starts right at its slot.
          const prepared = await this.prepare(ch, row);
          if (!prepared) {
            i++;
            continue;
          }
          row.prepared = prepared;
        }
        const t = this.readyAt(ch, row.chatId, this.clock.now());
        const wait = t - this.clock.now();
        if (wait > MAX_HOLD_MS) {
          await this.release([row], new Date(t));
          i++;
          continue;
        }
        if (wait > 0) {
          await this.clock.sleep(wait);
          continue; // look again: the channel may have been paused meanwhile
        }
        i++;
        const at = this.clock.now();
        ch.chat.take(row.chatId, at);
        if (ch.group && ch.limits.isGroup(row.chatId)) ch.group.take(row.chatId, at);
        ch.global.take("*", at);
        this.launch(ch, row, at);
        total++;
      }
    }
    return total;
  }

  /**
   * Claim up to `limit` of the channel's ready chat heads (a chat's oldest unfinished message),
   * skipping chats still inside their per-chat spacing (by the stored send times, so across
   * instances too) and rows another instance is claiming (SKIP LOCKED). The per-chat checks are
   * scalar subqueries so that they stay index lookups whatever the table statistics say.
   */
  private async claim(ch: ChannelState, now: number, limit: number, excluded: string[]): Promise<ClaimedRow[]> {
    const spacing = ch.limits.perChat.perMs / ch.limits.perChat.count;
    // Claims whose lease ended (their worker died) go back to pending first.
    await this.store.sql.query(
      `UPDATE "OutboxMessage" SET status = 'pending', "lockedUntil" = NULL, "lockedBy" = NULL, "updatedAt" = now()
        WHERE status = 'sending' AND channel = $1 AND "lockedUntil" <= $2::timestamptz`,
      [ch.name, iso(now)],
    );
    const rows = await this.store.sql.query<ClaimedRow>(
      `WITH cand AS (
         SELECT o.id FROM "OutboxMessage" o
         WHERE o.status = 'pending' AND o.channel = $1
           AND (o."notBefore" IS NULL OR o."notBefore" <= $2::timestamptz)
           AND NOT (o."chatId" = ANY($3::text[]))
           AND o.id = (SELECT min(p.id) FROM "OutboxMessage" p
                        WHERE p.channel = o.channel AND p."chatId" = o."chatId" AND p.status IN ('pending', 'sending'))
           AND COALESCE((SELECT max(s."sentAt") FROM "OutboxMessage" s
                          WHERE s.channel = o.channel AND s."chatId" = o."chatId"), '-infinity') <= $4::timestamptz
         ORDER BY o.id
         LIMIT $5
         FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE "OutboxMessage" m
          SET status = 'sending', "lockedUntil" = $6::timestamptz, "lockedBy" = $7, "updatedAt" = now()
         FROM cand WHERE m.id = cand.id
       RETURNING m.id, m."chatId", m.payload, m.attempts, m."dedupeKey"`,
      [ch.name, iso(now), excluded, iso(now - spacing), limit, iso(now + this.leaseMs), this.workerId],
    );
    return rows.sort((a, b) => a.id - b.id);
  }

  /** Hand claims back (graceful stop, or a pacing slot too far away). */
  private async release(rows: ClaimedRow[], notBefore?: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.store.prisma.outboxMessage.updateMany({
      where: { id: { in: rows.map((r) => r.id) }, status: "sending", lockedBy: this.workerId },
      data: { status: "pending", lockedUntil: null, lockedBy: null, ...(notBefore ? { notBefore } : {}) },
    });
  }

  private async nextWake(): Promise<{ wakeAt: number; outstanding: number }> {
    const now = this.clock.now();
    let wakeAt = now + this.pollMs;
    let outstanding = 0;
    for (const ch of this.channels) {
      const [r] = await this.store.sql.query<{
        outstanding: number;
        ready: number;
        next_not_before: Date | null;
        next_lease_end: Date | null;
      }>(
        `SELECT
           (SELECT count(*) FROM "OutboxMessage" WHERE channel = $1 AND status IN ('pending', 'sending'))::int AS outstanding,
           (SELECT count(*) FROM "OutboxMessage" WHERE channel = $1 AND status = 'pending'
              AND ("notBefore" IS NULL OR "notBefore" <= $2::timestamptz))::int AS ready,
           (SELECT min("notBefore") FROM "OutboxMessage" WHERE channel = $1 AND status = 'pending'
              AND "notBefore" > $2::timestamptz) AS next_not_before,
           (SELECT min("lockedUntil") FROM "OutboxMessage" WHERE channel = $1 AND status = 'sending') AS next_lease_end`,
        [ch.name, iso(now)],
      );
      if (!r) continue;
      outstanding += r.outstanding;
      if (r.next_not_before) wakeAt = Math.min(wakeAt, new Date(r.next_not_before).getTime());
      if (r.next_lease_end) wakeAt = Math.min(wakeAt, new Date(r.next_lease_end).getTime());
      if (r.ready > 0) {
        // Ready rows we could not claim wait for a chat / group slot, a channel pause, or another
        // instance (the poll covers that).
        for (const t of this.blockedChats(ch, now).values()) wakeAt = Math.min(wakeAt, t);
        if (ch.pausedUntil > now) wakeAt = Math.min(wakeAt, ch.pausedUntil);
      }
    }
    return { wakeAt, outstanding };
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  private launch(ch: ChannelState, row: ClaimedRow, at: number): void {
    const p: Promise<void> = this.deliver(ch, row, at)
      .catch((err) => {
        // The store failed while recording the outcome: the row stays claimed and is retried
        // after the lease (the one case where a message may go out twice).
        this.log.error({ err, id: row.id }, "could not record a send outcome; the lease will retry it");
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /**
   * The message to send, or null when it is skipped (Zalo: the same text as the chat's previous
   * message within the window, for a scheduled broadcast; other messages get invisible variation).
   */
  private async prepare(ch: ChannelState, row: ClaimedRow): Promise<{ msg: OutboundMessage; variant: number } | null> {
    const msg: OutboundMessage = decodePayload(row.payload);
    if (ch.limits.identicalTextWindowMs <= 0 || msg.file) return { msg, variant: 0 };
    const prev = await this.store.prisma.outboxMessage.findFirst({
      where: { channel: ch.name, chatId: row.chatId, status: "sent", id: { lt: row.id } },
      orderBy: { id: "desc" },
      select: { id: true, payload: true, sentAt: true, variant: true },
    });
    if (
      !prev?.sentAt ||
      this.clock.now() - prev.sentAt.getTime() >= ch.limits.identicalTextWindowMs ||
      decodePayload(prev.payload).text !== msg.text
    )
      return { msg, variant: 0 };
    const policy = ch.limits.identicalTextPolicy;
    if (policy === "skip" || (policy === "skip-scheduled" && row.dedupeKey !== null)) {
      await this.finish(row, { status: "skipped", lastError: `same text as message ${prev.id} just before; not sent again` });
      this.stats.skipped++;
      return null;
    }
    const variant = prev.variant + 1;
    return { msg: { ...msg, text: msg.text + ZERO_WIDTH_SPACE.repeat(variant) }, variant };
  }

  private async deliver(ch: ChannelState, row: ClaimedRow, at: number): Promise<void> {
    const { msg, variant } = row.prepared ?? { msg: decodePayload(row.payload), variant: 0 };
    let messageId: string;
    try {
      messageId = (await ch.sender.send(msg)).messageId;
    } catch (err) {
      await this.failed(ch, row, err);
      return;
    }
    const ok = await this.finish(row, {
      status: "sent",
      sentAt: new Date(at),
      channelMessageId: messageId,
      variant,
      lastError: null,
    });
    this.stats.sent++;
    if (!ok) {
      this.stats.leaseLost++;
      this.log.warn({ id: row.id }, "sent, but the lease had been taken over: this message may go out twice");
    }
  }

  private async failed(ch: ChannelState, row: ClaimedRow, err: unknown): Promise<void> {
    const now = this.clock.now();
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (isRetryAfter(err)) {
      const ms = Math.max(1, err.retryAfterSeconds) * 1000;
      const until = now + ms;
      this.stats.retried429++;
      // In-memory pause first (synchronously), so the dispatcher stops at once.
      ch.recent429 = ch.recent429.filter((e) => e.at > now - 1000);
      ch.recent429.push({ chatId: row.chatId, at: now });
      const chats = new Set(ch.recent429.map((e) => e.chatId)).size;
      if ((err as { scope?: unknown }).scope === "global" || chats >= ch.limits.globalPauseAfterChats) {
        if (until > ch.pausedUntil) {
          ch.pausedUntil = until;
          this.log.warn({ channel: ch.name, seconds: ms / 1000, chats }, "channel-wide rate limit: pausing the channel");
        }
      } else {
        this.log.info({ channel: ch.name, chatId: row.chatId, seconds: ms / 1000 }, "429: pausing this chat");
      }
      // The row is its chat's head, so the whole chat waits retry_after.
      await this.finish(row, { status: "pending", notBefore: new Date(until), lastError: message });
      return;
    }
    const attempts = row.attempts + 1;
    if (err instanceof PermanentSendError || attempts >= this.maxAttempts) {
      this.stats.setAside++;
      await this.finish(row, { status: "dead", attempts, lastError: message });
      this.log.warn({ id: row.id, channel: ch.name, chatId: row.chatId, attempts, err: message }, "message set aside");
      return;
    }
    this.stats.failed++;
    const base = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempts - 1));
    const delay = Math.round(base * (0.5 + 0.5 * this.random()));
    await this.finish(row, { status: "pending", attempts, notBefore: new Date(now + delay), lastError: message });
    this.log.info({ id: row.id, attempts, delayMs: delay, err: message }, "send failed; will retry");
  }

  /** Record an outcome if this worker still holds the claim; false when the lease was lost. */
  private async finish(
    row: ClaimedRow,
    data: {
      status: "pending" | "sent" | "dead" | "skipped";
      notBefore?: Date;
      attempts?: number;
      sentAt?: Date;
      channelMessageId?: string;
      variant?: number;
      lastError: string | null;
    },
  ): Promise<boolean> {
    // Raw SQL: this is the hot path (one per message), and Prisma's per-query overhead shows at 30/s.
    const rows = await this.store.sql.query<{ id: number }>(
      `UPDATE "OutboxMessage"
          SET status = $3,
              "notBefore" = CASE WHEN $4::boolean THEN $5::timestamptz ELSE "notBefore" END,
              attempts = COALESCE($6::int, attempts),
              "sentAt" = COALESCE($7::timestamptz, "sentAt"),
              "channelMessageId" = COALESCE($8::text, "channelMessageId"),
              variant = COALESCE($9::int, variant),
              "lastError" = $10::text,
              "lockedUntil" = NULL, "lockedBy" = NULL, "updatedAt" = now()
        WHERE id = $1 AND status = 'sending' AND "lockedBy" = $2
        RETURNING id`,
      [
        row.id,
        this.workerId,
        data.status,
        data.notBefore !== undefined,
        data.notBefore ? data.notBefore.toISOString() : null,
        data.attempts ?? null,
        data.sentAt ? data.sentAt.toISOString() : null,
        data.channelMessageId ?? null,
        data.variant ?? null,
        data.lastError,
      ],
    );
    return rows.length > 0;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isRetryAfter(err: unknown): err is RetryAfterError {
  return (
    err instanceof RetryAfterError ||
    (err instanceof Error && err.name === "RetryAfterError" && typeof (err as RetryAfterError).retryAfterSeconds === "number")
  );
}
