/**
 * Wakes outbox workers in this process when another process enqueues on the same PostgreSQL
 * database: LISTEN on OUTBOX_NOTIFY_CHANNEL (the enqueue's INSERT sends the NOTIFY, delivered when
 * its transaction commits). While the connection is down the workers' polling covers.
 */
import type { Logger } from "../log.js";
import { listenForNotifications, type WakeSource } from "../store/listen.js";
import { OUTBOX_NOTIFY_CHANNEL } from "./queue.js";

export type { WakeSource } from "../store/listen.js";

/** LISTEN on `databaseUrl` for enqueues by other processes. */
export function listenForEnqueues(databaseUrl: string, opts: { log?: Logger; reconnectMs?: number } = {}): WakeSource {
  return listenForNotifications(databaseUrl, OUTBOX_NOTIFY_CHANNEL, { ...opts, what: "outbox" });
}
