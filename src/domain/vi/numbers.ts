/**
 * Numbers as people type them in Vietnamese chat: digits with "." or "," separators, number
 * words ("năm", "hai mươi lăm", "một trăm linh năm"), multipliers ("1tr", "2k", "3 nghìn"),
 * a trailing unit ("5 hộ") and polite words ("dạ có 5 hộ ạ"). Pure functions, no I/O.
 *
 * Separator rule (see {@link readDigits}):
 * - groups of exactly 3 digits after "." or "," repeated ("1.234.567", "1,234,567") are thousands;
 * - "1.234,5" and "1,234.5" (both separators) are thousands + decimal;
 * - one separator followed by 1, 2 or 4+ digits ("86,4", "83.85", "2,5") is a decimal point;
 * - one separator followed by exactly 3 digits after a 1–3 digit integer part that does not start
 *   with 0 ("1.234", "1,234", "12.345") is ambiguous: thousands by default (Vietnamese usage;
 *   integer questions always read it so), or a decimal point when the caller asks
 *   (`threeDigitGroup: "decimal"`; decimal questions fall back to it when the thousands reading
 *   is out of range — see answers.ts). "0,125" is always a decimal; a group of "000" is always
 *   thousands ("10.000", "2,000": nobody writes zeros after a decimal mark in chat);
 * - a leading decimal mark (",5", ".5") is 0,5;
 * - digits grouped by single spaces in threes ("2 000 000", "12 345") are one number.
 *
 * {@link readNumber} also says why a text is not one number when the reason deserves its own
 * question back: "10+", "hơn 30", "trên 80%" (not an exact figure), "5-7", "5 đến 7", "5 hoặc 6"
 * (a range), "sau", "sau nhé", "để sau" ("later" — typed without the tone mark it is not "sáu", six).
 */
import { normalize, stripCourtesyText } from "./normalize.js";

/**
 * A lookup table without a prototype, so that typed words such as "constructor" or "toString"
 * are not found in it.
 */
export function wordTable(entries: Record<string, number>): Readonly<Record<string, number>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, number>, entries));
}

/** Digit words, valid anywhere a digit is. "mốt" normalises to "mot", like "một". */
const DIGIT_WORDS = wordTable({
  khong: 0,
  mot: 1,
  hai: 2,
  ba: 3,
  bon: 4,
  nam: 5,
  sau: 6,
  bay: 7,
  tam: 8,
  chin: 9,
});
/** Unit forms used only after "mươi"/"mười" or "linh": "hai mươi tư", "mười lăm", "ba mươi nhăm". */
const AFTER_TENS_WORDS = wordTable({ ...DIGIT_WORDS, tu: 4, lam: 5, nham: 5 });
/** Unit forms that, straight after a digit word 2–9, make spoken tens: "bốn lăm" = 45 (see parseTens). */
const COLLOQUIAL_UNITS = wordTable({ mot: 1, tu: 4, lam: 5, nham: 5 });
/** Multipliers between groups, largest last. "k" = nghìn, "tr" = triệu, "ti"/"ty" = tỷ. */
const BIG_MULTIPLIERS = wordTable({
  k: 1_000,
  nghin: 1_000,
  ngan: 1_000,
  tr: 1_000_000,
  trieu: 1_000_000,
  ty: 1_000_000_000,
  ti: 1_000_000_000,
});
const DECIMAL_POINT_WORDS = new Set(["phay", "cham"]);
const ZERO_DIGIT_WORDS = new Set(["linh", "le"]);

/**
 * Words allowed after the number: counted things ("5 hộ", "3 buổi", "2 mô hình") and particles.
 * A question's own unit is added by the caller.
 */
const UNIT_WORDS = new Set(
  (
    "ho gia dinh nguoi ng hoi vien thanh chi em co so lan buoi cuoc dot luot mo hinh clb cau lac bo " +
    "phu nu tre chau ca vu nan nhan cai ban dong d vnd xa phuong thon xom to doi cap nhom lop " +
    "tin bai to roi an pham san pham dat chuan a nhe nha"
  ).split(" "),
);
/** Words that may come before the number: "có 5", "được 5", "khoảng 5", "tổng cộng 15", "là 5". */
const LEADING_WORDS = new Set(["co", "duoc", "dc", "la", "khoang", "chung", "do", "tong", "cong", "tat", "ca", "so", "luong", "dat"]);
/** "Không có", "chưa có", "ko" … as an answer to "how many" means 0. */
const NEGATIONS = new Set(["khong", "ko", "k", "kg", "kh", "khg", "hk", "hong", "hok", "chua"]);

