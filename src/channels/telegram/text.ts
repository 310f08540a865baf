/**
 * Telegram text helpers: splitting long texts at 4096 UTF-16 code units, text_mention entities
 * (offsets and lengths are UTF-16 code units, which is what JavaScript string indices count).
 */
import type { MessageEntity } from "grammy/types";

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;

export interface Part {
  text: string;
  entities: MessageEntity[];
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const JOINS_PREVIOUS = /^[\p{M}\u200d\ufe0e\ufe0f]/u;

/** A cut position never inside a surrogate pair, nor before a combining mark / joiner. */
function safeHardCut(s: string, cut: number): number {
  let c = cut;
  while (c > 1 && (JOINS_PREVIOUS.test(s.slice(c, c + 1)) || s.charCodeAt(c - 1) === 0x200d)) c--;
  if (c <= 1) c = cut; // pathological run of marks: fall back to the limit
  if (isLow(s.charCodeAt(c)) && isHigh(s.charCodeAt(c - 1))) c--;
  return c;
}

function findCut(s: string, limit: number): number {
  const min = Math.floor(limit / 2);
  const para = s.lastIndexOf("\n\n", limit - 2);
  const line = s.lastIndexOf("\n", limit - 1);
  let space = -1;
  for (let i = limit - 1; i > 0; i--) {
    if (/\s/.test(s[i]!)) {
      space = i;
      break;
    }
  }
  const candidates = [para >= 0 ? para + 2 : -1, line >= 0 ? line + 1 : -1, space >= 0 ? space + 1 : -1];
  for (const c of candidates) if (c >= min && c <= limit) return c;
  const best = Math.max(...candidates);
  if (best > 0) return best;
  return safeHardCut(s, limit);
}

/**
 * Splits a text into parts of at most `limit` UTF-16 code units, preferring paragraph breaks, then
 * line breaks, then spaces. The separator stays at the end of the earlier part, so
 * `parts.join("") === text`.
 */
export function splitText(text: string, limit = TEXT_LIMIT): string[] {
  if (limit < 2) throw new RangeError("limit too small");
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = findCut(rest, limit);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** Splits a text and its entities; an entity crossing a cut is clipped into both parts. */
export function splitWithEntities(text: string, entities: MessageEntity[], limit = TEXT_LIMIT): Part[] {
  let start = 0;
  return splitText(text, limit).map((part) => {
    const end = start + part.length;
    const own: MessageEntity[] = [];
    for (const e of entities) {
      const from = Math.max(e.offset, start);
      const to = Math.min(e.offset + e.length, end);
      if (to > from) own.push({ ...e, offset: from - start, length: to - from });
    }
    start = end;
    return { text: part, entities: own };
  });
}

const WORD = /[\p{L}\p{M}\p{N}_]/u;

function findWord(text: string, needle: string, taken: Array<[number, number]>): number {
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at < 0) return -1;
    const end = at + needle.length;
    const free = !taken.some(([a, b]) => at < b && end > a);
    const before = at === 0 ? "" : text[at - 1]!;
    const after = end >= text.length ? "" : text[end]!;
    const bounded = !(needle[0] !== "@" && WORD.test(before)) && !WORD.test(after);
    if (free && bounded) return at;
    from = at + 1;
  }
}

/** A Telegram user id as a number, or undefined when the id is not a Telegram user id. */
export function telegramUserId(id: string): number | undefined {
  return /^\d{1,16}$/.test(id) ? Number(id) : undefined;
}

export function textMention(offset: number, length: number, person: { id: string; name: string }): MessageEntity | undefined {
  const id = telegramUserId(person.id);
  if (id === undefined || length <= 0) return undefined;
  return { type: "text_mention", offset, length, user: { id, is_bot: false, first_name: person.name || person.id } };
}

/**
 * Marks each person's name in the text ("@Name" or "Name", as a whole word, first free
 * occurrence) with a text_mention entity; names not found are appended on a last line.
 */
export function withMentions(text: string, mentions: { id: string; name: string }[] = []): Part {
  let out = text;
  const entities: MessageEntity[] = [];
  const taken: Array<[number, number]> = [];
  const missing: { id: string; name: string }[] = [];
  for (const m of mentions) {
    const name = m.name.normalize("NFC").trim();
    if (!name) continue;
    let at = findWord(out, `@${name}`, taken);
    let len = name.length + 1;
    if (at < 0) {
      at = findWord(out, name, taken);
      len = name.length;
    }
    if (at < 0) {
      missing.push({ id: m.id, name });
      continue;
    }
    const e = textMention(at, len, { id: m.id, name });
    if (e) {
      entities.push(e);
      taken.push([at, at + len]);
    }
  }
  if (missing.length > 0) {
    if (out.length > 0) out += "\n";
    missing.forEach((m, i) => {
      if (i > 0) out += ", ";
      const e = textMention(out.length, m.name.length, m);
      if (e) entities.push(e);
      out += m.name;
    });
  }
  entities.sort((a, b) => a.offset - b.offset);
  return { text: out, entities };
}
