/**
 * Zalo messages → InboundMessage, and the filter that keeps a personal account (which sees every
 * group message) from treating ordinary chatter as input.
 */
import { COMMAND_NAMES } from "../../commands/names.js";
import { sanitizeInbound } from "../sanitize.js";
import type { InboundMessage, InboundPhoto, MediaKind } from "../types.js";
import { ThreadType, type Message, type TGroupMessage } from "./zca.js";

/** Command words accepted without a leading slash (only as the first word, case-insensitive): all the app's commands. */
export const ZALO_COMMANDS = COMMAND_NAMES;
const COMMAND_SET = new Set<string>(ZALO_COMMANDS);

/**
 * Words that are also everyday Vietnamese typed without diacritics ("moi nguoi oi" = mọi người ơi,
 * "sua" = sữa, "huy" = a name, "xuat" = xuất) or everyday words ("web"): without a slash they count
 * as commands only when they are the whole message ("huy", "Sửa."), never with following words.
 */
const AMBIGUOUS = new Set(["moi", "sua", "huy", "xuat", "web"]);

/** Whole-message phrases (with or without diacritics) that mean a command. */
const PHRASES = new Map<string, string>([
  ["bắt đầu", "batdau"],
  ["bat dau", "batdau"],
  ["trợ giúp", "trogiup"],
  ["tro giup", "trogiup"],
  ["báo cáo", "baocao"],
  ["bao cao", "baocao"],
  ["tiến độ", "tiendo"],
  ["tien do", "tiendo"],
  ["nhắc nhở", "nhacnho"],
  ["nhac nho", "nhacnho"],
  ["sửa", "sua"],
  ["hủy", "huy"],
  ["huỷ", "huy"],
  ["đăng ký", "dangky"],
  ["đăng kí", "dangky"],
  ["dang ky", "dangky"],
  ["dang ki", "dangky"],
  ["liên kết", "lienket"],
  ["lien ket", "lienket"],
  ["mời", "moi"],
  ["nội dung", "noidung"],
  ["noi dung", "noidung"],
  ["xuất", "xuat"],
]);

const TRAILING_PUNCT = /[\s.!?…:,;]+$/u;

/**
 * "tiendo thang 5" → "/tiendo thang 5", "Tiến độ" → "/tiendo", "/TienDo" → "/tiendo";
 * undefined when the text is not a command.
 */
export function normalizeCommand(text: string): string | undefined {
  const trimmed = text.normalize("NFC").trim();
  if (!trimmed) return undefined;
  const slash = /^\/([A-Za-z]+)(?=\s|$)([\s\S]*)$/.exec(trimmed);
  if (slash) {
    const word = slash[1]!.toLowerCase();
    return COMMAND_SET.has(word) ? `/${word}${slash[2]!}` : undefined;
  }
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (m) {
    const word = m[1]!.toLowerCase().replace(TRAILING_PUNCT, "");
    const args = (m[2] ?? "").trim();
    if (COMMAND_SET.has(word) && (args === "" || !AMBIGUOUS.has(word))) return args ? `/${word} ${args}` : `/${word}`;
  }
  const phrase = trimmed.toLowerCase().replace(TRAILING_PUNCT, "").replace(/\s+/g, " ");
  const cmd = PHRASES.get(phrase);
  return cmd ? `/${cmd}` : undefined;
}

/**
 * Whether the app should handle this message at all. True for: private chats (everything written to
 * the bot account), commands (slash or slash-less as above), replies/quotes to the bot, mentions of
 * the bot, and anything from a person the bot has an open question for (decided by the app).
 */
export function isForBot(msg: InboundMessage, ctx: { hasOpenQuestion: boolean }): boolean {
  if (msg.chatType === "private") return true;
  if (/^\/[A-Za-z]/.test(msg.text.trim())) return true;
  if (normalizeCommand(msg.text) !== undefined) return true;
  if (msg.replyTo?.fromBot) return true;
  if (msg.mentionsBot) return true;
  return ctx.hasOpenQuestion;
}

