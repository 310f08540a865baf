/**
 * The texts of the conversation: a question with its number and expected answer, the help for a
 * question, the numbered summary. Every sentence comes from locales/<lng>/conversation.json.
 */
import { currentLanguage } from "../i18n.js";
import { t, type Language } from "../i18n.js";
import type { AnswerValue, Form, Question } from "../plan/schema.js";
import { comparable, describeExpected, formatAnswer, formatNumber, skipHint } from "../domain/vi/index.js";
import { applicableQuestions, diffAnswers, questionNumber } from "./flow.js";
import type { ConversationState } from "./types.js";

export type Tr = (key: string, params?: Record<string, unknown>) => string;

/** The translator of each language (made once), and the language of each. */
const translators = new Map<Language, Tr>();
const languageOf = new WeakMap<Tr, Language>();

/** Translator for the "conversation" namespace; keys of other namespaces keep their prefix. */
export function translator(lng: Language = currentLanguage()): Tr {
  let tr = translators.get(lng);
  if (!tr) {
    tr = (key, params) => t(key.includes(":") ? key : `conversation:${key}`, params, lng);
    translators.set(lng, tr);
    languageOf.set(tr, lng);
  }
  return tr;
}

/**
 * A text that depends only on a form, one of its questions and the language, made once per
 * form, question and language (plans are not changed once loaded). `make` runs every time when
 * `tr` is not one of {@link translator}'s (its language is then unknown).
 */
function perQuestion(cache: WeakMap<Form, WeakMap<Question, Map<Language, string>>>, form: Form, q: Question, tr: Tr, make: () => string): string {
  const lng = languageOf.get(tr);
  if (lng === undefined) return make();
  let byQuestion = cache.get(form);
  if (!byQuestion) cache.set(form, (byQuestion = new WeakMap()));
  let byLanguage = byQuestion.get(q);
  if (!byLanguage) byQuestion.set(q, (byLanguage = new Map()));
  let text = byLanguage.get(lng);
  if (text === undefined) byLanguage.set(lng, (text = make()));
  return text;
}

/** questionBlock's texts (see perQuestion). */
const questionBlocks = new WeakMap<Form, WeakMap<Question, Map<Language, string>>>();

/** An answer for a summary: formatAnswer, with yes/no words of the language. */
export function formatValue(q: Question, value: AnswerValue | null | undefined, tr: Tr): string {
  if (q.type === "yes_no" && typeof value === "boolean") return tr(value ? "parse:answer.yes" : "parse:answer.no");
  if (q.type === "photo" && Array.isArray(value)) return tr("photo.count", { count: value.length });
  return formatAnswer(q, value);
}

export function expectedText(q: Question, tr: Tr): string {
  const m = describeExpected(q);
  return tr(m.key, m.params);
}

/** "Câu 3/9: <text>", the hint, the choices numbered 1..n, the expected form, the skip hint. */
export function questionBlock(form: Form, q: Question, tr: Tr): string {
  return perQuestion(questionBlocks, form, q, tr, () => composeQuestionBlock(form, q, tr));
}

function composeQuestionBlock(form: Form, q: Question, tr: Tr): string {
  const lines = [`${tr("question.number", { n: questionNumber(form, q.key), total: form.questions.length })} ${q.text.trim()}`];
  if (q.hint) lines.push(tr("question.hint", { hint: q.hint.trim() }));
  if (q.type === "single_choice" || q.type === "multi_choice") {
    q.choices.forEach((c, i) => lines.push(`${i + 1}. ${c.label}`));
  }
  lines.push(tr("question.expected", { expected: expectedText(q, tr) }));
  const skip = skipHint(q);
  if (skip) lines.push(tr(skip.key, skip.params));
  return lines.join("\n");
}

/** What people may type, as examples (these are inputs, so mostly the same in every language). */
export function examples(q: Question, tr: Tr): string[] {
  const quote = (s: string) => tr("quote", { text: s });
  switch (q.type) {
    case "integer": {
      const v = q.min <= 5 && 5 <= q.max ? 5 : q.min;
      return [String(v), q.unit ? `${v} ${q.unit}` : null].filter((s): s is string => s !== null).map(quote);
    }
    case "decimal": {
      const v = q.min <= 86.4 && 86.4 <= q.max ? 86.4 : q.min;
      return [formatNumber(v) + (q.unit === "%" ? "%" : q.unit ? ` ${q.unit}` : "")].map(quote);
    }
    case "yes_no":
      return [tr("example.yes_no")];
    case "single_choice":
      return [quote("1"), quote(comparable(q.choices[0]!.label))];
    case "multi_choice":
      return [quote(q.choices.length >= 3 ? "1, 3" : "1, 2"), quote(comparable(q.choices[0]!.label)), tr("example.all")];
    case "part_of_total":
      return [quote("1/2"), quote("12/15")];
    case "date":
      return [quote("05/08/2023"), tr("example.today")];
    case "text":
    case "photo":
      return [];
  }
}

