/**
 * OutboundMessage → the Bot API calls that deliver it (pure; no I/O), so the rules are testable:
 * - text split at 4096 UTF-16 code units, each part in order;
 * - replyToMessageId → reply_parameters (allow_sending_without_reply) on the first part;
 * - askPerson: force_reply on the last part (selective in groups). Selective force_reply reaches
 *   only people @mentioned in that message or the sender of the message it replies to, so in a
 *   group the last part replies to her message when replyToMessageId is given, and otherwise
 *   starts with a text_mention of her ("Chị <name>, ...", from locales);
 * - mentions → text_mention entities;
 * - choices → an inline keyboard on the last part, instead of force_reply (a message has one
 *   reply_markup). In a group, when typing is the main way to answer (choices.extra: only
 *   "Bỏ qua" under a number question), force_reply wins: it is what makes her typed reply reach
 *   the bot; the text says how to skip;
 * - file → sendDocument; the text is its caption when it fits in 1024, else sent after it.
 */
import { bareName } from "../../domain/vi/address.js";
import type { ForceReply, InlineKeyboardMarkup, MessageEntity, ReplyParameters } from "grammy/types";
import { t, type Language } from "../../i18n.js";
import { PermanentSendError, type OutboundChoices, type OutboundMessage } from "../types.js";
import { CAPTION_LIMIT, TEXT_LIMIT, splitWithEntities, textMention, withMentions, type Part } from "./text.js";

export interface SendMessageStep {
  method: "sendMessage";
  text: string;
  entities: MessageEntity[];
  reply_parameters?: ReplyParameters;
  reply_markup?: ForceReply | InlineKeyboardMarkup;
}
export interface SendDocumentStep {
  method: "sendDocument";
  file: NonNullable<OutboundMessage["file"]>;
  caption?: string;
  caption_entities?: MessageEntity[];
  reply_parameters?: ReplyParameters;
  reply_markup?: ForceReply | InlineKeyboardMarkup;
}
export type SendStep = SendMessageStep | SendDocumentStep;

/** Telegram private chat ids are the (positive) user ids; groups and supergroups are negative. */
export function isPrivateChatId(chatId: string): boolean {
  return /^\d+$/.test(chatId);
}

const MARK = "\u0000";

/** "Chị <name>, " with a text_mention entity on the name. */
export function askPrefix(person: { id: string; name: string }, language: Language = "vi"): Part {
  // "Chị Lan" as her Telegram name: the honorific is the template's, never twice ("Chị Chị Lan").
  const name = bareName(person.name.normalize("NFC").trim()) || t("telegram:unknownPerson", {}, language);
  const template = t("telegram:askPerson", { name: MARK }, language);
  const at = template.indexOf(MARK);
  const text = template.replace(MARK, name);
  const e = at >= 0 ? textMention(at, name.length, { id: person.id, name }) : undefined;
  return { text, entities: e ? [e] : [] };
}

function prepend(prefix: Part | undefined, part: Part): Part {
  if (!prefix) return part;
  const shift = prefix.text.length;
  return {
    text: prefix.text + part.text,
    entities: [...prefix.entities, ...part.entities.map((e) => ({ ...e, offset: e.offset + shift }))],
  };
}

/** Choices as an inline keyboard: one callback button per choice, rows kept. */
export function inlineKeyboard(choices: OutboundChoices): InlineKeyboardMarkup {
  return { inline_keyboard: choices.rows.map((row) => row.map((c) => ({ text: c.label, callback_data: c.data }))) };
}

/** The keyboard a message shows, if any (see the file comment for when force_reply wins in groups). */
function keyboardOf(msg: OutboundMessage, group: boolean): InlineKeyboardMarkup | undefined {
  const choices = msg.choices;
  if (!choices || choices.rows.every((row) => row.length === 0)) return undefined;
  if (group && msg.askPerson && choices.extra) return undefined;
  return inlineKeyboard(choices);
}

/**
 * True when the message goes out as one Bot API call or cannot be planned at all — the same as
 * `planSend(msg, language).length <= 1` when planSend returns, and true when it throws — without
 * building the calls for the common case: no file, no mentions, a text that fits with the
 * "Chị <name>, " address. Used at enqueue, for every reply, to tell whether it must be split.
 */
export function sendsAsOne(msg: OutboundMessage, language: Language = "vi"): boolean {
  if (msg.file || (msg.mentions !== undefined && msg.mentions.length > 0)) {
    try {
      return planSend(msg, language).length <= 1;
    } catch {
      return true;
    }
  }
  // As planSend: the address goes before the text in a group when the question quotes no message.
  const quotes = msg.replyToMessageId !== undefined && /^\d+$/.test(msg.replyToMessageId);
  const prefix = msg.askPerson && !quotes && !isPrivateChatId(msg.chatId) ? askPrefix(msg.askPerson, language).text.length : 0;
  // More than fits: planSend splits it (or throws when the address alone leaves no room).
  return (msg.text ?? "").normalize("NFC").length + prefix <= TEXT_LIMIT || prefix > TEXT_LIMIT - 2;
}

export function planSend(msg: OutboundMessage, language: Language = "vi"): SendStep[] {
  const group = !isPrivateChatId(msg.chatId);
  const body = withMentions((msg.text ?? "").normalize("NFC"), msg.mentions);
  const replyTo = msg.replyToMessageId && /^\d+$/.test(msg.replyToMessageId) ? Number(msg.replyToMessageId) : undefined;
  const replyParameters: ReplyParameters | undefined =
    replyTo !== undefined ? { message_id: replyTo, allow_sending_without_reply: true } : undefined;
  const prefix = msg.askPerson && group && replyParameters === undefined ? askPrefix(msg.askPerson, language) : undefined;
  const markup: ForceReply | InlineKeyboardMarkup | undefined =
    keyboardOf(msg, group) ??
    (msg.askPerson ? (group ? { force_reply: true, selective: true } : { force_reply: true }) : undefined);

  const prefixLength = prefix?.text.length ?? 0;
  if (msg.file && prefixLength + body.text.length <= CAPTION_LIMIT) {
    const caption = prepend(prefix, body);
    const step: SendDocumentStep = { method: "sendDocument", file: msg.file };
    if (caption.text.length > 0) step.caption = caption.text;
    if (caption.entities.length > 0) step.caption_entities = caption.entities;
    if (replyParameters) step.reply_parameters = replyParameters;
    if (markup) step.reply_markup = markup;
    return [step];
  }

  const steps: SendStep[] = [];
  if (msg.file) {
    const doc: SendDocumentStep = { method: "sendDocument", file: msg.file };
    if (replyParameters) doc.reply_parameters = replyParameters;
    steps.push(doc);
  }
  if (body.text.trim().length === 0) throw new PermanentSendError("telegram: empty message");
  const parts = splitWithEntities(body.text, body.entities, TEXT_LIMIT - prefixLength);
  parts.forEach((p, i) => {
    const last = i === parts.length - 1;
    const part = last ? prepend(prefix, p) : p;
    const step: SendMessageStep = { method: "sendMessage", text: part.text, entities: part.entities };
    if (replyParameters && ((i === 0 && !msg.file) || (last && msg.askPerson))) step.reply_parameters = replyParameters;
    if (last && markup) step.reply_markup = markup;
    steps.push(step);
  });
  return steps;
}
