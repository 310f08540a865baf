/**
 * What the periodic draft says about one form over a window of time (a month, a half-year, a
 * year), from the stored reports of the units below: how reporting went, one figure per question
 * (numbers summed over the periods or each unit's latest, as the question's `aggregate` says;
 * yes answers, choices and part-of-total answers counted per unit), and the texts the units wrote,
 * sorted into summaries and proposals. Pure (no I/O); window.ts loads what it reads.
 */
import { dueDate, type Period } from "../domain/periods.js";
import type { Answers, UnitNode } from "../domain/types.js";
import type { Language } from "../i18n.js";
import type { Form, Question } from "../plan/schema.js";
import { questionLabel } from "./labels.js";

/** One stored report, the latest for its unit and period. */
export interface WindowReport {
  unitId: number;
  periodKey: string;
  submittedAt: Date;
  answers: Answers;
}

/** A form over the window: its periods that end inside it, the units that answer it, their reports. */
export interface FormWindow {
  form: Form;
  /** In time order. */
  periods: Period[];
  /** Units of the form's kinds in the subtree, in tree order. */
  units: UnitNode[];
  /** The latest report per unit and period, for the periods above only. */
  reports: WindowReport[];
}

export type Figure =
  | { type: "number"; key: string; label: string; value: number; unit: string | null; aggregate: "sum" | "latest" }
  | { type: "part"; key: string; label: string; part: number; total: number; partLabel: string; totalLabel: string }
  | { type: "yes"; key: string; label: string; yes: number; answered: number }
  | { type: "choices"; key: string; label: string; counts: ChoiceCount[] }
  /** Photo answers (ảnh minh chứng): how many photos, from how many units, over the window. */
  | { type: "photos"; key: string; label: string; photos: number; units: number };

/**
 * One choice of a choices figure: the units that chose it and, for a choice with its own number
 * questions (asked when it is chosen: `askIf: { question, op: includes, value: <choice> }`, e.g.
 * the models of that type and their members), those figures.
 */
export interface ChoiceCount {
  key: string;
  label: string;
  units: number;
  details?: Array<Extract<Figure, { type: "number" }>>;
}

export interface TextAnswer {
  unit: UnitNode;
  period: Period;
  label: string;
  text: string;
  section: "summary" | "proposal";
}

export interface FormReporting {
  /** Periods of the form in the window. */
  periods: number;
  /** Units that answer the form (each period). */
  expected: number;
  /** Reports received, over all periods (at most expected × periods). */
  received: number;
  onTime: number;
  late: number;
  /** The last period of the window and the units with no report for it. */
  lastPeriod: Period;
  missingLast: UnitNode[];
}

export interface GatheredForm {
  form: Form;
  periods: Period[];
  reporting: FormReporting;
  figures: Figure[];
  texts: TextAnswer[];
}

const isPart = (a: unknown): a is { part: number; total: number } =>
  typeof a === "object" && a !== null && !Array.isArray(a) && typeof (a as { part?: unknown }).part === "number";

/** Per unit, its answers to `q` in period order (only reports that answered it). */
function answersByUnit(fw: FormWindow, q: Question, order: Map<string, number>): Map<number, unknown[]> {
  const sorted = [...fw.reports].sort((a, b) => (order.get(a.periodKey) ?? 0) - (order.get(b.periodKey) ?? 0));
  const out = new Map<number, unknown[]>();
  for (const r of sorted) {
    const a = r.answers[q.key];
    if (a === undefined || a === null) continue;
    let list = out.get(r.unitId);
    if (!list) out.set(r.unitId, (list = []));
    list.push(a);
  }
  return out;
}

