/**
 * The outbox worker: delivers queued messages through the channel senders, paced, in order per
 * chat, with retries, on an injected clock.
 *
 * Delivery guarantees (see also index.ts):
 * - Order per chat: only a chat's oldest unfinished message (pending or sending) can be claimed;
 *   the next one waits until it is sent or set aside. Different chats are sent concurrently (up to
 *   `concurrency` sends in flight), so one slow or hung chat never holds up the others.
 * - Every send has its own timeout (`sendTimeoutMs`, `fileSendTimeoutMs`, real time): the sender
 *   gets an AbortSignal, and the worker stops waiting when it fires, counting the attempt as a
 *   transient failure (retried with backoff).
 * - Restart-safe: a row is claimed with a short lease (status "sending", lockedUntil, lockedBy;
 *   `leaseMs`, default 20 s) that the worker renews while it holds the claim. A graceful stop hands
 *   unsent claims back at once; after a crash the renewals stop and another worker takes the claims
 *   within `leaseMs`. A worker that could not renew in time aborts those sends.
 * - At-least-once at the edge: if the process dies after the channel accepted a message but
 *   before the row was marked sent (one UPDATE, right after the channel's answer), that one
 *   message is sent again once its lease ends. Only messages in flight at the crash can be
 *   affected (at most one per chat). The same holds for a send that times out after the channel
 *   got it. Every other message is sent exactly once.
 * - Several instances share the work: claims use FOR UPDATE SKIP LOCKED. Per-chat spacing and the
 *   per-group window are checked against the stored send times (a chat's sends are serialised by
 *   its head message, so these checks are exact across instances). The channel-wide rate is shared
 *   through the store on PostgreSQL (shared-pace.ts); on PGlite (one process) it is kept in memory.
 * - Waking: an enqueue in this process wakes the worker at once, one in another process through
 *   `wakeups` (PostgreSQL LISTEN/NOTIFY, listen.ts); `pollMs` is the fallback.
 */
import { randomUUID } from "node:crypto";
import {
  type ChannelName,
  type ChannelSender,
  type OutboundMessage,
  PermanentSendError,
  RetryAfterError,
  TransientSendError,
} from "../channels/types.js";
import { createLogger, type Logger } from "../log.js";
import type { Store } from "../store/database.js";
import { sharedStoreOutage, type StoreOutage } from "../store/outage.js";
import { isStoreUnavailable } from "../store/unavailable.js";
import { type Clock, systemClock } from "./clock.js";
import { type ChannelLimits, type LimitsConfig, resolveLimits } from "./limits.js";
import type { WakeSource } from "./listen.js";
import { decodePayload, onEnqueue } from "./queue.js";
import { WindowLimiter } from "./rate-limit.js";
import { SharedPace } from "./shared-pace.js";
import { WakeSignal } from "./signal.js";

/** How an OutboxWorker runs; every field but `store` and `senders` has a default. */
export interface OutboxWorkerOptions {
  store: Store;
  senders: Partial<Record<ChannelName, ChannelSender>>;
  /** Per-channel overrides of DEFAULT_LIMITS. */
  limits?: LimitsConfig;
  clock?: Clock;
  log?: Logger;
  /** Names this instance's claims (default: a random id). */
  workerId?: string;
  /** Network / 5xx / timeout failures before a message is set aside (default 5). */
  maxAttempts?: number;
  /** How long a claim holds without renewal (default 20 s); renewed every leaseMs/4 while held. */
  leaseMs?: number;
  /** Longest wait for a text message's send, real time (default 10 s). */
  sendTimeoutMs?: number;
  /** Longest wait for a send with a file, real time (default 15 s). */
  fileSendTimeoutMs?: number;
  /** Sends in flight at once, one per chat at most (default 32). */
  concurrency?: number;
  /** Longest idle wait before looking at the store again (default 1 s; enqueues wake the worker). */
  pollMs?: number;
  /** Backoff after the n-th failure: min(max, base·2^(n−1)), jittered to 50–100 % (default 2 s, 10 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Random source for the jitter (tests pass a fixed one). */
  random?: () => number;
  /** Enqueues in other processes (PostgreSQL LISTEN, listenForEnqueues); default none (polling). */
  wakeups?: WakeSource;
  /** Wake on enqueues in this process (default true; tests of `wakeups` turn it off). */
  wakeOnLocalEnqueue?: boolean;
  /**
   * Share the channel-wide rate with every instance through the store (default: on PostgreSQL).
   * Off: each instance keeps it in memory (PGlite: one process).
   */
  sharedLimits?: boolean;
}

