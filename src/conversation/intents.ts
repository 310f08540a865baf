/**
 * Recognising what a chat message means inside a conversation, besides an answer: cancel, help,
 * send, change answer N, keep the old answer. Typed with or without diacritics, with polite words
 * ("dạ gửi ạ", "sua 3 nhe"). Pure.
 */
import { normalize, stripCourtesy, words } from "../domain/vi/index.js";

/** Lower case, no diacritics, no punctuation, polite words at the ends dropped; "/huy@Bot" → "huy". */
export function intentWords(text: string): string {
  // Asked several times for one message (cancel? help? submit?…): the last result is kept.
  if (text === lastIntent.text) return lastIntent.words;
  const n = normalize(text).replace(/^\/([a-z0-9_]+)@\S+/, "/$1");
  const ws = words(n);
  const result = ws.length === 0 ? "" : stripCourtesy(ws).join(" ");
  lastIntent = { text, words: result };
  return result;
}

/** The last text intentWords() was given, and its result. */
let lastIntent = { text: "", words: "" };

const CANCEL = new Set([
  "huy",
  "huy bo",
  "huy di",
  "huy het",
  "huy bao cao",
  "huy viec sua",
  "huy sua",
  "dung bao cao",
  "cancel",
]);
const HELP = new Set(["giup", "giup do", "giup voi", "tro giup", "huong dan", "xem huong dan", "help", "khong hieu", "chua hieu"]);
const SUBMIT = new Set([
  "gui",
  "gui di",
  "gui luon",
  "gui bao cao",
  "ok gui",
  "nop",
  "nop di",
  "nop bao cao",
  "xac nhan",
  "dong y",
  "xong",
  "xong roi",
  "chot",
  "luu",
  "luu lai",
  "dung roi",
  "chinh xac",
  "send",
  "submit",
]);
const KEEP = new Set([
  "giu",
  "giu nguyen",
  "giu nhu cu",
  "nhu cu",
  "de nguyen",
  "khong sua",
  "khong sua nua",
  "khong doi",
  "thoi",
  "thoi khong sua",
  "quay lai",
  "keep",
]);
const CHANGE = new Set(["sua", "doi", "sua lai", "chinh sua", "can sua", "muon sua", "sua cau", "sua bao cao", "edit"]);
const HELP_OFFER_GUIDE = new Set(["xem", "xem huong dan", "huong dan", "giup", "guide", "see the guide", "see guide"]);
const HELP_OFFER_RETRY = new Set(["tra loi lai", "lai", "thu lai", "hoi lai", "tiep", "tiep tuc", "tra loi", "answer again", "retry", "again"]);

/** "Xong" on a photo question: she has sent all her photos. */
const DONE = new Set(["xong", "xong roi", "da xong", "gui xong", "gui xong roi", "du roi", "het roi", "het", "vay thoi", "the thoi", "done"]);

export const isCancel = (text: string): boolean => CANCEL.has(intentWords(text));

/** Words that may follow "giúp" in a plea for help: "giúp em với", "hướng dẫn em với nhé". */
const HELP_FILLER = new Set(["em", "voi", "chi", "minh", "di", "nhe", "nha", "a", "cai", "nay", "cau"]);

export function isHelp(text: string): boolean {
  if (/^\s*[?？]+\s*$/.test(text)) return true;
  const w = intentWords(text);
  if (HELP.has(w)) return true;
  const m = /^(giup|huong dan|tro giup|giai thich)((?: \S+)*)$/.exec(w);
  return m !== null && m[2]!.trim().split(" ").every((x) => x === "" || HELP_FILLER.has(x));
}

export const isSubmit = (text: string): boolean => SUBMIT.has(intentWords(text));
/** "xong", "xong rồi ạ", "đủ rồi": the photos are all sent (a photo question). */
export const isDone = (text: string): boolean => DONE.has(intentWords(text));
export const isKeep = (text: string): boolean => KEEP.has(intentWords(text));
export const isChangeWord = (text: string): boolean => CHANGE.has(intentWords(text));

/** "3", "sửa 3", "câu 3", "sua cau so 3", "dạ sửa câu 3 ạ" → 3; anything else → null. */
export function pickNumber(text: string): number | null {
  const m = /^(?:(?:sua lai|sua|doi|chinh sua|chon)\s*)?(?:cau\s*)?(?:so\s*)?(\d{1,3})$/.exec(intentWords(text));
  return m ? Number(m[1]) : null;
}

/**
 * The choice typed in the help offer: the guide or answering again, by words ("xem hướng dẫn",
 * "trả lời lại") or by their numbers 1 and 2; a bare "3" (the cancel line's number) is reported
 * as such but never cancels by itself: cancelling takes the word "hủy" (isCancel), so a report is
 * never lost to a number. `byNumber` says the choice was a bare number, which a valid answer to
 * the question outranks (the engine checks). Anything else → null.
 */
export function helpOfferChoice(text: string): { choice: "guide" | "retry" | "cancel"; byNumber: boolean } | null {
  const w = intentWords(text).replace(/^(?:chon|so)\s+(?=\d)/, "");
  if (w === "1") return { choice: "guide", byNumber: true };
  if (w === "2") return { choice: "retry", byNumber: true };
  if (w === "3") return { choice: "cancel", byNumber: true };
  if (HELP_OFFER_GUIDE.has(w) || isHelp(text)) return { choice: "guide", byNumber: false };
  if (HELP_OFFER_RETRY.has(w)) return { choice: "retry", byNumber: false };
  if (CANCEL.has(w)) return { choice: "cancel", byNumber: false };
  return null;
}

/**
 * A numbered answer: "3: 5", "3. 5", "2) co", "1/ có", "4 - 12", "Câu 3: 1,3", "sửa 3 thành 5",
 * "sua cau 3 = 7". "3.5" and "12/15" are not (a number, not a numbered line). The value keeps
 * its case and diacritics; it may be empty ("3:"). Linear: the white space after the number is
 * read once (the "thành" form only looks back one character for the space before it).
 */
const NUMBERED =
  /^\s*(?:(?:sửa|sua|sữa|đổi|doi)\s*)?(?:(?:câu|cau|c)\s*)?(?:(?:số|so)\s*)?(\d{1,3})\s*(?:[:=)]|[./](?=\s|$)|[-–](?=\s)|(?<=\s)(?:thành|thanh|là|la)(?=\s|$))\s*([\s\S]*)$/iu;

export function splitNumbered(text: string): { n: number; value: string } | null {
  const m = NUMBERED.exec(text.normalize("NFC"));
  if (!m) return null;
  return { n: Number(m[1]), value: m[2]!.trim() };
}

/** A "key: value" line: the key part before the first colon, starting with a letter. */
export function splitKeyValue(text: string): { key: string; value: string } | null {
  const m = /^\s*([^:\n]{1,80}?)\s*:\s*([\s\S]*)$/u.exec(text.normalize("NFC"));
  if (!m || !/^\p{L}/u.test(m[1]!) || /^https?$/i.test(m[1]!)) return null;
  return { key: m[1]!, value: m[2]!.trim() };
}
