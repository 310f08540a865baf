/**
 * Progress roll-up for /tiendo: who has reported for a form and period in a part of the unit
 * tree, who is late or missing, and the plan's indicators against their targets. Pure (no I/O).
 *
 * Cost: one pass over the root's subtree (a preorder index of the whole tree is built once per
 * UnitTree and cached), one pass over the reports, and per indicator one bottom-up accumulation
 * over the subtree in typed arrays. No per-unit subtree walks.
 */
import type { Form, Indicator, Plan, UnitKind } from "../plan/schema.js";
import type { ReportFact, UnitNode } from "./types.js";
import type { UnitTree } from "./units/tree.js";
import { dueDate, localInstant, parsePeriodKey, startOfLocalDate, type Period } from "./periods.js";

export interface ProgressInput {
  tree: UnitTree;
  plan: Plan;
  /** The form whose reporting is measured. */
  form: Form;
  period: Period;
  /** The unit the officer looks at; its whole subtree is counted. */
  rootId: number;
  /**
   * Reports of `form` (for `period`; others, and reports outside the subtree, are ignored by the
   * counts). They are also a source for the indicators (below).
   */
  reports: readonly ReportFact[];
  /**
   * More reports for the indicators: reports of `form` for other periods (window "year"/"plan"),
   * and reports of the indicators' own forms when an indicator is about another form. Contract:
   * for each indicator, the sources are `reports` ∪ `windowReports` filtered by
   * `formKey === indicator.form`, by unit in the subtree and by the indicator's window; the same
   * report may appear in both lists, and for one (unit, form, period) the latest submittedAt wins.
   */
  windowReports?: readonly ReportFact[];
  now: Date;
  /** Which indicators to compute. Default: the plan's indicators whose form is `form`. */
  indicators?: readonly Indicator[];
}

export interface ChildProgress {
  unit: UnitNode;
  expected: number;
  received: number;
  onTime: number;
  /** received / expected */
  rate: number;
}

export interface IndicatorWindow {
  kind: Indicator["window"];
  start: Date;
  /** Exclusive: the end of the period being looked at. */
  end: Date;
}

export interface IndicatorResult {
  indicator: Indicator;
  /**
   * - sum without per: the total; sum/ratio/yes_share with `per`: the number of units of that
   *   kind that meet the target (detail.unitsCounted is the denominator);
   * - ratio: Σpart / Σtotal as a fraction (0.85), null when Σtotal is 0;
   * - yes_share: yes units / expected units as a fraction, null when no unit is expected.
   */
  value: number | null;
  /**
   * The target as compared: a number for sums (per unit when `per`), a FRACTION for ratio and
   * yes_share. In the plan, ratio/yes_share targets may be written as a fraction (0.8) or a
   * percentage (80): any atLeast > 1 is read as a percentage.
   */
  target: number;
  /** null when there is nothing to measure (no total, no expected unit, no unit of kind `per`). */
  met: boolean | null;
  window: IndicatorWindow;
  detail: {
    /** with per: units of kind `per` that meet the target / that are counted (ratio: only units with a total). */
    unitsMeeting?: number;
    unitsCounted?: number;
    /** with per: the units counted that do not meet the target, by name. */
    unitsNotMeeting?: UnitNode[];
    /** with per: unitsMeeting / unitsCounted. */
    share?: number | null;
    /** sum: the total; ratio: Σpart; yes_share: units answering yes. */
    part?: number;
    /** ratio: Σtotal; yes_share: units expected to answer. */
    total?: number;
    /** The indicator's form is not in the plan. */
    unknownForm?: boolean;
  };
}

export interface Progress {
  unit: UnitNode;
  form: Form;
  period: Period;
  /** Last on-time instant (see dueDate). */
  due: Date;
  now: Date;
  /** now is after the deadline. */
  duePassed: boolean;
  /** Units in the subtree (root included) whose kind is in form.unitKinds. */
  expected: number;
  /** Expected units with a report for the period. */
  received: number;
  onTime: number;
  late: number;
  /** received / expected; null when nothing is expected. */
  reportingRate: number | null;
  /** onTime / expected (not / received: a missing report is not on time); null when nothing is expected. */
  onTimeRate: number | null;
  /** Expected units without a report, by name ('vi' collation). */
  missing: UnitNode[];
  /** Expected units whose (first) report came after the deadline, by name. */
  lateUnits: UnitNode[];
  /** Direct children of the root with at least one expected unit in their subtree, in tree order (by name). */
  children: ChildProgress[];
  indicators: IndicatorResult[];
}

