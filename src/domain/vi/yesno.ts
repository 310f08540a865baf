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
 *    polite ("dạ không" → no). "đã tổ chức", "dạ tổ chức rồi" (no negation, no doubt) → yes,
 *    and so is any answer ending in "rồi" ("tổ chức rồi").
 * Anything else → null (ask again).
 */
import { normalize, stripCourtesy, words } from "./normalize.js";

const YES_ALONE = new Set(["c", "y", "u", "uh", "uk", "um", "uhm", "ok", "oke", "okay", "oki", "okie", "yes", "1", "da"]);
const NO_ALONE = new Set(["n", "no", "0"]);
const YES_HEADS = new Set(["co", "roi", "vang", "u", "uh", "uk", "dung", "xong", "duoc", "dc", "ok", "oke", "okay", "yes", "da"]);
export const NEGATION_WORDS: ReadonlySet<string> = new Set(["khong", "ko", "k", "kg", "kh", "hong", "hok", "hem", "chua"]);
const DOUBT_WORDS = new Set(["biet", "ro", "chac", "nho", "hieu", "the", "le"]);
const QUESTION_WORDS = new Set(["sao", "gi", "nao", "ha"]);

/** true = yes, false = no, null = not a clear yes or no. */
export function parseYesNo(text: string): boolean | null {
  const all = words(normalize(text));
  if (all.length === 0) return null;
  const ws = stripCourtesy(all);
  const joined = ws.join(" ");
  if (ws.length === 1 && YES_ALONE.has(joined)) return true;
  if (ws.length === 1 && NO_ALONE.has(joined)) return false;
  if (ws.some((w) => DOUBT_WORDS.has(w))) return null;
  const head = ws[0]!;
  if (NEGATION_WORDS.has(head)) return false;
  if (ws.some((w) => NEGATION_WORDS.has(w) || QUESTION_WORDS.has(w))) return null;
  if (YES_HEADS.has(head)) return true;
  // A dropped leading "dạ"/"đã" with a plain statement after it: "đã tổ chức".
  if (all[0] === "da" && ws[0] !== all[0]) return true;
  if (ws.length > 1 && ws[ws.length - 1] === "roi") return true;
  return null;
}
