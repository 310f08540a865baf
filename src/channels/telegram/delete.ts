/** Deleting a message on Telegram (an invite code typed in a group) through grammY's deleteMessage. */
import type { Api } from "grammy";
import type { DeleteOutcome, MessageDeleter } from "../types.js";

/**
 * A MessageDeleter over the Bot API. Telegram lets a bot delete others' messages in a group only
 * when it is an admin with "delete messages" (and only for 48 hours); any refusal or failure is
 * "not_possible" — except "message to delete not found": the message is already gone (a
 * redelivered update whose first handling deleted it), so the code is no longer shown.
 */
export function telegramDeleter(api: Pick<Api, "deleteMessage">): MessageDeleter {
  return {
    channel: "telegram",
    async deleteMessage(chatId: string, messageId: string): Promise<DeleteOutcome> {
      const chat = Number(chatId);
      const id = Number(messageId);
      if (!Number.isSafeInteger(chat) || !Number.isSafeInteger(id)) return "not_possible";
      try {
        return (await api.deleteMessage(chat, id)) ? "deleted" : "not_possible";
      } catch (err) {
        const description = (err as { description?: unknown } | null)?.description;
        if (typeof description === "string" && /message to delete not found/i.test(description)) return "deleted";
        return "not_possible";
      }
    },
  };
}
