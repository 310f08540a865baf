/**
 * The outbox queue in the store: enqueue (idempotent by dedupeKey), the set-aside list for
 * admins, and housekeeping. The worker (worker.ts) delivers.
 */
import type { ChannelName, OutboundMessage } from "../channels/types.js";
import type { Store } from "../store/database.js";
import type { SqlConnection } from "../store/sql.js";
import { splitIntoParts } from "./parts.js";

export type OutboxStatus = "pending" | "sending" | "sent" | "dead" | "skipped";

export interface EnqueueOptions {
  /** A second enqueue with the same key is a no-op (how scheduler occurrences become exactly-once). */
  dedupeKey?: string;
  /** Do not send before this instant (default: at once). */
  notBefore?: Date;
}

export interface EnqueueResult {
  /** The row id (the existing row's when the key was already there). */
  id: number;
  /** False when a message with the same dedupeKey was already queued. */
  created: boolean;
}

interface StoredPayload extends Omit<OutboundMessage, "file"> {
  file?: { name: string; mime: string; base64: string };
}

export function encodePayload(msg: OutboundMessage): StoredPayload {
  const { file, ...rest } = msg;
  const out: StoredPayload = { ...rest };
  if (file) out.file = { name: file.name, mime: file.mime, base64: Buffer.from(file.data).toString("base64") };
  return out;
}

export function decodePayload(payload: unknown): OutboundMessage {
  const p = payload as StoredPayload;
  const { file, ...rest } = p;
  const msg: OutboundMessage = { ...rest };
  if (file) msg.file = { name: file.name, mime: file.mime, data: new Uint8Array(Buffer.from(file.base64, "base64")) };
  return msg;
}

// In-process workers are woken when something is enqueued; workers in other processes are woken
// by NOTIFY (OUTBOX_NOTIFY_CHANNEL, sent by the INSERT itself, delivered when it commits; see
// listen.ts), and poll as a fallback.
const wakers = new Set<() => void>();
/** @internal used by OutboxWorker: `fn` runs after every enqueue in this process. */
export function onEnqueue(fn: () => void): () => void {
  wakers.add(fn);
  return () => wakers.delete(fn);
}
function wakeWorkers(): void {
  for (const w of wakers) w();
}

/** The PostgreSQL NOTIFY channel an enqueue signals (payload: the message's channel name). */
export const OUTBOX_NOTIFY_CHANNEL = "vundap_outbox";

/** One message to queue, with its options. */
export interface EnqueueItem extends EnqueueOptions {
  msg: OutboundMessage;
}

/**
 * Queue one message (as several rows when it is too long for one channel message, see parts.ts).
 * The result names the first part's row.
 */
export async function enqueue(store: Store, msg: OutboundMessage, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
  const ids = await insertRows(store.sql, [{ msg, ...opts }]);
  if (ids.length > 0) {
    wakeWorkers();
    return { id: ids[0]!, created: true };
  }
  const [existing] = await store.sql.query<{ id: number }>(`SELECT id FROM "OutboxMessage" WHERE "dedupeKey" = $1`, [opts.dedupeKey]);
  if (!existing) throw new Error("enqueue: the insert was skipped but no row has that dedupeKey");
  return { id: existing.id, created: false };
}

/** Queue many messages in order (chunked inserts); returns how many rows were new (parts count). */
export async function enqueueMany(store: Store, items: readonly EnqueueItem[]): Promise<number> {
  const created = (await insertRows(store.sql, items)).length;
  if (created > 0) wakeWorkers();
  return created;
}

/**
 * Queue messages in order through a raw SQL connection — usually a transaction, so that the rows
 * commit together with the effects that caused them (an update's conversation and report). Returns
 * how many rows were new (a long message counts once per part). In-process workers are woken after
 * the call; a caller inside a transaction should call `notifyEnqueued()` again after its commit (a
 * worker woken before the commit finds nothing yet). Workers in other processes are woken at the
 * commit by NOTIFY.
 */
export async function enqueueIn(sql: SqlConnection, items: readonly EnqueueItem[]): Promise<number> {
  const created = (await insertRows(sql, items)).length;
  if (created > 0) wakeWorkers();
  return created;
}

/** Wake the in-process outbox workers (after a transaction that enqueued has committed). */
export function notifyEnqueued(): void {
  wakeWorkers();
}

/**
 * The outbox rows of `msgs` (each split into parts, in order) with their payloads as JSON text,
 * for a commit that writes them itself (src/store/lean-commit.ts). No dedupe keys, no notBefore.
 */