// ---------------------------------------------------------------------------------------------
// Tree index (cached per UnitTree; UnitTree is immutable)

const KIND_CODES: Record<UnitKind, number> = { province: 1, district: 2, commune: 4, branch: 8, special: 16 };

function kindMask(kinds: readonly UnitKind[]): number {
  let m = 0;
  for (const k of kinds) m |= KIND_CODES[k];
  return m;
}

interface TreeIndex {
  /** Units in preorder (roots in tree order, children by name). */
  nodes: UnitNode[];
  pos: Map<number, number>;
  /** Dense id → position (-1: none) when ids are small non-negative integers; faster than the Map. */
  posById: Int32Array | null;
  /** Parent position, -1 for a root. Always < own position. */
  parent: Int32Array;
  /** Subtree size: the subtree of position p is [p, p + size[p]). */
  size: Int32Array;
  kind: Uint8Array;
  /** Name rank in 'vi' collation and its inverse, computed on first need. */
  rank: Int32Array | null;
  byRank: Int32Array | null;
}

const indexCache = new WeakMap<UnitTree, TreeIndex>();

function treeIndex(tree: UnitTree): TreeIndex {
  let ix = indexCache.get(tree);
  if (ix) return ix;
  const n = tree.size;
  const nodes: UnitNode[] = [];
  const pos = new Map<number, number>();
  const parent = new Int32Array(n).fill(-1);
  const kind = new Uint8Array(n);
  const stack: { u: UnitNode; parentPos: number }[] = [];
  for (let r = tree.roots.length - 1; r >= 0; r--) stack.push({ u: tree.roots[r]!, parentPos: -1 });
  while (stack.length > 0) {
    const { u, parentPos } = stack.pop()!;
    if (pos.has(u.id)) continue;
    const p = nodes.length;
    nodes.push(u);
    pos.set(u.id, p);
    parent[p] = parentPos;
    kind[p] = KIND_CODES[u.kind] ?? 0;
    const kids = tree.children(u.id);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ u: kids[i]!, parentPos: p });
  }
  const m = nodes.length;
  const size = new Int32Array(m).fill(1);
  for (let p = m - 1; p > 0; p--) if (parent[p]! >= 0) size[parent[p]!] = size[parent[p]!]! + size[p]!;
  let maxId = -1;
  let dense = true;
  for (const u of nodes) {
    if (!Number.isInteger(u.id) || u.id < 0) dense = false;
    else if (u.id > maxId) maxId = u.id;
  }
  let posById: Int32Array | null = null;
  if (dense && maxId < 4 * m + 1024) {
    posById = new Int32Array(maxId + 1).fill(-1);
    nodes.forEach((u, p) => (posById![u.id] = p));
  }
  ix = { nodes, pos, posById, parent: parent.subarray(0, m), size, kind: kind.subarray(0, m), rank: null, byRank: null };
  indexCache.set(tree, ix);
  return ix;
}

/** Position of a unit id in the index, or -1. */
function posOf(ix: TreeIndex, id: number): number {
  const d = ix.posById;
  if (d !== null) {
    const p = d[id];
    return p === undefined ? -1 : p;
  }
  return ix.pos.get(id) ?? -1;
}

const collator = new Intl.Collator("vi");
export const compareUnitNames = (a: UnitNode, b: UnitNode): number => collator.compare(a.name, b.name) || a.id - b.id;

/**
 * Units at the given tree positions, by name. Small lists use the collator directly; large ones a
 * rank of every unit's name, computed once per tree (about 0.2 s for 100,000 units) and cached,
 * which then serves every list but the shortest.
 */
function sortByName(positions: number[], ix: TreeIndex): UnitNode[] {
  // The ranks, once computed for a large list, serve every list after (same order: the ranks sort
  // by compareUnitNames, a total order).
  if (positions.length <= (ix.rank ? 16 : 2000)) return positions.map((p) => ix.nodes[p]!).sort(compareUnitNames);
  if (!ix.rank || !ix.byRank) {
    const order = Int32Array.from(ix.nodes.keys()).sort((a, b) => compareUnitNames(ix.nodes[a]!, ix.nodes[b]!));
    const rank = new Int32Array(ix.nodes.length);
    order.forEach((p, r) => (rank[p] = r));
    ix.rank = rank;
    ix.byRank = order;
  }
  const ranks = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) ranks[k] = ix.rank[positions[k]!]!;
  ranks.sort();
  const out = new Array<UnitNode>(ranks.length);
  for (let k = 0; k < ranks.length; k++) out[k] = ix.nodes[ix.byRank[ranks[k]!]!]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main computation

