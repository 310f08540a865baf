/**
 * What /tiendo reads for one call, planned before anything is read: per form, one SCAN that
 * returns ONE ROW PER UNIT (never one per report), and how the indicators are split into calls of
 * computeProgress (facts.ts). The rows come from the store directly (scan-sql.ts) or from the
 * slice cache (scan-cache.ts); both return the same ScanResult.
 *
 * A scan's row for a unit:
 *   - `first`: the submission time of its report for the period looked at (the main form only);
 *   - per selection i (the reports one indicator window reads): `k<i>`, the latest period key with
 *     a report in it, and for once-forms counted by submission time `t<i>`, the latest time;
 *   - per indicator, its aggregate over its selection (values.ts): Σ sum, Σ part and Σ total, or
 *     whether any answer is yes.
 * Invariant: a selection takes exactly the reports computeIndicator takes for that indicator
 * (same form, same period keys or submission times; see selectionFor).
 */
import { indicatorWindow } from "../domain/progress.js";
import { parsePeriodKey, periodsBetween, type Period } from "../domain/periods.js";
import type { UnitKind } from "../domain/types.js";
import type { Form, Indicator, Plan } from "../plan/schema.js";

/** The reports of one form an indicator window reads: by period key, or by submission time. */
export interface Selection {
  formKey: string;
  /** Period keys; null = any key. */
  keys: string[] | null;
  /** Submission time range [from, to) for once-forms counted by time. */
  from: Date | null;
  to: Date | null;
  sig: string;
}

/**
 * Keys of the periods of a periodic `form` that end in (start, end] and that parsePeriodKey
 * accepts (years 1900–2999): exactly the keys computeProgress counts for such a window.
 */
function windowKeys(form: Form & { period: Exclude<Form["period"], "once"> }, start: Date, end: Date): string[] {
  // Memoised: enumerating periods goes through time-zone arithmetic (dayjs), ~0.1 ms a period.
  const memoKey = `${form.period}|${start.getTime()}|${end.getTime()}`;
  const hit = windowKeysMemo.get(memoKey);
  if (hit) return hit;
  const keys = enumerateWindowKeys(form, start, end);
  if (windowKeysMemo.size >= 512) windowKeysMemo.clear();
  windowKeysMemo.set(memoKey, keys);
  return keys;
}

const windowKeysMemo = new Map<string, string[]>();

function enumerateWindowKeys(form: Form & { period: Exclude<Form["period"], "once"> }, start: Date, end: Date): string[] {
  const lo = Math.max(start.getTime(), Date.UTC(1899, 11, 1));
  const hi = Math.min(end.getTime(), Date.UTC(3000, 1, 1));
  if (hi <= lo) return [];
  const keys: string[] = [];
  for (const p of periodsBetween(form.period, new Date(lo), new Date(hi - 1))) {
    if (p.end.getTime() > start.getTime() && p.end.getTime() <= end.getTime() && parsePeriodKey(form.period, p.key)) keys.push(p.key);
  }
  return keys;
}

/** Mirrors computeIndicator's choice of reports (see src/domain/progress.ts). */
function selectionFor(ind: Indicator, indForm: Form, plan: Plan, period: Period): Selection {
  const w = indicatorWindow(ind.window, period, plan);
  const make = (keys: string[] | null, from: Date | null, to: Date | null): Selection => ({
    formKey: indForm.key,
    keys,
    from,
    to,
    sig: `${indForm.key}|${keys ? keys.join(",") : "*"}|${from?.getTime() ?? ""}|${to?.getTime() ?? ""}`,
  });
  if (ind.window === "period" && indForm.period === period.kind) return make([period.key], null, null);
  if (indForm.period === "once") return make(null, w.start, w.end);
  return make(windowKeys(indForm as Form & { period: "monthly" }, w.start, w.end), null, null);
}

/** One indicator's aggregate in a scan, and its column name(s) in the rows. */
export interface Agg {
  /** Position in the indicator list. */
  index: number;
  ind: Indicator;
  sel: number;
  /** Column name(s) in the result. */
  cols: string[];
}

/** One form's scan: its selections and aggregates, and whether it counts the period looked at. */
export interface Scan {
  /** The plan's id: reports of another plan are never read. */
  planKey: string;
  formKey: string;
  selections: Selection[];
  aggs: Agg[];
  /** The period key whose first submission is counted (the main form), or null. */
  countKey: string | null;
}

