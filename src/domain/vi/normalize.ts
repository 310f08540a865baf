/**
 * Text normalisation for matching what people type in chat, often without diacritics
 * ("khong", "co", "giao duc cha me"). Pure functions, no I/O.
 */

/** Zero-width characters some keyboards and copy-paste insert. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

/** Removes Vietnamese (and other Latin) diacritics; "đ"/"Đ" become "d"/"D". Keeps case. */
export function stripDiacritics(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .normalize("NFC");
}

/**
 * Lower case, no diacritics (đ → d), zero-width characters removed, runs of white space
 * collapsed to one space, trimmed. "  Dạ  CÓ ạ " → "da co a".
 */
export function normalize(text: string): string {
  return stripDiacritics(text.replace(ZERO_WIDTH, "").toLowerCase())
    .replace(/\s+/g, " ")
    .trim();
}

/** Splits normalised text into words of letters and digits; punctuation separates words. */
export function words(normalized: string): string[] {
  return normalized
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .split(" ")
    .filter((w) => w.length > 0);
}

/** Normalised text without punctuation, for comparing labels: "Ấm no, hạnh phúc" → "am no hanh phuc". */
export function comparable(text: string): string {
  return words(normalize(text)).join(" ");
}

/** Polite words that may open a chat answer: "dạ", "thưa chị", "em", "chị ơi". */
const LEADING_COURTESY = new Set(["da", "thua", "chi", "em", "oi", "vang", "bao", "cao"]);
/** Particles that may close a chat answer: "ạ", "nhé", "nha", "chị ạ", "em nhé". */
const TRAILING_COURTESY = new Set(["a", "ah", "nhe", "nha", "nhen", "ne", "nhi", "oi", "chi", "em"]);

/**
 * The [start, end) slice of `list` left after dropping polite words at both ends, never emptying
 * it. Leading: dạ/đã (both "da"), thưa, chị, em, ơi, vâng, "báo cáo". Trailing: ạ, nhé, nha,
 * nhen, nè, nhỉ, ơi, chị, em ("hả" is a question, not courtesy).
 */
function courtesyBounds(list: readonly string[]): [number, number] {
  let start = 0;
  let end = list.length;
  while (end - start > 1 && TRAILING_COURTESY.has(list[end - 1]!)) end--;
  while (end - start > 1 && LEADING_COURTESY.has(list[start]!)) {
    // "bao"/"cao" only as the pair "báo cáo".
    if (list[start] === "bao" && list[start + 1] !== "cao") break;
    if (list[start] === "cao" && list[start - 1] !== "bao") break;
    start++;
  }
  return [start, end];
}

/** Drops polite words at both ends of a word list: ["da", "co", "a"] → ["co"]; ["da"] stays. */
export function stripCourtesy(list: readonly string[]): string[] {
  const [start, end] = courtesyBounds(list);
  return list.slice(start, end);
}

/** The bare letters and digits of a chat token: "dạ," → "da". */
function bare(token: string): string {
  return token.replace(/[^\p{L}\p{N}]/gu, "");
}

/**
 * Like {@link stripCourtesy} but on normalised text whose inner punctuation must survive
 * ("da 1.234 ho a" → "1.234 ho", "da, 12/15 a" → "12/15"). Punctuation glued to the outer ends
 * is trimmed too ("5." → "5"), except a leading minus and a trailing percent sign.
 */
export function stripCourtesyText(normalized: string): string {
  const tokens = normalized.split(" ").filter((t) => t.length > 0);
  const [start, end] = courtesyBounds(tokens.map(bare));
  return tokens
    .slice(start, end)
    .join(" ")
    .replace(/^[^\p{L}\p{N}-]+/u, "")
    .replace(/[^\p{L}\p{N}%]+$/u, "");
}
