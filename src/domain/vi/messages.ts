/**
 * Locale keys (namespace "parse") for the expected form of an answer and for parse errors.
 * Pure: returns keys and params; the caller translates with `t` from src/i18n.ts.
 *
 *   const r = parseAnswer(q, text);
 *   if (!r.ok) reply(explainError(q, r.error, getT(lng)));
 *   // or: const m = describeExpected(q); t(m.key, m.params)
 *
 * Numbers in params are plain numbers; the locale strings format them per language
 * ("{{max, number}}" → "1.000" in Vietnamese, "1,000" in English).
 */
import type { Question } from "../../plan/schema.js";
import type { ParseError, ParseErrorCode } from "./answers.js";

export interface LocaleMessage {
  /** Full key with namespace, e.g. "parse:expected.integer". */
  key: string;
  params: Record<string, unknown>;
}

/** A translation function: `t` or `getT(lng)` from src/i18n.ts. */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** Every key describeExpected can return, without the "parse:" namespace. */
export const EXPECTED_KEYS = [
  "expected.integer",
  "expected.integer_unit",
  "expected.decimal",
  "expected.decimal_unit",
  "expected.yes_no",
  "expected.single_choice",
  "expected.multi_choice",
  "expected.text",
  "expected.date",
  "expected.part_of_total",
  "expected.photo",
] as const;

/** Other keys of the namespace used by this module and its callers. */
export const OTHER_KEYS = ["retry", "skip_hint", "answer.yes", "answer.no"] as const;

const msg = (key: (typeof EXPECTED_KEYS)[number], params: Record<string, unknown> = {}): LocaleMessage => ({
  key: `parse:${key}`,
  params,
});

/** How the answer should look, e.g. vi "một số nguyên từ 0 đến 500", "Có hoặc Không". A phrase, not a sentence. */
export function describeExpected(question: Question): LocaleMessage {
  switch (question.type) {
    case "integer":
    case "decimal": {
      const { min, max, unit } = question;
      const key = `expected.${question.type}${unit ? "_unit" : ""}` as const;
      return msg(key, unit ? { min, max, measure: unit } : { min, max });
    }
    case "yes_no":
      return msg("expected.yes_no");
    case "single_choice":
      return msg("expected.single_choice", { count: question.choices.length });
    case "multi_choice":
      return msg("expected.multi_choice", { count: question.choices.length });
    case "text":
      return msg("expected.text", { maxLength: question.maxLength });
    case "date":
      return msg("expected.date");
    case "part_of_total":
      return msg("expected.part_of_total", {
        partLabel: question.partLabel,
        totalLabel: question.totalLabel,
        max: question.max,
      });
    case "photo":
      return msg("expected.photo", { max: question.max });
  }
}

/** The locale key of an error: "parse:error.not_a_number". Its text says what was wrong. */
export function errorKey(code: ParseErrorCode): string {
  return `parse:error.${code}`;
}

/** A hint shown with optional questions ("gõ “bỏ qua” …"), or null for required ones. */
export function skipHint(question: Question): LocaleMessage | null {
  return question.optional ? { key: "parse:skip_hint", params: {} } : null;
}

/**
 * The full reply to a bad answer: what was wrong, then what is expected.
 * vi: "Dạ, số 600 nằm ngoài khoảng cho phép ạ. Chị trả lời giúp em một số nguyên từ 0 đến 500 ạ."
 */
export function explainError(question: Question, error: ParseError, translate: Translate): string {
  const expected = describeExpected(question);
  const what = translate(errorKey(error.code), error.params);
  const how = translate("parse:retry", { expected: translate(expected.key, expected.params) });
  return `${what} ${how}`;
}
