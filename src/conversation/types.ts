/**
 * Shapes of the guided-conversation engine. Everything here is plain JSON: a ConversationState is
 * stored as JSON between messages and must behave identically after JSON.stringify / JSON.parse
 * (the "restart in the middle" guarantee), so no Dates, class instances, Maps or undefined-valued
 * keys that matter.
 */
import type { AnswerValue, Answers } from "../plan/schema.js";
import type { Language } from "../i18n.js";

/**
 * - asking: waiting for the answer to `questionKey`;
 * - help_offer: after 3 bad answers in a row: "1. Xem hướng dẫn / 2. Trả lời lại / 3. Hủy";
 * - confirm: the numbered summary is shown, waiting for "Gửi" / "sửa 3" / "hủy";
 * - pick_change: waiting for the number of the answer to change;
 * - change_answer: waiting for the new answer to `changeKey`.
 */
export type Phase = "asking" | "help_offer" | "confirm" | "pick_change" | "change_answer";
export const PHASES: readonly Phase[] = ["asking", "help_offer", "confirm", "pick_change", "change_answer"];

export interface ConversationState {
  /** Shape version, for stored states. */
  v: 1;
  /** report: a new report; correct: changing a report already stored. */
  mode: "report" | "correct";
  /** The id of the plan the form belongs to (absent in states stored before plans had keys). */
  planKey?: string;
  formKey: string;
  /** The form's short title (or title), kept for texts that do not get the form (expiry). */
  formTitle: string;
  periodKey: string;
  /** The period as people read it ("tháng 5/2024"), computed by the caller with periodLabel. */
  periodLabel: string;
  /**
   * The period was over when the report began (a late report, or last month's still before its
   * deadline): questions name it ("trong tháng 10/2024") instead of "trong tháng này".
   */
  periodPast?: boolean;
  /** The unit's id in the store (Unit.id). */
  unitId: number;
  unitName: string;
  /**
   * Answers given so far: only questions that were answered (never a placeholder).
   * Answers to questions whose condition became false are dropped.
   */
  answers: Answers;
  /** Optional questions left out ("bỏ qua"): resolved, shown as "—" in the summary. */
  skipped: string[];
  phase: Phase;
  /** The question being asked (asking, help_offer); null in the summary phases. */
  questionKey: string | null;
  /** Consecutive bad answers to the current question. */
  failures: number;
  /** correct mode: the stored report's answers, to compute the changes. */
  original?: Answers;
  /** change_answer (and help_offer entered from it): the question being changed. */
  changeKey?: string;
}

export interface Reply {
  text: string;
  /** True for a question: channels ask the person for a reply (Telegram force_reply). */
  expectsAnswer: boolean;
}

export interface AnswerChange {
  key: string;
  oldValue: AnswerValue | null;
  newValue: AnswerValue | null;
}

export type Effect =
  | { type: "submit"; answers: Answers }
  | { type: "correct"; answers: Answers; changes: AnswerChange[] }
  | { type: "cancelled" };

/**
 * One turn's outcome. `state: null` means the conversation is over (with `effect` saying what to
 * do; no effect = ended with nothing to store, e.g. a correction without changes). After a
 * submit / correct effect the replies are empty: the app stores the report, then sends
 * receiptText / correctionReceiptText.
 */
export interface Step {
  state: ConversationState | null;
  replies: Reply[];
  effect?: Effect;
}

/** Who reports what; the caller resolves the period and its label. */
export interface StartContext {
  /** The id of the plan the form belongs to, kept in the state for the stored report. */
  planKey?: string;
  unitId: number;
  unitName: string;
  periodKey: string;
  /** e.g. periodLabel(period) → "tháng 5/2024". */
  periodLabel: string;
  /** True when the period is already over (its end ≤ now): questions then name it (period-words.ts). */
  periodPast?: boolean;
}

export interface CorrectionContext extends StartContext {
  /** The stored report's answers. */
  existing: Answers;
}

export interface TextOptions {
  /** Language of the replies; "vi" by default. */
  lng?: Language;
}

export interface InputOptions extends TextOptions {
  /** Reference day "YYYY-MM-DD" (Vietnam) for dates such as "hôm nay"; the engine never reads a clock. */
  today: string;
}