interface ChannelState {
  name: ChannelName;
  sender: ChannelSender;
  limits: ChannelLimits;
  /** Chat spacing as a per-chat sliding window (perChat), this instance's sends. */
  chat: WindowLimiter;
  group: WindowLimiter | null;
  /** The in-memory channel-wide limiter (when not shared). */
  global: WindowLimiter;
  /** The shared channel-wide slots (PostgreSQL). */
  pace: SharedPace | null;
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

/** A send the worker stopped waiting for (its timeout, or its claim was lost). */
export class SendTimeoutError extends TransientSendError {
  override name = "SendTimeoutError";
}

const ZERO_WIDTH_SPACE = "\u200B";
const MIN_SLEEP_MS = 10;
/** A claimed row whose pacing slot is further away than this is handed back rather than held. */
const MAX_HOLD_MS = 5_000;

/** Delivers the outbox (see the file comment for what it guarantees). */
export class OutboxWorker {
  readonly workerId: string;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Shared with the other consumers of the same logger: one log line per store outage. */
  private readonly outage: StoreOutage;
  private readonly channels: ChannelState[];
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private readonly sendTimeoutMs: number;
  private readonly fileSendTimeoutMs: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly random: () => number;
  private readonly wakeups: WakeSource | undefined;
  private readonly wakeOnLocalEnqueue: boolean;

  private running = false;
  private loopPromise: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<void>>();
  /** Rows being sent → their abort controller (aborted on timeout or a lost lease). */
  private readonly sending = new Map<number, AbortController>();
  private readonly signal = new WakeSignal();
  private unsubscribe: (() => void)[] = [];
  private lastRenewAt = 0;
  private lastRenewOkAt = 0;
  /** Counters since construction (for logs, tests and the bench). */
  readonly stats = { sent: 0, retried429: 0, failed: 0, timedOut: 0, setAside: 0, skipped: 0, leaseLost: 0, claims: 0 };

