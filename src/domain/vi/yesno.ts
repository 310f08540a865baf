/**
 * Yes / no answers as typed in chat. Pure, no I/O.
 *
 * Rules, applied to the normalised words (no diacritics, punctuation removed):
 * 1. Polite words at the ends are dropped ("dạ có ạ" → "có", "không chị ạ" → "không").
 * 2. Whole-answer shorthands: yes = c, y, u, uh, uk, um, uhm, ok, oke, okay, oki, okie, yes, 1;
 *    no = n, no, 0. They count only alone ("c", not "c 5").
 * 3. Words of doubt make it no answer at all: "không biết", "chưa rõ", "có lẽ", "có thể",
 *    "không nhớ", "không chắc", "chưa hiểu".
 * 4. First word a negation (không, ko, k, kg, kh, hông, hok, hem, chưa) → no:
 *    "không", "ko có", "chưa", "chưa tổ chức", "không có hộ nào", "không sao".
 * 5. First word an affirmation (có, rồi, vâng, ừ, đúng, xong, được, đc, ok …) → yes, unless a
 *    negation follows ("có không" is a question, "có nhưng chưa xong" is unclear) or a question
 *    word ("có gì", "có sao", "rồi hả"): rejected.
 * 6. "dạ", "đã" and "da" (identical without diacritics) alone are yes: "dạ" is the polite
 *    acknowledgement and "đã" means "did / already". Before other words they are dropped as
 *    polite ("dạ không" → no, "dạ có" → yes). "đã tổ chức" (typed "đã", with its marks) → yes;
 *    "dạ" followed by anything that is not a yes or a no ("dạ em quên mất", "dạ để em hỏi lại",
 *    "dạ chị chờ em tí", "dạ em đang họp") is not an answer. Any answer ending in "rồi"
 *    ("tổ chức rồi", "dạ tổ chức rồi") is yes.
 * 7. "Later" phrases ("để em hỏi lại", "chờ em tí", "quên mất", "sau nhé", "mai em báo") are never
 *    an answer, whatever surrounds them ({@link yesNoProblem} says "later").
 * 8. A yes and a no in separate clauses ("không, có", "có, không") is not an answer.
 * 9. Emoji: 👍 and 👌 (any skin tone, repeated, with polite words) are yes; 👎 is no; a mix is
 *    not an answer.
 * Anything else → null (ask again).
 */
import { normalize, stripCourtesy, words } from "./normalize.js";

const YES_ALONE = new Set(["c", "y", "u", "uh", "uk", "um", "uhm", "ok", "oke", "okay", "oki", "okie", "yes", "1", "da"]);
const NO_ALONE = new Set(["n", "no", "0"]);
const YES_HEADS = new Set(["co", "roi", "vang", "u", "uh", "uk", "dung", "xong", "duoc", "dc", "ok", "oke", "okay", "yes", "da"]);
export const NEGATION_WORDS: ReadonlySet<string> = new Set(["khong", "ko", "k", "kg", "kh", "khg", "hk", "hong", "hok", "hem", "chua"]);
/** Words of time that may come before a final "chưa"/"không": "tháng này chưa" (not yet this month). */
const TIME_WORDS = new Set(["thang", "nay", "tuan", "nam", "ky", "dot", "van", "hien", "tai", "gio", "luc", "den", "nay", "thi"]);
const DOUBT_WORDS = new Set(["biet", "ro", "chac", "nho", "hieu", "the", "le"]);
const QUESTION_WORDS = new Set(["sao", "gi", "nao", "ha"]);
/**
 * She will answer later, or is checking: "để em hỏi lại", "chờ em tí", "đợi em chút", "quên mất",
 * "kiểm tra lại", "xem lại", "sau nhé", "để sau", "lát nữa", "mai em báo", "em đang họp".
 */
const LATER =
  /(?:^| )(?:de (?:em|chi|sau|toi)|hoi lai|kiem tra|xem lai|(?:cho|doi) (?:em|chi|chut|ti|xiu|lat|toi)|(?:lat|ti|xiu|chut) nua|quen|(?<!(?:thang|tuan|nam|ky|dot) )sau (?:nhe|nha|nhen)|bao sau|tra loi sau|mai (?:em|chi|bao|gui|tra)|dang (?:hop|ban|di|lam)|chua (?:biet|ro|nam|tong hop))(?: |$)/;
