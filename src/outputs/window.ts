/**
 * What the periodic draft (/baocaotonghop) is made of: for an officer's unit and a reference
 * period (a month, a half-year, a year), EVERY form of the plan answered in her subtree, each
 * with its periods that lie inside the reference period (the six months of a half-year, the two
 * half-years and twelve months of a year, a one-off form whose span overlaps it), gathered by
 * gather.ts; and every indicator of the plan answered in the subtree, measured at the end of the
 * reference period (indicators of a monthly form over a half-year count its six months).
 *
 * Cost: one query per form (all its reports in the subtree for the plan; the indicators' "year"
 * and "plan" windows need earlier periods too), then pure computation.
 */
import { computeProgress, type IndicatorResult } from "../domain/progress.js";
import { currentPeriod, endOfLocalDate, formRange, localInstant, oncePeriod, periodsBetween, type Period } from "../domain/periods.js";
import type { Answers, ReportFact, UnitNode } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Language } from "../i18n.js";
import type { Form, Indicator, Plan } from "../plan/schema.js";
import { defaultProgressForm, unitPath } from "../progress/index.js";
import type { Store } from "../store/database.js";
import { NoExportFormError } from "./data.js";
import { gatherForm, type GatheredForm, type WindowReport } from "./gather.js";

export interface WindowOptions {
  plan: Plan;
  tree: UnitTree;
  rootId: number;
  /** Default: the current period of the unit's default form. */
  period?: Period;
  now: Date;
  lng: Language;
}

/** An indicator at the end of the reference period, and whether its target's time is still running. */
export interface IndicatorProgress {
  result: IndicatorResult;
  /**
   * The target's time is still running: its deadline (end of the year, of the plan, or of the
   * period) lies after the reference period, or the reference period has not ended yet.
   */
  inProgress: boolean;
}

export interface WindowData {
  root: UnitNode;
  parent: UnitNode | null;
  reference: Period;
  now: Date;
  plan: Plan;
  tree: UnitTree;
  /** Forms with at least one period in the window and one unit to answer, in plan order. */
  forms: GatheredForm[];
  indicators: IndicatorProgress[];
}

/** The periods of `form` inside the reference period (see the module comment). */
export function formPeriodsIn(form: Form, plan: Plan, reference: Period): Period[] {
  const range = formRange(form, plan);
  const inRange = (p: Period) =>
    (!range.start || p.end.getTime() > range.start.getTime()) && (!range.end || p.start.getTime() < range.end.getTime());
  if (form.period === "once") {
    const p = oncePeriod({ form, plan });
    const hit = reference.kind === "once" ? reference.key === form.key : p.start.getTime() < reference.end.getTime() && reference.start.getTime() < p.end.getTime();
    return hit ? [p] : [];
  }
  if (reference.kind === "once") return [];
  return periodsBetween(form.period, reference.start, new Date(reference.end.getTime() - 1)).filter(
    (p) => p.start.getTime() >= reference.start.getTime() && p.end.getTime() <= reference.end.getTime() && inRange(p),
  );
}

interface Row {
  u: number;
  k: string;
  at: number;
  a: Answers | string;
}

