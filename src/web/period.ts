/**
 * The plan, form and period a page is about: `kh` (a plan id) and `ky` (a period key) from the
 * query, defaulting as /tiendo does (the plan current today, its progress form for the unit, the
 * current period). The tree read is the tree of the period's last day, and the unit its counterpart
 * there (src/progress/tree.ts), as in the chat.
 */
import { currentPeriod, endOfLocalDate, nextPeriod, parsePeriodKey, previousPeriod, startOfLocalDate, type Period } from "../domain/periods.js";
import type { UnitNode } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import { planById } from "../plan/calendar.js";
import type { Form, Plan } from "../plan/schema.js";
import { defaultProgressForm } from "../progress/index.js";
import { counterpartsIn, treeForPeriod } from "../progress/tree.js";
import type { AppServices } from "../commands/types.js";

/** A resolved page scope, or why there is none (a key of the web namespace). */
export type PageScope =
  | { ok: true; plan: Plan; form: Form; period: Period; tree: UnitTree; root: UnitNode; previous: Period | null; next: Period | null }
  | { ok: false; reason: "no_plan" | "no_form" | "bad_period" | "no_unit_in_period" };

/** The scope of a unit's page for the query's `kh` and `ky`. */
export async function pageScope(app: AppServices, unit: UnitNode, query: { kh?: string; ky?: string }): Promise<PageScope> {
  const plan = query.kh ? planById(app.plans, query.kh) : app.plan;
  if (!plan) return { ok: false, reason: "no_plan" };
  const latest = app.tree();
  const form = defaultProgressForm(plan, latest, unit.id);
  if (!form) return { ok: false, reason: "no_form" };
  const now = app.now();
  const period = query.ky ? parsePeriodKey(form.period, query.ky) : currentPeriod(form, now, plan);
  if (!period) return { ok: false, reason: "bad_period" };
  const tree = await treeForPeriod(app.store, period, latest);
  const root = tree === latest ? unit : (await counterpartsIn(app.store, tree, unit.id))[0];
  if (!root) return { ok: false, reason: "no_unit_in_period" };
  const [first, last] = [startOfLocalDate(plan.start).getTime(), endOfLocalDate(plan.end).getTime()];
  const inPlan = (p: Period | null) => (p && p.end.getTime() > first && p.start.getTime() < last ? p : null);
  const next = inPlan(nextPeriod(period));
  return {
    ok: true,
    plan,
    form,
    period,
    tree,
    root,
    previous: inPlan(previousPeriod(period)),
    next: next && next.start.getTime() <= now.getTime() ? next : null,
  };
}

/** The query string that keeps a page's plan and period. */
export function scopeQuery(plan: Plan, period: Period): string {
  return `?kh=${encodeURIComponent(plan.id)}&ky=${encodeURIComponent(period.key)}`;
}
