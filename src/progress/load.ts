/**
 * /tiendo from the store: what computeProgress (src/domain/progress.ts) needs for one unit's
 * subtree, one form and one period, read as one row per unit instead of one per report, and the
 * pure computation run on it. The result equals computeProgress over the raw report rows
 * (test/store/progress.test.ts checks it on every unit, several periods, forms and indicators).
 *
 * The steps, and the file that keeps each step's invariant:
 *   1. plan the scans (scan.ts): per form read, which period keys or submission times each
 *      indicator window takes — exactly those computeIndicator takes;
 *   2. read one row per unit: from the slice cache (scan-cache.ts over cache.ts, the default), or
 *      with one aggregate query per form (scan-sql.ts, `cache: false`). The cache is exact at every
 *      call, whoever wrote the reports and whenever they committed: it reads the store's change
 *      feed (feed.ts) first, in the same exclusive section as its loads;
 *   3. hand the rows to computeProgress as synthetic facts (facts.ts), one call for the counts and
 *      the indicators of the period looked at, one per other window, anchor or form, so that one
 *      window's facts never enter another's.
 */
import { computeProgress, type IndicatorResult, type Progress } from "../domain/progress.js";
import { renderProgressText, type RenderProgressOptions } from "../domain/progress-text.js";
import { currentPeriod, type Period } from "../domain/periods.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Form, Indicator, Plan } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import { progressCache } from "./cache.js";
import { groupFacts, mainFacts } from "./facts.js";
import { defaultProgressForm } from "./form.js";
import { scanFromCache, subtreeIds } from "./scan-cache.js";
import { runScan, unitPath } from "./scan-sql.js";
import { planScans, type ScanResult } from "./scan.js";

export { defaultProgressForm } from "./form.js";
export { unitPath } from "./scan-sql.js";

export interface LoadProgressOptions {
  plan: Plan;
  tree: UnitTree;
  /** The unit looked at; its whole subtree counts. */
  rootId: number;
  /** Default: defaultProgressForm(plan, tree, rootId). */
  form?: Form;
  /** Default: currentPeriod(form, now, plan). */
  period?: Period;
  now: Date;
  /** Default: the plan's indicators on the form. */
  indicators?: readonly Indicator[];
  /**
   * Use the store's slice cache (cache.ts; default true): per-period, per-unit values kept in
   * memory and brought up to date by the store's change feed at each call. false: query the
   * subtree directly (one aggregate query per form, nothing kept).
   */
  cache?: boolean;
}

export class NoProgressFormError extends Error {
  override name = "NoProgressFormError";
  constructor(readonly rootId: number) {
    super(`No form of the plan is answered by a unit in the subtree of unit ${rootId}`);
  }
}

/** The per-unit rows of every scan, by form key (step 2). */
async function readScans(store: Store, opts: LoadProgressOptions, scans: ReturnType<typeof planScans>["scans"]): Promise<Map<string, ScanResult>> {
  const { tree, rootId } = opts;
  const results = new Map<string, ScanResult>();
  if (opts.cache === false) {
    // The subtree restriction; none when the unit is the only root (its subtree is everything),
    // nor on a past day's tree (the stored paths describe the latest tree; reading every unit's
    // rows is a superset, and rows of units outside the loaded subtree are ignored).
    const root = tree.byId(rootId)!;
    const wholeStore = (root.parentId === null && tree.roots.length === 1) || tree.date.historic;
    const subtree = wholeStore ? null : { path: unitPath(tree, rootId) };
    for (const scan of scans.values()) results.set(scan.formKey, await runScan(store, scan, subtree));
    return results;
  }
  const cache = progressCache(store);
  await cache.exclusive(async () => {
    await cache.sync(); // first: what the loads below add is then at least as new as the feed
    const ids = subtreeIds(tree, rootId);
    for (const scan of scans.values()) results.set(scan.formKey, await scanFromCache(store, cache, scan, ids));
  });
  return results;
}

/**
 * Everything /tiendo shows for a unit, a form and a period, from the store. See the module
 * comment for what is read and why the result equals computeProgress over the raw reports.
 */
export async function loadProgress(store: Store, opts: LoadProgressOptions): Promise<Progress> {
  const { plan, tree, rootId, now } = opts;
  if (!tree.byId(rootId)) throw new RangeError(`Unknown unit id ${rootId}`);
  const form = opts.form ?? defaultProgressForm(plan, tree, rootId);
  if (!form) throw new NoProgressFormError(rootId);
  const period = opts.period ?? currentPeriod(form, now, plan);
  const indicators = opts.indicators ?? plan.indicators.filter((ind) => ind.form === form.key);

  const { scans, mainGroup, unknown, groups } = planScans(plan, form, period, indicators);
  const results = await readScans(store, opts, scans);

  const main = computeProgress({
    tree,
    plan,
    form,
    period,
    rootId,
    now,
    reports: mainFacts(mainGroup, results.get(form.key)!, period),
    indicators: [...unknown.map((m) => m.ind), ...mainGroup.aggs.map((a) => a.ind)],
  });
  const resultAt = new Array<IndicatorResult>(indicators.length);
  [...unknown.map((m) => m.index), ...mainGroup.aggs.map((a) => a.index)].forEach((idx, k) => (resultAt[idx] = main.indicators[k]!));
  // The other groups count nothing: their form is passed with no unit kinds.
  const silentForm: Form = { ...form, unitKinds: [] };
  for (const group of groups) {
    const part = computeProgress({
      tree,
      plan,
      form: silentForm,
      period,
      rootId,
      now,
      reports: groupFacts(group, results.get(group.formKey)!, tree, rootId),
      indicators: group.aggs.map((a) => a.ind),
    });
    group.aggs.forEach((a, k) => (resultAt[a.index] = part.indicators[k]!));
  }
  return { ...main, indicators: resultAt };
}

/** loadProgress, rendered as the /tiendo chat text. */
export async function progressText(
  store: Store,
  opts: LoadProgressOptions & { render?: RenderProgressOptions },
): Promise<string> {
  return renderProgressText(await loadProgress(store, opts), opts.render);
}
