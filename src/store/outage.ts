/**
 * One log line when the store becomes unreachable and one when it is back — not one per update that
 * failed meanwhile. Channels report every failed and every successful store round trip here.
 */
import type { Logger } from "../log.js";

/** Tracks one outage at a time for one consumer (e.g. Telegram's inbound updates). */
export class StoreOutage {
  private since: number | null = null;
  private failures = 0;

  /** `what` names what waits during the outage, for the log lines (e.g. "telegram updates"). */
  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** True between the first failure and the next success. */
  get down(): boolean {
    return this.since !== null;
  }

  /** A store round trip failed because the store is unreachable; logs only the first of an outage. */
  failed(err: unknown): void {
    this.failures++;
    if (this.since !== null) return;
    this.since = this.now();
    this.log.error(
      { err: err instanceof Error ? err.message : String(err), waiting: this.what },
      `store unreachable: ${this.what} wait, unconfirmed, and are handled when it is back (check the database and the network to it)`,
    );
  }

  /** A store round trip succeeded; ends an outage with one line. */
  succeeded(): void {
    if (this.since === null) return;
    const seconds = Math.round((this.now() - this.since) / 100) / 10;
    this.log.warn({ downSeconds: seconds, failedAttempts: this.failures, waiting: this.what }, `store reachable again after ${seconds}s: handling the ${this.what} held back`);
    this.since = null;
    this.failures = 0;
  }
}

const byLogger = new WeakMap<Logger, StoreOutage>();

/**
 * The one outage tracker of a process's logger: the Telegram channel and the outbox workers given
 * the same logger report to the same tracker, so an outage of the store is logged once (by
 * whichever notices first) and its end once. Log lines go to `log`.
 */
export function sharedStoreOutage(log: Logger): StoreOutage {
  let outage = byLogger.get(log);
  if (!outage) byLogger.set(log, (outage = new StoreOutage(log, "incoming updates and outgoing messages")));
  return outage;
}
