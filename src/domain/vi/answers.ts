/**
 * Turning a chat message into the answer to one plan question. Pure, no I/O.
 *
 * parseAnswer returns one of:
 * - `{ ok: true, value }` — the answer (number, boolean, choice key(s), text, "YYYY-MM-DD",
 *   `{ part, total }`), typed as the question asks;
 * - `{ ok: true, value: null, skipped: true }` — an optional question left out: empty text,
 *   "bỏ qua"/"bo qua", "-", "skip" (polite words allowed: "dạ bỏ qua ạ");
 * - `{ ok: false, error: { code, params } }` — see {@link PARSE_ERROR_CODES}; the same skip
 *   inputs on a required question give "required". Messages: messages.ts.
 * Narrow with `if (!r.ok) … else if (r.skipped) … else r.value`.
 */
import type { AnswerValue, Question } from "../../plan/schema.js";
import { matchChoice, matchChoices } from "./choices.js";
import { parseDate } from "./dates.js";
import { answerLength, answerLimit } from "./limits.js";
import { normalize, stripCourtesyText } from "./normalize.js";
import { readNumber, type NumberProblem } from "./numbers.js";
import { parsePartOfTotal } from "./partOfTotal.js";
import { isNoneAnswer, parseYesNo, yesNoProblem } from "./yesno.js";

/** Every error code parseAnswer can return, with the params it fills in. */
export const PARSE_ERROR_CODES = [
  "required", // {}
  "not_a_number", // { input }
  "not_an_integer", // { input, n }
  "out_of_range", // { n, min, max }
  "not_yes_no", // { input }
  "bad_date", // { input }
  "invalid_date", // { date: "31/04/2024", day, month, year }
  "not_part_of_total", // { input }
  "part_gt_total", // { part, total, partLabel, totalLabel }
  "unknown_choice", // { input, count }
  "choice_out_of_range", // { n, count }
  "ambiguous_choice", // { input, options: "label; label", candidates: keys[], count }
  "one_choice_only", // { count }
  "too_long", // { length, maxLength }: over the question's cap (limits.ts), any type
  "ambiguous_number", // { input, decimal, thousands }: "1,234" where both 1,234 and 1234 are allowed
  "percent_for_count", // { input }: "30%" where a count or an amount is asked
  "approximate", // { input }: "10+", "hơn 30", "trên 80%"
  "range", // { input }: "5-7", "5 đến 7", "5 hoặc 6"
  "later", // { input }: "sau nhé", "để em hỏi lại", "dạ chị chờ em tí"
  "choice_range", // { input, from, to, all }: "1-3" on a multiple choice (1, 2, 3 or 1 and 3?)
  "photo_expected", // { input }: text where photos are asked
  "photo_required", // {}: "Xong" before any photo on a required photo question
] as const;
export type ParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

export interface ParseError {
  code: ParseErrorCode;
  params: Record<string, unknown>;
}

export type ParseResult =
  | { ok: true; value: AnswerValue; skipped?: false }
  | { ok: true; value: null; skipped: true }
  | { ok: false; error: ParseError };

export interface ParseOptions {
  /** Reference day "YYYY-MM-DD" for "hôm nay" and dates without a year; default today in Vietnam. */
  today?: string;
}

const SKIP_INPUTS = new Set(["", "-", "--", "bo qua", "boqua", "skip", "/skip", "/boqua"]);
/** How much of the user's text is echoed back in an error message. */
const MAX_ECHO = 40;

/**
 * True for inputs that mean "skip this question": empty, "bỏ qua", "bo qua", "-", "skip".
 * A message of emoji or other symbols only ("👍", "🙏") is not a skip: it gets the question's
 * expected form again (or, on a yes/no question, 👍/👌 is yes).
 */
export function isSkipInput(text: string): boolean {
  const n = normalize(text);
  if (SKIP_INPUTS.has(n)) return true;
  // Stripping polite words and outer punctuation only empties a text of symbols ("dạ 👍"): not a skip.
  const bare = stripCourtesyText(n);
  return bare !== "" && SKIP_INPUTS.has(bare);
}

function echo(text: string): string {
  const t = text.normalize("NFC").trim().replace(/\s+/g, " ");
  const chars = [...t];
  return chars.length > MAX_ECHO ? `${chars.slice(0, MAX_ECHO - 1).join("")}…` : t;
}

