/**
 * Long polling that handles chats concurrently and never confirms an update before it is durable.
 * Telegram confirms every update below the `offset` of the next getUpdates call; grammY's bot.start
 * (and @grammyjs/runner) advance the offset as soon as updates are fetched, so this loop replaces
 * them:
 *
 * - **No chat waits for another.** Each chat's updates are handled one after another, in order
 *   (a per-chat queue); chats run concurrently. A slow `/xuat` holds only its own chat: while it
 *   runs the loop keeps fetching (a short poll every `blockedPollMs`, or as soon as the offset
 *   moves) and hands other chats' new updates out at once.
 * - **The offset moves only past a contiguous prefix of handled updates** (update-window.ts): an
 *   update handled while an earlier one still runs is confirmed when that one is handled too. So
 *   Telegram keeps everything not yet durable, and a `kill -9` loses nothing (a handled update
 *   delivered again is skipped by its claim in the store).
 * - **Bounded memory.** Telegram returns at most `limit` (≤ 100) updates from the offset, so at most
 *   that many are fetched and not yet confirmed, however many chats there are. If one update runs
 *   while `limit` later ones are handled, new updates wait until it ends (the price of confirming
 *   nothing that is not durable; at this bot's traffic, 100 updates are many minutes of messages).
 * - **A store outage loses and reorders nothing.** An update whose handling fails goes back to the
 *   head of its chat's queue; no update is started for `firstBackoffMs` (doubling up to
 *   `maxBackoffMs` while failures go on), then each chat resumes where it stopped; the offset never
 *   passes the failed update meanwhile.
 * - 409 (another poller, or a webhook is set) is retried and logged at most once a minute; network
 *   errors are retried and logged once per streak; 401/404 (the token is wrong) stop the loop for good.
 * - stop() ends the long poll, lets the updates being handled finish (starting no other), and
 *   confirms the handled prefix with one last getUpdates.
 */
import { GrammyError, type Api } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../log.js";
import { isStoreUnavailable } from "../../store/unavailable.js";
import { UpdateWindow } from "./update-window.js";

/** What the poller needs. */
export interface PollerOptions {
  api: Api;
  /** Handles one update; throws only when it could not be handled (the store is unreachable). */
  handle: (update: Update) => Promise<void>;
  log: Logger;
  allowedUpdates: readonly string[];
  /** Long-poll timeout in seconds (Telegram: up to 50; default 30). */
  timeoutSeconds?: number;
  /** First pause after a failure, doubled up to `maxBackoffMs` (defaults 500 ms and 10 s). */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Updates fetched and not yet confirmed, at most (getUpdates' `limit`, 1–100; default 100). */
  limit?: number;
  /** While an update runs, fetch again after this long at most to pick up other chats' updates (default 100 ms). */
  blockedPollMs?: number;
  /** The loop stopped for good (401/404: wrong token). */
  onFatal?: (err: unknown) => void;
}

/**
 * Which queue an update goes to: its chat (a message, an edit, a tap on a message in that chat),
 * else the person (a tap on an inline message). Updates with the same key are handled in order.
 */
export function chatKeyOf(update: Update): string {
  const m = update.message ?? update.edited_message ?? update.channel_post ?? update.edited_channel_post ?? update.callback_query?.message;
  if (m) return `c${m.chat.id}`;
  const from = update.callback_query?.from;
  return from ? `u${from.id}` : "";
}

interface ChatQueue {
  updates: Update[];
  running: boolean;
}

/** The long-polling loop (see the file comment). */
export class UpdatePoller {
  private readonly window = new UpdateWindow();
  private readonly chats = new Map<string, ChatQueue>();
  private readonly drains = new Set<Promise<void>>();
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private stopped = true;
  /** No update is started before this time (a handler failed: the store is likely unreachable). */
  private pausedUntil = 0;
  private handlerBackoff: number;
  /** The loop's waits (a short-poll pause, a backoff), cut short by wakeAll(). */
  private waiters = new Set<() => void>();
  /** The offset last sent to Telegram (what it has confirmed). */
  private confirmedOffset = 0;

  constructor(private readonly opts: PollerOptions) {
    this.handlerBackoff = opts.firstBackoffMs ?? 500;
  }

  /** True while the loop runs. */
  isRunning(): boolean {
    return !this.stopped;
  }

  /** Starts the loop in the background (the caller has called getMe and deleteWebhook). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop().finally(() => {
      this.stopped = true;
      this.running = null;
    });
  }

  /**
   * Stops the loop: the updates being handled finish, no other starts (they stay unconfirmed and
   * Telegram delivers them again), and the handled prefix is confirmed with one getUpdates.
   */
  async stop(): Promise<void> {
    if (this.stopped && !this.running && this.drains.size === 0) return;
    this.stopped = true;
    this.abort?.abort();
    this.wakeAll();
    await this.running;
    while (this.drains.size > 0) await Promise.allSettled([...this.drains]);
    this.chats.clear();
    this.window.reset();
    if (this.window.offset > this.confirmedOffset) {
      await this.opts.api
        .getUpdates({ offset: this.window.offset, limit: 1, timeout: 0 })
        .then(() => (this.confirmedOffset = this.window.offset))
        .catch(() => undefined);
    }
  }

