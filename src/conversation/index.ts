/**
 * The guided-conversation engine: channel-agnostic, pure (no I/O, no store, no clock).
 *
 *   let step = startReport(form, { unitId, unitName, periodKey, periodLabel });
 *   // store step.state as JSON, send step.replies (expectsAnswer → ask the person to reply)
 *   step = handleInput(step.state!, text, { form, today: "2024-05-18" });
 *   // step.state === null → finished; step.effect: submit | correct | cancelled
 *
 * A tap on a button of a reply (reply.buttons: yes/no, choices, "Bỏ qua", "Gửi / Sửa / Hủy"):
 *   step = handleButton(step.state!, "y", { form, today }); // null: an old keyboard, nothing changes
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
  handleButton,
  handlePhoto,
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
export { buttonsFor } from "./buttons.js";
export { formForPeriod, nameThePeriod, periodName, reopenCommand } from "./period-words.js";
export { questionBlock, helpBlock, shortLabel, summaryLines, translator } from "./render.js";
export {
  PHASES,
  type AnswerChange,
  type ButtonAction,
  type ReplyButton,
  type ReplyButtons,
  type ConversationState,
  type CorrectionContext,
  type Effect,
  type InputOptions,
  type Phase,
  type PhotoInput,
  type Reply,
  type StartContext,
  type Step,
  type TextOptions,
} from "./types.js";
