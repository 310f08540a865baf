/**
 * Pure helpers for sending: mention offsets, splitting long texts, image sizes, error mapping.
 *
 * Offsets: Zalo's `mentions[].pos/len` count UTF-16 code units of the sent string (zca-js checks
 * them against `msg.length`), so they are computed with JavaScript string indices on the exact text
 * sent, after NFC normalisation (a name typed with combining marks and the same name precomposed
 * then match, and an emoji counts 2).
 */
import { t, type Language } from "../../i18n.js";
import type { Mention } from "./zca.js";

/**
 * Longest text sent in one Zalo message. zca-js 2.2.0 has no limit of its own and Zalo does not
 * publish one for personal accounts; 2000 is the limit of Zalo's official Bot API, used here as a
 * safe bound.
 */
export const ZALO_TEXT_LIMIT = 2000;

export interface Person {
  id: string;
  name: string;
}

export interface ComposedText {
  msg: string;
  mentions: Mention[];
}

/**
 * The text as sent, with mention spans. In groups: askPerson puts "@Name" before the text (locale
 * sentence zalo:askPerson), and each person in `mentions` is tied to the first free "@Name" (else
 * "Name") in the text, or "@Name" is appended when the text does not name her. In private chats
 * Zalo has no mentions: the text goes as it is.
 */
export function composeText(
  text: string,
  opts: { isGroup: boolean; askPerson?: Person; mentions?: Person[]; language?: Language },
): ComposedText {
  let msg = text.normalize("NFC");
  const mentions: Mention[] = [];
  if (!opts.isGroup) return { msg, mentions };
  const taken: { pos: number; len: number }[] = [];
  const overlaps = (pos: number, len: number) => taken.some((s) => pos < s.pos + s.len && s.pos < pos + len);
  if (opts.askPerson) {
    const token = "@" + opts.askPerson.name.normalize("NFC").trim();
    msg = t("zalo:askPerson", { mention: token, text: msg }, opts.language);
    const pos = msg.indexOf(token);
    if (pos >= 0) {
      mentions.push({ pos, uid: opts.askPerson.id, len: token.length });
      taken.push({ pos, len: token.length });
    }
  }
  for (const person of opts.mentions ?? []) {
    if (mentions.some((m) => m.uid === person.id)) continue;
    const name = person.name.normalize("NFC").trim();
    if (!name) continue;
    let found: { pos: number; len: number } | undefined;
    for (const token of ["@" + name, name]) {
      let from = 0;
      for (;;) {
        const pos = msg.indexOf(token, from);
        if (pos < 0) break;
        if (!overlaps(pos, token.length)) {
          found = { pos, len: token.length };
          break;
        }
        from = pos + 1;
      }
      if (found) break;
    }
    if (!found) {
      const token = "@" + name;
      msg = msg.length ? `${msg} ${token}` : token;
      found = { pos: msg.length - token.length, len: token.length };
    }
    mentions.push({ pos: found.pos, uid: person.id, len: found.len });
    taken.push(found);
  }
  mentions.sort((a, b) => a.pos - b.pos);
  return { msg, mentions };
}

export interface TextChunk {
  msg: string;
  mentions: Mention[];
}

/**
 * Splits a text into chunks of at most `limit` UTF-16 units, in order: at a blank line, else a line
 * break, else a space in the second half of the window, else hard; never inside a surrogate pair
 * or a mention. Mentions are re-based onto their chunk.
 */
export function splitText(msg: string, mentions: Mention[], limit = ZALO_TEXT_LIMIT): TextChunk[] {
  if (limit < 2) throw new Error("limit too small");
  const chunks: TextChunk[] = [];
  let start = 0;
  while (start < msg.length) {
    let end = Math.min(msg.length, start + limit);
    if (end < msg.length) {
      const window = msg.slice(start, end);
      const min = Math.floor(limit / 2);
      const para = window.lastIndexOf("\n\n");
      const line = window.lastIndexOf("\n");
      const space = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\t"));
      const cut = para >= min ? para : line >= min ? line : space >= min ? space : -1;
      if (cut > 0) end = start + cut;
      const code = msg.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end--;
      const inside = mentions.find((m) => m.pos < end && end < m.pos + m.len && m.pos > start);
      if (inside) end = inside.pos;
    }
    const text = msg.slice(start, end).replace(/\s+$/u, "");
    if (text.length) {
      chunks.push({
        msg: text,
        mentions: mentions
          .filter((m) => m.pos >= start && m.pos + m.len <= start + text.length)
          .map((m) => ({ ...m, pos: m.pos - start })),
      });
    }
    start = end;
    while (start < msg.length && /\s/.test(msg[start]!)) start++;
  }
  return chunks;
}

/** Width and height of a PNG, JPEG, GIF or WebP image from its header; undefined for others. */
export function imageSize(data: Uint8Array): { width: number; height: number } | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("ascii", 12, 16) === "IHDR") {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString("ascii", 0, 3) === "GIF") return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString("ascii", 0, 4) === "RIFF" && b.toString("ascii", 8, 12) === "WEBP") {
    const kind = b.toString("ascii", 12, 16);
    if (kind === "VP8X") return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (kind === "VP8 ") return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (kind === "VP8L") {
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      const len = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
  }
  return undefined;
}

const MIME_EXT: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "text/csv": "csv",
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/zip": "zip",
  "text/plain": "txt",
};

/** zca-js wants "name.ext" (it picks the upload kind by extension). */
export function fileNameWithExtension(name: string, mime: string): `${string}.${string}` {
  const clean = name.replace(/[\\/]/g, "_").trim() || "file";
  if (/\.[A-Za-z0-9]{1,8}$/.test(clean)) return clean as `${string}.${string}`;
  return `${clean}.${MIME_EXT[mime.toLowerCase()] ?? "bin"}`;
}
