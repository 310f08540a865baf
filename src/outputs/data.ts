/**
 * What the spreadsheet (/xuat) and the periodic report (/baocaotonghop) are made of: for an
 * officer's unit and a reporting period, one section per form of the plan answered in her
 * subtree, with the period of that form, its Progress (loadProgress: the same figures as
 * /tiendo) and one row per unit that must answer, with its stored report when there is one.
 *
 * Which forms and periods. The reference period is the one asked for, else the current period of
 * the unit's default form (the branches' monthly report). A form with that kind of period gets
 * the reference period; a one-off form is included when its period overlaps the reference
 * period; a form of another kind gets its period containing the reference period's last day (or
 * today, if earlier): for May 2024 the half-yearly forms give 2024-H1, the yearly ones 2024.
 * Forms whose date range does not reach that period are left out.
 *
 * Cost: one query per form (the reports of that form and period in the subtree, joined to Unit on
 * its materialised path) plus loadProgress per form.
 */
import { currentPeriod, formRange, oncePeriod, periodOf, dueDate, type Period } from "../domain/periods.js";
import type { Progress } from "../domain/progress.js";
import { percentText } from "../domain/progress-text.js";
import { formatNumber } from "../domain/vi/index.js";
import type { Answers, UnitNode } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Form, Plan } from "../plan/schema.js";
import { defaultProgressForm, loadProgress, unitPath } from "../progress/index.js";
import type { Store } from "../store/database.js";

/** The reporting figures of a progress, formatted, as the workbook and the report texts name them. */
export function reportingParams(p: Progress): Record<string, string> {
  return {
    expected: formatNumber(p.expected),
    received: formatNumber(p.received),
    rate: percentText(p.reportingRate ?? 0),
    onTime: formatNumber(p.onTime),
    onTimeRate: percentText(p.onTimeRate ?? 0),
    late: formatNumber(p.late),
    missing: formatNumber(p.missing.length),
  };
}

export interface ExportOptions {
  plan: Plan;
  tree: UnitTree;
  /** The officer's unit: only its subtree is read. */
  rootId: number;
  /** The reference period (default: the current period of the unit's default form). */
  period?: Period;
  now: Date;
  /** Only the forms whose period has the reference period's kind (the periodic report). */
  onlyReferenceKind?: boolean;
}

export type RowStatus = "on_time" | "late" | "missing";

export interface UnitRowData {
  unit: UnitNode;
  /** The unit's parent, when it is in the tree. */
  parent: UnitNode | null;
  /** The root's direct child this unit lies under (null for the root itself). */
  group: UnitNode | null;
  report: { submittedAt: Date; answers: Answers } | null;
  status: RowStatus;
}

export interface FormSection {
  form: Form;
  period: Period;
  /** Last on-time instant (dueDate). */
  due: Date;
  progress: Progress;
  /** Units of the form's kinds in the subtree, in tree order (preorder, children by name). */
  rows: UnitRowData[];
}

export interface ExportData {
  root: UnitNode;
  reference: Period;
  now: Date;
  plan: Plan;
  tree: UnitTree;
  /** The form of the reference period first, then in plan order. */
  sections: FormSection[];
}

export class NoExportFormError extends Error {
  override name = "NoExportFormError";
  constructor(readonly rootId: number) {
    super(`No form of the plan is answered in the subtree of unit ${rootId}`);
  }
}

function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** The forms answered in the subtree, each with its period for the reference period (see the module comment). */
export function exportForms(plan: Plan, tree: UnitTree, rootId: number, reference: Period, now: Date): { form: Form; period: Period }[] {
  const kinds = new Set<string>();
  for (const u of tree.subtree(rootId)) kinds.add(u.kind);
  const anchor = new Date(Math.min(now.getTime(), reference.end.getTime() - 1));
  const out: { form: Form; period: Period }[] = [];
  for (const form of plan.forms) {
    if (!form.unitKinds.some((k) => kinds.has(k))) continue;
    let period: Period;
    if (form.period === "once") {
      period = oncePeriod({ form, plan });
      if (reference.kind === "once" ? reference.key !== form.key : !overlaps(period, reference)) continue;
    } else if (form.period === reference.kind) period = reference;
    else if (reference.kind === "once") continue;
    else period = periodOf(form.period, anchor);
    const range = formRange(form, plan);
    if (range.start && period.end.getTime() <= range.start.getTime()) continue;
    if (range.end && period.start.getTime() >= range.end.getTime()) continue;
    out.push({ form, period });
  }
  // The reference period's own kind first.
  return [...out.filter((s) => s.period.kind === reference.kind), ...out.filter((s) => s.period.kind !== reference.kind)];
}