/**
 * One row per unit, as columns: u (unit ids), first (ms), k<i>/t<i> (latest key and time in
 * selection i), and the aggregate columns. From SQL: plain arrays with null; from the cache:
 * typed arrays with NaN for null.
 */
export interface ScanResult {
  u: ArrayLike<number>;
  [col: string]: ArrayLike<number | boolean | string | null>;
}

/** A number, or null for null / NaN / anything else. */
export function numberAt(col: ArrayLike<unknown> | undefined, i: number): number | null {
  const v = col?.[i];
  return typeof v === "number" && v === v ? v : null;
}

/**
 * Where a sum or ratio indicator's values are gathered (facts.ts): at the nearest unit of kind
 * `per` at or above each unit, else ("root") at the root.
 */
export type AnchorMode = UnitKind | "root";

/** Indicators computed together in one computeProgress call, on the same facts. */
export interface CallGroup {
  sel: number;
  formKey: string;
  aggs: Agg[];
  /** question → measure, to keep one answer shape per question in a group. */
  measures: Map<string, Indicator["measure"]>;
  /** Gather values at anchors (sum and ratio), or null: one fact per unit (yes_share). */
  anchor: AnchorMode | null;
}

/** The scans of one call and its computeProgress groups. */
export interface ScanPlan {
  /** By form key. */
  scans: Map<string, Scan>;
  /** Indicators computed with the counts, on the facts of the period looked at. */
  mainGroup: CallGroup;
  /** Indicators whose form is not in the plan (computeProgress reports them), with their position. */
  unknown: { index: number; ind: Indicator }[];
  /** The other windows, anchors or forms, each its own computeProgress call. */
  groups: CallGroup[];
}

/**
 * Plan the scans of a call: one per form read; selections deduplicated by signature; an
 * indicator goes with the counts when it reads exactly the period looked at on the main form,
 * else into a group of the same form, selection and anchor (and one measure per question).
 */
export function planScans(plan: Plan, form: Form, period: Period, indicators: readonly Indicator[]): ScanPlan {
  const scans = new Map<string, Scan>();
  const scanOf = (formKey: string): Scan => {
    let s = scans.get(formKey);
    if (!s) scans.set(formKey, (s = { planKey: plan.id, formKey, selections: [], aggs: [], countKey: null }));
    return s;
  };
  scanOf(form.key).countKey = period.key;
  const unknown: { index: number; ind: Indicator }[] = [];
  const groups: CallGroup[] = [];
  const mainGroup: CallGroup = { sel: -1, formKey: form.key, aggs: [], measures: new Map(), anchor: null };
  indicators.forEach((ind, index) => {
    const indForm = plan.forms.find((f) => f.key === ind.form);
    if (!indForm) {
      unknown.push({ index, ind });
      return;
    }
    const sel = selectionFor(ind, indForm, plan, period);
    const scan = scanOf(indForm.key);
    let si = scan.selections.findIndex((s) => s.sig === sel.sig);
    if (si < 0) si = scan.selections.push(sel) - 1;
    const n = scan.aggs.length;
    const agg: Agg = { index, ind, sel: si, cols: ind.measure === "ratio" ? [`p${n}`, `q${n}`] : [`v${n}`] };
    scan.aggs.push(agg);
    const isMain =
      indForm.key === form.key && sel.keys !== null && sel.keys.length === 1 && sel.keys[0] === period.key && !sel.from && !sel.to;
    const anchor: AnchorMode | null = ind.measure === "yes_share" ? null : (ind.target.per ?? "root");
    const fits = (g: CallGroup) => (g.measures.get(ind.question) ?? ind.measure) === ind.measure;
    let group = isMain && fits(mainGroup) ? mainGroup : groups.find((g) => g.formKey === indForm.key && g.sel === si && g.anchor === anchor && fits(g));
    if (!group) groups.push((group = { sel: si, formKey: indForm.key, aggs: [], measures: new Map(), anchor }));
    group.aggs.push(agg);
    group.measures.set(ind.question, ind.measure);
  });
  return { scans, mainGroup, unknown, groups };
}