const ok = (value: AnswerValue): ParseResult => ({ ok: true, value });
const fail = (code: ParseErrorCode, params: Record<string, unknown> = {}): ParseResult => ({
  ok: false,
  error: { code, params },
});

function inRange(n: number, min: number, max: number): boolean {
  return n >= min && n <= max;
}

const PROBLEM_CODES: Record<NumberProblem, ParseErrorCode> = { approximate: "approximate", range: "range", later: "later" };

/** A number that could not be read: the specific re-ask when there is one, else "not_a_number". */
function numberFailure(problem: NumberProblem | null, text: string): ParseResult {
  return fail(problem ? PROBLEM_CODES[problem] : "not_a_number", { input: echo(text) });
}

/**
 * A question about a percentage accepts "%" after the number: its unit is "%" / "phần trăm", or
 * its text asks for a rate ("Tỷ lệ …", "… (%)"). Others (counts, amounts) refuse it.
 */
function acceptsPercent(q: Extract<Question, { type: "integer" | "decimal" }>): boolean {
  return /%|phan tram|ty le/.test(normalize(`${q.unit ?? ""} ${q.text}`));
}

/**
 * Counts: "1.234" and "1,234" are 1234 (a count has no decimal part, so the only reading of one
 * separator before three digits is thousands: Vietnamese writes "1.234", people used to English
 * "1,234"); "1,5" is "not_an_integer". "30%" is refused where a count is asked.
 */
function parseInteger(q: Extract<Question, { type: "integer" }>, text: string): ParseResult {
  const r = readNumber(text, { units: q.unit ? [q.unit] : [] });
  if (!r.ok) return numberFailure(r.problem, text);
  if (r.percent && !acceptsPercent(q)) return fail("percent_for_count", { input: echo(text) });
  const n = r.value;
  if (!Number.isInteger(n)) return fail("not_an_integer", { input: echo(text), n });
  return inRange(n, q.min, q.max) ? ok(n) : fail("out_of_range", { n, min: q.min, max: q.max });
}

/**
 * Decimals: one separator before exactly three digits ("1,234", "12.500") reads as a decimal
 * mark (1,234, Vietnamese comma; 12.5 in English habit) or as thousands (1234, 12500). When only
 * one reading is within the question's range it is taken; when both are, she is asked which
 * ("ambiguous_number"). A group of "000" is always thousands. "%" only where the unit is one.
 */
function parseDecimal(q: Extract<Question, { type: "decimal" }>, text: string): ParseResult {
  const r = readNumber(text, { units: q.unit ? [q.unit] : [] });
  if (!r.ok) return numberFailure(r.problem, text);
  if (r.percent && !acceptsPercent(q)) return fail("percent_for_count", { input: echo(text) });
  const readings = [r.value, ...(r.decimalReading !== undefined ? [r.decimalReading] : [])].filter((n) =>
    inRange(n, q.min, q.max),
  );
  if (readings.length === 2) return fail("ambiguous_number", { input: echo(text), decimal: r.decimalReading, thousands: r.value });
  if (readings.length === 1) return ok(readings[0]!);
  return fail("out_of_range", { n: r.value, min: q.min, max: q.max });
}

function parseYesNoAnswer(text: string): ParseResult {
  const v = parseYesNo(text);
  if (v !== null) return ok(v);
  return fail(yesNoProblem(text) === "later" ? "later" : "not_yes_no", { input: echo(text) });
}

function parseDateAnswer(text: string, today: string | undefined): ParseResult {
  const r = parseDate(text, today);
  if (r.ok) return ok(r.value);
  if (r.code === "bad_date") return fail("bad_date", { input: echo(text) });
  const { day, month, year } = r.date;
  const date = `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${year}`;
  return fail("invalid_date", { date, day, month, year });
}

function parsePartOfTotalAnswer(q: Extract<Question, { type: "part_of_total" }>, text: string): ParseResult {
  const r = parsePartOfTotal(text, [q.partLabel, q.totalLabel]);
  if (!r.ok) return fail("not_part_of_total", { input: echo(text) });
  const { part, total } = r;
  for (const n of [part, total]) {
    if (!Number.isInteger(n)) return fail("not_an_integer", { input: echo(text), n });
    if (!inRange(n, 0, q.max)) return fail("out_of_range", { n, min: 0, max: q.max });
  }
  if (part > total) return fail("part_gt_total", { part, total, partLabel: q.partLabel, totalLabel: q.totalLabel });
  return ok({ part, total });
}