  private async loop(): Promise<void> {
    const first = this.opts.firstBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 10_000;
    const limit = Math.min(100, Math.max(1, this.opts.limit ?? 100));
    const blockedPollMs = this.opts.blockedPollMs ?? 100;
    let backoff = first;
    let failing = false;
    let conflictLoggedAt = -Infinity;
    while (!this.stopped) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        await this.wait(pause);
        this.pump();
        continue;
      }
      // While updates are unconfirmed Telegram returns them at once: poll without waiting.
      const blocked = this.window.size > 0;
      const offset = this.window.offset;
      let updates: Update[];
      this.abort = new AbortController();
      try {
        updates = await this.opts.api.getUpdates(
          {
            offset,
            limit,
            timeout: blocked ? 0 : (this.opts.timeoutSeconds ?? 30),
            allowed_updates: [...this.opts.allowedUpdates] as never,
          },
          this.abort.signal as never,
        );
        this.confirmedOffset = Math.max(this.confirmedOffset, offset);
      } catch (err) {
        if (this.stopped) break;
        const code = err instanceof GrammyError ? err.error_code : undefined;
        if (code === 401 || code === 404) {
          this.opts.log.fatal({ err: (err as Error).message }, "telegram polling stopped: the bot token is not accepted");
          this.stopped = true;
          this.opts.onFatal?.(err);
          break;
        }
        if (code === 409) {
          // Pollers that overlap alternate between success and 409: one line a minute at most.
          if (Date.now() - conflictLoggedAt > 60_000) {
            conflictLoggedAt = Date.now();
            this.opts.log.warn({ err: (err as Error).message }, "telegram getUpdates refused (409): another instance polls with this token or a webhook is set; retrying");
          }
        } else if (!failing) {
          failing = true;
          this.opts.log.warn({ err: (err as Error).message }, "telegram getUpdates failed; retrying");
        }
        await this.wait(backoff);
        backoff = Math.min(max, backoff * 2);
        continue;
      }
      if (failing) {
        this.opts.log.info("telegram getUpdates works again");
        failing = false;
      }
      backoff = first;
      if (this.stopped) break;
      const fresh = this.window.add(updates);
      for (const u of fresh) {
        const key = chatKeyOf(u);
        const q = this.chats.get(key);
        if (q) q.updates.push(u);
        else this.chats.set(key, { updates: [u], running: false });
      }
      this.pump();
      if (this.window.size === 0) continue; // all confirmed: long poll
      if (fresh.length > 0 && updates.length >= limit) continue; // more may be waiting
      await this.wait(blockedPollMs); // until an update ends, or a short while
    }
  }

  /** Starts a drain for every chat with waiting updates (unless stopped or paused). */
  private pump(): void {
    if (this.stopped || Date.now() < this.pausedUntil) return;
    for (const [key, q] of this.chats) {
      if (q.running || q.updates.length === 0) continue;
      q.running = true;
      const drain = this.drain(key, q);
      this.drains.add(drain);
      void drain.finally(() => this.drains.delete(drain));
    }
  }

  /** Handles one chat's updates in order until its queue is empty, or the loop stops or pauses. */
  private async drain(key: string, q: ChatQueue): Promise<void> {
    try {
      while (q.updates.length > 0 && !this.stopped && Date.now() >= this.pausedUntil) {
        const update = q.updates[0]!;
        try {
          await this.opts.handle(update);
        } catch (err) {
          // Not handled: it stays at the head of its chat's queue and unconfirmed.
          if (!isStoreUnavailable(err)) this.opts.log.error({ err, updateId: update.update_id }, "telegram update could not be handled; retrying");
          this.failed();
          break;
        }
        q.updates.shift();
        this.handlerBackoff = this.opts.firstBackoffMs ?? 500;
        // The offset moved: confirm it (and fetch) without waiting out the short-poll pause.
        if (this.window.done(update.update_id)) this.wakeAll();
      }
    } finally {
      q.running = false;
      if (q.updates.length === 0 && this.chats.get(key) === q) this.chats.delete(key);
    }
  }

  /** A handler failed: no update starts until the pause ends (one doubling per pause). */
  private failed(): void {
    const now = Date.now();
    if (now < this.pausedUntil) return;
    this.pausedUntil = now + this.handlerBackoff;
    this.handlerBackoff = Math.min(this.opts.maxBackoffMs ?? 10_000, this.handlerBackoff * 2);
    this.wakeAll();
  }

  /** Waits `ms`, or less when the offset moves, a handler fails or the loop stops. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }
}
