/**
 * What a failed (or doubtful) Zalo send means for the outbox, with the state that needs memory:
 *
 * - 221 "too many requests" (and HTTP 429): ALL Zalo sending pauses (a RetryAfterError with
 *   `scope: "global"`, which pauses the outbox worker's whole channel), escalating with each 221 in a
 *   row: 5 min, 15 min, 1 h, 3 h, 6 h by default; the admins are alerted. A successful send resets it.
 * - 123 "cannot receive messages from you": retried for that chat only, after 2 min, 4 min…; at the
 *   `cannotReceiveCap`-th 123 the message is set aside (PermanentSendError, shown by /tinloi with the
 *   reason), the admins are alerted, and further messages to that chat are set aside at once for
 *   `cannotReceiveHoldMs` instead of blocking the chat's queue.
 * - 102 "session expired": the session logs in again; the channel waits (global retry-after) meanwhile.
 * - No API (the listener is down): the channel waits (global retry-after), no attempt is counted.
 * - A reply without a message id: retried (TransientSendError) up to `missingIdCap` times, then set
 *   aside, since the message may or may not have arrived.
 * - Everything else: mapZaloError (outbound.ts).
 *
 * The counters live in memory (the instance holding the Zalo session): after a restart they start over.
 */
import { t, type Language } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { PermanentSendError, RetryAfterError, TransientSendError } from "../types.js";
import type { Clock } from "./clock.js";
import { Lru } from "./lru.js";
import { mapZaloError } from "./errors.js";
import { ZaloApiError } from "./zca.js";

const MIN = 60_000;

/** Options of SendPolicy. */
export interface SendPolicyOptions {
  clock: Clock;
  log?: Logger;
  language?: Language;
  /** Admin alerts (the same kind not repeated within `alertRepeatMs`). */
  onAlert?: (text: string) => void | Promise<void>;
  /** Pauses after the 1st, 2nd, … 221 in a row (default 5 min, 15 min, 1 h, 3 h, 6 h; the last repeats). */
  rateLimitPausesMs?: number[];
  /** 123 answers for one chat before its message is set aside (default 3). */
  cannotReceiveCap?: number;
  /** Wait after a chat's n-th 123: this·2^(n−1) (default 2 min). */
  cannotReceiveRetryMs?: number;
  /** After the cap, messages to that chat are set aside at once for this long (default 6 h). */
  cannotReceiveHoldMs?: number;
  /** Replies without a message id before the message is set aside (default 2). */
  missingIdCap?: number;
  /** The channel's wait while the listener is down (default 30 s). */
  notConnectedRetryMs?: number;
  /** The channel's wait while the session logs in again after 102 (default 30 s). */
  expiredRetryMs?: number;
  /** Default 6 h. */
  alertRepeatMs?: number;
}

/** A RetryAfterError that pauses the whole Zalo channel in the outbox worker. */
export function channelRetryAfter(ms: number, message: string): RetryAfterError {
  return Object.assign(new RetryAfterError(Math.max(1, Math.ceil(ms / 1000)), message), { scope: "global" as const });
}

function codeOf(err: unknown): { code: number | null; status?: number } {
  if (!(err instanceof ZaloApiError)) return { code: null };
  const http = /status code (\d{3})/.exec(err.message);
  return { code: err.code, status: http ? Number(http[1]) : undefined };
}

/** Zalo's error codes → outbox outcomes, with the pauses and caps that need memory. */
export class SendPolicy {
  private readonly cfg: Required<Omit<SendPolicyOptions, "clock" | "log" | "language" | "onAlert">>;
  private rateLevel = 0;
  private pausedUntil = 0;
  private readonly cannotReceive = new Lru<string, { count: number; heldUntil: number }>(2000);
  private readonly missingIds = new Lru<string, number>(2000);
  private readonly lastAlert = new Map<string, number>();

  constructor(private readonly opts: SendPolicyOptions) {
    this.cfg = {
      rateLimitPausesMs: opts.rateLimitPausesMs ?? [5 * MIN, 15 * MIN, 60 * MIN, 180 * MIN, 360 * MIN],
      cannotReceiveCap: opts.cannotReceiveCap ?? 3,
      cannotReceiveRetryMs: opts.cannotReceiveRetryMs ?? 2 * MIN,
      cannotReceiveHoldMs: opts.cannotReceiveHoldMs ?? 360 * MIN,
      missingIdCap: opts.missingIdCap ?? 2,
      notConnectedRetryMs: opts.notConnectedRetryMs ?? 30_000,
      expiredRetryMs: opts.expiredRetryMs ?? 30_000,
      alertRepeatMs: opts.alertRepeatMs ?? 360 * MIN,
    };
  }

