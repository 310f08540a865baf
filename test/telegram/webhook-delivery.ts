/**
 * Telegram's side of a webhook, on loopback: updates are POSTed as JSON to the webhook URL with the
 * X-Telegram-Bot-Api-Secret-Token header, at most `maxConnections` requests at once (setWebhook's
 * max_connections, 40 by default) and one at a time per chat, so that a chat's updates arrive in
 * order. An update whose answer is not 2xx, or that gets no answer within `timeoutMs`, is delivered
 * again after a pause (doubling up to `maxRetryDelayMs`) until it gets a 2xx — as Telegram does.
 */
import type { Update } from "grammy/types";

/** One POST of an update and what came of it (status 0: no answer — a timeout or a reset). */
export interface DeliveryAttempt {
  updateId: number;
  startedAt: number;
  endedAt: number;
  status: number;
}

export interface WebhookDeliveryOptions {
  url: string;
  secret: string;
  maxConnections?: number;
  timeoutMs?: number;
  firstRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

function chatOf(update: Update): number {
  return update.message?.chat.id ?? update.edited_message?.chat.id ?? 0;
}

/** The delivering side of a webhook (see the file comment). */
export class WebhookDelivery {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly pending = new Map<number, Update[]>();
  private readonly busyChats = new Set<number>();
  private readonly acknowledged = new Set<number>();
  private readonly pushed: number[] = [];
  private active = 0;
  private closed = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly opts: Required<WebhookDeliveryOptions>;

  constructor(opts: WebhookDeliveryOptions) {
    this.opts = { maxConnections: 40, timeoutMs: 15_000, firstRetryDelayMs: 200, maxRetryDelayMs: 2_000, ...opts };
  }

  /** A new update for the bot. */
  push(update: Update): void {
    this.pushed.push(update.update_id);
    const chat = chatOf(update);
    this.pending.set(chat, [...(this.pending.get(chat) ?? []), update]);
    this.pump();
  }

  /** True when every pushed update got a 2xx. */
  allAcknowledged(): boolean {
    return this.pushed.every((id) => this.acknowledged.has(id));
  }

  /** Attempts that did not get a 2xx. */
  failures(): DeliveryAttempt[] {
    return this.attempts.filter((a) => a.status < 200 || a.status > 299);
  }

  /** Stops delivering and waits for the requests under way. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
  }

  private pump(): void {
    if (this.closed) return;
    for (const [chat, queue] of this.pending) {
      if (this.active >= this.opts.maxConnections) return;
      if (this.busyChats.has(chat) || queue.length === 0) continue;
      const update = queue.shift()!;
      if (queue.length === 0) this.pending.delete(chat);
      this.busyChats.add(chat);
      this.active++;
      const p = this.deliver(update).finally(() => {
        this.inflight.delete(p);
        this.busyChats.delete(chat);
        this.active--;
        this.pump();
      });
      this.inflight.add(p);
    }
  }

  /** Posts `update` until a 2xx (or close()). */
  private async deliver(update: Update): Promise<void> {
    let delay = this.opts.firstRetryDelayMs;
    while (!this.closed) {
      const startedAt = Date.now();
      let status = 0;
      try {
        const res = await fetch(this.opts.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": this.opts.secret },
          body: JSON.stringify(update),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      this.attempts.push({ updateId: update.update_id, startedAt, endedAt: Date.now(), status });
      if (status >= 200 && status <= 299) {
        this.acknowledged.add(update.update_id);
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(this.opts.maxRetryDelayMs, delay * 2);
    }
  }
}