/** The help for a question: its text, hint, expected form, examples, skip and cancel hints. */
export function helpBlock(form: Form, q: Question, tr: Tr): string {
  const lines = [tr("help.title", { n: questionNumber(form, q.key) }), q.text.trim()];
  if (q.hint) lines.push(tr("question.hint", { hint: q.hint.trim() }));
  if (q.type === "single_choice" || q.type === "multi_choice") {
    q.choices.forEach((c, i) => lines.push(`${i + 1}. ${c.label}`));
  }
  lines.push(tr("question.expected", { expected: expectedText(q, tr) }));
  const ex = examples(q, tr);
  if (ex.length > 0) lines.push(tr("help.examples", { examples: ex.join(", ") }));
  const skip = skipHint(q);
  if (skip) lines.push(tr(skip.key, skip.params));
  lines.push(tr("help.cancel"));
  return lines.join("\n");
}

const MAX_LABEL = 90;

/**
 * A question's name for a summary row: its `label` in the plan ("Số buổi tuyên truyền"), else
 * its text shortened: polite openings ("Dạ,", "Chị cho em hỏi") and
 * parentheses dropped, cut at the first question mark, at most 90 characters.
 */
export function shortLabel(q: Question): string {
  let label = shortLabels.get(q);
  if (label === undefined) shortLabels.set(q, (label = composeShortLabel(q)));
  return label;
}

/** shortLabel of each question, made once (plans are not changed once loaded). */
const shortLabels = new WeakMap<Question, string>();

function composeShortLabel(q: Question): string {
  if (q.label?.trim()) return q.label.trim();
  let s = q.text.replace(/\s+/g, " ").trim();
  s = s.replace(/\s*\([^)]*\)/g, "");
  s = s.replace(/^(?:dạ|thưa chị|chị ơi)[,\s]+/i, "").replace(/^chị cho em hỏi\s+/i, "");
  const qm = s.indexOf("?");
  if (qm > 0) s = s.slice(0, qm + 1);
  if ([...s].length > MAX_LABEL) {
    const cut = [...s].slice(0, MAX_LABEL).join("");
    const space = cut.lastIndexOf(" ");
    s = `${(space > 40 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, "")}…`;
  }
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Rows "3. <label>: <answer>" for every question that applies, "—" when skipped. */
export function summaryLines(form: Form, state: Pick<ConversationState, "answers" | "skipped" | "original" | "mode">, tr: Tr): string[] {
  const original = state.mode === "correct" ? state.original : undefined;
  const changed = new Set(original ? diffAnswers(form, original, state.answers).map((c) => c.key) : []);
  return applicableQuestions(form, state).map((q) => {
    const params = {
      n: questionNumber(form, q.key),
      // A photo question's text asks for photos; its label says what they are ("Ảnh minh chứng").
      label: q.type === "photo" && q.label ? q.label : shortLabel(q),
      value: formatValue(q, state.answers[q.key], tr),
      old: formatValue(q, original?.[q.key], tr),
    };
    return tr(changed.has(q.key) ? "summary.changed" : "summary.line", params);
  });
}

/** "Câu 3: 5 hộ → 7 hộ" rows, for the changes of a correction. */
export function changeLines(form: Form, state: Pick<ConversationState, "answers" | "original">, tr: Tr): string[] {
  if (!state.original) return [];
  return diffAnswers(form, state.original, state.answers).map((c) => {
    const q = form.questions.find((x) => x.key === c.key);
    const fmt = (v: AnswerValue | null) => (q ? formatValue(q, v, tr) : v === null ? "—" : JSON.stringify(v));
    return tr("summary.changeLine", { n: q ? questionNumber(form, q.key) : c.key, old: fmt(c.oldValue), new: fmt(c.newValue) });
  });
}

/** The numbers shown in the summary, for "sửa N". */
export function summaryNumbers(form: Form, state: Pick<ConversationState, "answers" | "skipped">): number[] {
  return applicableQuestions(form, state).map((q) => questionNumber(form, q.key));
}