/** Removes the given [pos, pos+len) spans (mentions of the bot) from the text. */
function removeSpans(text: string, spans: { pos: number; len: number }[]): string {
  let out = text;
  for (const s of [...spans].sort((a, b) => b.pos - a.pos)) {
    if (s.pos < 0 || s.pos + s.len > out.length) continue;
    out = out.slice(0, s.pos) + out.slice(s.pos + s.len);
  }
  return out.replace(/[ \t]{2,}/g, " ");
}

/** Zalo's msgType of a non-text message → the kind the app names ("chat.photo" → "photo"). */
export function zaloMediaKind(msgType: unknown): MediaKind {
  const t = typeof msgType === "string" ? msgType : "";
  if (t.includes("sticker")) return "sticker";
  if (t.includes("photo")) return "photo";
  if (t.includes("voice")) return "voice";
  if (t.includes("video")) return "video";
  if (t.includes("gif")) return "animation";
  if (t.includes("file")) return "document";
  if (t.includes("location")) return "location";
  return "other";
}

/**
 * The photo of a Zalo photo message (msgType "chat.photo"): zca-js 2.2.0 delivers its content as an
 * attachment `{ title, description, href, thumb, params, … }`, `href` the photo on Zalo's CDN and
 * `params` a JSON text that may hold a larger `hd` link. The link expires after a while, so the
 * copy is downloaded soon after (src/photos/downloader.ts, which fetches only from Zalo's CDN hosts
 * over https by default: a message cannot make the bot fetch anything else). The message id names
 * the photo.
 */
export function zaloPhoto(msgType: unknown, content: unknown, msgId: string): InboundPhoto | undefined {
  if (msgType !== "chat.photo" || typeof content !== "object" || content === null) return undefined;
  const c = content as { href?: unknown; params?: unknown };
  let hd: unknown;
  if (typeof c.params === "string" && c.params.length < 10_000) {
    try {
      hd = (JSON.parse(c.params) as { hd?: unknown })?.hd;
    } catch {
      hd = undefined;
    }
  }
  const url = [hd, c.href].find((u): u is string => typeof u === "string" && /^https?:\/\/\S+$/i.test(u) && u.length <= 2048);
  return url ? { fileId: url, uniqueId: msgId } : undefined;
}

/**
 * A message (group or private) as an InboundMessage; undefined for our own messages. Text messages
 * keep their text; anything else (stickers, photos, files…) becomes `kind: "media"` with an empty
 * text, so that the app can say it cannot read it during an open question. Mentions of the bot are
 * removed from the text (so "@Vun Đắp tiendo" reads as a command) and slash-less commands get
 * their slash. Name and text are cleaned (sanitizeInbound).
 */
export function toInbound(raw: Message, ownId: string, now: () => number = Date.now): InboundMessage | undefined {
  if (raw.isSelf) return undefined;
  const d = raw.data;
  if (ownId && String(d.uidFrom) === ownId) return undefined;
  const isText = typeof d.content === "string";
  const isGroup = raw.type === ThreadType.Group;
  const mentions = isGroup ? ((d as TGroupMessage).mentions ?? []) : [];
  const botMentions = ownId ? mentions.filter((m) => String(m.uid) === ownId) : [];
  let text = "";
  if (isText) {
    text = botMentions.length ? removeSpans(d.content as string, botMentions) : (d.content as string);
    text = text.trim();
    text = normalizeCommand(text) ?? text;
  }
  const ts = Number(d.ts);
  const msg: InboundMessage = {
    channel: "zalo",
    chatId: String(raw.threadId),
    chatType: isGroup ? "group" : "private",
    sender: { id: String(d.uidFrom), name: d.dName ?? "" },
    text,
    messageId: String(d.msgId),
    updateId: String(d.msgId),
    receivedAt: new Date(Number.isFinite(ts) && ts > 0 ? ts : now()),
  };
  if (!isText) {
    msg.kind = "media";
    msg.media = zaloMediaKind(d.msgType);
    const photo = zaloPhoto(d.msgType, d.content, String(d.msgId));
    if (photo) msg.photo = photo;
  }
  if (botMentions.length) msg.mentionsBot = true;
  if (d.quote) {
    msg.replyTo = { messageId: String(d.quote.globalMsgId), fromBot: !!ownId && String(d.quote.ownerId) === ownId };
  }
  return sanitizeInbound(msg);
}
