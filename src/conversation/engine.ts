/**
 * The guided conversation: one question at a time, a numbered summary, confirm or change, then a
 * submit (or correction) effect. Pure and channel-agnostic: (state, text) → (state', replies,
 * effect?). No I/O, no clock (`today` comes in), no ids; the state is plain JSON.
 *
 * Phases (see types.ts): asking → … → confirm ⇄ pick_change / change_answer → submit.
 * A prompt may carry buttons (buttons.ts); a tap comes back through handleButton(state, action),
 * which acts as the typed answer would, or returns null for a button of another prompt.
 * At any point "hủy" / "huy" / "/huy" cancels and "?" / "giúp" shows help. Three bad answers in a
 * row to one question open the help offer (guide / answer again / cancel by the word "hủy"; a
 * valid answer typed then is taken, and a bare number never cancels).
 * handleInput never throws and never drops an earlier answer except when the person changes the
 * answer a condition depends on (then answers whose condition became false are dropped).
 */
import { currentLanguage } from "../i18n.js";
import type { Language } from "../i18n.js";
import type { Answers, Form, PhotoRef, Question } from "../plan/schema.js";
import { explainError, parseYesNo, type ParseError, type ParseResult } from "../domain/vi/index.js";
import { getT } from "../i18n.js";
import {
  applicability,
  diffAnswers,
  finalAnswers,
  isResolved,
  nextQuestion,
  prune,
  questionByKey,
  questionNumber,
  safeParseAnswer,
} from "./flow.js";
import { helpOfferChoice, isCancel, isChangeWord, isDone, isHelp, isKeep, isSubmit, pickNumber, splitNumbered } from "./intents.js";
import { looksLikePastedReport, parsePastedReport, type PasteResult } from "./paste.js";
import { formForPeriod, reopenCommand } from "./period-words.js";
import {
  changeLines,
  formatValue,
  helpBlock,
  questionBlock,
  summaryLines,
  summaryNumbers,
  translator,
  type Tr,
} from "./render.js";
import { buttonsFor, parseAction } from "./buttons.js";
import { jsonCopy } from "./json-copy.js";
import {
  PHASES,
  type ButtonAction,
  type ConversationState,
  type CorrectionContext,
  type InputOptions,
  type PhotoInput,
  type Reply,
  type StartContext,
  type Step,
  type TextOptions,
} from "./types.js";

/** Bad answers in a row before the help offer. */
export const MAX_FAILURES = 3;

export interface HandleOptions extends InputOptions {
  form: Form;
}

const ask = (text: string): Reply => ({ text, expectsAnswer: true });
const say = (text: string): Reply => ({ text, expectsAnswer: false });

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function formTitle(form: Form): string {
  return form.shortTitle ?? form.title;
}

function titleParams(state: Pick<ConversationState, "formTitle" | "periodLabel" | "unitName">) {
  return { form: state.formTitle, period: state.periodLabel, unit: state.unitName };
}