export function outboxRowsOf(msgs: readonly OutboundMessage[]): { channel: string; chatId: string; payload: string }[] {
  const rows: { channel: string; chatId: string; payload: string }[] = [];
  for (const msg of msgs) {
    for (const part of splitIntoParts(msg)) {
      // Without a file the stored payload is the message itself (encodePayload only copies it).
      rows.push({ channel: part.channel, chatId: part.chatId, payload: JSON.stringify(part.file === undefined ? part : encodePayload(part)) });
    }
  }
  return rows;
}

/** Inserts the rows (each message split into parts); returns the new rows' ids in order. */
async function insertRows(sql: SqlConnection, items: readonly EnqueueItem[]): Promise<number[]> {
  const rows = items.flatMap(rowsOf);
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const params: unknown[] = [];
    const values = chunk.map((r) => {
      params.push(r.channel, r.chatId, JSON.stringify(r.payload), r.dedupeKey, r.notBefore?.toISOString() ?? null);
      const b = params.length - 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}::jsonb, $${b + 4}, $${b + 5}::timestamptz, now())`;
    });
    // pg_notify in RETURNING: one NOTIFY per new row (PostgreSQL folds equal ones in a transaction),
    // delivered to listeners when the surrounding transaction commits.
    const inserted = await sql.query<{ id: number }>(
      `INSERT INTO "OutboxMessage" ("channel", "chatId", "payload", "dedupeKey", "notBefore", "updatedAt")
       VALUES ${values.join(", ")} ON CONFLICT ("dedupeKey") DO NOTHING
       RETURNING "id", pg_notify('${OUTBOX_NOTIFY_CHANNEL}', "channel")::text AS notified`,
      params,
    );
    for (const r of inserted) ids.push(r.id);
  }
  return ids.sort((a, b) => a - b);
}

/** The rows of one item: one per part; part k > 1 gets the dedupeKey "<key>#<k>". */
function rowsOf(item: EnqueueItem) {
  return splitIntoParts(item.msg).map((msg, i) => ({
    channel: msg.channel,
    chatId: msg.chatId,
    payload: encodePayload(msg) as object,
    dedupeKey: item.dedupeKey === undefined ? null : i === 0 ? item.dedupeKey : `${item.dedupeKey}#${i + 1}`,
    notBefore: item.notBefore ?? null,
  }));
}

export interface SetAsideMessage {
  id: number;
  channel: ChannelName;
  chatId: string;
  text: string;
  attempts: number;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: Date;
  setAsideAt: Date;
}

/** Messages set aside after repeated or permanent failures, newest first (for admins). */
export async function listSetAside(store: Store, opts: { limit?: number; channel?: ChannelName } = {}): Promise<SetAsideMessage[]> {
  const rows = await store.prisma.outboxMessage.findMany({
    where: { status: "dead", ...(opts.channel ? { channel: opts.channel } : {}) },
    orderBy: { id: "desc" },
    take: opts.limit ?? 50,
  });
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel as ChannelName,
    chatId: r.chatId,
    text: decodePayload(r.payload).text,
    attempts: r.attempts,
    lastError: r.lastError,
    dedupeKey: r.dedupeKey,
    createdAt: r.createdAt,
    setAsideAt: r.updatedAt,
  }));
}

/**
 * Put a set-aside message back in the queue (attempts reset). It keeps its id, so it goes out
 * before that chat's newer queued messages. False when no set-aside message has that id.
 */
export async function retrySetAside(store: Store, id: number): Promise<boolean> {
  const res = await store.prisma.outboxMessage.updateMany({
    where: { id, status: "dead" },
    data: { status: "pending", attempts: 0, notBefore: null, lockedUntil: null, lockedBy: null },
  });
  if (res.count > 0) wakeWorkers();
  return res.count > 0;
}

/** Counts by status (for health checks and the bench). */
export async function outboxCounts(store: Store): Promise<Record<OutboxStatus, number>> {
  const groups = await store.prisma.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0, skipped: 0 };
  for (const g of groups) out[g.status as OutboxStatus] = g._count._all;
  return out;
}

/** Delete sent and skipped messages older than `before` (housekeeping); returns how many. */
export async function pruneDelivered(store: Store, before: Date): Promise<number> {
  const res = await store.prisma.outboxMessage.deleteMany({
    where: { status: { in: ["sent", "skipped"] }, updatedAt: { lt: before } },
  });
  return res.count;
}
