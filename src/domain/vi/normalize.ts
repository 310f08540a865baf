/**
 * Text normalisation for matching what people type in chat, often without diacritics
 * ("khong", "co", "giao duc cha me"). Pure functions, no I/O.
 */

/** Zero-width characters some keyboards and copy-paste insert. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

/** Full-width ASCII forms ("５", "２８／６") that some phone keyboards (CJK input modes) type. */
const FULL_WIDTH = /[\uff01-\uff5e]/g;
/**
 * Dash and minus forms phones and copy-paste produce: hyphen U+2010, non-breaking hyphen U+2011,
 * figure dash U+2012, en dash U+2013, em dash U+2014, horizontal bar U+2015, minus U+2212, small
 * and full-width hyphen-minus. All read as "-", so a negative sign or a range is never dropped.
 */
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63]/g;

/** Full-width ASCII to ASCII and every dash form to "-": "５" → "5", "–3" → "-3". Keeps the rest. */
export function foldWidthAndDashes(text: string): string {
  return text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(DASHES, "-");
}

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
 * Lower case, no diacritics (đ → d), zero-width characters removed, full-width digits and letters
 * as ASCII and every dash form as "-" ({@link foldWidthAndDashes}), runs of white space collapsed
 * to one space, trimmed. "  Dạ  CÓ ạ " → "da co a"; "１２" → "12".
 */
export function normalize(text: string): string {
  // One message is normalised several times in a row (each intent check, then the parser): the
  // last result is kept (a pure function of an immutable string).
  if (text === lastNormalized.text) return lastNormalized.result;
  const result = stripDiacritics(foldWidthAndDashes(text.replace(ZERO_WIDTH, "")).toLowerCase())
    .replace(/\s+/g, " ")
    .trim();
  lastNormalized = { text, result };
  return result;
}

/** The last text normalize() was given, and its result. */
let lastNormalized = { text: "", result: "" };

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
 * is trimmed too ("5." → "5"), except a leading minus, a leading decimal mark before a digit
 * (",5" is 0,5), and a trailing percent or plus sign ("10+" is not 10).
 */
export function stripCourtesyText(normalized: string): string {
  const tokens = normalized.split(" ").filter((t) => t.length > 0);
  const [start, end] = courtesyBounds(tokens.map(bare));
  return tokens
    .slice(start, end)
    .join(" ")
    .replace(/^(?:(?![.,]\d)[^\p{L}\p{N}-])+/u, "")
    .replace(/[^\p{L}\p{N}%+]+$/u, "");
}
