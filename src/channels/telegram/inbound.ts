/** Telegram update → channel-neutral inbound message (pure; no I/O). */
import type { CallbackQuery, Message, Update, UserFromGetMe } from "grammy/types";
import { sanitizeInbound } from "../sanitize.js";
import type { InboundMessage, InboundPhoto, MediaKind } from "../types.js";

/**
 * What an update means: a message for the app, a tap on a button (a callback query: the app gets
 * it as a message of kind "tap", and the query must be answered), a group upgraded to a
 * supergroup, or nothing (with why; `queryId` when it was a callback query, still to be answered).
 */
export type InboundDecision =
  | { kind: "message"; message: InboundMessage }
  | { kind: "tap"; message: InboundMessage; queryId: string }
  | { kind: "migrate"; oldChatId: string; newChatId: string }
  | { kind: "ignore"; reason: string; queryId?: string };

/** "/cmd@botname rest" at the very start of a text (Telegram command syntax: a-z, 0-9, _). */
const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)/;

/**
 * Normalises a command addressed to this bot: "/TienDo@VunDapBot thang 5" → "/tiendo thang 5".
 * Returns null for a command addressed to another bot; the text unchanged when it is no command.
 */
export function normalizeCommand(text: string, botUsername: string): string | null {
  const m = COMMAND.exec(text);
  if (!m) return text;
  if (m[2] !== undefined && m[2].toLowerCase() !== botUsername.toLowerCase()) return null;
  return `/${m[1]!.toLowerCase()}${text.slice(m[0].length)}`;
}

