/**
 * Which questions apply (askIf), which come next, and what changed. Pure.
 *
 * A question's condition refers to an earlier question (checked at plan load). Its status is:
 * - "yes": no condition, or the referenced answer satisfies it;
 * - "no": the referenced question is resolved (answered, skipped or itself not applicable) and
 *   the condition is false — such a question is not asked and its answer is not stored;
 * - "unknown": the referenced question is not resolved yet. An answer to an "unknown" question
 *   (e.g. pasted together with an unreadable answer to the question it depends on) is kept
 *   tentatively and dropped if the condition turns out false.
 */
import type { AnswerValue, Answers, Condition, Form, Question } from "../plan/schema.js";
import { parseAnswer, type ParseError, type ParseOptions, type ParseResult } from "../domain/vi/index.js";
import type { AnswerChange, ConversationState } from "./types.js";

export type Applicability = "yes" | "no" | "unknown";

/** Equality of answer values as they survive JSON (0 and -0 are the same, key order matters not for arrays). */
export function sameValue(a: AnswerValue | null | undefined, b: AnswerValue | null | undefined): boolean {
  // Strings, booleans and finite numbers: equal JSON exactly when equal (0 and -0 both write "0").
  const ta = typeof a;
  if (ta === typeof b && (ta === "string" || ta === "boolean" || (ta === "number" && Number.isFinite(a) && Number.isFinite(b)))) return a === b;
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function conditionHolds(cond: Condition, value: AnswerValue): boolean {
  const target = cond.value;
  switch (cond.op) {
    case "eq":
      return sameValue(value, target);
    case "ne":
      return !sameValue(value, target);
    case "includes":
      return Array.isArray(value) ? (value as unknown[]).includes(String(target)) : sameValue(value, target);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const comparable =
        (typeof value === "number" && typeof target === "number") || (typeof value === "string" && typeof target === "string");
      if (!comparable) return false;
      const a = value as number | string;
      const b = target as number | string;
      if (cond.op === "gt") return a > b;
      if (cond.op === "gte") return a >= b;
      if (cond.op === "lt") return a < b;
      return a <= b;
    }
  }
}

interface Resolution {
  answers: Answers;
  skipped: readonly string[];
}

/** The applicability of every question of the form, in form order. */
export function applicability(form: Form, res: Resolution): Map<string, Applicability> {
  const out = new Map<string, Applicability>();
  for (const q of form.questions) {
    const cond = q.askIf;
    if (!cond) {
      out.set(q.key, "yes");
      continue;
    }
    const refStatus = out.get(cond.question);
    if (refStatus === undefined || refStatus === "no") {
      // Unknown reference (a plan error) or a reference that is not asked: the condition is false.
      out.set(q.key, "no");
      continue;
    }
    const hasAnswer = Object.prototype.hasOwnProperty.call(res.answers, cond.question);
    // A tentative answer to an "unknown" question decides nothing yet.
    if (refStatus === "unknown") out.set(q.key, "unknown");
    else if (hasAnswer) out.set(q.key, conditionHolds(cond, res.answers[cond.question]!) ? "yes" : "no");
    else if (res.skipped.includes(cond.question)) out.set(q.key, "no");
    else out.set(q.key, "unknown");
  }
  return out;
}

export function isResolved(res: Resolution, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(res.answers, key) || res.skipped.includes(key);
}

/**
 * Drops answers and skips of form questions whose condition is false, repeatedly (dropping one
 * may make another false). Answers to keys the form does not know are kept (an older plan's data).
 */
export function prune(form: Form, res: Resolution): { answers: Answers; skipped: string[] } {
  const status = applicability(form, res);
  const answers: Answers = {};
  for (const [key, value] of Object.entries(res.answers)) {
    if (status.get(key) !== "no") answers[key] = value;
  }
  const skipped = res.skipped.filter((key) => status.has(key) && status.get(key) !== "no");
  return { answers, skipped: [...new Set(skipped)] };
}

/**
 * The first question that applies and has no answer yet, or null when the report is complete.
 * `status`: the applicability of `res` when the caller has it already.
 */
export function nextQuestion(form: Form, res: Resolution, status: Map<string, Applicability> = applicability(form, res)): Question | null {
  return form.questions.find((q) => status.get(q.key) === "yes" && !isResolved(res, q.key)) ?? null;
}

/** The questions that apply, in form order (the rows of the summary). */
export function applicableQuestions(form: Form, res: Resolution): Question[] {
  const status = applicability(form, res);
  return form.questions.filter((q) => status.get(q.key) === "yes");
}

export function questionByKey(form: Form, key: string | null | undefined): Question | undefined {
  return key ? form.questions.find((q) => q.key === key) : undefined;
}

/** 1-based position of a question in the form ("Câu 3/9"), stable whatever the conditions. */
export function questionNumber(form: Form, key: string): number {
  return form.questions.findIndex((q) => q.key === key) + 1;
}

/** Answers with only what the form asks, for a submit: every applicable answered question. */
export function finalAnswers(form: Form, state: Pick<ConversationState, "answers" | "skipped">): Answers {
  const { answers } = prune(form, state);
  return answers;
}

/** The differences between the stored report and the corrected answers, in form order first. */
export function diffAnswers(form: Form, before: Answers, after: Answers): AnswerChange[] {
  const known = form.questions.map((q) => q.key);
  const others = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !known.includes(k)).sort();
  const changes: AnswerChange[] = [];
  for (const key of [...known, ...others]) {
    const has = (a: Answers) => Object.prototype.hasOwnProperty.call(a, key);
    const oldValue = has(before) ? before[key]! : null;
    const newValue = has(after) ? after[key]! : null;
    if (!sameValue(oldValue, newValue)) changes.push({ key, oldValue, newValue });
  }
  return changes;
}

/** The error a question gets when its input cannot be read at all. */
function unreadable(q: Question, text: string): ParseError {
  const input = [...text.trim()].slice(0, 40).join("");
  switch (q.type) {
    case "integer":
    case "decimal":
      return { code: "not_a_number", params: { input } };
    case "yes_no":
      return { code: "not_yes_no", params: { input } };
    case "date":
      return { code: "bad_date", params: { input } };
    case "part_of_total":
      return { code: "not_part_of_total", params: { input } };
    case "single_choice":
    case "multi_choice":
      return { code: "unknown_choice", params: { input, count: q.choices.length } };
    case "text":
      return { code: "too_long", params: { length: [...text].length, maxLength: q.maxLength } };
    case "photo":
      return { code: "photo_expected", params: { input } };
  }
}

/**
 * parseAnswer that cannot throw: should the parser fail on an odd input (it did on
 * "constructor"), the input is treated as unreadable for the question.
 */
export function safeParseAnswer(q: Question, text: string, opts: ParseOptions): ParseResult {
  try {
    return parseAnswer(q, text, opts);
  } catch {
    return { ok: false, error: unreadable(q, text) };
  }
}
