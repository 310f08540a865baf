import type { Store } from "../../store/database.js";

/**
 * Moves a chat's unit link to its new chat id (a Telegram group upgraded to a supergroup).
 * Idempotent. If the new chat id is already linked, that link wins and the old one is removed.
 * Returns true when a link was moved.
 */
export async function moveChatLink(store: Store, channel: string, oldChatId: string, newChatId: string): Promise<boolean> {
  if (oldChatId === newChatId) return false;
  const [moved] = await store.prisma.$transaction([
    store.prisma.$executeRaw`
      UPDATE "ChatLink" SET "chatId" = ${newChatId}
      WHERE "channel" = ${channel} AND "chatId" = ${oldChatId}
        AND NOT EXISTS (SELECT 1 FROM "ChatLink" WHERE "channel" = ${channel} AND "chatId" = ${newChatId})`,
    store.prisma.$executeRaw`DELETE FROM "ChatLink" WHERE "channel" = ${channel} AND "chatId" = ${oldChatId}`,
  ]);
  return moved === 1;
}
