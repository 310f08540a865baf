/**
 * Long polling that never confirms an update before it is durable. Telegram confirms every update
 * below the `offset` of the next getUpdates call; grammY's bot.start advances the offset even when
 * handling failed, so this loop replaces it:
 *
 * - a batch is handled per chat in order (chats in parallel); the offset moves past the batch only
 *   when every update in it was handled (or was a redelivery of one handled before);
 * - when the store is unreachable the offset stays where it is and the same updates are fetched
 *   again after a growing pause (at most `maxBackoffMs`): nothing is lost, and what arrived
 *   meanwhile is handled in order when the store is back;
 * - 409 (another poller, or a webhook is set) is retried and logged at most once a minute; network
 *   errors are retried and logged once per streak;
 *   401/404 (the token is wrong) stop the loop for good.
 * - stop() aborts the long poll and confirms what was handled with one last getUpdates.
 */
import { GrammyError, type Api } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../log.js";
import { isStoreUnavailable } from "../../store/unavailable.js";

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
  /** The loop stopped for good (401/404: wrong token). */
  onFatal?: (err: unknown) => void;
}

/** Which chat an update belongs to (updates of one chat are handled in order). */
function chatOf(update: Update): string {
  const m = update.message ?? update.edited_message ?? update.channel_post ?? update.edited_channel_post;
  return m ? String(m.chat.id) : "";
}

/** The long-polling loop (see the file comment). */
export class UpdatePoller {
  private offset = 0;
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private stopped = true;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: PollerOptions) {}

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

  /** Stops the loop and confirms the handled updates to Telegram (one getUpdates with the offset). */
  async stop(): Promise<void> {
    if (this.stopped && !this.running) return;
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.running;
    if (this.offset > 0) {
      await this.opts.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 }).catch(() => undefined);
    }
  }

  private async loop(): Promise<void> {
    const first = this.opts.firstBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 10_000;
    let backoff = first;
    let failing = false;
    let conflictLoggedAt = -Infinity;
    const pause = async () => {
      await this.sleep(backoff);
      backoff = Math.min(max, backoff * 2);
    };
    while (!this.stopped) {
      let updates: Update[];
      this.abort = new AbortController();
      try {
        updates = await this.opts.api.getUpdates(
          {
            offset: this.offset,
            limit: 100,
            timeout: this.opts.timeoutSeconds ?? 30,
            allowed_updates: [...this.opts.allowedUpdates] as never,
          },
          this.abort.signal as never,
        );
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
        await pause();
        continue;
      }
      if (failing) {
        this.opts.log.info("telegram getUpdates works again");
        failing = false;
      }
      if (updates.length === 0 || this.stopped) {
        backoff = first;
        continue;
      }
      try {
        await this.handleBatch(updates);
        this.offset = Math.max(...updates.map((u) => u.update_id)) + 1;
        backoff = first;
      } catch (err) {
        // Not confirmed: the same updates come again with the next getUpdates.
        if (!isStoreUnavailable(err)) this.opts.log.error({ err }, "telegram updates could not be handled; retrying");
        await pause();
      }
    }
  }

  /** Each chat's updates in order, chats in parallel; throws the first failure after all settle. */
  private async handleBatch(updates: Update[]): Promise<void> {
    const byChat = new Map<string, Update[]>();
    for (const u of updates) {
      const key = chatOf(u);
      const list = byChat.get(key);
      if (list) list.push(u);
      else byChat.set(key, [u]);
    }
    const results = await Promise.allSettled(
      [...byChat.values()].map(async (list) => {
        for (const u of list) await this.opts.handle(u);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
