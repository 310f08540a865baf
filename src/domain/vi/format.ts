/**
 * Vietnamese formatting: numbers "1.234" / "86,4", percentages "86,4%", dates "05/08/2023", the
 * formal date line of official documents, and answers for summaries. Pure, no I/O.
 */
import type { AnswerValue, Question } from "../../plan/schema.js";
import { parseIsoDate } from "./dates.js";

/** Rounds half away from zero to `decimals` places, avoiding binary noise (1.005 → 1.01). */
function roundTo(n: number, decimals: number): number {
  const x = Number(Math.abs(n).toPrecision(12));
  const scaled = /e/i.test(String(x)) ? x * 10 ** decimals : Number(`${x}e${decimals}`);
  const rounded = Math.round(scaled) / 10 ** decimals;
  return n < 0 ? -rounded : rounded;
}

/**
 * Vietnamese number format: "." between thousands, "," before decimals.
 * formatNumber(1234) → "1.234"; formatNumber(86.4) → "86,4"; formatNumber(2.5, 2) → "2,50".
 * Without `decimals`, shows the decimals the number has (at most 6), no trailing zeros.
 */
export function formatNumber(n: number, decimals?: number): string {
  if (!Number.isFinite(n)) return String(n);
  const rounded = roundTo(n, decimals ?? 6);
  const fixed = decimals === undefined ? String(Math.abs(rounded)) : Math.abs(rounded).toFixed(decimals);
  const [intPart = "0", fracPart] = fixed.split(".");
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  const sign = rounded < 0 ? "-" : "";
  return sign + grouped + (fracPart ? `,${fracPart}` : "");
}

/** A ratio as a Vietnamese percentage with fixed decimals: formatPercent(0.864) → "86,4%"; 0.8 → "80,0%". */
export function formatPercent(ratio: number, decimals = 1): string {
  return `${formatNumber(ratio * 100, decimals)}%`;
}

function ymdOrThrow(iso: string) {
  const d = parseIsoDate(iso);
  if (!d) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  return d;
}

/** "2023-08-05" → "05/08/2023". Throws on anything that is not a real YYYY-MM-DD date. */
export function formatDate(iso: string): string {
  const { year, month, day } = ymdOrThrow(iso);
  return `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${year}`;
}

/**
 * The place-and-date line of an official document, following the rule for administrative
 * documents (Nghị định 30/2020/NĐ-CP): days below 10 and the months 1 and 2 get a leading zero,
 * other months do not. formalDateLine("Nam Định", "2023-08-05") → "Nam Định, ngày 05 tháng 8 năm 2023";
 * "2023-02-14" → "…, ngày 14 tháng 02 năm 2023"; "2023-12-01" → "…, ngày 01 tháng 12 năm 2023".
 */
export function formalDateLine(place: string, iso: string): string {
  const { year, month, day } = ymdOrThrow(iso);
  const dd = String(day).padStart(2, "0");
  const mm = month <= 2 ? `0${month}` : String(month);
  return `${place}, ngày ${dd} tháng ${mm} năm ${year}`;
}

/** Words for yes/no in summaries; the same words are in locales/vi/parse.json under "answer". */
export const YES_WORD = "Có";
export const NO_WORD = "Không";
/** Shown for a skipped (missing) answer. */
export const NO_ANSWER = "—";
/** What a photo answer counts: "3 ảnh". */
export const PHOTO_WORD = "ảnh";

function withUnit(text: string, unit: string | undefined): string {
  if (!unit) return text;
  return unit === "%" ? `${text}%` : `${text} ${unit}`;
}

function choiceLabel(question: Question, key: string): string {
  if (question.type !== "single_choice" && question.type !== "multi_choice") return key;
  return question.choices.find((c) => c.key === key)?.label ?? key;
}

/**
 * An answer in Vietnamese for summaries and receipts: "1.234 hộ", "86,4%", "Có", "Không",
 * choice labels (several joined by "; " since labels may contain commas), "05/08/2023", "12/15".
 * A missing answer (skipped) is "—". A value of the wrong type for the question is shown as is.
 */
export function formatAnswer(question: Question, value: AnswerValue | null | undefined): string {
  if (value === null || value === undefined) return NO_ANSWER;
  switch (question.type) {
    case "integer":
    case "decimal":
      return typeof value === "number" ? withUnit(formatNumber(value), question.unit) : String(value);
    case "yes_no":
      return typeof value === "boolean" ? (value ? YES_WORD : NO_WORD) : String(value);
    case "single_choice":
      return typeof value === "string" ? choiceLabel(question, value) : String(value);
    case "multi_choice":
      return Array.isArray(value) ? value.map((k) => choiceLabel(question, String(k))).join("; ") : String(value);
    case "date":
      return typeof value === "string" && parseIsoDate(value) ? formatDate(value) : String(value);
    case "part_of_total":
      return typeof value === "object" && !Array.isArray(value)
        ? `${formatNumber(value.part)}/${formatNumber(value.total)}`
        : String(value);
    case "text":
      return String(value);
    case "photo":
      return Array.isArray(value) ? `${value.length} ${PHOTO_WORD}` : String(value);
  }
}
