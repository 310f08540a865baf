/**
 * A wake-up signal for the worker's loop: wake() before wait() is not lost (the next wait returns
 * at once), and wait() ends at the first of: a wake, `ms` milliseconds of real time, or one of the
 * given promises settling.
 */
export class WakeSignal {
  private pending = false;
  private resolve: (() => void) | null = null;

  /** Wake the waiter now, or the next one if none waits. */
  wake(): void {
    this.pending = true;
    const r = this.resolve;
    this.resolve = null;
    r?.();
  }

  /** Waits for a wake, `ms` ms (real time; Infinity = no timer), or any of `also` to settle. */
  async wait(ms: number, also: Iterable<Promise<unknown>> = []): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => (this.resolve = resolve)),
        ...(Number.isFinite(ms) ? [new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))] : []),
        ...[...also].map((p) => p.then(noop, noop)),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
      this.resolve = null;
      this.pending = false;
    }
  }
}

function noop(): void {}