  /** Until when all Zalo sending is paused (epoch ms; 0 or past: not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Before a send: refuses while the channel is paused (221) or the chat is held (123 cap). */
  before(chatId: string): void {
    const now = this.opts.clock.now();
    if (this.pausedUntil > now) throw channelRetryAfter(this.pausedUntil - now, "Zalo sending paused after code 221 (too many requests)");
    const held = this.cannotReceive.get(chatId);
    if (held && held.heldUntil > now) {
      throw new PermanentSendError(`Zalo chat ${chatId} cannot receive messages from the bot's account (code 123, ${held.count} times); set aside`);
    }
  }

  /** The listener is down and did not come back in time: the channel waits, nothing counted. */
  notConnected(): RetryAfterError {
    return channelRetryAfter(this.cfg.notConnectedRetryMs, "Zalo is not connected on this instance (reconnecting, cooling down or logged out)");
  }

  /** Zalo accepted the call but gave no message id: retry, then set aside after the cap. */
  noMessageId(key: string, chatId: string): Error {
    const n = (this.missingIds.get(key) ?? 0) + 1;
    this.missingIds.set(key, n);
    if (n >= this.cfg.missingIdCap) {
      this.missingIds.delete(key);
      return new PermanentSendError(
        `Zalo returned no message id ${n} times for chat ${chatId}; set aside (the message may or may not have arrived)`,
      );
    }
    return new TransientSendError(`Zalo returned no message id for chat ${chatId} (attempt ${n}/${this.cfg.missingIdCap})`);
  }

  /** A send went through: the 221 escalation, this chat's 123 count and this message's missing-id count start over. */
  succeeded(key: string, chatId: string): void {
    this.rateLevel = 0;
    this.cannotReceive.delete(chatId);
    this.missingIds.delete(key);
  }

  /** A send failed with `err`: the error for the outbox, and whether the session must log in again (102). */
  classify(err: unknown, chatId: string): { error: Error; expired: boolean } {
    const { code, status } = codeOf(err);
    const text = err instanceof Error ? err.message : String(err);
    const what = `Zalo send failed${code !== null ? ` (code ${code})` : ""}: ${text}`;
    const now = this.opts.clock.now();
    if (code === 221 || status === 429) {
      const pauses = this.cfg.rateLimitPausesMs;
      const ms = pauses[Math.min(this.rateLevel, pauses.length - 1)]!;
      this.rateLevel++;
      this.pausedUntil = Math.max(this.pausedUntil, now + ms);
      const minutes = Math.max(1, Math.round(ms / MIN));
      this.opts.log?.error({ level: this.rateLevel, pauseMs: ms }, "Zalo rate limit (221): pausing all Zalo sending");
      this.alert(`rate:${this.rateLevel}`, t("zalo:problem.rateLimited", { minutes }, this.opts.language));
      return { error: channelRetryAfter(ms, what), expired: false };
    }
    if (code === 123) {
      const entry = this.cannotReceive.get(chatId) ?? { count: 0, heldUntil: 0 };
      entry.count++;
      if (entry.count >= this.cfg.cannotReceiveCap) {
        entry.heldUntil = now + this.cfg.cannotReceiveHoldMs;
        this.cannotReceive.set(chatId, entry);
        const hours = Math.max(1, Math.round(this.cfg.cannotReceiveHoldMs / (60 * MIN)));
        this.alert(`123:${chatId}`, t("zalo:problem.cannotReceive", { chat: chatId, tries: entry.count, hours }, this.opts.language));
        return { error: new PermanentSendError(`${what} — ${entry.count} times for this chat; set aside`), expired: false };
      }
      this.cannotReceive.set(chatId, entry);
      return { error: new RetryAfterError(Math.ceil((this.cfg.cannotReceiveRetryMs * 2 ** (entry.count - 1)) / 1000), what), expired: false };
    }
    if (code === 102) return { error: channelRetryAfter(this.cfg.expiredRetryMs, what), expired: true };
    return { error: mapZaloError(err), expired: false };
  }

  private alert(kind: string, text: string): void {
    const now = this.opts.clock.now();
    const last = this.lastAlert.get(kind);
    if (last !== undefined && now - last < this.cfg.alertRepeatMs) return;
    this.lastAlert.set(kind, now);
    this.opts.log?.warn({ kind }, text);
    const onAlert = this.opts.onAlert;
    if (!onAlert) return;
    Promise.resolve()
      .then(() => onAlert(text))
      .catch((err) => this.opts.log?.error({ err: (err as Error).message }, "Zalo alert failed"));
  }
}
