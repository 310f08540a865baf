/**
 * A long message becomes several queued messages ("parts"), split at enqueue by the channel's own
 * length rules (Telegram: src/channels/telegram text.ts, 4096 UTF-16 units; Zalo:
 * src/channels/zalo outbound.ts, ZALO_TEXT_LIMIT). Each part is its own outbox row, so each is
 * delivered and acknowledged once, in order: when part 2 fails, the retry sends part 2, not part 1
 * again.
 *
 * What each part carries, so that the parts together look like the message sent whole:
 * - Telegram: the reply goes on the first part; a question (askPerson: force_reply, and in groups
 *   the "Chị <name>, " address) and the buttons (choices: the inline keyboard) on the last part,
 *   which then replies to the same message too; a file too long for a caption goes first, alone,
 *   then the text parts.
 * - Zalo: the reply (quote) and the question's mention on the first part (Zalo puts "@Name" before
 *   the text); a file goes last, alone.
 * - mentions: on the first part that names the person, else on the last part (where the channel
 *   appends the names it cannot find in the text).
 * A message that fits is queued unchanged, as one row.
 */
import type { OutboundMessage } from "../channels/types.js";
import { currentLanguage } from "../i18n.js";
import { askPrefix, isPrivateChatId, sendsAsOne } from "../channels/telegram/send-plan.js";
import { CAPTION_LIMIT, TEXT_LIMIT, splitText as splitTelegramText, withMentions } from "../channels/telegram/text.js";
import { ZALO_TEXT_LIMIT, composeText, splitText as splitZaloText } from "../channels/zalo/outbound.js";

/** Splits `msg` into the parts its channel sends as separate messages (one part when it fits). */
export function splitIntoParts(msg: OutboundMessage): OutboundMessage[] {
  try {
    if (msg.channel === "telegram") return telegramParts(msg);
    if (msg.channel === "zalo") return zaloParts(msg);
  } catch {
    // A message the channel cannot plan (e.g. empty) is queued whole; its send sets it aside.
  }
  return [msg];
}

function telegramParts(msg: OutboundMessage): OutboundMessage[] {
  const language = currentLanguage();
  if (sendsAsOne(msg, language)) return [msg];
  const text = (msg.text ?? "").normalize("NFC");
  const group = !isPrivateChatId(msg.chatId);
  const prefix = msg.askPerson && group && !msg.replyToMessageId ? askPrefix(msg.askPerson, language).text.length : 0;
  // Room for what the sender adds: the address, and names it appends when the text lacks them.
  const reserve = prefix + Math.max(0, withMentions(text, msg.mentions).text.length - text.length);
  const parts: OutboundMessage[] = [];
  const base = baseOf(msg);
  if (msg.file) {
    if (text.length + prefix <= CAPTION_LIMIT) return [msg];
    parts.push({ ...base, text: "", file: msg.file, ...(msg.replyToMessageId ? { replyToMessageId: msg.replyToMessageId } : {}) });
  }
  const chunks = splitTelegramText(text, Math.max(2, TEXT_LIMIT - reserve));
  const mentionsByPart = assignMentions(chunks, msg.mentions);
  chunks.forEach((chunk, i) => {
    const last = i === chunks.length - 1;
    const part: OutboundMessage = { ...base, text: chunk };
    if (msg.replyToMessageId && ((i === 0 && !msg.file) || (last && msg.askPerson))) part.replyToMessageId = msg.replyToMessageId;
    if (last && msg.askPerson) part.askPerson = msg.askPerson;
    if (last && msg.choices) part.choices = msg.choices;
    if (mentionsByPart[i]!.length) part.mentions = mentionsByPart[i];
    parts.push(part);
  });
  return parts;
}

function zaloParts(msg: OutboundMessage): OutboundMessage[] {
  const text = (msg.text ?? "").normalize("NFC");
  // Unknown chat type: count it as a group (mentions make the text longer).
  const isGroup = msg.chatType !== "private";
  const composed = composeText(text, { isGroup, askPerson: msg.askPerson, mentions: msg.mentions });
  if (composed.msg.length <= ZALO_TEXT_LIMIT) return [msg];
  const reserve = composed.msg.length - text.length;
  const chunks = splitZaloText(text, [], Math.max(2, ZALO_TEXT_LIMIT - reserve)).map((c) => c.msg);
  if (chunks.length <= 1) return [msg];
  const base = baseOf(msg);
  const mentionsByPart = assignMentions(chunks, msg.mentions);
  const parts: OutboundMessage[] = chunks.map((chunk, i) => {
    const part: OutboundMessage = { ...base, text: chunk };
    if (i === 0 && msg.replyToMessageId) part.replyToMessageId = msg.replyToMessageId;
    if (i === 0 && msg.askPerson) part.askPerson = msg.askPerson;
    if (mentionsByPart[i]!.length) part.mentions = mentionsByPart[i];
    return part;
  });
  if (msg.file) parts.push({ ...base, text: "", file: msg.file });
  return parts;
}

function baseOf(msg: OutboundMessage): OutboundMessage {
  return { channel: msg.channel, chatId: msg.chatId, ...(msg.chatType ? { chatType: msg.chatType } : {}), text: "" };
}

/** Each mention goes to the first part naming the person, else to the last part. */
function assignMentions(chunks: readonly string[], mentions: OutboundMessage["mentions"] = []): NonNullable<OutboundMessage["mentions"]>[] {
  const out = chunks.map(() => [] as NonNullable<OutboundMessage["mentions"]>);
  for (const m of mentions) {
    const name = m.name.normalize("NFC").trim();
    const at = name ? chunks.findIndex((c) => c.includes(name)) : -1;
    out[at >= 0 ? at : chunks.length - 1]!.push(m);
  }
  return out;
}