export function computeProgress(input: ProgressInput): Progress {
  const { tree, plan, form, period, rootId, now } = input;
  const ix = treeIndex(tree);
  const lo = ix.pos.get(rootId);
  if (lo === undefined) throw new RangeError(`Unknown unit id ${rootId}`);
  const n = ix.size[lo]!;
  const hi = lo + n;
  const due = dueDate(form, period);
  const dueMs = due.getTime();

  // First submission per unit in the subtree for this form and period.
  const first = new Float64Array(n).fill(Infinity);
  for (const r of input.reports) {
    if (r.formKey !== form.key || r.periodKey !== period.key) continue;
    const p = posOf(ix, r.unitId);
    if (p < lo || p >= hi) continue;
    const ms = r.submittedAt.getTime();
    if (ms < first[p - lo]!) first[p - lo] = ms;
  }

  // Local index i = position - lo; parent of i is parent[lo + i] - lo; top[i] = the root's child above i.
  const top = new Int32Array(n);
  top[0] = -1;
  for (let i = 1; i < n; i++) {
    const par = ix.parent[lo + i]! - lo;
    top[i] = par === 0 ? i : top[par]!;
  }

  const mask = kindMask(form.unitKinds);
  const cExp = new Int32Array(n);
  const cRec = new Int32Array(n);
  const cOn = new Int32Array(n);
  let expected = 0;
  let received = 0;
  let onTime = 0;
  const missing: number[] = [];
  const lateUnits: number[] = [];
  for (let i = 0; i < n; i++) {
    if ((ix.kind[lo + i]! & mask) === 0) continue;
    expected++;
    const tp = top[i]!;
    if (tp >= 0) cExp[tp] = cExp[tp]! + 1;
    const ms = first[i]!;
    if (ms === Infinity) {
      missing.push(lo + i);
      continue;
    }
    received++;
    if (tp >= 0) cRec[tp] = cRec[tp]! + 1;
    if (ms <= dueMs) { // isOnTime, without allocating a Date
      onTime++;
      if (tp >= 0) cOn[tp] = cOn[tp]! + 1;
    } else lateUnits.push(lo + i);
  }

  const children: ChildProgress[] = [];
  for (const child of tree.children(rootId)) {
    const p = ix.pos.get(child.id);
    if (p === undefined) continue;
    const i = p - lo;
    const e = cExp[i]!;
    if (e > 0) children.push({ unit: child, expected: e, received: cRec[i]!, onTime: cOn[i]!, rate: cRec[i]! / e });
  }

  const indicatorList = input.indicators ?? plan.indicators.filter((ind) => ind.form === form.key);
  const ctx: IndicatorContext = {
    ix,
    lo,
    n,
    plan,
    period,
    reports: input.reports,
    windowReports: input.windowReports ?? [],
    sources: new Map(),
  };
  const indicators = indicatorList.map((ind) => computeIndicator(ind, ctx));

  return {
    unit: ix.nodes[lo]!,
    form,
    period,
    due,
    now,
    duePassed: now.getTime() > dueMs,
    expected,
    received,
    onTime,
    late: received - onTime,
    reportingRate: expected > 0 ? received / expected : null,
    onTimeRate: expected > 0 ? onTime / expected : null,
    missing: sortByName(missing, ix),
    lateUnits: sortByName(lateUnits, ix),
    children,
    indicators,
  };
}

// ---------------------------------------------------------------------------------------------
// Indicators

interface IndicatorContext {
  ix: TreeIndex;
  lo: number;
  n: number;
  plan: Plan;
  period: Period;
  reports: readonly ReportFact[];
  windowReports: readonly ReportFact[];
  /** Deduplicated sources per form key, built on first use. */
  sources: Map<string, FormSources>;
}

/**
 * The reports of one form in the subtree, one per (unit, period key): the latest submittedAt.
 * Parallel arrays; `slot` indexes `slotKeys` (the distinct period keys).
 */