function figureOf(fw: FormWindow, q: Question, order: Map<string, number>, lng: Language): Figure | null {
  const byUnit = answersByUnit(fw, q, order);
  if (byUnit.size === 0) return null; // nobody answered: no line
  const label = questionLabel(fw.form, q, lng);
  switch (q.type) {
    case "integer":
    case "decimal": {
      let value = 0;
      for (const list of byUnit.values()) {
        const nums = list.filter((a): a is number => typeof a === "number");
        value += q.aggregate === "latest" ? (nums.at(-1) ?? 0) : nums.reduce((s, n) => s + n, 0);
      }
      return { type: "number", key: q.key, label, value, unit: q.unit ?? null, aggregate: q.aggregate };
    }
    case "part_of_total": {
      let part = 0;
      let total = 0;
      for (const list of byUnit.values()) {
        const parts = list.filter(isPart);
        const used = q.aggregate === "latest" ? parts.slice(-1) : parts;
        for (const p of used) {
          part += p.part;
          total += p.total;
        }
      }
      // "0/0" says nothing an upward report needs (and reads as an error): no line, as when nobody answered.
      if (total === 0) return null;
      return { type: "part", key: q.key, label, part, total, partLabel: q.partLabel, totalLabel: q.totalLabel };
    }
    case "yes_no": {
      let yes = 0;
      for (const list of byUnit.values()) if (list.some((a) => a === true)) yes++;
      return { type: "yes", key: q.key, label, yes, answered: byUnit.size };
    }
    case "single_choice":
    case "multi_choice": {
      // Each unit's latest choice(s): what it runs now.
      const counts = new Map<string, number>();
      for (const list of byUnit.values()) {
        const last = list.at(-1);
        const keys = Array.isArray(last) ? last : typeof last === "string" ? [last] : [];
        for (const k of new Set(keys)) counts.set(String(k), (counts.get(String(k)) ?? 0) + 1);
      }
      const rows = q.choices.filter((c) => (counts.get(c.key) ?? 0) > 0).map((c) => ({ key: c.key, label: c.label, units: counts.get(c.key)! }));
      return rows.length > 0 ? { type: "choices", key: q.key, label, counts: rows } : null;
    }
    case "photo": {
      let photos = 0;
      let units = 0;
      for (const list of byUnit.values()) {
        const n = list.reduce<number>((s, a) => s + (Array.isArray(a) ? a.length : 0), 0);
        photos += n;
        if (n > 0) units++;
      }
      return photos > 0 ? { type: "photos", key: q.key, label, photos, units } : null;
    }
    default:
      return null;
  }
}

/**
 * Number figures of questions asked for one choice (askIf includes that choice) move under that
 * choice's row ("Địa chỉ tin cậy: 3 đơn vị, 5 mô hình, 120 thành viên"), out of the flat list.
 */
function foldChoiceDetails(form: Form, figures: Figure[]): void {
  const byKey = new Map(figures.map((f) => [f.key, f]));
  const folded = new Set<string>();
  for (const q of form.questions) {
    const cond = q.askIf;
    if (!cond || cond.op !== "includes" || typeof cond.value !== "string") continue;
    const parent = byKey.get(cond.question);
    const own = byKey.get(q.key);
    if (parent?.type !== "choices" || own?.type !== "number") continue;
    const row = parent.counts.find((c) => c.key === cond.value);
    if (!row) continue;
    (row.details ??= []).push(own);
    folded.add(q.key);
  }
  for (let i = figures.length - 1; i >= 0; i--) if (folded.has(figures[i]!.key)) figures.splice(i, 1);
}

/** Reporting, figures and texts of one form over the window (see the module comment). */
export function gatherForm(fw: FormWindow, lng: Language): GatheredForm {
  const order = new Map(fw.periods.map((p, i) => [p.key, i]));
  const unitIds = new Set(fw.units.map((u) => u.id));
  const reports = fw.reports.filter((r) => unitIds.has(r.unitId) && order.has(r.periodKey));
  const scoped: FormWindow = { ...fw, reports };

  let onTime = 0;
  for (const r of reports) {
    const p = fw.periods[order.get(r.periodKey)!]!;
    if (r.submittedAt.getTime() <= dueDate(fw.form, p).getTime()) onTime++;
  }
  const lastPeriod = fw.periods.at(-1)!;
  const lastReporters = new Set(reports.filter((r) => r.periodKey === lastPeriod.key).map((r) => r.unitId));
  const reporting: FormReporting = {
    periods: fw.periods.length,
    expected: fw.units.length,
    received: reports.length,
    onTime,
    late: reports.length - onTime,
    lastPeriod,
    missingLast: fw.units.filter((u) => !lastReporters.has(u.id)),
  };

  const figures: Figure[] = [];
  const texts: TextAnswer[] = [];
  const unitOrder = new Map(fw.units.map((u, i) => [u.id, i]));
  const byId = new Map(fw.units.map((u) => [u.id, u]));
  for (const q of fw.form.questions) {
    if (q.type === "text") {
      const label = questionLabel(fw.form, q, lng);
      for (const r of reports) {
        const a = r.answers[q.key];
        if (typeof a !== "string" || !a.trim()) continue;
        texts.push({ unit: byId.get(r.unitId)!, period: fw.periods[order.get(r.periodKey)!]!, label, text: a.trim(), section: q.draftSection });
      }
      continue;
    }
    const f = figureOf(scoped, q, order, lng);
    if (f) figures.push(f);
  }
  foldChoiceDetails(fw.form, figures);
  texts.sort(
    (a, b) => unitOrder.get(a.unit.id)! - unitOrder.get(b.unit.id)! || order.get(a.period.key)! - order.get(b.period.key)!,
  );
  return { form: fw.form, periods: fw.periods, reporting, figures, texts };
}
