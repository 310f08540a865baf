/**
 * The outbox: one durable queue for every message the bot sends.
 *
 *   enqueue(store, msg, { dedupeKey, notBefore })  — idempotent by dedupeKey
 *   new OutboxWorker({ store, senders, limits, clock, log }).start() / stop()
 *   listSetAside(store) / retrySetAside(store, id)  — for admins
 *
 * Guarantees, honestly: order per chat; pacing per chat, per group and per channel; 429
 * retry_after honoured (the chat waits; 429s from several chats at once pause the channel);
 * network / 5xx failures retried with exponential backoff and jitter, set aside ("dead") after
 * `maxAttempts` or at once on a PermanentSendError. A restart loses nothing. A crash after the
 * channel accepted a message and before the store recorded it re-sends that one message after
 * the lease (at-least-once at that single point; there is no way to ask Telegram or Zalo
 * whether a message went out).
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
