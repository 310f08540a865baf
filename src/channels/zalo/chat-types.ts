/**
 * Which Zalo chats are groups and which are private chats, kept in the store (table ZaloChat):
 * zca-js must be told ThreadType.Group or User at every send, and a queued message (a reminder to a
 * linked group, an expiry notice) does not always carry it. Every chat a message comes from is
 * remembered; a chat linked to a unit counts as a group (linking works in groups only).
 */
import type { Store } from "../../store/database.js";
import { Lru } from "./lru.js";

/** A Zalo chat's kind. */
export type ZaloChatType = "group" | "private";

/** The store of Zalo chat kinds, with a small memory in front. */
export class ZaloChatTypes {
  private readonly cache: Lru<string, ZaloChatType>;

  constructor(private readonly store: Store, capacity = 5000) {
    this.cache = new Lru(capacity);
  }

  /** Records a chat's kind (one write per chat and process, unless the kind changes). */
  async remember(chatId: string, chatType: ZaloChatType): Promise<void> {
    if (this.cache.get(chatId) === chatType) return;
    await this.store.sql.query(
      `INSERT INTO "ZaloChat" ("chatId", "chatType", "lastSeenAt") VALUES ($1, $2, now())
       ON CONFLICT ("chatId") DO UPDATE SET "chatType" = EXCLUDED."chatType", "lastSeenAt" = now()`,
      [chatId, chatType],
    );
    this.cache.set(chatId, chatType);
  }

  /** The chat's kind: as seen, else "group" when it is linked to a unit, else undefined. */
  async resolve(chatId: string): Promise<ZaloChatType | undefined> {
    const cached = this.cache.get(chatId);
    if (cached) return cached;
    const [row] = await this.store.sql.query<{ chatType: string; linked: boolean }>(
      `SELECT (SELECT "chatType" FROM "ZaloChat" WHERE "chatId" = $1) AS "chatType",
              EXISTS (SELECT 1 FROM "ChatLink" WHERE channel = 'zalo' AND "chatId" = $1) AS linked`,
      [chatId],
    );
    const type: ZaloChatType | undefined =
      row?.chatType === "group" || row?.chatType === "private" ? row.chatType : row?.linked ? "group" : undefined;
    if (type) this.cache.set(chatId, type);
    return type;
  }
}
