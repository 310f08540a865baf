/**
 * Finishing a tap on an inline keyboard button (a callback query), after the app handled it:
 *
 * - answerCallbackQuery, always, with the app's notice when there is one (her phone shows a
 *   spinner until it is answered). A direct API call, not an outbox row: it must come within
 *   seconds and cannot be sent later (Telegram refuses an answer to an old query). A network or
 *   5xx failure is tried once more; a failure is logged (warn), never silent and never thrown —
 *   the tap's effects are already committed.
 * - the tapped message's keyboard: removed (answered or old) or replaced (a tick) with
 *   editMessageReplyMarkup, also directly, after the commit. It is cosmetic: every tap is checked
 *   against the stored conversation, so a keyboard left by a failed edit (or a crash before it)
 *   only earns its next tap the "old button" notice. Going through the outbox would put edits in
 *   the group's 20-per-minute window, behind the questions. "message is not modified" (already
 *   done, e.g. by the first handling of a redelivered tap) and "message to edit not found"
 *   (deleted) count as done; other failures are logged and do not touch the answer.
 */
import { GrammyError, HttpError, type Api } from "grammy";
import type { Logger } from "../../log.js";
import type { OutboundChoices } from "../types.js";
import { inlineKeyboard } from "./send-plan.js";

/** The tap to finish. */
export interface TapTarget {
  queryId: string;
  chatId: string;
  messageId: string;
}

function retryable(err: unknown): boolean {
  return err instanceof HttpError || (err instanceof GrammyError && err.error_code >= 500);
}

function described(err: unknown, ...needles: string[]): boolean {
  return err instanceof GrammyError && needles.some((n) => err.description.toLowerCase().includes(n));
}

/** Answers the callback query (stops her spinner; shows `notice` when given). Never throws. */
export async function answerTap(api: Api, log: Logger, queryId: string, notice?: string): Promise<boolean> {
  const other = notice ? { text: notice.slice(0, 200) } : {};
  for (let attempt = 1; ; attempt++) {
    try {
      await api.answerCallbackQuery(queryId, other);
      return true;
    } catch (err) {
      if (attempt < 2 && retryable(err)) continue;
      // An old query (a redelivered update, or one handled after Telegram gave up waiting).
      const old = described(err, "query is too old", "query id is invalid");
      log[old ? "info" : "warn"]({ err, queryId }, "telegram answerCallbackQuery failed");
      return false;
    }
  }
}

/** Removes (null) or replaces the keyboard of the tapped message. Never throws. */
export async function editKeyboard(api: Api, log: Logger, target: Omit<TapTarget, "queryId">, choices: OutboundChoices | null): Promise<boolean> {
  const chat = /^-?\d+$/.test(target.chatId) ? Number(target.chatId) : target.chatId;
  const messageId = Number(target.messageId);
  if (!Number.isSafeInteger(messageId)) return false;
  try {
    await api.editMessageReplyMarkup(chat, messageId, { reply_markup: choices ? inlineKeyboard(choices) : { inline_keyboard: [] } });
    return true;
  } catch (err) {
    if (described(err, "message is not modified", "message to edit not found")) {
      log.debug({ chatId: target.chatId, messageId: target.messageId }, "telegram keyboard already as wanted or gone");
      return true;
    }
    log.warn({ err, chatId: target.chatId, messageId: target.messageId }, "telegram editMessageReplyMarkup failed; the old keyboard stays (its taps are refused)");
    return false;
  }
}
