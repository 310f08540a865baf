/** A sliding-window limit on sign-in attempts per client address (kept in memory, per process). */

/** Counts attempts per key; `take` says whether one more is allowed now. */
export class AttemptLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an attempt by `key` at `now`; false when the key already used its allowance in the window. */
  take(key: string, now: number): boolean {
    const recent = (this.seen.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.seen.set(key, recent);
      return false;
    }
    recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > 10_000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [k, v] of this.seen) if (v.every((at) => now - at >= this.windowMs)) this.seen.delete(k);
  }
}