  constructor(opts: OutboxWorkerOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.workerId = opts.workerId ?? `outbox-${randomUUID().slice(0, 8)}`;
    const root = opts.log ?? createLogger("silent");
    this.log = root.child({ component: "outbox", worker: this.workerId });
    this.outage = sharedStoreOutage(root);
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.leaseMs = opts.leaseMs ?? 20_000;
    this.renewEveryMs = Math.max(MIN_SLEEP_MS, Math.floor(this.leaseMs / 4));
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 10_000;
    this.fileSendTimeoutMs = opts.fileSendTimeoutMs ?? 15_000;
    this.concurrency = opts.concurrency ?? 32;
    this.pollMs = opts.pollMs ?? 1000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 2000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 10 * 60_000;
    this.random = opts.random ?? Math.random;
    this.wakeups = opts.wakeups;
    this.wakeOnLocalEnqueue = opts.wakeOnLocalEnqueue ?? true;
    const shared = opts.sharedLimits ?? opts.store.kind === "postgres";
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
        pace: shared && limits.global.perMs > 0 ? new SharedPace(this.store, name, limits.global) : null,
        pausedUntil: 0,
        recent429: [],
      });
    }
  }

  /** Start delivering in the background until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.subscribe();
    this.loopPromise = this.loop(false);
  }

  /**
   * Stop claiming; hand unsent claims back; wait for the sends in flight to finish and be recorded
   * (unless `wait: false`, which leaves them to the lease, like a crash would).
   */
  async stop(opts: { wait?: boolean } = {}): Promise<void> {
    this.running = false;
    this.unsubscribeAll();
    this.signal.wake();
    await this.loopPromise;
    this.loopPromise = null;
    if (opts.wait !== false) await Promise.allSettled([...this.inflight]);
  }

  /** Deliver until nothing is pending or sending for this worker's channels (tests, scripts). */
  async drain(): Promise<void> {
    if (this.running) throw new Error("drain() while the worker runs in the background");
    this.running = true;
    this.subscribe();
    try {
      await this.loop(true);
    } finally {
      this.running = false;
      this.unsubscribeAll();
    }
  }

  /** True between start() and stop(). */
  get isRunning(): boolean {
    return this.running;
  }

  private subscribe(): void {
    if (this.wakeOnLocalEnqueue) this.unsubscribe.push(onEnqueue(() => this.signal.wake()));
    if (this.wakeups) this.unsubscribe.push(this.wakeups.subscribe(() => this.signal.wake()));
  }

  private unsubscribeAll(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async loop(untilIdle: boolean): Promise<void> {
    // One line when the store goes and one when it is back, not one per retry.
    const outage = this.outage;
    while (this.running) {
      try {
        await this.renewIfDue();
        const dispatched = await this.dispatch();
        outage.succeeded();
        if (dispatched > 0) continue;
        if (!this.running) break;
        if (this.inflight.size > 0) {
          // Wait for a send to finish, an enqueue, a pacing slot or the lease renewal, whichever
          // comes first (real time): a hung send holds up only its own chat.
          const now = this.clock.now();
          const wakeAt = Math.min(this.localWakeAt(now), this.lastRenewAt + this.renewEveryMs);
          await this.signal.wait(Math.max(MIN_SLEEP_MS, wakeAt - now), this.inflight);
          continue;
        }
        const { wakeAt, outstanding } = await this.nextWake();
        if (untilIdle && outstanding === 0) break;
        if (!this.running) break;
        await this.sleepUntil(wakeAt);
      } catch (err) {
        if (isStoreUnavailable(err)) outage.failed(err);
        else this.log.error({ err }, "outbox loop error; retrying");
        await this.signal.wait(Infinity, [this.clock.sleep(this.pollMs)]);
      }
    }
    if (untilIdle) await Promise.allSettled([...this.inflight]);
  }

  private async sleepUntil(wakeAt: number): Promise<void> {
    const ms = Math.max(MIN_SLEEP_MS, wakeAt - this.clock.now());
    await this.signal.wait(Infinity, [this.clock.sleep(ms)]);
  }

  // ------------------------------------------------------------------------------------------
  // Leases

  /** Renew this worker's claims every leaseMs/4; abort sends whose claim was lost. */
  private async renewIfDue(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastRenewAt < this.renewEveryMs) return;
    this.lastRenewAt = now;
    if (this.sending.size === 0) {
      this.lastRenewOkAt = now;
      return;
    }
    let held: Set<number>;
    try {
      const rows = await this.store.sql.query<{ id: number }>(
        `UPDATE "OutboxMessage" SET "lockedUntil" = $2::timestamptz
          WHERE status = 'sending' AND "lockedBy" = $1 RETURNING id`,
        [this.workerId, iso(now + this.leaseMs)],
      );
      held = new Set(rows.map((r) => r.id));
      this.lastRenewOkAt = now;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "could not renew outbox claims (store unreachable?)");
      if (now - this.lastRenewOkAt < this.leaseMs) return;
      held = new Set();
    }
    for (const [id, ctl] of this.sending) {
      if (held.has(id)) continue;
      this.log.warn({ id }, "outbox claim lost (lease ended); aborting its send so that another worker sends it once");
      ctl.abort(new SendTimeoutError("the claim's lease ended before the send finished"));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Claiming and pacing

  private readyAt(ch: ChannelState, chatId: string, now: number): number {
    let t = Math.max(now, ch.pausedUntil, ch.chat.readyAt(chatId, now));
    if (!ch.pace) t = Math.max(t, ch.global.readyAt("*", now));
    if (ch.group && ch.limits.isGroup(chatId)) t = Math.max(t, ch.group.readyAt(chatId, now));
    return t;
  }

  private blockedChats(ch: ChannelState, now: number): Map<string, number> {
    const out = ch.chat.blocked(now);
    if (ch.group) for (const [k, t] of ch.group.blocked(now)) out.set(k, Math.max(t, out.get(k) ?? 0));
    return out;
  }

  /** When the in-memory pacing next frees a chat or the channel (no store access). */
  private localWakeAt(now: number): number {
    let wakeAt = now + this.pollMs;
    for (const ch of this.channels) {
      for (const t of this.blockedChats(ch, now).values()) wakeAt = Math.min(wakeAt, t);
      if (ch.pausedUntil > now) wakeAt = Math.min(wakeAt, ch.pausedUntil);
    }
    return wakeAt;
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
      let rows = await this.claim(ch, now, batch, [...this.blockedChats(ch, now).keys()]);
      if (rows.length === 0) continue;
      const groupReady = await this.groupWindowReadyAt(ch, rows);
      rows = await this.holdBackOrRelease(rows, groupReady);
      if (rows.length === 0) continue;
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
        const local = Math.max(this.readyAt(ch, row.chatId, this.clock.now()), groupReady.get(row.chatId) ?? 0);
        let mySlot = 0;
        if (ch.pace && local - this.clock.now() <= 0) {
          // The channel-wide slot, shared with every instance (asked for once the chat is ready).
          const grant = await ch.pace.acquire(row.id, this.clock.now(), MAX_HOLD_MS);
          if (!grant.granted) {
            if (grant.retryAt - this.clock.now() > MAX_HOLD_MS) {
              // The channel is paused (a 429 on some instance): hand the rest back until then.
              ch.pausedUntil = Math.max(ch.pausedUntil, grant.retryAt);
              await this.release(rows.slice(i));
              break;
            }
            await this.clock.sleep(Math.max(1, grant.retryAt - this.clock.now()));
            continue;
          }
          mySlot = grant.at;
        }
        const t = Math.max(local, mySlot);
        const wait = t - this.clock.now();
        if (wait > MAX_HOLD_MS) {
          await this.release([row], new Date(t));
          i++;
          continue;
        }
        if (wait > 0) {
          await this.clock.sleep(wait);
          // Look again (the channel may have been paused meanwhile); a granted slot is kept.
          if (mySlot === 0) continue;
        }
        i++;
        const at = this.clock.now();
        ch.chat.take(row.chatId, at);
        if (ch.group && ch.limits.isGroup(row.chatId)) ch.group.take(row.chatId, at);
        if (!ch.pace) ch.global.take("*", at);
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
          SET status = 'sending', "lockedUntil" = $6::timestamptz, "lockedBy" = $7, "launchedAt" = NULL, "updatedAt" = now()
         FROM cand WHERE m.id = cand.id
       RETURNING m.id, m."chatId", m.payload, m.attempts, m."dedupeKey"`,
      [ch.name, iso(now), excluded, iso(now - spacing), limit, iso(now + this.leaseMs), this.workerId],
    );
    this.stats.claims += rows.length;
    return rows.sort((a, b) => a.id - b.id);
  }

  /**
   * The per-group window by the stored send times (every instance's sends): for each claimed group
   * chat whose last `perGroup.count` sends fall inside the window, the instant it may send again.
   * Exact across instances because a chat's sends are serialised by its head message.
   */
  private async groupWindowReadyAt(ch: ChannelState, rows: ClaimedRow[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const rate = ch.limits.perGroup;
    if (!rate || rate.perMs === 0) return out;
    const groups = [...new Set(rows.map((r) => r.chatId).filter((c) => ch.limits.isGroup(c)))];
    if (groups.length === 0) return out;
    const found = await this.store.sql.query<{ chatId: string; nth: Date | null }>(
      `SELECT c."chatId",
              (SELECT s."sentAt" FROM "OutboxMessage" s
                WHERE s.channel = $1 AND s."chatId" = c."chatId" AND s."sentAt" IS NOT NULL
                ORDER BY s."sentAt" DESC OFFSET $3 LIMIT 1) AS nth
         FROM unnest($2::text[]) AS c("chatId")`,
      [ch.name, groups, rate.count - 1],
    );
    for (const r of found) if (r.nth) out.set(r.chatId, new Date(r.nth).getTime() + rate.perMs);
    return out;
  }

  /** Hand back the claimed rows whose group window opens too far ahead (with notBefore then). */
  private async holdBackOrRelease(rows: ClaimedRow[], groupReady: Map<string, number>): Promise<ClaimedRow[]> {
    const now = this.clock.now();
    const keep: ClaimedRow[] = [];
    for (const row of rows) {
      const t = groupReady.get(row.chatId) ?? 0;
      if (t - now > MAX_HOLD_MS) await this.release([row], new Date(t));
      else keep.push(row);
    }
    return keep;
  }

  /** Hand claims back (graceful stop, or a pacing slot too far away). */
  private async release(rows: ClaimedRow[], notBefore?: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.store.sql.query(
      `UPDATE "OutboxMessage"
          SET status = 'pending', "lockedUntil" = NULL, "lockedBy" = NULL, "launchedAt" = NULL, "updatedAt" = now(),
              "notBefore" = COALESCE($3::timestamptz, "notBefore")
        WHERE id = ANY($1::int[]) AND status = 'sending' AND "lockedBy" = $2`,
      [rows.map((r) => r.id), this.workerId, notBefore ? notBefore.toISOString() : null],
    );
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
        // A chat spaced by a send of another instance is not in memory: look again after a spacing.
        const spacing = ch.limits.perChat.perMs / ch.limits.perChat.count;
        if (spacing > 0) wakeAt = Math.min(wakeAt, now + spacing);
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
      .finally(() => {
        this.inflight.delete(p);
        this.sending.delete(row.id);
      });
    this.inflight.add(p);
  }

  /**
   * The message to send, or null when it is skipped (Zalo: the same text as the chat's previous
   * message within the window, for a scheduled broadcast; other messages get invisible variation).
   */
  private async prepare(ch: ChannelState, row: ClaimedRow): Promise<{ msg: OutboundMessage; variant: number } | null> {
    const msg: OutboundMessage = decodePayload(row.payload);
    if (ch.limits.identicalTextWindowMs <= 0 || msg.file) return { msg, variant: 0 };
    const [prev] = await this.store.sql.query<{ id: number; payload: unknown; sentAt: Date | null; variant: number }>(
      `SELECT id, payload, "sentAt", variant FROM "OutboxMessage"
        WHERE channel = $1 AND "chatId" = $2 AND status = 'sent' AND id < $3 ORDER BY id DESC LIMIT 1`,
      [ch.name, row.chatId, row.id],
    );
    if (
      !prev?.sentAt ||
      this.clock.now() - new Date(prev.sentAt).getTime() >= ch.limits.identicalTextWindowMs ||
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

  /** The sender's message id, or a SendTimeoutError when no answer comes in time (real time). */
  private async sendWithTimeout(ch: ChannelState, row: ClaimedRow, msg: OutboundMessage): Promise<string> {
    const ms = msg.file ? this.fileSendTimeoutMs : this.sendTimeoutMs;
    const ctl = new AbortController();
    this.sending.set(row.id, ctl);
    const timer = setTimeout(() => ctl.abort(new SendTimeoutError(`no answer from ${ch.name} within ${ms} ms`)), ms);
    try {
      const aborted = new Promise<never>((_, reject) => {
        ctl.signal.addEventListener("abort", () => reject(ctl.signal.reason as Error), { once: true });
      });
      const result = await Promise.race([ch.sender.send(msg, { signal: ctl.signal }), aborted]);
      return result.messageId;
    } catch (err) {
      // A sender that honoured the signal fails with its own (network) error: report the timeout.
      throw ctl.signal.aborted ? (ctl.signal.reason as Error) : err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliver(ch: ChannelState, row: ClaimedRow, at: number): Promise<void> {
    const { msg, variant } = row.prepared ?? { msg: decodePayload(row.payload), variant: 0 };
    let messageId: string;
    try {
      messageId = await this.sendWithTimeout(ch, row, msg);
    } catch (err) {
      await this.failed(ch, row, err);
      return;
    }
    // Recorded right after the channel's answer: the only window in which a crash repeats a message.
    // sentAt is the answer's time, not the launch's: the channel got the message no later, so
    // spacing the chat's next send from it holds at the channel whatever the network's delays.
    const answeredAt = Math.max(at, Math.ceil(this.clock.now()));
    if (answeredAt > at) ch.chat.take(row.chatId, answeredAt); // the in-memory spacing counts from it too
    const ok = await this.finish(row, {
      status: "sent",
      sentAt: new Date(answeredAt),
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
      if (err.scope === "global" || chats >= ch.limits.globalPauseAfterChats) {
        if (until > ch.pausedUntil) {
          ch.pausedUntil = until;
          this.log.warn({ channel: ch.name, seconds: ms / 1000, chats }, "channel-wide rate limit: pausing the channel");
        }
        // Every instance sharing the store waits too.
        await ch.pace?.pauseUntil(until).catch((e: unknown) => this.log.warn({ err: (e as Error).message }, "could not share the channel pause"));
      } else {
        this.log.info({ channel: ch.name, chatId: row.chatId, seconds: ms / 1000 }, "429: pausing this chat");
      }
      // The row is its chat's head, so the whole chat waits retry_after.
      await this.finish(row, { status: "pending", notBefore: new Date(until), lastError: message });
      return;
    }
    const attempts = row.attempts + 1;
    if (err instanceof SendTimeoutError) this.stats.timedOut++;
    if (err instanceof PermanentSendError || attempts >= this.maxAttempts) {
      this.stats.setAside++;
      await this.finish(row, { status: "dead", attempts, lastError: message });
      this.log.warn({ id: row.id, channel: ch.name, chatId: row.chatId, attempts, err: message }, "message set aside (admins see it with /tinloi)");
      return;
    }
    this.stats.failed++;
    const base = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempts - 1));
    const delay = Math.round(base * (0.5 + 0.5 * this.random()));
    await this.finish(row, { status: "pending", attempts, notBefore: new Date(now + delay), lastError: message });
    this.log.info({ id: row.id, channel: ch.name, chatId: row.chatId, attempts, delayMs: delay, err: message }, "send failed; will retry");
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
