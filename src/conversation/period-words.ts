/**
 * The period a report is for, in the words of its questions and of the hints that reopen it.
 * Pure: the period comes as its key ("2024-10", "2024-H1", "2024"), the words from locales.
 *
 * Plan questions are written for the period being reported as it happens ("Dạ, trong tháng này
 * chi hội mình có …", "Trong 6 tháng qua …", "… trong năm nay"). When the report is for a period
 * that is already over (a late report, or last month's report still open before its deadline),
 * those phrases would name the wrong period, so they are replaced by the period's name
 * ("trong tháng 10/2024", "Trong 6 tháng đầu năm 2024", "trong năm 2023"). The plan has no
 * quarterly forms; "quý này" is left as written.
 *
 * After a cancel or an expiry the hint gives the command that reopens the same period:
 * "/baocao tháng 10/2024" (a correction: "/sua tháng 10/2024"); a one-off form: "/baocao".
 * Every such argument is read back by parsePeriodText (src/domain/periods.ts) as the same period.
 */
import type { Form, Question } from "../plan/schema.js";
import type { Tr } from "./render.js";
import type { ConversationState } from "./types.js";

/** The kind and numbers of a period key; null for one-off forms (their key is the form's). */
function readKey(periodKey: string): { kind: "monthly" | "half_yearly" | "yearly"; year: number; index: number } | null {
  let m = /^(\d{4})-(\d{2})$/.exec(periodKey);
  if (m) return { kind: "monthly", year: Number(m[1]), index: Number(m[2]) };
  m = /^(\d{4})-H([12])$/.exec(periodKey);
  if (m) return { kind: "half_yearly", year: Number(m[1]), index: Number(m[2]) };
  m = /^(\d{4})$/.exec(periodKey);
  if (m) return { kind: "yearly", year: Number(m[1]), index: 1 };
  return null;
}

/** The period's name as questions use it: "tháng 10/2024", "6 tháng đầu năm 2024", "năm 2023"; null for one-off. */
export function periodName(periodKey: string, tr: Tr): string | null {
  const k = readKey(periodKey);
  if (!k) return null;
  const params = { month: k.index, year: k.year };
  switch (k.kind) {
    case "monthly":
      return tr("periodName.monthly", params);
    case "half_yearly":
      return tr(k.index === 1 ? "periodName.half1" : "periodName.half2", params);
    case "yearly":
      return tr("periodName.yearly", params);
  }
}

/**
 * The command that opens this period's report again: "/baocao tháng 10/2024", or "/sua …" for a
 * correction; "/baocao" (or "/sua") alone for a one-off form.
 */
export function reopenCommand(state: Pick<ConversationState, "periodKey" | "mode">, tr: Tr): string {
  const command = state.mode === "correct" ? "/sua" : "/baocao";
  const k = readKey(String(state.periodKey ?? ""));
  if (!k) return command;
  const params = { month: k.index, year: k.year };
  const arg =
    k.kind === "monthly"
      ? tr("reopen.monthly", params)
      : k.kind === "half_yearly"
        ? tr(k.index === 1 ? "reopen.half1" : "reopen.half2", params)
        : tr("reopen.yearly", params);
  return `${command} ${arg}`;
}

/** Phrases naming "the current period" in plan texts, per period kind (Vietnamese, with marks). */
const NOW_PHRASES: Record<"monthly" | "half_yearly" | "yearly", RegExp> = {
  monthly: /(tháng|Tháng) (?:này|nay)(?![\p{L}\p{M}])/gu,
  half_yearly: /(6|sáu|Sáu) tháng(?: (?:qua|này|vừa qua))?(?! (?:đầu|cuối))(?![\p{L}\p{M}\d/])|(nửa|Nửa) năm (?:nay|này|qua)(?![\p{L}\p{M}])/gu,
  yearly: /(năm|Năm) (?:nay|này|qua)(?![\p{L}\p{M}])/gu,
};

/** A text with its "this period" phrases replaced by `name` (keeping a capital at the start of a sentence). */
export function nameThePeriod(text: string, periodKey: string, name: string): string {
  const k = readKey(periodKey);
  if (!k) return text;
  return text.replace(NOW_PHRASES[k.kind], (...m: unknown[]) => {
    const first = (m.slice(1, 3).find((g) => typeof g === "string") as string | undefined) ?? "";
    const capital = first !== "" && first[0] !== first[0]!.toLowerCase();
    return capital ? name.charAt(0).toUpperCase() + name.slice(1) : name;
  });
}

/**
 * The form as the conversation shows it: for a period that is over (`state.periodPast`), the
 * questions and hints name the period instead of "tháng này" / "6 tháng qua" / "năm nay".
 * Otherwise the form itself.
 */
export function formForPeriod(form: Form, state: Pick<ConversationState, "periodKey" | "periodPast">, tr: Tr): Form {
  if (!state.periodPast) return form;
  const name = periodName(state.periodKey, tr);
  if (!name) return form;
  const rename = (q: Question): Question => {
    const text = nameThePeriod(q.text, state.periodKey, name);
    const hint = q.hint === undefined ? undefined : nameThePeriod(q.hint, state.periodKey, name);
    return text === q.text && hint === q.hint ? q : { ...q, text, ...(hint !== undefined ? { hint } : {}) };
  };
  const questions = form.questions.map(rename);
  return questions.every((q, i) => q === form.questions[i]) ? form : { ...form, questions };
}
