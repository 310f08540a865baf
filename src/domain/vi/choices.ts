/**
 * Picking choices by number, key or label, typed with or without diacritics. Pure, no I/O.
 *
 * One choice is matched in tiers; the first tier with any match decides, and more than one match
 * in that tier is ambiguous:
 *   1. a number 1..n ("2", "số 2", "chọn 2", "phương án 2"); another number is out of range;
 *   2. the label, exactly (ignoring case, diacritics and punctuation);
 *   3. the key ("giao_duc_cha_me", also typed with spaces);
 *   4. the start of a label ("giao duc cha" → "Giáo dục cha mẹ");
 *   5. every typed word starts a label word, in order ("gd cha me" does not, "giao cha me" does);
 *   6. the typed text inside a label ("cha me").
 * Between 3 and 4: the initials of a label ("dctc" → "Địa chỉ tin cậy", "gdcm").
 * Tiers 4–6 and initials need at least 3 letters. The same is tried again without polite words
 * ("dạ … ạ"). A number with a label, as the list shows it ("4. Địa chỉ tin cậy", "4 - Địa chỉ…",
 * "4) địa chỉ tin cậy"), is that choice when both agree and ambiguous when they name two.
 *
 * Several choices (multi_choice): "1,3", "1, 3", "1 3", "1 và 3", "1;3", "1 + 3", labels separated
 * by commas, "và", ";" or new lines; "tất cả"/"tat ca"/"hết"/"all", and "cả hai"/"cả 3" when that
 * is the number of choices. "1 đến 3", "từ 1 tới 3" are 1, 2 and 3; "1-3" (and every dash form)
 * is "choice_range": 1 to 3, or 1 and 3? — asked back, never guessed. Commas inside a label ("ấm no, hạnh phúc") are kept: adjacent pieces
 * are joined back when together they are a label. Duplicates are ignored; the result follows the
 * order of the choices in the plan.
 */
import type { Choice } from "../../plan/schema.js";
import { comparable, normalize, stripCourtesy, stripCourtesyText } from "./normalize.js";
import { parseNumber } from "./numbers.js";
import { rememberByText } from "../remember.js";

export type ChoiceMatch =
  | { ok: true; key: string }
  | { ok: false; code: "unknown_choice" }
  | { ok: false; code: "choice_out_of_range"; n: number }
  | { ok: false; code: "ambiguous_choice"; candidates: string[] };

export type MultiChoiceMatch =
  | { ok: true; keys: string[] }
  | (Exclude<ChoiceMatch, { ok: true }> & { input: string })
  | { ok: false; code: "choice_range"; from: number; to: number; input: string };

const NUMBER_PREFIX = /^(?:so|chon|y|muc|phuong an|lua chon|dap an|cau|phan)\s*(?=\d)/;
const MIN_FUZZY_LENGTH = 3;

/** comparable() of a choice label, made once per label (a plan's labels: a few dozen). */
const comparableLabel = rememberByText(comparable);

function fromTier(matches: readonly Choice[]): ChoiceMatch | null {
  if (matches.length === 1) return { ok: true, key: matches[0]!.key };
  if (matches.length > 1) return { ok: false, code: "ambiguous_choice", candidates: matches.map((c) => c.key) };
  return null;
}

/** The first letters of a label's words: "dia chi tin cay" → "dctc". */
function initials(label: string): string {
  return label
    .split(" ")
    .map((w) => w.charAt(0))
    .join("");
}

/** "4 dia chi tin cay" (from "4. Địa chỉ tin cậy"): the number's choice when the label agrees. */
function numberWithLabel(choices: readonly Choice[], s: string): ChoiceMatch | null {
  const m = /^(\d+) ((?=.*[a-z]).+)$/.exec(s.replace(NUMBER_PREFIX, ""));
  if (!m) return null;
  const byNumber = choices[Number(m[1]) - 1];
  if (!byNumber) return null;
  const byLabel = matchComparable(choices, m[2]!);
  if (!byLabel.ok) return null;
  if (byLabel.key === byNumber.key) return byLabel;
  return { ok: false, code: "ambiguous_choice", candidates: choices.filter((c) => c === byNumber || c.key === byLabel.key).map((c) => c.key) };
}