/** True when the text mentions this bot (an @mention entity, a text_mention of the bot, or "@botname" typed). */
export function mentionsBot(message: Pick<Message, "text" | "entities">, me: UserFromGetMe): boolean {
  const text = message.text ?? "";
  const handle = `@${me.username}`.toLowerCase();
  if (message.entities) {
    return message.entities.some(
      (e) =>
        (e.type === "mention" && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
        (e.type === "text_mention" && e.user.id === me.id),
    );
  }
  return botMentionPatterns(me.username).find.test(text);
}

/** The patterns of "@botname", made once per bot username (a process has one or two). */
const mentionPatterns = new Map<string, { find: RegExp; all: RegExp }>();

/**
 * "@botname" as a whole word, any case: `find` to test a text (not global, so it keeps no
 * position between calls), `all` to replace every occurrence (replace starts it from 0 each time).
 */
function botMentionPatterns(username: string): { find: RegExp; all: RegExp } {
  let patterns = mentionPatterns.get(username);
  if (!patterns) {
    const escaped = username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const source = `(^|[^A-Za-z0-9_])@${escaped}(?![A-Za-z0-9_])`;
    patterns = { find: new RegExp(source, "i"), all: new RegExp(source, "gi") };
    if (mentionPatterns.size >= 16) mentionPatterns.clear();
    mentionPatterns.set(username, patterns);
  }
  return patterns;
}

/** Remove "@botname" (any case) from a text, and the spaces it leaves. */
export function withoutBotMention(text: string, username: string): string {
  return text
    .replace(botMentionPatterns(username).all, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

function fullName(u: { first_name: string; last_name?: string }): string {
  return [u.first_name, u.last_name].filter(Boolean).join(" ").trim();
}

/** The kind of a non-text message the app can name in its note; undefined for service messages (joins, pins…). */
export function mediaOf(m: Message): MediaKind | undefined {
  if (m.photo) return "photo";
  if (m.sticker) return "sticker";
  if (m.voice) return "voice";
  if (m.video_note) return "video_note";
  if (m.animation) return "animation"; // before document: a GIF carries both
  if (m.video) return "video";
  if (m.audio) return "audio";
  if (m.document) return "document";
  if (m.location || m.venue) return "location";
  if (m.contact) return "contact";
  if (m.poll || m.dice || m.game || m.story) return "other";
  return undefined;
}

/**
 * The photo of a message: the largest size of a photo (the last of `photo`, Telegram sends them
 * smallest first), or an image sent as a file (a document whose type is image/*). Undefined for
 * anything else.
 */
export function photoOf(m: Message): InboundPhoto | undefined {
  const group = m.media_group_id !== undefined ? { group: String(m.media_group_id) } : {};
  if (m.photo && m.photo.length > 0) {
    const largest = [...m.photo].sort((a, b) => a.width * a.height - b.width * b.height || (a.file_size ?? 0) - (b.file_size ?? 0)).at(-1)!;
    return {
      fileId: largest.file_id,
      uniqueId: largest.file_unique_id,
      ...(largest.file_size !== undefined ? { size: largest.file_size } : {}),
      mime: "image/jpeg",
      ...group,
    };
  }
  const d = m.document;
  if (d && typeof d.mime_type === "string" && /^image\//i.test(d.mime_type) && !m.animation) {
    return { fileId: d.file_id, uniqueId: d.file_unique_id, ...(d.file_size !== undefined ? { size: d.file_size } : {}), mime: d.mime_type, ...group };
  }
  return undefined;
}

/**
 * Decides what an update means for the app. New and edited messages in private chats and groups
 * become messages (edits with `kind: "edited"`, photos, stickers, voice… with `kind: "media"`);
 * channel posts, service messages and our own messages are ignored. Messages sent in the name of a
 * chat (anonymous admins, channels) carry `senderIsChat`; a channel's post automatically forwarded
 * into its discussion group is ignored. Names, titles and texts are cleaned (sanitizeInbound).
 */
export function decideUpdate(update: Update, me: UserFromGetMe): InboundDecision {
  if (update.callback_query) return decideTap(update.update_id, update.callback_query);
  const edited = update.message === undefined && update.edited_message !== undefined;
  const m = update.message ?? update.edited_message;
  if (!m) return { kind: "ignore", reason: "not a new or edited message" };
  const chat = m.chat;
  if (chat.type !== "private" && chat.type !== "group" && chat.type !== "supergroup") {
    return { kind: "ignore", reason: `chat type ${(chat as { type: string }).type}` };
  }
  if (m.migrate_to_chat_id !== undefined) {
    if (edited) return { kind: "ignore", reason: "edited service message" };
    return { kind: "migrate", oldChatId: String(chat.id), newChatId: String(m.migrate_to_chat_id) };
  }
  const media = typeof m.text === "string" ? undefined : mediaOf(m);
  if (typeof m.text !== "string" && media === undefined) return { kind: "ignore", reason: "not a text message" };
  if (m.from?.id === me.id) return { kind: "ignore", reason: "own message" };
  if (m.is_automatic_forward) return { kind: "ignore", reason: "automatic forward of a channel post" };

  let sender: InboundMessage["sender"];
  let fallbackName: string | undefined;
  const senderIsChat = m.sender_chat !== undefined;
  if (m.sender_chat) {
    // an anonymous group admin or a linked channel speaks as the chat: no person behind it
    sender = { id: String(m.sender_chat.id), name: "title" in m.sender_chat ? (m.sender_chat.title ?? "") : "" };
  } else if (m.from && !m.from.is_bot) {
    sender = { id: String(m.from.id), name: fullName(m.from) };
    fallbackName = m.from.username;
  } else {
    return { kind: "ignore", reason: m.from ? "from another bot" : "no sender" };
  }

  const raw = m.text ?? m.caption ?? "";
  const entities = m.text !== undefined ? m.entities : m.caption_entities;
  const command = media === undefined ? normalizeCommand(raw, me.username) : raw;
  if (command === null) return { kind: "ignore", reason: "command for another bot" };
  const addressed = mentionsBot({ text: raw, ...(entities ? { entities } : {}) }, me);
  // "@VunDapBot co": the mention addresses the bot; the answer is the rest.
  const text = addressed ? withoutBotMention(command, me.username) : command;

  const r = m.reply_to_message;
  // in forum topics every message implicitly "replies" to the topic's first message
  const implicitTopicReply = r !== undefined && m.is_topic_message === true && r.message_id === m.message_thread_id;
  const message: InboundMessage = {
    channel: "telegram",
    chatId: String(chat.id),
    chatType: chat.type === "private" ? "private" : "group",
    sender,
    text,
    messageId: String(m.message_id),
    updateId: String(update.update_id),
    // when she sent it (Telegram's clock), not when a possibly late delivery reached us
    receivedAt: new Date((edited && m.edit_date ? m.edit_date : m.date) * 1000),
  };
  if (chat.type !== "private") message.chatTitle = chat.title;
  if (r && !implicitTopicReply) message.replyTo = { messageId: String(r.message_id), fromBot: r.from?.id === me.id };
  if (addressed) message.mentionsBot = true;
  if (edited) message.kind = "edited";
  else if (media !== undefined) {
    message.kind = "media";
    message.media = media;
    const photo = photoOf(m);
    if (photo) message.photo = photo;
  }
  if (senderIsChat) message.senderIsChat = true;
  return { kind: "message", message: sanitizeInbound(message, fallbackName) };
}

/**
 * A tap on an inline keyboard button of a bot message in a private chat or group: a message of
 * kind "tap" whose messageId is the bot message and whose tap carries the button's data (not
 * trusted; the app checks it). Taps without data (games), on inline-mode messages (no chat) or in
 * channels are ignored — their query is still answered.
 */
export function decideTap(updateId: number, q: CallbackQuery): InboundDecision {
  const queryId = q.id;
  const m = q.message;
  if (!m) return { kind: "ignore", reason: "callback query without a message", queryId };
  if (typeof q.data !== "string" || q.data.length === 0) return { kind: "ignore", reason: "callback query without data", queryId };
  const chat = m.chat;
  if (chat.type !== "private" && chat.type !== "group" && chat.type !== "supergroup") {
    return { kind: "ignore", reason: `callback query in a ${chat.type}`, queryId };
  }
  if (q.from.is_bot) return { kind: "ignore", reason: "callback query from a bot", queryId };
  const message: InboundMessage = {
    channel: "telegram",
    chatId: String(chat.id),
    chatType: chat.type === "private" ? "private" : "group",
    sender: { id: String(q.from.id), name: fullName(q.from) },
    text: "",
    messageId: String(m.message_id),
    updateId: String(updateId),
    // A callback query carries no date of its own; the tap is handled as it arrives.
    receivedAt: new Date(),
    kind: "tap",
    tap: { data: q.data, id: queryId },
  };
  if (chat.type !== "private") message.chatTitle = "title" in chat ? chat.title : "";
  return { kind: "tap", message: sanitizeInbound(message, q.from.username), queryId };
}
