/**
 * Receipts the app sends after it stored a report or a correction. Pure: times come in as text
 * already formatted by the caller (e.g. "20:15 ngày 18/05/2024").
 */
import type { Language } from "../i18n.js";
import type { Form } from "../plan/schema.js";
import { questionNumber } from "./flow.js";
import { formatValue, translator } from "./render.js";
import type { AnswerChange } from "./types.js";

export interface ReceiptInput {
  formTitle: string;
  periodLabel: string;
  unitName: string;
  /** When it was stored, formatted by the caller. */
  submittedAtText: string;
  onTime: boolean;
  answersCount: number;
  lng?: Language;
}

/** "Dạ, em đã nhận báo cáo … lúc … (đúng hạn) …". */
export function receiptText(r: ReceiptInput): string {
  const tr = translator(r.lng);
  return tr("receipt.text", {
    form: r.formTitle,
    period: r.periodLabel,
    unit: r.unitName,
    at: r.submittedAtText,
    status: tr(r.onTime ? "receipt.onTime" : "receipt.late"),
    count: r.answersCount,
  });
}

export interface CorrectionReceiptInput {
  formTitle: string;
  periodLabel: string;
  unitName: string;
  submittedAtText: string;
  /** The changes (the `correct` effect's); or only their number in changesCount. */
  changes?: readonly AnswerChange[];
  changesCount?: number;
  /** With the form and changes, the changes are listed ("Câu 3: 5 hộ → 7 hộ"). */
  form?: Form;
  lng?: Language;
}

/** "Dạ, em đã lưu bản sửa … lúc … (2 thay đổi)", and the changes when the form is given. */
export function correctionReceiptText(r: CorrectionReceiptInput): string {
  const tr = translator(r.lng);
  const head = tr("receipt.correction", {
    form: r.formTitle,
    period: r.periodLabel,
    unit: r.unitName,
    at: r.submittedAtText,
    count: r.changes?.length ?? r.changesCount ?? 0,
  });
  const form = r.form;
  if (!form || !r.changes) return head;
  const rows = r.changes.map((c) => {
    const q = form.questions.find((x) => x.key === c.key);
    const fmt = (v: AnswerChange["oldValue"]) => (q ? formatValue(q, v, tr) : v === null ? "—" : JSON.stringify(v));
    return tr("summary.changeLine", { n: q ? questionNumber(form, c.key) : c.key, old: fmt(c.oldValue), new: fmt(c.newValue) });
  });
  return [head, ...rows].join("\n");
}
