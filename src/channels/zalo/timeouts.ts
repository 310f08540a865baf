/**
 * Time limits for Zalo calls. zca-js has none of its own: its HTTP requests use the platform fetch
 * without a signal, and a non-image upload waits for a socket event that may never come. Every
 * limit here is finite, and the Zalo outbox worker's own send limits (src/main.ts) sit just above
 * them, so a claimed message is always either recorded or handed back (the lease is renewed while
 * a send is in flight).
 */
import type { Clock } from "./clock.js";

/** Default limits (ms). */
export const ZALO_TIMEOUTS = {
  /** One HTTP request to Zalo (the fetch given to zca-js). */
  requestMs: 30_000,
  /** One sendMessage call for a text part (its requests included). */
  sendMs: 45_000,
  /** One sendMessage call with a file: upload, the upload-done event for non-images, then the send. */
  fileMs: 90_000,
  /** How long a send waits for the listener to be connected before giving up (retry later). */
  readyMs: 15_000,
  /** A login with saved credentials. */
  loginMs: 60_000,
} as const;

/**
 * The Zalo outbox worker's per-send limits: just above the sender's own (waiting for the listener,
 * then the call), so the sender's clean-up — e.g. removing a file's upload callback — always runs
 * before the worker gives up on the send and hands the message back for a retry.
 */
export function zaloWorkerSendLimits(limits: typeof ZALO_TIMEOUTS = ZALO_TIMEOUTS): { sendTimeoutMs: number; fileSendTimeoutMs: number } {
  return { sendTimeoutMs: limits.readyMs + limits.sendMs + 5_000, fileSendTimeoutMs: limits.readyMs + limits.fileMs + 5_000 };
}

/** Thrown when a Zalo call did not finish in time; `what` names the call. */
export class ZaloTimeoutError extends Error {
  override name = "ZaloTimeoutError";
  constructor(readonly what: string, readonly ms: number) {
    super(`Zalo ${what} did not finish within ${ms} ms`);
  }
}

/**
 * Resolves or rejects like `promise`, or rejects with ZaloTimeoutError after `ms` on `clock`. The
 * call itself is not cancelled (zca-js offers no way); `onTimeout` may clean up after it.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, clock: Clock, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = clock.setTimeout(() => {
      if (done) return;
      done = true;
      try {
        onTimeout?.();
      } finally {
        reject(new ZaloTimeoutError(what, ms));
      }
    }, ms);
    promise.then(
      (v) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * A fetch for zca-js's `polyfill` option: every request is aborted after `ms` (unless the caller
 * passed its own signal, which is combined with the limit).
 */
export function fetchWithTimeout(ms: number = ZALO_TIMEOUTS.requestMs, base: typeof fetch = fetch): typeof fetch {
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const limit = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, limit]) : limit;
    return base(input, { ...init, signal });
  }) as typeof fetch;
}