export interface NumberOptions {
  /** How to read one separator followed by exactly 3 digits ("1.234"). Default "thousands". */
  threeDigitGroup?: "thousands" | "decimal";
  /** Extra words accepted after the number, e.g. the question's unit ("hộ", "buổi"). */
  units?: readonly string[];
}

/**
 * Reads a run of digits with "." / "," separators per the rule at the top of this file.
 * Returns null when the separators make no sense ("1.23.4", "1,2,3").
 */
export function readDigits(token: string, threeDigitGroup: "thousands" | "decimal" = "thousands"): number | null {
  if (/^[.,]\d+$/.test(token)) return Number(`0.${token.slice(1)}`);
  if (!/^\d+(?:[.,]\d+)*$/.test(token)) return null;
  const seps = token.match(/[.,]/g) ?? [];
  const groups = token.split(/[.,]/);
  if (seps.length === 0) return Number(token);
  const first = groups[0]!;
  const groupedThousands = (parts: readonly string[]) =>
    parts[0]!.length <= 3 && !/^0/.test(parts[0]!) && parts.slice(1).every((g) => g.length === 3);
  if (seps.length === 1) {
    const frac = groups[1]!;
    const ambiguous = frac.length === 3 && groupedThousands(groups);
    if (ambiguous && (threeDigitGroup === "thousands" || frac === "000")) return Number(first + frac);
    return Number(`${first}.${frac}`);
  }
  const last = seps[seps.length - 1]!;
  const head = seps.slice(0, -1);
  if (head.every((s) => s === last)) {
    // All separators the same: thousands only.
    return groupedThousands(groups) ? Number(groups.join("")) : null;
  }
  // Mixed: all but the last must be the other separator with 3-digit groups; the last is the decimal point.
  if (!head.every((s) => s === head[0])) return null;
  const intParts = groups.slice(0, -1);
  if (!groupedThousands(intParts)) return null;
  return Number(`${intParts.join("")}.${groups[groups.length - 1]}`);
}

/** Rounds away floating-point noise: 1.2 * 1e6 → 1200000, 0.1 + 0.2 → 0.3. */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

/**
 * Splits normalised text into number tokens: digit runs (with inner separators), words, "%".
 * "1tr2" → ["1", "tr", "2"]; "86,4%" → ["86,4", "%"]. Returns null on other punctuation.
 */
export function numberTokens(normalized: string): string[] | null {
  const tokens = normalized.match(/(?:^|(?<=\s))[.,]\d+|\d+(?:[.,]\d+)*|[a-z]+|%|\S/g) ?? [];
  return tokens.every((t) => /^(?:[.,]?\d|[a-z]|%)/.test(t)) ? tokens : null;
}

interface Group {
  value: number;
  next: number;
  /** A lone digit 1–9 (word or figure), which after a multiplier means tenths: "1tr2", "một trăm hai". */
  singleDigit: boolean;
}

function digitAt(tokens: readonly string[], i: number, table = DIGIT_WORDS): number | undefined {
  const t = tokens[i];
  if (t === undefined) return undefined;
  if (/^\d$/.test(t)) return Number(t);
  return table[t];
}

/** Tens and units in words: "mười", "mười hai", "hai mươi", "hai mươi lăm", "ba chục", "năm". */
function parseTens(tokens: readonly string[], i: number): Group | null {
  if (tokens[i] === "muoi") {
    const u = digitAt(tokens, i + 1, AFTER_TENS_WORDS);
    return u !== undefined && u > 0
      ? { value: 10 + u, next: i + 2, singleDigit: false }
      : { value: 10, next: i + 1, singleDigit: false };
  }
  const d = digitAt(tokens, i);
  if (d === undefined) return null;
  // Spoken tens without "mươi": "hai mốt" 21, "ba tư" 34, "bốn lăm" 45, "năm nhăm" 55. Only the
  // unit forms that never stand for a lone digit after another digit word count ("năm sáu" is
  // "five or six", not 56).
  const colloquial = COLLOQUIAL_UNITS[tokens[i + 1] ?? ""];
  if (colloquial !== undefined && d >= 2 && !/^\d/.test(tokens[i]!) && tokens[i + 2] !== "muoi" && tokens[i + 2] !== "tram") {
    return { value: d * 10 + colloquial, next: i + 2, singleDigit: false };
  }
  if ((tokens[i + 1] === "muoi" || tokens[i + 1] === "chuc") && d >= 1) {
    const u = digitAt(tokens, i + 2, AFTER_TENS_WORDS);
    return u !== undefined && u > 0
      ? { value: d * 10 + u, next: i + 3, singleDigit: false }
      : { value: d * 10, next: i + 2, singleDigit: false };
  }
  return { value: d, next: i + 1, singleDigit: d > 0 };
}