/** Every report of the form in the subtree, the latest per unit and period. */
async function loadFormReports(store: Store, tree: UnitTree, rootId: number, plan: Plan, form: Form): Promise<WindowReport[]> {
  const root = tree.byId(rootId)!;
  const whole = (root.parentId === null && tree.roots.length === 1) || tree.date.historic;
  const params: unknown[] = [form.key, plan.id];
  let join = "";
  if (!whole) {
    params.push(`${unitPath(tree, rootId)}%`);
    join = `JOIN "Unit" un ON un."id" = r."unitId" AND un."path" LIKE $3`;
  }
  const rows = await store.sql.query<Row>(
    `SELECT r."unitId" AS u, r."periodKey" AS k, (extract(epoch FROM r."submittedAt") * 1000)::float8 AS at, r."answers" AS a
     FROM "Report" r ${join} WHERE r."formKey" = $1 AND r."planKey" = $2`,
    params,
  );
  const latest = new Map<string, WindowReport>();
  for (const r of rows) {
    const answers = ((typeof r.a === "string" ? JSON.parse(r.a) : r.a) ?? {}) as Answers;
    const rep: WindowReport = { unitId: Number(r.u), periodKey: r.k, submittedAt: new Date(Number(r.at)), answers };
    const key = `${rep.unitId}|${rep.periodKey}`;
    const seen = latest.get(key);
    if (!seen || seen.submittedAt.getTime() < rep.submittedAt.getTime()) latest.set(key, rep);
  }
  return [...latest.values()];
}

/** The end of the time an indicator's target is set for, seen from the reference period. */
function targetEnd(ind: Indicator, plan: Plan, reference: Period): Date {
  const planEnd = endOfLocalDate(plan.end);
  if (ind.window === "plan") return planEnd;
  if (ind.window === "year" && reference.year > 0) {
    const yearEnd = localInstant(reference.year + 1, 1);
    return yearEnd.getTime() < planEnd.getTime() ? yearEnd : planEnd;
  }
  return reference.end;
}

/** Loads and gathers everything the draft shows (see the module comment). */
export async function loadWindowData(store: Store, opts: WindowOptions): Promise<WindowData> {
  const { plan, tree, rootId, now, lng } = opts;
  const root = tree.byId(rootId);
  if (!root) throw new RangeError(`Unknown unit id ${rootId}`);
  let reference = opts.period;
  if (!reference) {
    const form = defaultProgressForm(plan, tree, rootId);
    if (!form) throw new NoExportFormError(rootId);
    reference = currentPeriod(form, now, plan);
  }
  const subtree = [...tree.subtree(rootId)];
  const kinds = new Set(subtree.map((u) => u.kind));
  const applies = plan.forms.filter((f) => f.unitKinds.some((k) => kinds.has(k)));
  if (applies.length === 0) throw new NoExportFormError(rootId);

  // An indicator of "the period" is measured only when its form has a period in the window (a
  // half-yearly form says nothing about May); "year" and "plan" indicators always.
  const indicatorsUsed = plan.indicators.filter((ind) => {
    const form = applies.find((f) => f.key === ind.form);
    return form !== undefined && (ind.window !== "period" || formPeriodsIn(form, plan, reference).length > 0);
  });
  const needed = new Set(indicatorsUsed.map((ind) => ind.form));
  const forms: GatheredForm[] = [];
  const facts: ReportFact[] = [];
  for (const form of applies) {
    const periods = formPeriodsIn(form, plan, reference);
    if (periods.length === 0 && !needed.has(form.key)) continue;
    const reports = await loadFormReports(store, tree, rootId, plan, form);
    if (needed.has(form.key)) for (const r of reports) facts.push({ ...r, formKey: form.key });
    if (periods.length === 0) continue;
    const units = subtree.filter((u) => form.unitKinds.includes(u.kind));
    if (units.length === 0) continue;
    forms.push(gatherForm({ form, periods, units, reports }, lng));
  }

  // The indicators, measured with the reference period as "the period" (no counting form).
  const counting: Form = { ...applies[0]!, unitKinds: [] };
  const progress = computeProgress({ tree, plan, form: counting, period: reference, rootId, reports: [], windowReports: facts, now, indicators: indicatorsUsed });
  const indicators = progress.indicators.map((result) => ({
    result,
    inProgress:
      targetEnd(result.indicator, plan, reference).getTime() > reference.end.getTime() || now.getTime() < reference.end.getTime(),
  }));
  const parent = root.parentId === null ? null : (tree.byId(root.parentId) ?? null);
  return { root, parent, reference, now, plan, tree, forms, indicators };
}
