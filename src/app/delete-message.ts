/** The app's "delete this message" capability over the channels' deleters (Telegram only today). */
import type { ChannelName, DeleteOutcome, InboundMessage, MessageDeleter } from "../channels/types.js";

/** Deleters by channel; main.ts fills it as channels start (the object may be filled after the App is made). */
export type Deleters = Partial<Record<ChannelName, MessageDeleter>>;

/**
 * Deletes an inbound message through its channel's deleter: "not_possible" when the channel has
 * none (Zalo, local) or the deletion fails for any reason. Never throws.
 */
export function deleteMessageWith(deleters: Deleters | undefined): (msg: InboundMessage) => Promise<DeleteOutcome> {
  return async (msg) => {
    const deleter = deleters?.[msg.channel];
    if (!deleter) return "not_possible";
    try {
      return await deleter.deleteMessage(msg.chatId, msg.messageId);
    } catch {
      return "not_possible";
    }
  };
}