/**
 * A group below 1000, in figures ("234", "1,5") or words ("hai trăm ba mươi tư",
 * "một trăm linh năm", "một trăm rưỡi" = 150, "một trăm hai" = 120), or "3 trăm".
 */
function parseGroup(tokens: readonly string[], i: number, threeDigitGroup: "thousands" | "decimal"): Group | null {
  const t = tokens[i];
  if (t === undefined) return null;
  let hundreds: number | undefined;
  if (/^[.,]?\d/.test(t)) {
    const v = readDigits(t, threeDigitGroup);
    if (v === null) return null;
    if (tokens[i + 1] !== "tram") return { value: v, next: i + 1, singleDigit: /^[1-9]$/.test(t) };
    if (!Number.isInteger(v) || v < 1 || v > 9) return null;
    hundreds = v * 100;
  } else if (tokens[i + 1] === "tram" && DIGIT_WORDS[t] !== undefined) {
    hundreds = DIGIT_WORDS[t]! * 100;
  }
  if (hundreds === undefined) return parseTens(tokens, i);
  const j = i + 2;
  if (tokens[j] === "ruoi") return { value: hundreds + 50, next: j + 1, singleDigit: false };
  if (ZERO_DIGIT_WORDS.has(tokens[j] ?? "")) {
    const u = digitAt(tokens, j + 1, AFTER_TENS_WORDS);
    if (u === undefined || u === 0) return null;
    return { value: hundreds + u, next: j + 2, singleDigit: false };
  }
  const rest = tokens[j] !== undefined && BIG_MULTIPLIERS[tokens[j]!] === undefined ? parseTens(tokens, j) : null;
  if (!rest) return { value: hundreds, next: j, singleDigit: false };
  // "một trăm hai" = 120: like after any multiplier, a lone digit after "trăm" counts tenths of it.
  const tens = rest.singleDigit ? rest.value * 10 : rest.value;
  return { value: hundreds + tens, next: rest.next, singleDigit: false };
}

/** Digits after a decimal-point word: "phẩy năm" → "5", "phẩy 25" → "25", "phẩy hai lăm" → "25". */
function parseFractionDigits(tokens: readonly string[], i: number): string | null {
  if (i >= tokens.length) return null;
  if (i === tokens.length - 1 && /^\d+$/.test(tokens[i]!)) return tokens[i]!;
  let digits = "";
  for (let j = i; j < tokens.length; j++) {
    const d = digitAt(tokens, j, AFTER_TENS_WORDS);
    if (d === undefined) return null;
    digits += String(d);
  }
  return digits;
}

/**
 * A whole number expression made of groups and descending multipliers:
 * "1 triệu 200 nghìn", "1tr2" (1 200 000), "2k5" (2 500), "hai nghìn rưỡi" (2 500), "86 phẩy 4".
 * After a multiplier, a lone digit counts tenths of it ("1 triệu 2" = 1 200 000); a longer bare
 * group after "triệu"/"tỷ" ("1 triệu 200") is ambiguous and rejected.
 */
export function parseNumberTokens(tokens: readonly string[], threeDigitGroup: "thousands" | "decimal" = "thousands"): number | null {
  if (tokens.length === 0) return null;
  let total = 0;
  let prevMult = Infinity;
  let i = 0;
  while (i < tokens.length) {
    const g = parseGroup(tokens, i, threeDigitGroup);
    if (!g) return null;
    i = g.next;
    const mult = BIG_MULTIPLIERS[tokens[i] ?? ""];
    if (mult !== undefined) {
      if (mult >= prevMult) return null;
      total += g.value * mult;
      prevMult = mult;
      i++;
      if (tokens[i] === "ruoi") {
        total += mult / 2;
        i++;
        if (i < tokens.length) return null;
      }
      continue;
    }
    if (DECIMAL_POINT_WORDS.has(tokens[i] ?? "")) {
      if (prevMult !== Infinity || !Number.isInteger(g.value)) return null;
      const digits = parseFractionDigits(tokens, i + 1);
      if (digits === null) return null;
      return clean(total + Number(`${g.value}.${digits}`));
    }
    if (i < tokens.length) return null;
    if (prevMult === Infinity) return clean(g.value);
    if (g.singleDigit) return clean(total + (g.value * prevMult) / 10);
    if (prevMult > 1_000 || g.value >= prevMult || !Number.isInteger(g.value)) return null;
    return clean(total + g.value);
  }
  return clean(total);
}