interface FormSources {
  rep: ReportFact[];
  local: Int32Array;
  slot: Int32Array;
  slotKeys: string[];
}

function formSources(formKey: string, ctx: IndicatorContext): FormSources {
  const cached = ctx.sources.get(formKey);
  if (cached) return cached;
  const { ix, lo, n } = ctx;
  const hi = lo + n;
  const slotOf = new Map<string, number>();
  const slotKeys: string[] = [];
  let lastKey: string | null = null;
  let lastSlot = -1;
  const rep: ReportFact[] = [];
  const localL: number[] = [];
  const slotL: number[] = [];
  for (const list of [ctx.reports, ctx.windowReports]) {
    for (const r of list) {
      if (r.formKey !== formKey) continue;
      const p = posOf(ix, r.unitId);
      if (p < lo || p >= hi) continue;
      let sl: number | undefined = lastSlot;
      if (r.periodKey !== lastKey) {
        sl = slotOf.get(r.periodKey);
        if (sl === undefined) {
          sl = slotKeys.length;
          slotOf.set(r.periodKey, sl);
          slotKeys.push(r.periodKey);
        }
        lastKey = r.periodKey;
        lastSlot = sl;
      }
      rep.push(r);
      localL.push(p - lo);
      slotL.push(sl);
    }
  }
  // Bucket by slot (counting sort), then keep the latest report per unit within each slot.
  const m = rep.length;
  const start = new Int32Array(slotKeys.length + 1);
  for (let k = 0; k < m; k++) start[slotL[k]! + 1] = start[slotL[k]! + 1]! + 1;
  for (let sl = 0; sl < slotKeys.length; sl++) start[sl + 1] = start[sl + 1]! + start[sl]!;
  const fill = start.slice(0, slotKeys.length);
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const sl = slotL[k]!;
    order[fill[sl]!] = k;
    fill[sl] = fill[sl]! + 1;
  }
  const gen = new Int32Array(n); // slot + 1 of the last slot that claimed the unit
  const owner = new Int32Array(n); // index (in `out`) of that claim
  const outRep: ReportFact[] = [];
  const outLocal: number[] = [];
  const outSlot: number[] = [];
  for (let j = 0; j < m; j++) {
    const k = order[j]!;
    const i = localL[k]!;
    const sl = slotL[k]!;
    const r = rep[k]!;
    if (gen[i] === sl + 1) {
      const o = owner[i]!;
      if (outRep[o]!.submittedAt.getTime() < r.submittedAt.getTime()) outRep[o] = r;
      continue;
    }
    gen[i] = sl + 1;
    owner[i] = outRep.length;
    outRep.push(r);
    outLocal.push(i);
    outSlot.push(sl);
  }
  const fs: FormSources = { rep: outRep, local: Int32Array.from(outLocal), slot: Int32Array.from(outSlot), slotKeys };
  ctx.sources.set(formKey, fs);
  return fs;
}

/**
 * The reports an indicator counts, ending with the period being looked at:
 * period = that period; year = from 1 January of its (local) year; plan = from the plan's start.
 */
export function indicatorWindow(kind: Indicator["window"], period: Period, plan: Pick<Plan, "start">): IndicatorWindow {
  if (kind === "period") return { kind, start: period.start, end: period.end };
  if (kind === "year") {
    // An unbounded once-period has no year: the window then starts with the plan.
    if (period.year <= 0) return { kind, start: startOfLocalDate(plan.start), end: period.end };
    return { kind, start: localInstant(period.year, 1), end: period.end };
  }
  return { kind, start: startOfLocalDate(plan.start), end: period.end };
}

/** ratio / yes_share targets: 0.8 and 80 both mean 80%. */
export function targetFraction(atLeast: number): number {
  return atLeast > 1 ? atLeast / 100 : atLeast;
}

const EPS = 1e-9;

