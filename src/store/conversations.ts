/**
 * Persisted guided conversations, keyed by (channel, chat, person): several people can report in
 * one group at once, and after a restart every conversation continues where it was.
 * Loading and saving run for every answer, so they use raw SQL (Prisma's query compiler costs
 * more CPU than the query itself; see bench:pipeline). Timestamps are stored in UTC like Prisma's.
 */
import type { Store } from "./database.js";
import { type Db, sqlOf, utcFromMs } from "./db.js";

export type { Db } from "./db.js";

export interface ConversationKey {
  channel: string;
  chatId: string;
  personKey: string;
}

export interface LoadedConversation<S> {
  /** The row's id: a new conversation in the same chat has a new one (buttons of an old one are told apart). */
  id: number;
  state: S;
  expiresAt: Date;
  /** Pass back to saveConversation / deleteConversation to refuse a save based on a stale read. */
  version: number;
}

export async function loadConversation<S>(store: Store, key: ConversationKey): Promise<LoadedConversation<S> | null> {
  const [row] = await store.sql.query<{ id: number; state: unknown; expires_ms: string | number; version: number }>(
    `SELECT id, state, (EXTRACT(EPOCH FROM "expiresAt") * 1000)::bigint AS expires_ms, version
       FROM "Conversation" WHERE channel = $1 AND "chatId" = $2 AND "personKey" = $3`,
    [key.channel, key.chatId, key.personKey],
  );
  if (!row) return null;
  const state = (typeof row.state === "string" ? JSON.parse(row.state) : row.state) as S;
  return { id: Number(row.id), state, expiresAt: new Date(Number(row.expires_ms)), version: Number(row.version) };
}

/**
 * Save a conversation's state. Without `expectedVersion` (a conversation starting) it is written
 * whatever is stored; with it, only if the stored version is still that one. Returns whether it was written.
 */
export async function saveConversation<S>(
  db: Db,
  key: ConversationKey,
  state: S,
  expiresAt: Date,
  expectedVersion?: number,
): Promise<boolean> {
  return (await saveConversationRow(db, key, state, expiresAt, expectedVersion)) !== null;
}

/** The row a save wrote: its id and its new version (buttons name the prompt they belong to by them). */
export interface SavedConversation {
  id: number;
  version: number;
}

/** saveConversation, returning the row's id and new version, or null when the save was refused. */
export async function saveConversationRow<S>(
  db: Db,
  key: ConversationKey,
  state: S,
  expiresAt: Date,
  expectedVersion?: number,
): Promise<SavedConversation | null> {
  const params = [key.channel, key.chatId, key.personKey, JSON.stringify(state), expiresAt.getTime()];
  const expires = utcFromMs(5);
  if (expectedVersion === undefined) {
    const [row] = await sqlOf(db).query<{ id: number; version: number }>(
      `INSERT INTO "Conversation" (channel, "chatId", "personKey", state, "updatedAt", "expiresAt")
       VALUES ($1, $2, $3, $4::jsonb, timezone('UTC', now()), ${expires})
       ON CONFLICT (channel, "chatId", "personKey")
       DO UPDATE SET state = EXCLUDED.state, "updatedAt" = EXCLUDED."updatedAt", "expiresAt" = EXCLUDED."expiresAt",
                     version = "Conversation".version + 1
       RETURNING id, version`,
      params,
    );
    return { id: Number(row!.id), version: Number(row!.version) };
  }
  const [row] = await sqlOf(db).query<{ id: number; version: number }>(
    `UPDATE "Conversation" SET state = $4::jsonb, "updatedAt" = timezone('UTC', now()), "expiresAt" = ${expires},
            version = version + 1
      WHERE channel = $1 AND "chatId" = $2 AND "personKey" = $3 AND version = $6
      RETURNING id, version`,
    [...params, expectedVersion],
  );
  return row ? { id: Number(row.id), version: Number(row.version) } : null;
}

/** End a conversation; with `expectedVersion`, only if nobody saved it since. Returns whether a row was deleted. */
export async function deleteConversation(db: Db, key: ConversationKey, expectedVersion?: number): Promise<boolean> {
  const rows = await sqlOf(db).query(
    `DELETE FROM "Conversation" WHERE channel = $1 AND "chatId" = $2 AND "personKey" = $3
        AND ($4::integer IS NULL OR version = $4::integer)
      RETURNING 1 AS deleted`,
    [key.channel, key.chatId, key.personKey, expectedVersion ?? null],
  );
  return rows.length > 0;
}

/**
 * Remove and return conversations that expired before `now` (the app sends each a polite note),
 * at most 500 at a time. Given a transaction, the removal commits with the notes' outbox rows.
 * Rows locked by another instance's removal are skipped, not waited for.
 */
export async function takeExpiredConversations<S>(db: Db, now: Date): Promise<(ConversationKey & { state: S })[]> {
  const rows = await sqlOf(db).query<{ channel: string; chatId: string; personKey: string; state: unknown }>(
    `DELETE FROM "Conversation" WHERE id IN (
       SELECT id FROM "Conversation" WHERE "expiresAt" < ${utcFromMs(1)}
        ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED)
     RETURNING channel, "chatId", "personKey", state`,
    [now.getTime()],
  );
  return rows.map((r) => ({
    channel: r.channel,
    chatId: r.chatId,
    personKey: r.personKey,
    state: (typeof r.state === "string" ? JSON.parse(r.state) : r.state) as S,
  }));
}

/**
 * Whether the person has a stored conversation in the chat, expired or not (an expired one is ended
 * with a note by the app): Zalo uses it to tell answers from chatter. One indexed statement.
 */
export async function hasOpenConversation(db: Db, key: ConversationKey): Promise<boolean> {
  const rows = await sqlOf(db).query(`SELECT 1 FROM "Conversation" WHERE channel = $1 AND "chatId" = $2 AND "personKey" = $3 LIMIT 1`, [
    key.channel,
    key.chatId,
    key.personKey,
  ]);
  return rows.length > 0;
}
