/**
 * Which Zalo messages go on to the app. A personal account sees all group chatter: a group
 * message goes on when it is for the bot (isForBot: a command, a reply to the bot, a mention) or
 * when its sender has an open conversation in that chat (then it is her answer). The store is
 * asked only in the last case, with one raw SQL statement (hasOpenConversation; no Prisma on the
 * hot path).
 */
import { hasOpenConversation, type Db } from "../../store/conversations.js";
import type { InboundMessage } from "../types.js";
import { isForBot } from "./inbound.js";

/** Whether the message goes on to the app (see the file comment); reads the store only when needed. */
export async function reachesApp(db: Db, msg: InboundMessage): Promise<boolean> {
  if (isForBot(msg, { hasOpenQuestion: false })) return true;
  return hasOpenConversation(db, { channel: msg.channel, chatId: msg.chatId, personKey: msg.sender.id });
}
