/**
 * The outbox: one durable queue for every message the bot sends.
 *
 *   enqueue(store, msg, { dedupeKey, notBefore })  — idempotent by dedupeKey; a long text is
 *   enqueueIn(tx, items) + notifyEnqueued()           stored as parts (parts.ts)
 *   new OutboxWorker({ store, senders, limits, clock, log, wakeups }).start() / stop()
 *   listenForEnqueues(databaseUrl)                    — wake-ups from other processes (PostgreSQL)
 *   listSetAside(store) / retrySetAside(store, id)  — for admins
 *
 * Guarantees, honestly: order per chat; chats sent concurrently, each send with its own timeout;
 * pacing per chat, per group and per channel, across all instances on PostgreSQL; 429
 * retry_after honoured (the chat waits; 429s from several chats at once pause the channel on
 * every instance); network / 5xx / timeout failures retried with exponential backoff and jitter,
 * set aside ("dead") after `maxAttempts` or at once on a PermanentSendError. A restart loses
 * nothing; a crashed instance's claims come back after a short lease (20 s). A crash after the
 * channel accepted a message and before the store recorded it re-sends that one message (and a
 * send that timed out after the channel got it is sent again): at-least-once at that single
 * point, since neither Telegram nor Zalo can be asked whether a message went out.
 *
 * Zalo: the same text to the same chat twice in a row within 10 minutes is avoided — a scheduled
 * broadcast (one with a dedupeKey) is skipped (status "skipped", the group already has that
 * text); any other message gets invisible zero-width spaces appended, so the bytes differ while
 * readers see the same text ("identicalTextPolicy" in the channel limits).
 */
export { type Clock, systemClock, VirtualClock } from "./clock.js";
export { type ChannelLimits, DEFAULT_LIMITS, type IdenticalTextPolicy, type LimitsConfig, resolveLimits } from "./limits.js";
export {
  decodePayload,
  encodePayload,
  enqueue,
  enqueueIn,
  enqueueMany,
  type EnqueueItem,
  type EnqueueOptions,
  type EnqueueResult,
  listSetAside,
  notifyEnqueued,
  OUTBOX_NOTIFY_CHANNEL,
  outboxCounts,
  type OutboxStatus,
  pruneDelivered,
  retrySetAside,
  type SetAsideMessage,
} from "./queue.js";
export { type Rate, WindowLimiter } from "./rate-limit.js";
export { listenForEnqueues, type WakeSource } from "./listen.js";
export { splitIntoParts } from "./parts.js";
export { SharedPace, type SlotGrant } from "./shared-pace.js";
export { OutboxWorker, type OutboxWorkerOptions, SendTimeoutError } from "./worker.js";