/** Words that make a tail part of a number, a bound or a range: never in "23 hộ tham gia". */
const NUMBER_WORDS = new Set([
  ...Object.keys(DIGIT_WORDS),
  ...Object.keys(BIG_MULTIPLIERS),
  "muoi", "chuc", "tram", "linh", "le", "ruoi", "tu", "lam", "nham",
  "hon", "tren", "duoi", "gan", "may", "vai", "phan", "den", "toi", "hoac", "hay", "trong", "tong", "so",
]);

/** Why a text is not one exact number, when that deserves its own question back. */
export type NumberProblem =
  /** "10+", "hơn 30", "trên 80%", "gần 100", "vài chục", "ba mấy": not an exact figure. */
  | "approximate"
  /** "5-7", "5 – 7", "5 đến 7", "5 tới 7", "5 hoặc 6": a range or a choice of two. */
  | "range"
  /** "sau", "sau nhé", "để sau", "lát nữa", "mai em báo": she will answer later. */
  | "later";

/** What {@link readNumber} makes of a text: one number (with what else it saw), or why not. */
export type NumberRead =
  | {
      ok: true;
      value: number;
      /** A "%" or "phần trăm" followed the number. */
      percent: boolean;
      /**
       * Set when one separator before exactly three digits ("1,234", "12.500") reads both ways:
       * `value` is the thousands reading and this the decimal one.
       */
      decimalReading?: number;
    }
  | { ok: false; problem: NumberProblem | null };

/** Words that make a number a bound, not a figure: "hơn", "trên", "dưới", "gần", "ngoài", "tối đa" … */
const APPROXIMATE_HEADS = new Set(["hon", "tren", "duoi", "gan", "ngoai", "vai", "may"]);
const APPROXIMATE_PHRASE = /^(?:hon|tren|duoi|gan|ngoai|toi da|toi thieu|it nhat|nhieu nhat|vai|hang|mot vai)\b|\b(?:may|hon|nhieu)$|\bvai (?:chuc|tram|nghin|ngan)\b|\+$/;
/** "Later" phrases: "để sau", "sau nhé", "lát nữa", "tí nữa", "mai em báo", "em hỏi lại" … */
const LATER_PHRASE =
  /\b(?:de sau|bao sau|tra loi sau|gui sau|sau nhe|sau nha|sau nhen|lat nua|ti nua|xiu nua|chut nua|lat em|mai em|ngay mai|hom khac|bua khac|hoi lai|kiem tra lai|xem lai|cho em|doi em|quen)\b/;

/** True when the text has the word "sau" typed without a tone mark: "later", or "sáu" typed bare. */
function hasBareSau(text: string): boolean {
  return /(?:^|[^\p{L}])sau(?![\p{L}\p{M}])/u.test(text.normalize("NFC").toLowerCase());
}

/** Joins digits grouped by single spaces in threes: "2 000 000" → "2000000", "1 3" stays. */
function joinSpaceGroups(s: string): string {
  return s.replace(/(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])/g, (m) => m.replace(/ /g, ""));
}

/** The words allowed after a number with these extra units (made once per list of units; only read). */
const unitSets = new Map<string, ReadonlySet<string>>();

function unitWords(extra: readonly string[]): ReadonlySet<string> {
  const key = extra.join("\u0000");
  let set = unitSets.get(key);
  if (!set) {
    set = new Set([...UNIT_WORDS, ...extra.flatMap((u) => normalize(u).split(/[^a-z0-9]+/))]);
    if (unitSets.size >= 1000) unitSets.clear();
    unitSets.set(key, set);
  }
  return set;
}

/**
 * Reads a number typed in chat, or says why it is not one (see {@link NumberProblem}).
 * Accepts: "5", "1.234", "1,234", "1.234.567", "2 000 000", "86,4", ",5", "86,4%", "-3", "–3"
 * (every dash form is a minus), "5 hộ", "dạ có 5 hộ ạ", "khoảng 5", "tầm 5", "năm", "mười hai",
 * "hai mươi lăm", "bốn lăm", "một trăm linh năm", "1tr", "1 triệu", "1tr2", "một nghìn hai",
 * "2k", "tư", "lăm", and "không", "không có", "ko có hộ nào", "chưa", "chưa có" as 0.
 * A trailing "%" or "phần trăm" is read and reported in `percent`.
 */