function matchComparable(choices: readonly Choice[], s: string): ChoiceMatch {
  if (s === "") return { ok: false, code: "unknown_choice" };
  const numeric = s.replace(NUMBER_PREFIX, "");
  if (/^\d+$/.test(numeric)) {
    const n = Number(numeric);
    const choice = choices[n - 1];
    return choice && n >= 1 ? { ok: true, key: choice.key } : { ok: false, code: "choice_out_of_range", n };
  }
  const labels = choices.map((c) => ({ choice: c, label: comparableLabel(c.label) }));
  // A label that itself starts with a number ("5 không 3 sạch") is matched as a label first.
  const exact = fromTier(labels.filter(({ label }) => label === s).map(({ choice }) => choice));
  if (exact) return exact;
  const withLabel = numberWithLabel(choices, s);
  if (withLabel) return withLabel;
  const tiers: Array<(label: string, choice: Choice) => boolean> = [
    (label) => label === s,
    (_label, c) => c.key === s.replace(/ /g, "_"),
  ];
  if (s.replace(/ /g, "").length >= MIN_FUZZY_LENGTH) {
    const typed = s.split(" ");
    if (typed.length === 1) tiers.push((label) => label.includes(" ") && initials(label) === s);
    tiers.push(
      (label) => label.startsWith(s),
      (label) => wordPrefixesInOrder(typed, label.split(" ")),
      (label) => label.includes(s),
    );
  }
  for (const tier of tiers) {
    const found = fromTier(labels.filter(({ label, choice }) => tier(label, choice)).map(({ choice }) => choice));
    if (found) return found;
  }
  return { ok: false, code: "unknown_choice" };
}

/** True when each typed word is the start of a label word, in order ("giao cha me"). */
function wordPrefixesInOrder(typed: readonly string[], label: readonly string[]): boolean {
  let j = 0;
  for (const w of typed) {
    while (j < label.length && !label[j]!.startsWith(w)) j++;
    if (j === label.length) return false;
    j++;
  }
  return true;
}

/** Matches one choice (see tiers above). */
export function matchChoice(choices: readonly Choice[], text: string): ChoiceMatch {
  const s = comparable(text);
  const direct = matchComparable(choices, s);
  if (direct.ok || direct.code !== "unknown_choice") return direct;
  const polite = stripCourtesy(s.split(" ")).join(" ");
  return polite === s ? direct : matchComparable(choices, polite);
}

/** Separators between several choices; captured so pieces can be joined back. */
const MULTI_SEPARATOR = /(\s*[,;+&\n]\s*|\s+(?:và|va|với|voi)\s+)/i;
const ALL_WORDS = new Set(["tat ca", "chon tat ca", "tat ca cac muc", "het", "chon het", "all"]);

/** True for "tất cả", "hết", and "cả N" / "cả hai" when N is the number of choices. */
export function isAllChoices(choices: readonly Choice[], text: string): boolean {
  const s = stripCourtesy(comparable(text).split(" ")).join(" ");
  if (ALL_WORDS.has(s)) return true;
  // "tất cả các mô hình", "chọn hết các hoạt động": all, then plain words (no number, no "trừ" = except).
  const all = /^(?:chon )?(?:tat ca|het) (?:cac )?([a-z ]+)$/.exec(s);
  if (all && !/\b(?:tru|ngoai|khong|chua|roi|mot|hai|ba)\b/.test(all[1]!)) return true;
  const m = /^ca (.+)$/.exec(s);
  return m !== null && parseNumber(m[1]!) === choices.length;
}

/**
 * "1-3", "1 – 3" (spelled: false) or "1 đến 3", "từ 1 tới 3" (spelled: true), polite words
 * around; null for anything else.
 */
function choiceRange(text: string): { from: number; to: number; spelled: boolean } | null {
  const s = stripCourtesyText(normalize(text));
  const m = /^(?:tu )?(?:so )?(\d+)\s*(?:(-)|\s(?:den|toi)\s)\s*(?:so )?(\d+)$/.exec(s);
  return m ? { from: Number(m[1]), to: Number(m[3]), spelled: m[2] === undefined } : null;
}

/**
 * Matches several choices. An exact label that contains a separator ("Xây dựng gia đình ấm no,
 * hạnh phúc, …") is recognised as one choice.
 */
