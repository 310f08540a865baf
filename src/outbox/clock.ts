/**
 * The clock the outbox worker (and the scheduler) run on. Production uses the system clock; tests
 * use a VirtualClock, whose sleep() moves time forward at once, so nothing ever waits for real.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * Virtual time for tests. sleep(ms) sets the time to max(now, callTime + ms) and resolves on the
 * next turn of the event loop (so database I/O still makes progress). Concurrent sleepers started
 * at the same instant for the same duration wake at the same virtual instant.
 */
export class VirtualClock implements Clock {
  private t: number;
  /** Every sleep asked for, in ms (tests may inspect them). */
  readonly sleeps: number[] = [];

  constructor(start: Date | number = Date.UTC(2024, 0, 1)) {
    this.t = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.t;
  }

  date(): Date {
    return new Date(this.t);
  }

  set(instant: Date | number): void {
    this.t = typeof instant === "number" ? instant : instant.getTime();
  }

  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }

  async sleep(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    this.sleeps.push(ms);
    if (target > this.t) this.t = target;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
