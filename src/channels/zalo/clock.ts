/** Time and randomness behind an interface, so tests can drive backoff, cool-downs and periodic saves. */
export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** In [0, 1): jitter. */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  // Periodic housekeeping must not keep the process alive on its own.
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  random: () => Math.random(),
};

/**
 * Exponential backoff with jitter: attempt 1 → about base, doubling up to max; the delay is drawn
 * uniformly in [50%, 100%] of the capped value so that several restarts do not reconnect in step.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped * (0.5 + 0.5 * random()));
}
