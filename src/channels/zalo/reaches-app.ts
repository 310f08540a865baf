/**
 * Which Zalo messages go on to the app. A personal account sees all group chatter: a group
 * message goes on when it is for the bot (isForBot: a command, a reply to the bot, a mention) or
 * when its sender has an open conversation in that chat (then it is her answer). The store is
 * asked only in the last case, with one raw SQL statement (no Prisma on the hot path).
 */
import type { SqlConnection } from "../../store/sql.js";
import type { InboundMessage } from "../types.js";
import { isForBot } from "./inbound.js";

/**
 * True when the sender has a stored conversation in the message's chat (expired or not: an
 * expired one is ended with a note by the app). One indexed statement.
 */
export async function hasOpenConversationIn(sql: SqlConnection, msg: Pick<InboundMessage, "channel" | "chatId" | "sender">): Promise<boolean> {
  const rows = await sql.query(`SELECT 1 FROM "Conversation" WHERE channel = $1 AND "chatId" = $2 AND "personKey" = $3 LIMIT 1`, [
    msg.channel,
    msg.chatId,
    msg.sender.id,
  ]);
  return rows.length > 0;
}

/** Whether the message goes on to the app (see the file comment); reads the store only when needed. */
export async function reachesApp(sql: SqlConnection, msg: InboundMessage): Promise<boolean> {
  if (isForBot(msg, { hasOpenQuestion: false })) return true;
  return hasOpenConversationIn(sql, msg);
}
