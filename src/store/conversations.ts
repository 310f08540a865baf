/**
 * Persisted guided conversations, keyed by (channel, chat, person): several people can report in
 * one group at once, and after a restart every conversation continues where it was.
 */
import type { Prisma } from "../generated/prisma/client.js";
import type { Store } from "./database.js";

export interface ConversationKey {
  channel: string;
  chatId: string;
  personKey: string;
}

export async function loadConversation<S>(store: Store, key: ConversationKey): Promise<{ state: S; expiresAt: Date } | null> {
  const row = await store.prisma.conversation.findUnique({
    where: { channel_chatId_personKey: key },
    select: { state: true, expiresAt: true },
  });
  return row ? { state: row.state as S, expiresAt: row.expiresAt } : null;
}

export async function saveConversation<S>(store: Store, key: ConversationKey, state: S, expiresAt: Date): Promise<void> {
  const json = state as unknown as Prisma.InputJsonValue;
  await store.prisma.conversation.upsert({
    where: { channel_chatId_personKey: key },
    create: { ...key, state: json, expiresAt },
    update: { state: json, expiresAt },
  });
}

export async function deleteConversation(store: Store, key: ConversationKey): Promise<void> {
  await store.prisma.conversation.deleteMany({ where: key });
}

/** Remove and return conversations that expired before `now` (the app sends each a polite note). */
export async function takeExpiredConversations<S>(
  store: Store,
  now: Date,
): Promise<(ConversationKey & { state: S })[]> {
  const rows = await store.prisma.conversation.findMany({
    where: { expiresAt: { lt: now } },
    select: { id: true, channel: true, chatId: true, personKey: true, state: true },
    take: 500,
  });
  if (rows.length === 0) return [];
  // Delete by id and expiry: a conversation answered meanwhile (expiry pushed forward) is kept.
  const taken: (ConversationKey & { state: S })[] = [];
  for (const r of rows) {
    const del = await store.prisma.conversation.deleteMany({ where: { id: r.id, expiresAt: { lt: now } } });
    if (del.count === 1) taken.push({ channel: r.channel, chatId: r.chatId, personKey: r.personKey, state: r.state as S });
  }
  return taken;
}

/** People with an open conversation in a chat (Zalo uses it to tell answers from chatter). */
export async function hasOpenConversation(store: Store, key: ConversationKey): Promise<boolean> {
  return (await store.prisma.conversation.count({ where: key })) > 0;
}
