/**
 * The buttons of a prompt: what she may tap instead of typing, described channel-neutrally (a
 * label and an engine action, see ButtonAction in types.ts). Yes/no, the choices of a single or
 * multiple choice (ticks and "Xong"), "Bỏ qua" on an optional question, "Giữ nguyên" when
 * changing an answer, "Gửi / Sửa / Hủy" at the summary. Pure; labels from locales.
 */
import type { Form, Question } from "../plan/schema.js";
import { questionByKey } from "./flow.js";
import { summaryNumbers, type Tr } from "./render.js";
import type { ButtonAction, ConversationState, ReplyButton, ReplyButtons } from "./types.js";
import { rememberByText } from "../domain/remember.js";

/** Numbers per row when she picks the answer to change. */
const PER_ROW = 5;

/** Longest choice label on a button (Telegram shows about this much on a phone). */
const MAX_LABEL = 40;

/** A choice's label cut at a word to fit a button (the message lists it whole); made once per label. */
const shortChoice = rememberByText(cutChoice);

function cutChoice(label: string): string {
  const chars = [...label.replace(/\s+/g, " ").trim()];
  if (chars.length <= MAX_LABEL) return chars.join("");
  const cut = chars.slice(0, MAX_LABEL - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > MAX_LABEL / 2 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, "")}…`;
}

function questionRows(q: Question, state: ConversationState, tr: Tr): ReplyButton[][] {
  switch (q.type) {
    case "yes_no":
      return [[{ label: tr("buttons.yes"), action: "y" }, { label: tr("buttons.no"), action: "n" }]];
    case "single_choice":
      return q.choices.map((c, i) => [{ label: `${i + 1}. ${shortChoice(c.label)}`, action: `c${i}` }]);
    case "multi_choice": {
      const picked = new Set(state.picked ?? []);
      const rows = q.choices.map((c, i) => [
        { label: tr(picked.has(c.key) ? "buttons.ticked" : "buttons.unticked", { label: `${i + 1}. ${shortChoice(c.label)}` }), action: `t${i}` },
      ]);
      return [...rows, [{ label: tr("buttons.done"), action: "d" }]];
    }
    case "photo":
      // Photos are sent, not tapped: "Xong" is an extra (in groups the question asks for a reply,
      // which is how her photos reach the bot under privacy mode).
      return [];
    default:
      return [];
  }
}

/** The buttons of the state's prompt, or undefined when it has none (a number question that must be answered). */
export function buttonsFor(form: Form, state: ConversationState, tr: Tr): ReplyButtons | undefined {
  if (state.phase === "confirm") {
    return {
      rows: [[{ label: tr("buttons.send"), action: "g" }, { label: tr("buttons.change"), action: "e" }, { label: tr("buttons.cancel"), action: "x" }]],
      extra: false,
    };
  }
  if (state.phase === "help_offer") {
    return {
      rows: [[{ label: tr("buttons.offerGuide"), action: "o1" }], [{ label: tr("buttons.offerRetry"), action: "o2" }], [{ label: tr("buttons.offerCancel"), action: "o3" }]],
      extra: false,
    };
  }
  if (state.phase === "pick_change") {
    const numbers = summaryNumbers(form, state).map((n) => ({ label: String(n), action: `p${n}` }));
    const rows: ReplyButton[][] = [];
    for (let i = 0; i < numbers.length; i += PER_ROW) rows.push(numbers.slice(i, i + PER_ROW));
    return { rows: [...rows, [{ label: tr("buttons.keep"), action: "k" }]], extra: false };
  }
  if (state.phase !== "asking" && state.phase !== "change_answer") return undefined;
  const q = questionByKey(form, state.questionKey);
  if (!q) return undefined;
  const rows = questionRows(q, state, tr);
  const tail: ReplyButton[] = [];
  if (q.type === "photo") tail.push({ label: tr("buttons.done"), action: "d" });
  if (q.optional) tail.push({ label: tr("buttons.skip"), action: "s" });
  if (state.phase === "change_answer") tail.push({ label: tr("buttons.keep"), action: "k" });
  if (rows.length === 0 && tail.length === 0) return undefined;
  return { rows: tail.length > 0 ? [...rows, tail] : rows, extra: rows.length === 0 };
}

/** A parsed action: its letter and, for choices and ticks, the choice's index. */
export function parseAction(action: ButtonAction): { kind: string; index?: number } | null {
  const m = /^([ynctdskgexpo])(\d{1,3})?$/.exec(action);
  if (!m) return null;
  const needsIndex = m[1] === "c" || m[1] === "t" || m[1] === "p" || m[1] === "o";
  if (needsIndex !== (m[2] !== undefined)) return null;
  return m[2] !== undefined ? { kind: m[1]!, index: Number(m[2]) } : { kind: m[1]! };
}
