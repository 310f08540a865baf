/**
 * Synthetic facts: a scan's per-unit rows handed to computeProgress (src/domain/progress.ts) as
 * ReportFacts whose answer is the unit's aggregate, so that the pure computation gives the same
 * figures as over the raw reports.
 *
 * Why that is the same. computeProgress takes, per indicator, the reports of the indicator's form
 * in the subtree whose period is in the window (one per unit and period), accumulates per unit,
 * then rolls up the tree:
 *   - sum: num += sumValue(answer)  (a number; true as 1; the part of a part_of_total);
 *   - ratio: num += part, den += total, for part_of_total answers only;
 *   - yes_share: num = 1 if ANY answer is yes (true or a positive number); den = 1 per unit of the
 *     form's kinds; a yes of a unit of another kind does not count.
 * A fact carries exactly that per-unit accumulation: a number for sum (sumValue(n) = n),
 * {part, total} for ratio, a boolean for yes_share, with a period key in the window (the latest
 * one with a report) and, for once-forms counted by submission time, the latest submission in the
 * window; computeProgress finds one such report per unit (or anchor) and accumulates it once.
 *   - yes_share, and the period looked at: one fact per unit (the counts need every unit anyway).
 *   - sum and ratio over a window: the facts are gathered further, at the nearest unit of the
 *     target's `per` kind at or above each unit inside the subtree, else at the root. Every unit
 *     of that kind then sums the same values over its subtree, and so does the root (its totals
 *     are the reported part/total); no other unit's own sum is read. So a national "per commune"
 *     indicator takes ~3,300 facts instead of ~95,000, with the same values, verdicts and lists.
 * Limits: sums are float8 in SQL (exact for integers; decimals may differ in the last bits from
 * JS's order of addition); reports of units outside the loaded tree are ignored by both.
 */
import type { Period } from "../domain/periods.js";
import type { Answers, ReportFact } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { AnswerValue } from "../plan/schema.js";
import { SUBTREE_CACHE_SIZE, subtreeIds } from "./scan-cache.js";
import { numberAt, type Agg, type AnchorMode, type CallGroup, type ScanResult } from "./scan.js";

const anchorCache = new WeakMap<UnitTree, Map<string, Int32Array>>();

/** anchor[unitId] = the unit id its values go to (-1: not in the subtree). Cached per tree. */
function anchorsFor(tree: UnitTree, rootId: number, mode: AnchorMode): Int32Array {
  let m = anchorCache.get(tree);
  if (!m) anchorCache.set(tree, (m = new Map()));
  const key = `${rootId}|${mode}`;
  let a = m.get(key);
  if (a) return a;
  const ids = subtreeIds(tree, rootId);
  const maxId = ids.length > 0 ? ids[ids.length - 1]! : 0;
  a = new Int32Array(maxId + 1).fill(-1);
  for (const u of tree.subtree(rootId)) {
    // Preorder: a unit's parent (inside the subtree) is done before it.
    const id = u.id;
    if (id === rootId) a[id] = rootId;
    else if (mode !== "root" && u.kind === mode) a[id] = id;
    else a[id] = a[u.parentId!]!;
  }
  m.set(key, a);
  if (m.size > SUBTREE_CACHE_SIZE * 2) m.delete(m.keys().next().value!);
  return a;
}

function aggValue(a: Agg, res: ScanResult, i: number): AnswerValue | undefined {
  switch (a.ind.measure) {
    case "sum":
      return numberAt(res[a.cols[0]!], i) ?? undefined;
    case "ratio": {
      const part = numberAt(res[a.cols[0]!], i);
      const total = numberAt(res[a.cols[1]!], i);
      if (part === null && total === null) return undefined;
      return { part: part ?? 0, total: total ?? 0 };
    }
    case "yes_share": {
      const v = res[a.cols[0]!]![i];
      return v === true || v === 1;
    }
  }
}

/** One fact per unit with a report for the period looked at, with the main group's aggregates. */
export function mainFacts(group: CallGroup, res: ScanResult, period: Period): ReportFact[] {
  const out: ReportFact[] = [];
  const firsts = res.first;
  for (let i = 0; i < res.u.length; i++) {
    const f = numberAt(firsts, i);
    if (f === null) continue;
    const answers: Answers = {};
    for (const a of group.aggs) {
      const v = aggValue(a, res, i);
      if (v !== undefined) answers[a.ind.question] = v;
    }
    out.push({ unitId: res.u[i]!, formKey: group.formKey, periodKey: period.key, submittedAt: new Date(f), answers });
  }
  return out;
}

/** The facts of one group: one per unit (yes_share), or one per anchor with the values added up. */
export function groupFacts(group: CallGroup, res: ScanResult, tree: UnitTree, rootId: number): ReportFact[] {
  const keys = res[`k${group.sel}`] as ArrayLike<string | null>;
  const times = res[`t${group.sel}`];
  if (group.anchor === null) {
    const out: ReportFact[] = [];
    for (let i = 0; i < res.u.length; i++) {
      const k = keys[i];
      if (k === null || k === undefined) continue;
      const answers: Answers = {};
      for (const a of group.aggs) {
        const v = aggValue(a, res, i);
        if (v !== undefined) answers[a.ind.question] = v;
      }
      out.push({ unitId: res.u[i]!, formKey: group.formKey, periodKey: k, submittedAt: new Date(numberAt(times, i) ?? 0), answers });
    }
    return out;
  }
  // Sum and ratio: one fact per anchor, with the unit values added up.
  const anchors = anchorsFor(tree, rootId, group.anchor);
  const cols = group.aggs.flatMap((a) => a.cols.map((c) => res[c]!));
  const byAnchor = new Map<number, { key: string; at: number; sums: Float64Array; seen: Uint8Array }>();
  for (let i = 0; i < res.u.length; i++) {
    const k = keys[i];
    if (k === null || k === undefined) continue;
    const u = res.u[i]!;
    const anchor = u < anchors.length ? anchors[u]! : -1;
    if (anchor < 0) continue; // not in the subtree: computeProgress ignores it too
    let b = byAnchor.get(anchor);
    if (!b) byAnchor.set(anchor, (b = { key: k, at: -Infinity, sums: new Float64Array(cols.length), seen: new Uint8Array(cols.length) }));
    if (k > b.key) b.key = k;
    const t = numberAt(times, i);
    if (t !== null && t > b.at) b.at = t;
    for (let c = 0; c < cols.length; c++) {
      const v = numberAt(cols[c], i);
      if (v !== null) {
        b.sums[c] = b.sums[c]! + v;
        b.seen[c] = 1;
      }
    }
  }
  const out: ReportFact[] = [];
  for (const [anchor, b] of byAnchor) {
    const answers: Answers = {};
    let c = 0;
    for (const a of group.aggs) {
      if (a.ind.measure === "ratio") {
        if (b.seen[c] || b.seen[c + 1]) answers[a.ind.question] = { part: b.sums[c]!, total: b.sums[c + 1]! };
        c += 2;
      } else {
        if (b.seen[c]) answers[a.ind.question] = b.sums[c]!;
        c += 1;
      }
    }
    out.push({ unitId: anchor, formKey: group.formKey, periodKey: b.key, submittedAt: new Date(b.at === -Infinity ? 0 : b.at), answers });
  }
  return out;
}