function computeIndicator(ind: Indicator, ctx: IndicatorContext): IndicatorResult {
  const { ix, lo, n, plan, period } = ctx;
  const window = indicatorWindow(ind.window, period, plan);
  const target = ind.measure === "sum" ? ind.target.atLeast : targetFraction(ind.target.atLeast);
  const indForm = plan.forms.find((f) => f.key === ind.form);
  if (!indForm) return { indicator: ind, value: null, target, met: null, window, detail: { unknownForm: true } };

  // Which reports are in the window. Same period kind and window "period": the same key.
  // Once-forms: submitted within the window. Otherwise: the report's period ends within
  // (window start, window end] — e.g. the months of a half-year, January to May for "year".
  const src = formSources(ind.form, ctx);
  const wStart = window.start.getTime();
  const wEnd = window.end.getTime();
  const byTime = indForm.period === "once" && !(ind.window === "period" && period.kind === "once");
  const slotOk = src.slotKeys.map((key) => {
    if (ind.window === "period" && indForm.period === period.kind) return key === period.key;
    if (byTime) return true; // decided per report below
    const pp = parsePeriodKey(indForm.period, key);
    return pp !== null && pp.end.getTime() > wStart && pp.end.getTime() <= wEnd;
  });

  // Per unit: num/den of its own reports.
  const num = new Float64Array(n);
  const den = new Float64Array(n);
  const q = ind.question;
  const measure = ind.measure;
  for (let k = 0; k < src.rep.length; k++) {
    if (!slotOk[src.slot[k]!]) continue;
    const r = src.rep[k]!;
    if (byTime) {
      const ms = r.submittedAt.getTime();
      if (ms < wStart || ms >= wEnd) continue;
    }
    const a = r.answers[q];
    if (a === undefined) continue;
    const i = src.local[k]!;
    if (measure === "sum") num[i] = num[i]! + sumValue(a);
    else if (measure === "ratio") {
      if (typeof a === "object" && a !== null && !Array.isArray(a)) {
        num[i] = num[i]! + a.part;
        den[i] = den[i]! + a.total;
      }
    } else if (isYes(a)) num[i] = 1;
  }
  if (measure === "yes_share") {
    const mask = kindMask(indForm.unitKinds);
    for (let i = 0; i < n; i++) {
      if ((ix.kind[lo + i]! & mask) !== 0) den[i] = 1;
      else num[i] = 0; // a yes from a unit that is not asked does not count
    }
  }

  const per = ind.target.per;
  if (!per) {
    let sNum = 0;
    let sDen = 0;
    for (let i = 0; i < n; i++) {
      sNum += num[i]!;
      sDen += den[i]!;
    }
    if (measure === "sum") {
      return { indicator: ind, value: sNum, target, met: sNum >= target - EPS, window, detail: { part: sNum } };
    }
    const value = sDen > 0 ? sNum / sDen : null;
    return {
      indicator: ind,
      value,
      target,
      met: value === null ? null : value >= target - EPS,
      window,
      detail: { part: sNum, total: sDen },
    };
  }

  // Roll up (children come after parents in preorder), then judge each unit of kind `per`.
  for (let i = n - 1; i > 0; i--) {
    const par = ix.parent[lo + i]! - lo;
    num[par] = num[par]! + num[i]!;
    den[par] = den[par]! + den[i]!;
  }
  const perCode = KIND_CODES[per];
  let meeting = 0;
  let counted = 0;
  const notMeeting: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ix.kind[lo + i] !== perCode) continue;
    let ok: boolean;
    if (measure === "sum") ok = num[i]! >= target - EPS;
    else if (den[i]! > 0) ok = num[i]! / den[i]! >= target - EPS;
    else continue; // nothing to measure in this unit
    counted++;
    if (ok) meeting++;
    else notMeeting.push(lo + i);
  }
  return {
    indicator: ind,
    value: meeting,
    target,
    met: counted > 0 ? meeting === counted : null,
    window,
    detail: {
      unitsMeeting: meeting,
      unitsCounted: counted,
      unitsNotMeeting: sortByName(notMeeting, ix),
      share: counted > 0 ? meeting / counted : null,
      part: num[0]!,
      ...(measure === "sum" ? {} : { total: den[0]! }),
    },
  };
}

/** What a sum adds: numbers; true as 1; the part of a part_of_total. */
function sumValue(a: ReportFact["answers"][string]): number {
  if (typeof a === "number") return Number.isFinite(a) ? a : 0;
  if (a === true) return 1;
  if (typeof a === "object" && a !== null && !Array.isArray(a)) return a.part;
  return 0;
}

/** yes_share counts true, or a positive number ("how many sessions": 2 → yes). */
function isYes(a: ReportFact["answers"][string]): boolean {
  return a === true || (typeof a === "number" && a > 0);
}
