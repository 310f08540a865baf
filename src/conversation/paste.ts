/**
 * A whole report pasted in one message. Pure.
 *
 * Lines are numbered ("1. 5", "2) co", "3: 1,3", "Câu 4: 12/15", "1/ có") with the question's
 * number in the form, or "key: value" where key is the question key ("so_buoi", "so buoi") or a
 * recognisable part of the question text, typed with or without diacritics ("Số người tham dự").
 * Lines that follow a text or multi-choice answer without a number continue it (a note on several
 * lines, choices one per line); other lines are ignored (a greeting, a title).
 *
 * Every answer is validated with parseAnswer like a typed one. Conditions (askIf) are applied:
 * an answer to a question whose condition is false is dropped. Optional questions left out are
 * recorded as skipped; required questions left out are `missing`.
 */
import { currentLanguage } from "../i18n.js";
import type { Answers, Form, Question } from "../plan/schema.js";
import type { Language } from "../i18n.js";
import { comparable, explainError } from "../domain/vi/index.js";
import { getT } from "../i18n.js";
import { applicability, questionNumber, safeParseAnswer } from "./flow.js";
import { splitKeyValue, splitNumbered } from "./intents.js";

export interface PasteProblem {
  key: string;
  questionNumber: number;
  /** What is wrong and what is expected, in the conversation's language. */
  message: string;
}

export interface PasteResult {
  /** Valid answers (to questions that apply, or may apply once a problem is fixed). */
  answers: Answers;
  /** Optional questions skipped ("bỏ qua") or left out. */
  skipped: string[];
  /** Answers that could not be read, in form order. */
  problems: PasteProblem[];
  /** Required questions that apply and were not answered, in form order. */
  missing: string[];
  /** How many questions the message gave a value for. */
  recognized: number;
  /** Lines that looked like answers but match no question ("12. …" on a 9-question form). */
  ignored: string[];
}

export interface PasteOptions {
  /** Reference day "YYYY-MM-DD" for dates. */
  today: string;
  lng?: Language;
}

function wordPrefixesInOrder(typed: readonly string[], target: readonly string[]): boolean {
  let j = 0;
  for (const w of typed) {
    while (j < target.length && !target[j]!.startsWith(w)) j++;
    if (j === target.length) return false;
    j++;
  }
  return true;
}

/** The question a "key: value" line is about, or null (unknown or ambiguous). */
export function resolveKey(form: Form, keyText: string): Question | null {
  const c = comparable(keyText);
  if (c === "") return null;
  const typed = c.split(" ");
  const letters = c.replace(/ /g, "").length;
  const unique = (list: Question[]): Question | null | undefined =>
    list.length === 1 ? list[0]! : list.length > 1 ? null : undefined;
  const tiers: Array<(q: Question) => boolean> = [
    (q) => q.key === c.replace(/ /g, "_"),
    (q) => comparable(q.text) === c,
    // "Số buổi tuyên truyền: 4", the summary's own line copied back
    (q) => q.label !== undefined && comparable(q.label) === c,
  ];
  if (letters >= 3) {
    tiers.push(
      // "so buoi" → so_buoi; "phat hien" → phat_hien_blgd
      (q) => wordPrefixesInOrder(typed, q.key.split("_")),
      // "so nguoi tham du" → so_nguoi (every word of the key typed, in order)
      (q) => q.key.split("_").every((k) => typed.includes(k)) && wordPrefixesInOrder(q.key.split("_"), typed),
    );
  }
  if (typed.length >= 2) tiers.push((q) => ` ${comparable(q.text)} `.includes(` ${c} `));
  for (const tier of tiers) {
    const found = unique(form.questions.filter(tier));
    if (found !== undefined) return found;
  }
  return null;
}

interface Item {
  question: Question;
  value: string;
}

/** Attributes the lines of a message to questions (the last line for a question wins). */
function items(form: Form, text: string): { items: Map<string, Item>; ignored: string[] } {
  const found = new Map<string, Item>();
  const ignored: string[] = [];
  let current: Item | null = null;
  for (const raw of String(text).replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const numbered = splitNumbered(line);
    let question: Question | null = null;
    let value = "";
    if (numbered) {
      question = form.questions[numbered.n - 1] ?? null;
      value = numbered.value;
      if (!question) {
        ignored.push(line);
        current = null;
        continue;
      }
    } else {
      const kv = splitKeyValue(line);
      const q = kv ? resolveKey(form, kv.key) : null;
      if (kv && q) {
        question = q;
        value = kv.value;
      }
    }
    if (question) {
      current = { question, value };
      found.set(question.key, current);
      continue;
    }
    if (current && (current.question.type === "text" || current.question.type === "multi_choice")) {
      current.value = current.value === "" ? line : `${current.value}\n${line}`;
    } else if (current) {
      ignored.push(line);
    }
  }
  // "3:" with nothing after it is "not answered".
  for (const [key, item] of found) if (item.value.trim() === "") found.delete(key);
  return { items: found, ignored };
}

/** Reads a pasted report. Never throws. */
export function parsePastedReport(form: Form, text: string, opts: PasteOptions): PasteResult {
  const tr = getT(opts.lng ?? currentLanguage());
  const { items: given, ignored } = items(form, typeof text === "string" ? text : "");
  const answers: Answers = {};
  const skipped: string[] = [];
  const problems: PasteProblem[] = [];
  const unreadable = new Set<string>();
  // In form order, so that conditions see the answers before them.
  for (const q of form.questions) {
    const status = applicability(form, { answers, skipped: [...skipped] }).get(q.key);
    // A question depending on an unreadable answer is "unknown": its answer is kept tentatively.
    const refUnreadable = q.askIf !== undefined && unreadable.has(q.askIf.question);
    if (status === "no" && !refUnreadable) continue;
    const item = given.get(q.key);
    if (!item) {
      if (refUnreadable || status === "unknown") {
        unreadable.add(q.key);
        continue;
      }
      if (q.optional) skipped.push(q.key);
      continue;
    }
    const r = safeParseAnswer(q, item.value, { today: opts.today });
    if (!r.ok) {
      unreadable.add(q.key);
      problems.push({ key: q.key, questionNumber: questionNumber(form, q.key), message: explainError(q, r.error, tr) });
    } else if (r.skipped) {
      skipped.push(q.key);
    } else {
      answers[q.key] = r.value;
    }
  }
  const missing = form.questions
    .filter((q) => !q.optional && !unreadable.has(q.key) && !Object.prototype.hasOwnProperty.call(answers, q.key))
    .filter((q) => applicability(form, { answers, skipped }).get(q.key) === "yes")
    .map((q) => q.key);
  return { answers, skipped, problems, missing, recognized: given.size, ignored };
}

/**
 * True when a message has at least 2 lines shaped like answers: numbered ("1. 5", "2) co") or
 * "key: value". With a form, "key: value" lines count only when the key names a question.
 */
export function looksLikePastedReport(text: string, form?: Form): boolean {
  if (typeof text !== "string") return false;
  const seen = new Set<string>();
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const numbered = splitNumbered(line);
    if (numbered && numbered.value !== "" && numbered.n >= 1 && numbered.n <= (form ? form.questions.length : 99)) {
      seen.add(`#${numbered.n}`);
      continue;
    }
    const kv = splitKeyValue(line);
    if (!kv || kv.value === "") continue;
    if (form) {
      const q = resolveKey(form, kv.key);
      if (q) seen.add(`#${questionNumber(form, q.key)}`);
    } else if (kv.key.split(/\s+/).length <= 6) {
      seen.add(`k:${comparable(kv.key)}`);
    }
  }
  return seen.size >= 2;
}
