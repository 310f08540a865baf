/**
 * The guided-conversation engine: channel-agnostic, pure (no I/O, no store, no clock).
 *
 *   let step = startReport(form, { unitId, unitName, periodKey, periodLabel });
 *   // store step.state as JSON, send step.replies (expectsAnswer → ask the person to reply)
 *   step = handleInput(step.state!, text, { form, today: "2024-05-18" });
 *   // step.state === null → finished; step.effect: submit | correct | cancelled
 *
 * Also: startCorrection (change a stored report), startFromPaste / parsePastedReport /
 * looksLikePastedReport (a whole report in one message), resumeText, expiredNotice, receiptText,
 * correctionReceiptText. Sentences: locales/<lng>/conversation.json.
 */
export {
  startReport,
  startCorrection,
  startFromPaste,
  handleInput,
  resumeText,
  expiredNotice,
  MAX_FAILURES,
  type HandleOptions,
} from "./engine.js";
export { parsePastedReport, looksLikePastedReport, resolveKey, type PasteProblem, type PasteResult, type PasteOptions } from "./paste.js";
export { receiptText, correctionReceiptText, type ReceiptInput, type CorrectionReceiptInput } from "./receipts.js";
export {
  applicability,
  applicableQuestions,
  conditionHolds,
  diffAnswers,
  nextQuestion,
  prune,
  questionNumber,
  sameValue,
  type Applicability,
} from "./flow.js";
export { isCancel, isHelp, isSubmit, pickNumber, splitNumbered, splitKeyValue } from "./intents.js";
export { formForPeriod, nameThePeriod, periodName, reopenCommand } from "./period-words.js";
export { questionBlock, helpBlock, shortLabel, summaryLines, translator } from "./render.js";
export {
  PHASES,
  type AnswerChange,
  type ConversationState,
  type CorrectionContext,
  type Effect,
  type InputOptions,
  type Phase,
  type Reply,
  type StartContext,
  type Step,
  type TextOptions,
} from "./types.js";
