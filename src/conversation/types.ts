/**
 * Shapes of the guided-conversation engine. Everything here is plain JSON: a ConversationState is
 * stored as JSON between messages and must behave identically after JSON.stringify / JSON.parse
 * (the "restart in the middle" guarantee), so no Dates, class instances, Maps or undefined-valued
 * keys that matter.
 */
import type { AnswerValue, Answers, PhotoRef } from "../plan/schema.js";
import type { Language } from "../i18n.js";

/**
 * - asking: waiting for the answer to `questionKey`;
 * - help_offer: after 3 bad answers in a row: "1. Xem hướng dẫn / 2. Trả lời lại", cancel by "hủy";
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
  /**
   * A multiple choice answered with buttons: the choice keys ticked so far (toggles), recorded as
   * the answer when she taps "Xong". Only while that question is asked.
   */
  picked?: string[];
  /**
   * A photo question: the photos received so far (each file once, by uniqueId), recorded as the
   * answer at "Xong" or when the question's maximum is reached. Only while that question is asked.
   */
  photos?: PhotoRef[];
  /** The album (Telegram media_group_id) of the last photo received: its other photos are taken silently. */
  photoGroup?: string;
}

/**
 * A photo she sent while a question is open: the channel's reference to it and, when it came as
 * part of an album (several photos in one send, delivered as several messages), the album's id.
 */
export interface PhotoInput {
  ref: PhotoRef;
  group?: string;
}

/**
 * What a button stands for, in the engine's words (short ASCII, so that a channel can carry it in
 * its callback data): "y" / "n" yes or no; "c<i>" the i-th choice (0-based) of a single choice;
 * "t<i>" tick or untick the i-th choice of a multiple choice; "d" done with the ticks ("Xong");
 * "s" skip an optional question ("Bỏ qua"); "k" keep the old answer (changing one);
 * "g" / "e" / "x" send / change / cancel at the summary ("Gửi / Sửa / Hủy"); "p<n>" change the
 * answer numbered n in the summary; "o1" / "o2" / "o3" the help offer's guide / answer again /
 * cancel.
 */
export type ButtonAction = string;

/** One button under a question. */
export interface ReplyButton {
  label: string;
  action: ButtonAction;
}

/** The buttons of a prompt: rows of buttons, and how they relate to typing. */
export interface ReplyButtons {
  rows: ReplyButton[][];
  /**
   * True when typing is the main way to answer and the buttons are extras (only "Bỏ qua" under a
   * number question): a channel that must choose between asking for a typed reply and showing
   * buttons (Telegram in groups) asks for the typed reply.
   */
  extra: boolean;
}

export interface Reply {
  text: string;
  /** True for a question: channels ask the person for a reply (Telegram force_reply). */
  expectsAnswer: boolean;
  /**
   * The answers she may tap instead of typing (yes/no, choices, "Bỏ qua", "Gửi / Sửa / Hủy"), for
   * channels with buttons (Telegram inline keyboards); others ignore them, the text says it all.
   */
  buttons?: ReplyButtons;
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
  /**
   * A button tap that changes only the buttons (a tick on a multiple choice): the new buttons of
   * the message she tapped, instead of a new message.
   */
  buttons?: ReplyButtons;
  /** A button tap that needs a short note and no message ("tick at least one"). */
  notice?: string;
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
