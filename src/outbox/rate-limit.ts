/**
 * A small keyed sliding-window rate limiter on an injected clock (times are passed in, so it is
 * pure and testable): at most `count` events in any `perMs` window per key; with `smooth`, events
 * are also spread at least perMs/count apart (no bursts — what a server counting in windows of
 * its own, with some network jitter, tolerates best).
 *
 * A sliding window is stricter than the fixed windows servers usually count in, so keeping to it
 * keeps to theirs.
 */

export interface Rate {
  count: number;
  /** Window length in ms; 0 = unlimited. */
  perMs: number;
}

export class WindowLimiter {
  private readonly events = new Map<string, number[]>();
  /** Smooth mode: the theoretical time of the next event per key (fractional, so no drift). */
  private readonly next = new Map<string, number>();
  private takes = 0;

  constructor(
    readonly rate: Rate,
    readonly smooth = false,
  ) {
    if (!(rate.count >= 1) || !(rate.perMs >= 0)) throw new RangeError(`Invalid rate ${JSON.stringify(rate)}`);
  }

  /** Minimum spacing between two events of one key (0 when not smooth). */
  get spacingMs(): number {
    return this.smooth ? this.rate.perMs / this.rate.count : 0;
  }

  /** The earliest instant ≥ now at which one more event for `key` is allowed. */
  readyAt(key: string, now: number): number {
    if (this.rate.perMs === 0) return now;
    const list = this.events.get(key);
    if (!list || list.length === 0) return now;
    let t = now;
    const inWindow = list.filter((e) => e > now - this.rate.perMs);
    if (inWindow.length >= this.rate.count) t = Math.max(t, inWindow[inWindow.length - this.rate.count]! + this.rate.perMs);
    if (this.smooth) t = Math.max(t, this.next.get(key) ?? t);
    // Whole milliseconds (so that a virtual clock lands on them), never later than needed.
    return t <= now ? now : Math.ceil(t);
  }

  /** Records an event for `key` at `at` (callers take a slot at or after readyAt). */
  take(key: string, at: number): void {
    if (this.rate.perMs === 0) return;
    let list = this.events.get(key);
    if (!list) this.events.set(key, (list = []));
    list.push(at);
    if (this.smooth) {
      const tat = this.next.get(key);
      // Keep the fractional schedule while on time (no rounding drift); after a late event,
      // restart from it, so that events are never closer than the spacing.
      this.next.set(key, (tat === undefined || at - tat > 1 ? at : tat) + this.spacingMs);
    }
    if (list.length > this.rate.count) list.splice(0, list.length - this.rate.count);
    if (++this.takes % 1024 === 0) this.prune(at);
  }

  /** Keys that cannot take an event at `now`, with the instant each can. */
  blocked(now: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const key of this.events.keys()) {
      const t = this.readyAt(key, now);
      if (t > now) out.set(key, t);
    }
    return out;
  }

  /** Forget keys whose events are all out of the window. */
  prune(now: number): void {
    for (const [key, list] of this.events) {
      if (list.length === 0 || list[list.length - 1]! <= now - this.rate.perMs) {
        this.events.delete(key);
        this.next.delete(key);
      }
    }
  }

  get size(): number {
    return this.events.size;
  }
}