/** Emoji that answer a yes/no question. Skin-tone modifiers and variation selectors are ignored. */
const YES_EMOJI = new Set(["👍", "👌", "✅", "✔"]);
const NO_EMOJI = new Set(["👎", "❌", "✖"]);
const EMOJI = /\p{Extended_Pictographic}/gu;
/** Polite words that may stand next to an emoji ("dạ 👍", "👍 ạ"). */
const LEADING_COURTESY_ONLY = new Set(["da", "a", "chi", "em", "oi", "nhe", "nha", "vang"]);
/** Skin tones, variation selectors and joiners, dropped before the emoji are compared. */
const EMOJI_DECORATION = /[\u{1f3fb}-\u{1f3ff}\ufe0e\ufe0f\u200d]/gu;
/** A negation, then a clause break, then a yes ("không, có", "dạ ko - có"); "có, không" has a negation anyway. */
const MIXED = /^(?:(?:da|vang)[,\s]+)?(?:khong|ko|k|kg|kh|hong|hok|chua)\s*[,;/.!?…-]+\s*(?:da |a )?(?:co|roi|vang|dung|ok|u|uh)(?:\s|$|[,.!])/;

/**
 * Why a text is not a yes or no, when it deserves its own reply: "later" ("dạ để em hỏi lại",
 * "chờ em tí"). Null otherwise (including for clear answers).
 */
export function yesNoProblem(text: string): "later" | null {
  return LATER.test(words(normalize(text)).join(" ")) ? "later" : null;
}

/** 👍/👌 → true, 👎 → false, for a message of emoji (and polite words) only; otherwise undefined. */
function emojiAnswer(text: string, rest: readonly string[]): boolean | null | undefined {
  const found = text.replace(EMOJI_DECORATION, "").match(EMOJI) ?? [];
  if (found.length === 0 || rest.length > 0) return undefined;
  if (found.every((e) => YES_EMOJI.has(e))) return true;
  if (found.every((e) => NO_EMOJI.has(e))) return false;
  return null;
}

/** True when a dropped leading "da" was typed "đã" (did / already), not "dạ" (polite yes). */
function typedDa(text: string): boolean {
  return /^\s*đã(?![\p{L}\p{M}])/iu.test(text.normalize("NFC"));
}

/** true = yes, false = no, null = not a clear yes or no. */
export function parseYesNo(text: string): boolean | null {
  const all = words(normalize(text));
  const emoji = emojiAnswer(text, stripCourtesy(all).filter((w) => !LEADING_COURTESY_ONLY.has(w)));
  if (emoji !== undefined) return emoji;
  if (all.length === 0) return null;
  if (LATER.test(all.join(" "))) return null;
  if (MIXED.test(normalize(text))) return null;
  const ws = stripCourtesy(all);
  const joined = ws.join(" ");
  if (ws.length === 1 && YES_ALONE.has(joined)) return true;
  if (ws.length === 1 && NO_ALONE.has(joined)) return false;
  if (ws.some((w) => DOUBT_WORDS.has(w))) return null;
  const head = ws[0]!;
  if (NEGATION_WORDS.has(head)) return false;
  // "tháng này chưa", "đến giờ vẫn chưa": a time, then a final negation, as a statement (no "?").
  const last = ws[ws.length - 1]!;
  if (ws.length > 1 && NEGATION_WORDS.has(last) && ws.slice(0, -1).every((w) => TIME_WORDS.has(w)) && !text.includes("?")) return false;
  if (ws.some((w) => NEGATION_WORDS.has(w) || QUESTION_WORDS.has(w))) return null;
  if (YES_HEADS.has(head)) return true;
  // A dropped leading "đã" (did) with a plain statement after it: "đã tổ chức". After "dạ" (or
  // "da", which may be either) a statement is not an answer: "dạ em quên mất".
  if (all[0] === "da" && ws[0] !== all[0] && typedDa(text)) return true;
  if (ws.length > 1 && ws[ws.length - 1] === "roi") return true;
  return null;
}

/** Words that may follow "không có" in a "none of them" answer: "không có mô hình nào", "ko có gì". */
const NONE_TAIL = new Set(["nao", "gi", "ca", "het", "mo", "hinh", "hoat", "dong", "clb", "cau", "lac", "bo", "chuong", "trinh", "muc", "ai"]);

/**
 * True for "none" on a list of choices: "không", "không có", "ko", "k", "kg", "chưa có",
 * "không có mô hình nào", "dạ không có ạ". Not for "không biết" or anything with a number.
 */
export function isNoneAnswer(text: string): boolean {
  const ws = stripCourtesy(words(normalize(text)));
  if (!NEGATION_WORDS.has(ws[0] ?? "")) return false;
  if (ws.length === 1) return true;
  return ws[1] === "co" && ws.slice(2).every((w) => NONE_TAIL.has(w));
}