/** The reference period when none is asked for: the current period of the unit's default form. */
export function defaultReferencePeriod(plan: Plan, tree: UnitTree, rootId: number, now: Date): Period {
  const form = defaultProgressForm(plan, tree, rootId);
  if (!form) throw new NoExportFormError(rootId);
  return currentPeriod(form, now, plan);
}

interface ReportRow {
  u: number;
  at: number;
  a: Answers | string;
}

async function loadReports(
  store: Store,
  tree: UnitTree,
  rootId: number,
  planKey: string,
  form: Form,
  period: Period,
): Promise<Map<number, { submittedAt: Date; answers: Answers }>> {
  const root = tree.byId(rootId)!;
  // A past day's tree: the stored paths describe the latest tree, so read the whole form's rows
  // (only the subtree's units are looked up below).
  const whole = (root.parentId === null && tree.roots.length === 1) || tree.date.historic;
  const params: unknown[] = [form.key, period.key, planKey];
  let join = "";
  if (!whole) {
    params.push(`${unitPath(tree, rootId)}%`);
    join = `JOIN "Unit" un ON un."id" = r."unitId" AND un."path" LIKE $4`;
  }
  const rows = await store.sql.query<ReportRow>(
    `SELECT r."unitId" AS u, (extract(epoch FROM r."submittedAt") * 1000)::float8 AS at, r."answers" AS a
     FROM "Report" r ${join} WHERE r."formKey" = $1 AND r."periodKey" = $2 AND r."planKey" = $3`,
    params,
  );
  const out = new Map<number, { submittedAt: Date; answers: Answers }>();
  for (const r of rows) {
    const answers = (typeof r.a === "string" ? JSON.parse(r.a) : r.a) as Answers;
    out.set(Number(r.u), { submittedAt: new Date(Number(r.at)), answers: answers ?? {} });
  }
  return out;
}

/** Everything the spreadsheet and the periodic report show, for the officer's subtree. */
export async function loadExportData(store: Store, opts: ExportOptions): Promise<ExportData> {
  const { plan, tree, rootId, now } = opts;
  const root = tree.byId(rootId);
  if (!root) throw new RangeError(`Unknown unit id ${rootId}`);
  const reference = opts.period ?? defaultReferencePeriod(plan, tree, rootId, now);
  const chosen = exportForms(plan, tree, rootId, reference, now).filter((s) => !opts.onlyReferenceKind || s.period.kind === reference.kind);
  if (chosen.length === 0) throw new NoExportFormError(rootId);

  // The root's child above each unit, and the subtree in tree order.
  const groupOf = new Map<number, UnitNode>();
  for (const child of tree.children(rootId)) for (const u of tree.subtree(child.id)) groupOf.set(u.id, child);
  const subtree = [...tree.subtree(rootId)];

  const sections: FormSection[] = [];
  for (const { form, period } of chosen) {
    const due = dueDate(form, period);
    const [reports, progress] = [
      await loadReports(store, tree, rootId, plan.id, form, period),
      await loadProgress(store, { plan, tree, rootId, form, period, now }),
    ];
    const rows: UnitRowData[] = [];
    for (const unit of subtree) {
      if (!form.unitKinds.includes(unit.kind)) continue;
      const report = reports.get(unit.id) ?? null;
      const status: RowStatus = report === null ? "missing" : report.submittedAt.getTime() <= due.getTime() ? "on_time" : "late";
      rows.push({
        unit,
        parent: unit.parentId === null ? null : (tree.byId(unit.parentId) ?? null),
        group: groupOf.get(unit.id) ?? null,
        report,
        status,
      });
    }
    sections.push({ form, period, due, progress, rows });
  }
  return { root, reference, now, plan, tree, sections };
}