function baseState(form: Form, ctx: StartContext, mode: ConversationState["mode"]): ConversationState {
  return {
    v: 1,
    mode,
    ...(ctx.planKey !== undefined ? { planKey: String(ctx.planKey) } : {}),
    formKey: form.key,
    formTitle: formTitle(form),
    periodKey: String(ctx.periodKey),
    periodLabel: String(ctx.periodLabel),
    ...(ctx.periodPast === true ? { periodPast: true } : {}),
    unitId: Number(ctx.unitId),
    unitName: String(ctx.unitName),
    answers: {},
    skipped: [],
    phase: "asking",
    questionKey: null,
    failures: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Prompts

function exampleNumber(form: Form, state: ConversationState): number {
  const numbers = summaryNumbers(form, state);
  return numbers[Math.min(2, numbers.length - 1)] ?? 1;
}

function summaryText(form: Form, state: ConversationState, tr: Tr): string {
  const lines = summaryLines(form, state, tr);
  const example = exampleNumber(form, state);
  if (state.mode === "report") {
    return [tr("summary.title", titleParams(state)), ...lines, "", tr("summary.confirm", { example })].join("\n");
  }
  const changes = changeLines(form, state, tr);
  const tail =
    changes.length > 0
      ? [tr("summary.changes", { count: changes.length }), ...changes, "", tr("summary.confirmCorrect", { example })]
      : [tr("summary.noChanges"), tr("summary.pickCorrect", { example })];
  return [tr("summary.titleCorrect", titleParams(state)), ...lines, "", ...tail].join("\n");
}

function changeText(form: Form, state: ConversationState, q: Question, tr: Tr): string {
  const current = hasOwn(state.answers, q.key) ? formatValue(q, state.answers[q.key], tr) : formatValue(q, null, tr);
  return [
    tr("change.intro", { n: questionNumber(form, q.key), value: current }),
    questionBlock(form, q, tr),
    tr("question.keep"),
  ].join("\n");
}

/**
 * Whether a bare "1" or "2" is a valid answer to the question (a count, a choice, a text): then
 * the help offer names its choices by words, since a typed number is read as her answer.
 */
function numbersAnswer(q: Question): boolean {
  return q.type === "text" || ["1", "2"].some((x) => safeParseAnswer(q, x, { today: "2000-01-01" }).ok);
}

/**
 * The help offer: the guide, answering again, and cancelling — which takes the word "hủy", never
 * a number. Numbered (1, 2) when those numbers cannot be answers to the question, else in words.
 */
function offerText(form: Form, q: Question | undefined, tr: Tr): string {
  const lines = [tr("offer.title")];
  if (!q || !numbersAnswer(q)) lines.push(tr("offer.guide"), tr("offer.retry"));
  else lines.push(tr("offer.guideWord"), tr("offer.retryWord", { n: questionNumber(form, q.key) }));
  lines.push(tr("offer.cancel"));
  return lines.join("\n");
}

/** The prompt of the state as it is: the current question, the offer, the summary. */
function promptText(form: Form, state: ConversationState, tr: Tr): string {
  const q = questionByKey(form, state.questionKey);
  switch (state.phase) {
    case "asking":
      return q ? questionBlock(form, q, tr) : summaryText(form, state, tr);
    case "change_answer":
      return q ? changeText(form, state, q, tr) : summaryText(form, state, tr);
    case "help_offer":
      return offerText(form, q, tr);
    case "confirm":
      return summaryText(form, state, tr);
    case "pick_change":
      return state.mode === "correct"
        ? summaryText(form, state, tr)
        : tr("pick.ask", { example: exampleNumber(form, state), numbers: summaryNumbers(form, state).join(", ") });
  }
}

// ---------------------------------------------------------------------------------------------
// Transitions

/** Asks the next question that applies and has no answer, or shows the summary. */
function advance(form: Form, state: ConversationState, tr: Tr, before: Reply[] = []): Step {
  const next = nextQuestion(form, state);
  const s: ConversationState = { ...state, failures: 0 };
  delete s.changeKey;
  delete s.picked;
  delete s.photos;
  if (next) {
    s.phase = "asking";
    s.questionKey = next.key;
    return { state: s, replies: [...before, ask(questionBlock(form, next, tr))] };
  }
  s.phase = "confirm";
  s.questionKey = null;
  return { state: s, replies: [...before, ask(summaryText(form, s, tr))] };
}

function toSummary(form: Form, state: ConversationState, tr: Tr): Step {
  const s: ConversationState = { ...state, phase: "confirm", questionKey: null, failures: 0 };
  delete s.changeKey;
  delete s.picked;
  delete s.photos;
  return { state: s, replies: [ask(summaryText(form, s, tr))] };
}

/** Records a valid parse (an answer or a skip) and drops answers whose condition became false. */
function record(form: Form, state: ConversationState, q: Question, r: Exclude<ParseResult, { ok: false }>): ConversationState {
  const answers: Answers = { ...state.answers };
  let skipped = state.skipped.filter((k) => k !== q.key);
  if (r.skipped) {
    delete answers[q.key];
    skipped = [...skipped, q.key];
  } else {
    answers[q.key] = r.value;
  }
  const s: ConversationState = { ...state, ...prune(form, { answers, skipped }) };
  delete s.picked;
  delete s.photos;
  return s;
}

function failure(form: Form, state: ConversationState, q: Question, error: ParseError, tr: Tr, lng: Language): Step {
  const failures = state.failures + 1;
  const explained = explainError(q, error, getT(lng));
  if (failures >= MAX_FAILURES) {
    return { state: { ...state, phase: "help_offer", failures }, replies: [ask(`${explained}\n\n${offerText(form, q, tr)}`)] };
  }
  return { state: { ...state, failures }, replies: [ask(explained)] };
}

function cancel(state: ConversationState, tr: Tr): Step {
  const key = state.mode === "correct" ? "cancelledCorrect" : "cancelled";
  const params = { ...titleParams(state), command: reopenCommand(state, tr) };
  return { state: null, replies: [say(tr(key, params))], effect: { type: "cancelled" } };
}

function finish(form: Form, state: ConversationState, tr: Tr): Step {
  const answers = finalAnswers(form, state);
  if (state.mode === "report") return { state: null, replies: [], effect: { type: "submit", answers } };
  const changes = diffAnswers(form, state.original ?? {}, answers);
  if (changes.length === 0) return { state: null, replies: [say(tr("noChangeEnd"))] };
  return { state: null, replies: [], effect: { type: "correct", answers, changes } };
}

function startChange(form: Form, state: ConversationState, n: number, tr: Tr): Step {
  const numbers = summaryNumbers(form, state);
  const q = form.questions[n - 1];
  if (!q || !numbers.includes(n)) {
    return { state, replies: [ask(tr("pick.unknown", { n, numbers: numbers.join(", ") }))] };
  }
  const s: ConversationState = { ...state, phase: "change_answer", questionKey: q.key, changeKey: q.key, failures: 0 };
  return { state: s, replies: [ask(changeText(form, s, q, tr))] };
}

/** "sửa 3: 7", "3. 7" from the summary: change in one message. */
function inlineEdit(form: Form, state: ConversationState, n: number, value: string, opts: HandleOptions, tr: Tr, lng: Language): Step {
  const entered = startChange(form, state, n, tr);
  const s = entered.state;
  if (!s || s.phase !== "change_answer") return entered;
  const q = questionByKey(form, s.changeKey)!;
  const r = safeParseAnswer(q, value, { today: opts.today });
  if (r.ok) return advance(form, record(form, s, q, r), tr);
  return failure(form, s, q, r.error, tr, lng);
}

/** Problems and missing answers of a paste, as one reply, or null when there is nothing to say. */
function pasteReport(form: Form, pr: PasteResult, state: ConversationState, tr: Tr): Reply | null {
  const rows: string[] = [];
  for (const p of pr.problems) {
    if (hasOwn(state.answers, p.key)) {
      const q = questionByKey(form, p.key)!;
      rows.push(tr("paste.problemKept", { n: p.questionNumber, message: p.message, value: formatValue(q, state.answers[p.key], tr) }));
    } else {
      rows.push(tr("paste.problem", { n: p.questionNumber, message: p.message }));
    }
  }
  for (const key of pr.missing) {
    if (!isResolved(state, key)) rows.push(tr("paste.missing", { n: questionNumber(form, key) }));
  }
  if (rows.length === 0) return null;
  const count = Object.keys(pr.answers).length + pr.skipped.length;
  return say([tr("paste.partial", { count }), ...rows].join("\n"));
}

/** Merges a pasted report into a conversation: new valid answers win, unreadable ones keep the old. */
function mergePaste(form: Form, state: ConversationState, text: string, opts: HandleOptions, tr: Tr, lng: Language): Step {
  const pr = parsePastedReport(form, text, { today: opts.today, lng });
  const answers: Answers = { ...state.answers, ...pr.answers };
  const skipped = [
    ...state.skipped.filter((k) => !hasOwn(pr.answers, k)),
    ...pr.skipped.filter((k) => !hasOwn(state.answers, k)),
  ];
  const merged: ConversationState = { ...state, ...prune(form, { answers, skipped }) };
  const report = pasteReport(form, pr, merged, tr);
  return advance(form, merged, tr, report ? [report] : [say(tr("paste.merged", { count: pr.recognized }))]);
}

// ---------------------------------------------------------------------------------------------
// State repair (a stored state may be old, hand-edited, or from a plan that changed since)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sanitize(input: unknown, form: Form): ConversationState {
  const s = isPlainObject(input) ? input : {};
  const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);
  const state: ConversationState = {
    v: 1,
    mode: s.mode === "correct" ? "correct" : "report",
    ...(typeof s.planKey === "string" ? { planKey: s.planKey } : {}),
    formKey: str(s.formKey, form.key),
    formTitle: str(s.formTitle, formTitle(form)),
    periodKey: str(s.periodKey),
    periodLabel: str(s.periodLabel),
    ...(s.periodPast === true ? { periodPast: true } : {}),
    unitId: typeof s.unitId === "number" ? s.unitId : Number(s.unitId) || 0,
    unitName: str(s.unitName),
    answers: isPlainObject(s.answers) ? jsonCopy(s.answers as Answers) : {},
    skipped: Array.isArray(s.skipped) ? [...new Set(s.skipped.filter((k): k is string => typeof k === "string"))] : [],
    phase: PHASES.includes(s.phase as never) ? (s.phase as ConversationState["phase"]) : "asking",
    questionKey: typeof s.questionKey === "string" ? s.questionKey : null,
    failures: typeof s.failures === "number" && Number.isInteger(s.failures) && s.failures >= 0 ? s.failures : 0,
  };
  if (state.mode === "correct") state.original = isPlainObject(s.original) ? jsonCopy(s.original as Answers) : {};
  if (typeof s.changeKey === "string") state.changeKey = s.changeKey;
  if (Array.isArray(s.photos)) {
    const q = questionByKey(form, state.questionKey);
    if (q?.type === "photo") state.photos = s.photos.filter(isPhotoRef).slice(0, q.max).map((p) => jsonCopy(p));
  }
  if (typeof s.photoGroup === "string") state.photoGroup = s.photoGroup;
  if (Array.isArray(s.picked)) {
    const q = questionByKey(form, state.questionKey);
    if (q?.type === "multi_choice") {
      const keys = new Set(s.picked);
      state.picked = q.choices.map((c) => c.key).filter((k) => keys.has(k));
    }
  }
  return state;
}