type ChoiceQuestion = Extract<Question, { type: "single_choice" | "multi_choice" }>;

function choiceFailure(
  q: ChoiceQuestion,
  m:
    | { code: "unknown_choice" }
    | { code: "choice_out_of_range"; n: number }
    | { code: "ambiguous_choice"; candidates: string[] }
    | { code: "choice_range"; from: number; to: number },
  input: string,
): ParseResult {
  const count = q.choices.length;
  switch (m.code) {
    case "choice_range": {
      const all = Array.from({ length: m.to - m.from + 1 }, (_, i) => m.from + i).join(", ");
      return fail("choice_range", { input: echo(input), from: m.from, to: m.to, all });
    }
    case "unknown_choice":
      return fail("unknown_choice", { input: echo(input), count });
    case "choice_out_of_range":
      return fail("choice_out_of_range", { n: m.n, count });
    case "ambiguous_choice": {
      const options = m.candidates.map((k) => q.choices.find((c) => c.key === k)?.label ?? k).join("; ");
      return fail("ambiguous_choice", { input: echo(input), options, candidates: m.candidates, count });
    }
  }
}

function parseSingleChoice(q: Extract<Question, { type: "single_choice" }>, text: string): ParseResult {
  const m = matchChoice(q.choices, text);
  if (m.ok) return ok(m.key);
  const several = matchChoices(q.choices, text);
  if ((several.ok && several.keys.length > 1) || (!several.ok && several.code === "choice_range")) {
    return fail("one_choice_only", { count: q.choices.length });
  }
  return choiceFailure(q, m, text);
}

/**
 * Several choices. On an optional question "không", "không có", "ko", "k", "chưa có" (none of
 * them) is a skip, unless a choice is labelled so; on a required one it is an unknown choice.
 */
function parseMultiChoice(q: Extract<Question, { type: "multi_choice" }>, text: string): ParseResult {
  if (q.optional && isNoneAnswer(text) && !q.choices.some((c) => matchChoice([c], text).ok)) {
    return { ok: true, value: null, skipped: true };
  }
  const m = matchChoices(q.choices, text);
  return m.ok ? ok(m.keys) : choiceFailure(q, m, m.input);
}

function parseText(q: Extract<Question, { type: "text" }>, text: string): ParseResult {
  const value = text.normalize("NFC").trim();
  const length = [...value].length;
  return length > q.maxLength ? fail("too_long", { length, maxLength: q.maxLength }) : ok(value);
}

/**
 * Parses a chat message as the answer to `question`. Linear in the length of the text; an answer
 * longer than the question's cap (limits.ts) is "too_long" before any reading.
 */
export function parseAnswer(question: Question, text: string, opts: ParseOptions = {}): ParseResult {
  if (question.type !== "text") {
    const maxLength = answerLimit(question);
    const length = answerLength(text);
    if (length > maxLength) return fail("too_long", { length, maxLength });
  }
  if (isSkipInput(text)) return question.optional ? { ok: true, value: null, skipped: true } : fail("required");
  switch (question.type) {
    case "integer":
      return parseInteger(question, text);
    case "decimal":
      return parseDecimal(question, text);
    case "yes_no":
      return parseYesNoAnswer(text);
    case "single_choice":
      return parseSingleChoice(question, text);
    case "multi_choice":
      return parseMultiChoice(question, text);
    case "text":
      return parseText(question, text);
    case "date":
      return parseDateAnswer(text, opts.today);
    case "part_of_total":
      return parsePartOfTotalAnswer(question, text);
    case "photo":
      // Photos arrive as photos (conversation/engine.ts handlePhoto, which also takes "xong" once
      // some came); a text is never one, and "xong" alone means none was sent.
      if (/^(?:da )?xong(?: roi)?$/.test(stripCourtesyText(normalize(text)))) return fail("photo_required");
      return fail("photo_expected", { input: [...text.trim()].slice(0, 40).join("") });
  }
}