export function readNumber(text: string, opts: NumberOptions = {}): NumberRead {
  const fail = (problem: NumberProblem | null): NumberRead => ({ ok: false, problem });
  let s = joinSpaceGroups(stripCourtesyText(normalize(text)));
  if (APPROXIMATE_PHRASE.test(s)) return fail("approximate");
  let negative = false;
  if (/^-\s*[.,]?\d/.test(s)) {
    negative = true;
    s = s.replace(/^-\s*/, "");
  }
  const tokens = numberTokens(s);
  if (!tokens) return fail(rangeOrLater(s, text, opts));
  const units = unitWords(opts.units ?? []);
  let start = 0;
  let end = tokens.length;
  let percent = false;
  while (end - start > 1 && (units.has(tokens[end - 1]!) || tokens[end - 1] === "%")) {
    if (tokens[end - 1] === "%") percent = true;
    end--;
  }
  if (end - start > 2 && tokens[end - 2] === "phan" && tokens[end - 1] === "tram") {
    end -= 2;
    percent = true;
  }
  while (end - start > 1 && LEADING_WORDS.has(tokens[start]!)) start++;
  // "tầm 5" (about 5) — but "tám mươi" is 80, so "tam" is dropped only before figures.
  if (end - start > 1 && tokens[start] === "tam" && /^\d/.test(tokens[start + 1]!)) start++;
  const core = tokens.slice(start, end);
  if (core.length > 1 && APPROXIMATE_HEADS.has(core[0]!)) return fail("approximate");
  const noneWords = (t: string) => t === "co" || t === "nao" || t === "ai" || units.has(t);
  if (NEGATIONS.has(core[0] ?? "") && core.slice(1).every(noneWords)) return negative ? fail(null) : { ok: true, value: 0, percent };
  // "sau" alone, typed without its tone mark: "later" (sau nhé), not "sáu" (six).
  if (core.length === 1 && core[0] === "sau" && hasBareSau(text)) return fail("later");
  // "tư" and "lăm" alone (4, 5); elsewhere they only follow "mươi"/"linh".
  if (core.length === 1 && (core[0] === "tu" || core[0] === "lam")) return { ok: true, value: core[0] === "tu" ? 4 : 5, percent };
  let numberCore = core;
  let value = parseNumberTokens(core, opts.threeDigitGroup);
  if (value === null) {
    // "23 hộ tham gia": a number, a counted word, then a plain statement (no number, negation,
    // bound or percent in it; "5 hộ chưa đạt" stays unread).
    const k = core.findIndex((t, i) => i > 0 && units.has(t) && !["a", "nhe", "nha"].includes(t));
    const tail = k > 0 ? core.slice(k + 1) : [];
    if (k > 0 && tail.length > 0 && tail.every((t) => /^[a-z]+$/.test(t) && !NUMBER_WORDS.has(t) && !NEGATIONS.has(t))) {
      numberCore = core.slice(0, k);
      value = parseNumberTokens(numberCore, opts.threeDigitGroup);
    }
  }
  if (value === null) return fail(rangeOrLater(s, text, opts));
  const sign = negative ? -1 : 1;
  const alt = opts.threeDigitGroup === "decimal" ? null : parseNumberTokens(numberCore, "decimal");
  return alt !== null && alt !== value ? { ok: true, value: sign * value, percent, decimalReading: sign * alt } : { ok: true, value: sign * value, percent };
}

/** "range" when the text is two numbers joined by a dash or "đến"/"tới"/"hoặc"; "later" for "để sau" …; else null. */
function rangeOrLater(s: string, text: string, opts: NumberOptions): NumberProblem | null {
  const parts = s.replace(/^tu\s+/, "").split(/\s*-\s*|\s+(?:den|toi|hoac|hay)\s+/);
  if (parts.length === 2 && parts.every((p) => p !== "" && readNumber(p, opts).ok)) return "range";
  if (LATER_PHRASE.test(s)) return "later";
  if (/(?:^|\s)sau(?:\s|$)/.test(s) && hasBareSau(text) && !/\d|muoi|tram|nghin|ngan|trieu/.test(s)) return "later";
  return null;
}

/**
 * Parses a number typed in chat: {@link readNumber}'s value (thousands reading for "1.234"), or
 * null when the text is not one exact number. A trailing "%" or "phần trăm" is accepted and
 * ignored (the value is the number shown).
 */
export function parseNumber(text: string, opts: NumberOptions = {}): number | null {
  const r = readNumber(text, opts);
  return r.ok ? r.value : null;
}