/** null when the state is consistent with the form; otherwise the repaired state. */
function repair(form: Form, state: ConversationState): ConversationState | null {
  const status = applicability(form, state);
  const applies = (key: string | null | undefined) => key !== null && key !== undefined && status.get(key) === "yes";
  const next = nextQuestion(form, state, status);
  switch (state.phase) {
    case "asking":
      if (applies(state.questionKey) && !isResolved(state, state.questionKey!) && next?.key === state.questionKey) return null;
      break;
    case "help_offer":
      if (state.changeKey !== undefined ? applies(state.changeKey) && state.questionKey === state.changeKey : applies(state.questionKey) && next?.key === state.questionKey)
        return null;
      break;
    case "change_answer":
      if (applies(state.changeKey) && state.questionKey === state.changeKey) return null;
      break;
    case "confirm":
    case "pick_change":
      if (state.mode === "correct" || next === null) return null;
      break;
  }
  // Back to the first question without an answer, or to the summary.
  const s: ConversationState = { ...state, failures: 0 };
  delete s.changeKey;
  delete s.picked;
  if (next) return { ...s, phase: "asking", questionKey: next.key };
  return { ...s, phase: state.mode === "correct" ? "pick_change" : "confirm", questionKey: null };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Starts a new report: a short introduction and the first question. */
export function startReport(form: Form, ctx: StartContext, opts: TextOptions = {}): Step {
  const tr = translator(opts.lng);
  const state = baseState(form, ctx, "report");
  const intro = say(tr("intro", { ...titleParams(state), count: form.questions.length }));
  const asked = formForPeriod(form, state, tr);
  return withButtons(asked, advance(asked, state, tr, [intro]), tr);
}

/** Starts correcting a stored report: its numbered summary and "which number to change?". */
export function startCorrection(original: Form, ctx: CorrectionContext, opts: TextOptions = {}): Step {
  const tr = translator(opts.lng);
  const form = formForPeriod(original, { periodKey: String(ctx.periodKey), periodPast: ctx.periodPast === true }, tr);
  const existing = isPlainObject(ctx.existing) ? jsonCopy(ctx.existing) : {};
  const status = applicability(form, { answers: existing, skipped: [] });
  const skipped = form.questions
    .filter((q) => q.optional && status.get(q.key) === "yes" && !hasOwn(existing, q.key))
    .map((q) => q.key);
  const state: ConversationState = {
    ...baseState(form, ctx, "correct"),
    answers: existing,
    skipped,
    original: jsonCopy(existing),
    phase: "pick_change",
  };
  return withButtons(form, { state, replies: [ask(summaryText(form, state, tr))] }, tr);
}

/**
 * Starts a report from a whole report pasted in one message. All valid: straight to the summary.
 * Otherwise one reply about what is wrong or missing, then only those questions are asked.
 */
export function startFromPaste(original: Form, ctx: StartContext, text: string, opts: InputOptions): Step {
  const lng = opts.lng ?? currentLanguage();
  const tr = translator(lng);
  const state = baseState(original, ctx, "report");
  const form = formForPeriod(original, state, tr);
  try {
    const pr = parsePastedReport(form, text, { today: opts.today, lng });
    if (pr.recognized === 0) return withButtons(form, advance(form, state, tr, [say(tr("paste.nothing"))]), tr);
    const filled: ConversationState = { ...state, ...prune(form, { answers: pr.answers, skipped: pr.skipped }) };
    const report = pasteReport(form, pr, filled, tr);
    return withButtons(form, advance(form, filled, tr, report ? [report] : [say(tr("paste.allValid"))]), tr);
  } catch {
    return startReport(original, ctx, { lng });
  }
}

/** One message of the person in the conversation. Never throws. */
export function handleInput(state: ConversationState, text: string, opts: HandleOptions): Step {
  const lng = opts.lng ?? currentLanguage();
  const tr = translator(lng);
  try {
    return withButtons(opts.form, handle(state, typeof text === "string" ? text : "", opts, tr, lng), tr);
  } catch {
    return { state, replies: [ask(tr("fallback"))] };
  }
}

/** Puts the buttons of the step's state on its last reply when that reply asks for an answer. */
function withButtons(form: Form, step: Step, tr: Tr): Step {
  const last = step.replies.at(-1);
  if (!step.state || !last?.expectsAnswer) return step;
  const buttons = buttonsFor(form, step.state, tr);
  if (!buttons) return step;
  return { ...step, replies: [...step.replies.slice(0, -1), { ...last, buttons }] };
}

/** "✓ Câu 3: Có" before what comes next, so that the tapped answer shows in the chat. */
function acknowledged(form: Form, q: Question, state: ConversationState, step: Step, tr: Tr): Step {
  const value = hasOwn(state.answers, q.key) ? formatValue(q, state.answers[q.key], tr) : tr("buttons.skipped");
  const line = tr("buttons.ack", { n: questionNumber(form, q.key), value });
  const [first, ...rest] = step.replies;
  if (!first) return step;
  return { ...step, replies: [{ ...first, text: `${line}\n${first.text}` }, ...rest] };
}

/**
 * A tap on a button of the prompt the state is at (see ButtonAction). Returns null when the action
 * does not belong to that prompt (an old keyboard, a forged action): the caller says so and
 * changes nothing. Otherwise it acts as the typed answer would; an answer is acknowledged in the
 * same message as what comes next. Never throws.
 */
export function handleButton(state: ConversationState, action: ButtonAction, opts: HandleOptions): Step | null {
  const lng = opts.lng ?? currentLanguage();
  const tr = translator(lng);
  try {
    const form = formForPeriod(opts.form, state, tr);
    const step = button(state, action, form, tr, lng);
    return step && withButtons(form, step, tr);
  } catch {
    return null;
  }
}

function button(raw: ConversationState, action: ButtonAction, form: Form, tr: Tr, lng: Language): Step | null {
  const a = parseAction(action);
  if (!a) return null;
  const state = sanitize(raw, form);
  if (repair(form, state)) return null;
  if (state.phase === "confirm") {
    if (a.kind === "g") return finish(form, state, tr);
    if (a.kind === "x") return cancel(state, tr);
    if (a.kind === "e") {
      const s: ConversationState = { ...state, phase: "pick_change" };
      return { state: s, replies: [ask(tr("pick.ask", { example: exampleNumber(form, s), numbers: summaryNumbers(form, s).join(", ") }))] };
    }
    return null;
  }
  if (state.phase === "help_offer") {
    const q = questionByKey(form, state.questionKey);
    if (!q || a.kind !== "o") return null;
    const back: ConversationState = { ...state, phase: state.changeKey !== undefined ? "change_answer" : "asking", failures: 0 };
    if (a.index === 1) return { state: back, replies: [ask(helpBlock(form, q, tr))] };
    if (a.index === 2) return { state: back, replies: [ask(promptText(form, back, tr))] };
    if (a.index === 3) return cancel(state, tr);
    return null;
  }
  if (state.phase === "pick_change") {
    if (a.kind === "k") return toSummary(form, state, tr);
    if (a.kind === "p" && summaryNumbers(form, state).includes(a.index!)) return startChange(form, state, a.index!, tr);
    return null;
  }
  if (state.phase !== "asking" && state.phase !== "change_answer") return null;
  const q = questionByKey(form, state.questionKey);
  if (!q) return null;
  const answer = (r: Exclude<ParseResult, { ok: false }>): Step => {
    const recorded = record(form, state, q, r);
    return acknowledged(form, q, recorded, advance(form, recorded, tr), tr);
  };
  switch (a.kind) {
    case "s":
      return q.optional ? answer({ ok: true, value: null, skipped: true }) : null;
    case "k":
      return state.phase === "change_answer" ? toSummary(form, state, tr) : null;
    case "y":
    case "n":
      return q.type === "yes_no" ? answer({ ok: true, value: a.kind === "y" }) : null;
    case "c": {
      const choice = q.type === "single_choice" ? q.choices[a.index!] : undefined;
      return choice ? answer({ ok: true, value: choice.key }) : null;
    }
    case "t": {
      const choice = q.type === "multi_choice" ? q.choices[a.index!] : undefined;
      if (!choice || q.type !== "multi_choice") return null;
      const picked = new Set(state.picked ?? []);
      if (picked.has(choice.key)) picked.delete(choice.key);
      else picked.add(choice.key);
      const s: ConversationState = { ...state, picked: q.choices.map((c) => c.key).filter((k) => picked.has(k)) };
      return { state: s, replies: [], buttons: buttonsFor(form, s, tr)! };
    }
    case "d": {
      if (q.type === "photo") {
        const count = (state.photos ?? []).length;
        const keepsOld = state.phase === "change_answer" && hasOwn(state.answers, q.key);
        if (count === 0 && !q.optional && !keepsOld) return { state, replies: [], notice: tr("photo.needOne") };
        const done = photosDone(form, state, q, tr, lng);
        return count === 0 && keepsOld ? done : acknowledged(form, q, done.state ?? state, done, tr);
      }
      if (q.type !== "multi_choice") return null;
      const picked = state.picked ?? [];
      if (picked.length > 0) return answer({ ok: true, value: [...picked] });
      if (q.optional) return answer({ ok: true, value: null, skipped: true });
      return { state, replies: [], notice: tr("buttons.pickOne") };
    }
  }
  return null;
}

function handle(raw: ConversationState, text: string, opts: HandleOptions, tr: Tr, lng: Language): Step {
  const input = text.normalize("NFC").replace(/[\u200b-\u200d\u2060\ufeff]/g, "");
  let state = sanitize(raw, opts.form);
  const form = formForPeriod(opts.form, state, tr);
  if (isCancel(input)) return cancel(state, tr);
  const repaired = repair(form, state);
  if (repaired) {
    // The plan or the stored state changed under the person: show where we are instead of guessing.
    state = repaired;
    return { state, replies: [ask(promptText(form, state, tr))] };
  }
  const q = questionByKey(form, state.questionKey);
  if (isHelp(input)) {
    if (q && (state.phase === "asking" || state.phase === "change_answer" || state.phase === "help_offer")) {
      const phase = state.changeKey !== undefined ? "change_answer" : "asking";
      return { state: { ...state, phase, failures: 0 }, replies: [ask(helpBlock(form, q, tr))] };
    }
    return { state, replies: [ask(`${tr("help.summary", { example: exampleNumber(form, state) })}`)] };
  }
  switch (state.phase) {
    case "asking":
    case "change_answer": {
      if (!q) return advance(form, state, tr);
      if (state.phase === "change_answer" && isKeep(input)) return toSummary(form, state, tr);
      if (q.type === "photo" && isDone(input)) return photosDone(form, state, q, tr, lng);
      if (q.type !== "text" && looksLikePastedReport(input, form)) return mergePaste(form, state, input, opts, tr, lng);
      const r = safeParseAnswer(q, input, { today: opts.today });
      if (r.ok) return advance(form, record(form, state, q, r), tr);
      return failure(form, state, q, r.error, tr, lng);
    }
    case "help_offer": {
      if (!q) return advance(form, state, tr);
      const back: ConversationState = { ...state, phase: state.changeKey !== undefined ? "change_answer" : "asking", failures: 0 };
      // A valid answer to the question wins over a choice typed as a number ("3" buổi is an
      // answer, not "3. Hủy"); words ("xem hướng dẫn", "trả lời lại") are choices.
      const pick = helpOfferChoice(input);
      if (pick && !pick.byNumber) {
        if (pick.choice === "guide") return { state: back, replies: [ask(helpBlock(form, q, tr))] };
        if (pick.choice === "retry") return { state: back, replies: [ask(promptText(form, back, tr))] };
        return cancel(state, tr);
      }
      if (q.type === "photo" && isDone(input)) return photosDone(form, back, q, tr, lng);
      const r = safeParseAnswer(q, input, { today: opts.today });
      if (r.ok) return advance(form, record(form, back, q, r), tr);
      if (pick?.choice === "guide") return { state: back, replies: [ask(helpBlock(form, q, tr))] };
      if (pick?.choice === "retry") return { state: back, replies: [ask(promptText(form, back, tr))] };
      // A bare "3" never cancels: the report stays, and she is told to type the word.
      const again = pick?.choice === "cancel" ? "offer.cancelByWord" : numbersAnswer(q) ? "offer.againWords" : "offer.again";
      return { state, replies: [ask(`${tr(again)}\n${offerText(form, q, tr)}`)] };
    }
    case "confirm":
    case "pick_change": {
      if (looksLikePastedReport(input, form)) return mergePaste(form, state, input, opts, tr, lng);
      const numbered = splitNumbered(input);
      if (numbered && numbered.value !== "") return inlineEdit(form, state, numbered.n, numbered.value, opts, tr, lng);
      const n = numbered ? numbered.n : pickNumber(input);
      if (n !== null) return startChange(form, state, n, tr);
      if (isSubmit(input)) return finish(form, state, tr);
      if (state.phase === "confirm") {
        const yn = parseYesNo(input);
        if (yn === true) return finish(form, state, tr);
        if (yn === false || isChangeWord(input)) {
          const s: ConversationState = { ...state, phase: "pick_change" };
          return {
            state: s,
            replies: [ask(tr("pick.ask", { example: exampleNumber(form, s), numbers: summaryNumbers(form, s).join(", ") }))],
          };
        }
        return { state, replies: [ask(tr("confirm.notUnderstood", { example: exampleNumber(form, state) }))] };
      }
      if (isKeep(input) || parseYesNo(input) === false) return toSummary(form, state, tr);
      return {
        state,
        replies: [ask(tr("pick.again", { example: exampleNumber(form, state), numbers: summaryNumbers(form, state).join(", ") }))],
      };
    }
  }
  return { state, replies: [ask(promptText(form, state, tr))] };
}

/** What to say when the person comes back to an open conversation: where we are, then the prompt. */
export function resumeText(state: ConversationState, opts: TextOptions & { form: Form }): string {
  const tr = translator(opts.lng);
  try {
    const s = sanitize(state, opts.form);
    const form = formForPeriod(opts.form, s, tr);
    const current = repair(form, s) ?? s;
    return `${tr(current.mode === "correct" ? "resumeCorrect" : "resume", titleParams(current))}\n\n${promptText(form, current, tr)}`;
  } catch {
    return tr("fallback");
  }
}

/** The polite notice when an unanswered conversation expires (the app decides when). */
export function expiredNotice(state: ConversationState, opts: TextOptions = {}): string {
  const tr = translator(opts.lng);
  const s = isPlainObject(state) ? state : ({} as Partial<ConversationState>);
  const params = {
    form: typeof s.formTitle === "string" ? s.formTitle : "",
    period: typeof s.periodLabel === "string" ? s.periodLabel : "",
    unit: typeof s.unitName === "string" ? s.unitName : "",
    command: reopenCommand({ periodKey: typeof s.periodKey === "string" ? s.periodKey : "", mode: s.mode === "correct" ? "correct" : "report" }, tr),
  };
  return tr(s.mode === "correct" ? "expiredCorrect" : "expired", params);
}

// ---------------------------------------------------------------------------------------------
// Photos

function isPhotoRef(v: unknown): v is PhotoRef {
  if (!isPlainObject(v)) return false;
  const ok = (x: unknown) => typeof x === "string" && x.length > 0 && x.length <= 2048;
  return ok(v.channel) && ok(v.fileId) && ok(v.uniqueId) && (v.size === undefined || typeof v.size === "number") && (v.mime === undefined || typeof v.mime === "string");
}

/**
 * "Xong" on a photo question: the photos received become the answer. None yet: a skip when the
 * question is optional, the old answer when changing one, else she is asked for a photo first.
 */
function photosDone(form: Form, state: ConversationState, q: Extract<Question, { type: "photo" }>, tr: Tr, lng: Language): Step {
  const photos = state.photos ?? [];
  if (photos.length > 0) return advance(form, record(form, state, q, { ok: true, value: photos }), tr);
  if (state.phase === "change_answer" && hasOwn(state.answers, q.key)) return toSummary(form, state, tr);
  if (q.optional) return advance(form, record(form, state, q, { ok: true, value: null, skipped: true }), tr);
  return { state: { ...state, failures: 0 }, replies: [ask(explainError(q, { code: "photo_required", params: {} }, getT(lng)))] };
}

/**
 * A photo she sent while the conversation is open. At a photo question it is kept (each file
 * once: a photo delivered twice counts once); reaching the question's maximum records the answer
 * and goes on. Each photo is acknowledged, except the 2nd, 3rd… of one album (they arrive as
 * separate messages at once). A photo of the same album as the last one, arriving after its
 * question ended (an album longer than the maximum), is ignored silently: the note that ended the
 * question said so. Returns null when no photo is asked (the caller answers with its usual note).
 * Never throws.
 */
export function handlePhoto(state: ConversationState, input: PhotoInput, opts: HandleOptions): Step | null {
  const lng = opts.lng ?? currentLanguage();
  const tr = translator(lng);
  try {
    const form = formForPeriod(opts.form, state, tr);
    const s0 = sanitize(state, form);
    if (!isPhotoRef(input?.ref) || repair(form, s0)) return null;
    const group = typeof input.group === "string" && input.group !== "" ? input.group : undefined;
    const q = questionByKey(form, s0.questionKey);
    const asking = s0.phase === "asking" || s0.phase === "change_answer" || s0.phase === "help_offer";
    if (!q || q.type !== "photo" || !asking) {
      return group !== undefined && group === s0.photoGroup ? { state: s0, replies: [] } : null;
    }
    const s: ConversationState =
      s0.phase === "help_offer" ? { ...s0, phase: s0.changeKey !== undefined ? "change_answer" : "asking", failures: 0 } : { ...s0, failures: 0 };
    const photos = s.photos ?? [];
    const ref: PhotoRef = jsonCopy(input.ref);
    if (photos.some((p) => p.channel === ref.channel && p.uniqueId === ref.uniqueId)) return { state: s0, replies: [] };
    const next = [...photos, ref];
    const sameAlbum = group !== undefined && group === s.photoGroup;
    if (group !== undefined) s.photoGroup = group;
    else delete s.photoGroup;
    if (next.length >= q.max) {
      const recorded = record(form, s, q, { ok: true, value: next });
      return withButtons(form, advance(form, recorded, tr, [say(tr("photo.full", { max: q.max, n: questionNumber(form, q.key) }))]), tr);
    }
    const after: ConversationState = { ...s, photos: next };
    if (sameAlbum) return { state: after, replies: [] };
    const text = tr(group !== undefined ? "photo.receivedAlbum" : "photo.received", { count: next.length, max: q.max });
    return withButtons(form, { state: after, replies: [ask(text)] }, tr);
  } catch {
    return null;
  }
}