export function matchChoices(choices: readonly Choice[], text: string): MultiChoiceMatch {
  if (isAllChoices(choices, text) && !choices.some((c) => comparableLabel(c.label) === comparable(text))) {
    return { ok: true, keys: choices.map((c) => c.key) };
  }
  const range = choiceRange(text);
  if (range) {
    const { from, to, spelled } = range;
    const outside = [from, to].find((k) => k < 1 || k > choices.length);
    if (outside !== undefined) return { ok: false, code: "choice_out_of_range", n: outside, input: text.trim() };
    if (from >= to) return { ok: false, code: "unknown_choice", input: text.trim() };
    if (!spelled) return { ok: false, code: "choice_range", from, to, input: text.trim() };
    return { ok: true, keys: choices.slice(from - 1, to).map((c) => c.key) };
  }
  // "Chi hội em có 2 mô hình: giáo dục cha mẹ và địa chỉ tin cậy": the list after the colon.
  const colon = text.lastIndexOf(":");
  if (colon > 0 && text.slice(colon + 1).trim() !== "") {
    const after = matchChoices(choices, text.slice(colon + 1));
    if (after.ok) return after;
  }
  // Only figures, whatever separates them: "1,3", "1 3", "1; 3", "dạ 1, 3 ạ".
  const figures = stripCourtesy(comparable(text).split(" "));
  if (figures.length > 1 && figures.every((w) => /^\d+$/.test(w))) return matchPieces(choices, figures, []);
  // Runs of white space become one space (one newline when they hold one) first: the separator
  // pattern starts with \s*, and on a long run of spaces it would try every start (quadratic).
  const flat = text.normalize("NFC").replace(/\s+/g, (w) => (w.includes("\n") ? "\n" : " ")).trim();
  const parts = flat.split(MULTI_SEPARATOR);
  return matchPieces(
    choices,
    parts.filter((_, i) => i % 2 === 0),
    parts.filter((_, i) => i % 2 === 1),
  );
}

/**
 * Matches pieces one by one, joining adjacent pieces (with their separators) that form a label.
 * Linear in the length of the text: every piece is made comparable once; a run of pieces is only
 * tried while it is no longer than the longest label (a longer run cannot be one), so each piece
 * starts a bounded number of tries. A separator always ends a word, so the comparable form of a
 * run is the comparable forms of its pieces and separators joined by spaces.
 */
function matchPieces(choices: readonly Choice[], pieces: readonly string[], seps: readonly string[]): MultiChoiceMatch {
  const byLabel = new Map<string, string>();
  for (const c of choices) if (!byLabel.has(comparableLabel(c.label))) byLabel.set(comparableLabel(c.label), c.key);
  const longestLabel = Math.max(...[...byLabel.keys()].map((l) => l.length));
  const maxRaw = 2 * Math.max(...choices.map((c) => c.label.length)) + 20;
  const cmp = pieces.map((p) => comparable(p));
  const sepCmp = pieces.map((_, k) => (k < pieces.length - 1 ? comparable(seps[k] ?? " ") : ""));
  const append = (acc: string, part: string) => (part === "" ? acc : acc === "" ? part : `${acc} ${part}`);
  const keys = new Set<string>();
  let i = 0;
  while (i < pieces.length) {
    if (cmp[i] === "") {
      i++;
      continue;
    }
    // Longest run of pieces i..j (j > i) that is exactly one label (labels with commas or "và" inside).
    let run = cmp[i]!;
    let raw = pieces[i]!.length;
    let best: { key: string; end: number } | null = null;
    for (let j = i + 1; j < pieces.length; j++) {
      run = append(append(run, sepCmp[j - 1]!), cmp[j]!);
      raw += (seps[j - 1] ?? " ").length + pieces[j]!.length;
      if (run.length > longestLabel || raw > maxRaw) break;
      const key = byLabel.get(run);
      if (key !== undefined) best = { key, end: j };
    }
    if (best) {
      keys.add(best.key);
      i = best.end + 1;
      continue;
    }
    const one = matchChoice(choices, pieces[i]!);
    if (!one.ok) return { ...one, input: pieces[i]!.trim() };
    keys.add(one.key);
    i++;
  }
  if (keys.size === 0) return { ok: false, code: "unknown_choice", input: pieces.join(" ").trim() };
  return { ok: true, keys: choices.filter((c) => keys.has(c.key)).map((c) => c.key) };
}
