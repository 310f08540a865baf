/**
 * /tiendo from the store: loads what computeProgress needs for one unit's subtree, one form and
 * one period, and hands it to the pure computation (src/domain/progress.ts). Two sources of the
 * same per-unit rows:
 *
 * Direct (`cache: false`). One query per form involved (normally one), over the rows of Report of
 * that form whose period key lies in the union of what is needed (the period looked at, plus the
 * windows of the year/plan indicators), restricted to the subtree by joining Unit on its
 * materialised path (`path LIKE '/1/7/%'`, text_pattern_ops index); the join is left out when the
 * subtree is the whole store. The query returns ONE ROW PER UNIT, never one per report: the first
 * submission for the period (received / on time / missing), and per indicator an aggregate over
 * that indicator's window, with FILTER clauses so that one scan serves every window. The rows come
 * back as one JSON text (column arrays) to keep driver overhead flat.
 *
 * Cached (default). The same rows computed in memory from per-period, per-unit slices of the
 * store's SliceCache (cache.ts), kept exact by a change feed read at each call; a window of 12 or
 * 30 months is then a few typed-array passes instead of re-reading up to a million JSON rows.
 *
 * How the aggregates preserve computeProgress's semantics. computeProgress takes, per indicator,
 * the reports of the indicator's form in the subtree whose period is in the window (one per
 * unit and period), accumulates per unit, then rolls up the tree:
 *   - sum: num += sumValue(answer)  (a number; true as 1; the part of a part_of_total);
 *   - ratio: num += part, den += total, for part_of_total answers only;
 *   - yes_share: num = 1 if ANY answer is yes (true or a positive number); den = 1 per unit of the
 *     form's kinds; a yes of a unit of another kind does not count.
 * The per-unit accumulation is exactly what is aggregated here (Σ sumValue, Σpart and Σtotal,
 * bool_or(isYes); values.ts has the SQL and JS twins), and it is handed over as synthetic
 * ReportFacts whose answer is the aggregate: a number for sum (sumValue(n) = n), {part, total}
 * for ratio, a boolean for yes_share, with a period key that lies in the window (the latest one
 * with a report) and, for once-forms counted by submission time, the latest submission in the
 * window. computeProgress finds one such report per unit (or anchor) and accumulates it once.
 *   - yes_share and the period looked at: one fact per unit (the counts need every unit anyway).
 *   - sum and ratio over a window: the facts are gathered further, at the nearest unit of the
 *     target's `per` kind at or above each unit inside the subtree, else at the root. Every unit
 *     of that kind then sums the same values over its subtree, and so does the root (its totals
 *     are the reported part/total); no other unit's own sum is read. So a national "per commune"
 *     indicator takes ~3,300 facts instead of ~95,000, with the same values, verdicts and lists.
 * Indicators of different windows (or anchors, or one question under two measures) are computed
 * in separate computeProgress calls on their own facts, so that one window's facts never enter
 * another's; those calls pass the form with no unit kinds, so their counting pass is trivial.
 * Limits of the equivalence: sums are float8 (exact for integers; decimals may differ in the last
 * bits from JS's order of addition); period keys are matched as the app writes them (canonical
 * "2024-05", "2024-H1"); reports of units outside the loaded tree are ignored by both.
 * test/store/progress.test.ts checks equality with computeProgress over the raw rows.
 */
import { computeProgress, indicatorWindow, type IndicatorResult, type Progress } from "../domain/progress.js";
import { renderProgressText, type RenderProgressOptions } from "../domain/progress-text.js";
import { currentPeriod, MAX_INSTANT, parsePeriodKey, periodsBetween, type Period } from "../domain/periods.js";
import type { Answers, ReportFact, UnitKind } from "../domain/types.js";
import type { AnswerValue } from "../plan/schema.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Form, Indicator, Plan } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import { columnKey, formId, progressCache, type ColumnSpec, type Slice, type SliceCache } from "./cache.js";
import { valueSql, type ValueKind } from "./values.js";

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
   * memory and brought up to date by a change feed at each call. false: query the subtree
   * directly (one aggregate query per form, nothing kept).
   */
  cache?: boolean;
}

export class NoProgressFormError extends Error {
  override name = "NoProgressFormError";
  constructor(readonly rootId: number) {
    super(`No form of the plan is answered by a unit in the subtree of unit ${rootId}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Default form

const KIND_BITS: Record<UnitKind, number> = { province: 1, district: 2, commune: 4, branch: 8, special: 16 };
const kindMaskCache = new WeakMap<UnitTree, Map<number, number>>();

/** Per unit, the kinds present in its subtree (a bit mask), computed once per tree. */
function subtreeKinds(tree: UnitTree, id: number): number {
  let masks = kindMaskCache.get(tree);
  if (!masks) {
    masks = new Map();
    for (const u of tree.all()) {
      const bit = KIND_BITS[u.kind] ?? 0;
      masks.set(u.id, (masks.get(u.id) ?? 0) | bit);
      const seen = new Set<number>([u.id]);
      for (let p = u.parentId; p !== null && !seen.has(p); ) {
        seen.add(p);
        const m = masks.get(p) ?? 0;
        if ((m & bit) !== 0 && tree.byId(p)) break; // the rest of the chain has it already
        masks.set(p, m | bit);
        p = tree.byId(p)?.parentId ?? null;
      }
    }
    kindMaskCache.set(tree, masks);
  }
  return masks.get(id) ?? 0;
}

/**
 * The form /tiendo shows by default for a unit: among the forms answered by some unit of its
 * subtree, the first monthly one in plan order (the branches' monthly report), else the first.
 * With `periodKind` (the officer named a period, e.g. "năm 2024"): the first with that kind, if any.
 */
export function defaultProgressForm(plan: Plan, tree: UnitTree, rootId: number, periodKind?: Period["kind"]): Form | null {
  const mask = subtreeKinds(tree, rootId);
  const applies = plan.forms.filter((f) => f.unitKinds.some((k) => (KIND_BITS[k] & mask) !== 0));
  if (periodKind) return applies.find((f) => f.period === periodKind) ?? null;
  return applies.find((f) => f.period === "monthly") ?? applies[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Selections: which reports of a form an indicator reads

interface Selection {
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

// ---------------------------------------------------------------------------------------------
// The query

interface Agg {
  /** Position in the indicator list. */
  index: number;
  ind: Indicator;
  sel: number;
  /** Column name(s) in the result. */
  cols: string[];
}

interface Scan {
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
interface ScanResult {
  u: ArrayLike<number>;
  [col: string]: ArrayLike<number | boolean | string | null>;
}

/** A number, or null for null / NaN / anything else. */
function numberAt(col: ArrayLike<unknown> | undefined, i: number): number | null {
  const v = col?.[i];
  return typeof v === "number" && v === v ? v : null;
}

function sqlString(params: unknown[], v: unknown): string {
  params.push(v);
  return `$${params.length}`;
}

function buildScanQuery(scan: Scan, subtree: { path: string } | null): { text: string; params: unknown[] } {
  const params: unknown[] = [scan.formKey, scan.planKey];
  const where: string[] = [`r."formKey" = $1`, `r."planKey" = $2`];
  // The union of the selections' keys, unless one of them takes any key.
  const union = new Set<string>();
  let anyKey = false;
  for (const s of scan.selections) {
    if (s.keys === null) anyKey = true;
    else for (const k of s.keys) union.add(k);
  }
  if (scan.countKey !== null) union.add(scan.countKey);
  if (!anyKey) where.push(`r."periodKey" = ANY(${sqlString(params, [...union])}::text[])`);

  const selCond = scan.selections.map((s) => {
    const parts: string[] = [];
    if (s.keys !== null && (anyKey || s.keys.length !== union.size)) parts.push(`r."periodKey" = ANY(${sqlString(params, s.keys)}::text[])`);
    if (s.from && s.from.getTime() > -8.6e15) parts.push(`r."submittedAt" >= ${sqlString(params, s.from)}`);
    if (s.to && s.to.getTime() < MAX_INSTANT.getTime()) parts.push(`r."submittedAt" < ${sqlString(params, s.to)}`);
    return parts.length > 0 ? parts.join(" AND ") : null;
  });
  const filter = (sel: number) => (selCond[sel] ? ` FILTER (WHERE ${selCond[sel]})` : "");

  const questionParam = new Map<string, string>();
  const answer = (q: string): string => {
    let p = questionParam.get(q);
    if (!p) questionParam.set(q, (p = sqlString(params, q)));
    return `(r."answers" -> ${p})`;
  };

  const cols: string[] = [`r."unitId" AS u`];
  if (scan.countKey !== null) {
    const ck = sqlString(params, scan.countKey);
    cols.push(`(extract(epoch FROM min(r."submittedAt") FILTER (WHERE r."periodKey" = ${ck})) * 1000)::float8 AS first`);
  }
  scan.selections.forEach((s, i) => {
    cols.push(`max(r."periodKey")${filter(i)} AS k${i}`);
    if (s.from || s.to) cols.push(`(extract(epoch FROM max(r."submittedAt")${filter(i)}) * 1000)::float8 AS t${i}`);
  });
  for (const a of scan.aggs) {
    const v = answer(a.ind.question);
    const f = filter(a.sel);
    const [c0, c1] = a.cols as [string, string | undefined];
    switch (a.ind.measure) {
      case "sum":
        cols.push(`sum(${valueSql("sum", v)})${f} AS ${c0}`);
        break;
      case "ratio":
        cols.push(`sum(${valueSql("part", v)})${f} AS ${c0}`, `sum(${valueSql("total", v)})${f} AS ${c1}`);
        break;
      case "yes_share":
        cols.push(`bool_or(${valueSql("yes", v)})${f} AS ${c0}`);
        break;
    }
  }
  let from = `"Report" r`;
  if (subtree) from += ` JOIN "Unit" un ON un."id" = r."unitId" AND un."path" LIKE ${sqlString(params, `${subtree.path}%`)}`;
  const names = ["u", ...(scan.countKey !== null ? ["first"] : [])];
  scan.selections.forEach((s, i) => names.push(`k${i}`, ...(s.from || s.to ? [`t${i}`] : [])));
  for (const a of scan.aggs) names.push(...a.cols);
  const text =
    `SELECT json_build_object(${names.map((n) => `'${n}', coalesce(array_agg(g.${n}), '{}')`).join(", ")})::text AS j ` +
    `FROM (SELECT ${cols.join(", ")} FROM ${from} WHERE ${where.join(" AND ")} GROUP BY r."unitId") g`;
  return { text, params };
}

async function runScan(store: Store, scan: Scan, subtree: { path: string } | null): Promise<ScanResult> {
  const { text, params } = buildScanQuery(scan, subtree);
  const [row] = await store.sql.query<{ j: string }>(text, params);
  return JSON.parse(row!.j) as ScanResult;
}

// ---------------------------------------------------------------------------------------------
// The same per-unit rows from the slice cache

const subtreeCache = new WeakMap<UnitTree, Map<number, Int32Array>>();
const SUBTREE_CACHE_SIZE = 64;

/** Ids of the unit and everything below it, ascending (memory order of the slices); cached per tree, the most recent roots. */
function subtreeIds(tree: UnitTree, rootId: number): Int32Array {
  let m = subtreeCache.get(tree);
  if (!m) subtreeCache.set(tree, (m = new Map()));
  let ids = m.get(rootId);
  if (ids) {
    m.delete(rootId); // most recent last
    m.set(rootId, ids);
    return ids;
  }
  const list: number[] = [];
  for (const u of tree.subtree(rootId)) list.push(u.id);
  ids = Int32Array.from(list).sort();
  m.set(rootId, ids);
  if (m.size > SUBTREE_CACHE_SIZE) m.delete(m.keys().next().value!);
  return ids;
}

/** Distinct period keys of a form (a loose index scan: one probe per key). */
async function distinctKeys(store: Store, planKey: string, formKey: string): Promise<string[]> {
  const rows = await store.sql.query<{ key: string }>(
    `WITH RECURSIVE k(key) AS (
       SELECT min("periodKey") FROM "Report" WHERE "planKey" = $2 AND "formKey" = $1
       UNION ALL
       SELECT (SELECT min("periodKey") FROM "Report" WHERE "planKey" = $2 AND "formKey" = $1 AND "periodKey" > k.key) FROM k WHERE k.key IS NOT NULL)
     SELECT key FROM k WHERE key IS NOT NULL`,
    [formKey, planKey],
  );
  return rows.map((r) => r.key);
}

function aggColumns(a: Agg): { spec: ColumnSpec; col: string }[] {
  const q = a.ind.question;
  const kinds: ValueKind[] = a.ind.measure === "ratio" ? ["part", "total"] : [a.ind.measure === "sum" ? "sum" : "yes"];
  return kinds.map((kind, i) => ({ spec: { kind, question: q }, col: a.cols[i]! }));
}

/** Positions j (in `ids`) of the units with a report in the slice, submitted in [lo, hi); returns the count. */
function slicePass(ids: Int32Array, f: Float64Array, lo: number, hi: number, hits: Int32Array): number {
  const n = ids.length;
  const len = f.length;
  let h = 0;
  for (let j = 0; j < n; j++) {
    const id = ids[j]!;
    if (id >= len) break; // ids ascending
    const at = f[id]!;
    if (at >= lo && at < hi) hits[h++] = j; // false for NaN (no report)
  }
  return h;
}

function addColumn(hits: Int32Array, h: number, ids: Int32Array, src: Float64Array, dst: Float64Array): void {
  for (let x = 0; x < h; x++) {
    const j = hits[x]!;
    dst[j] = dst[j]! + src[ids[j]!]!;
  }
}

function orColumn(hits: Int32Array, h: number, ids: Int32Array, src: Uint8Array, dst: Float64Array): void {
  for (let x = 0; x < h; x++) {
    const j = hits[x]!;
    if (src[ids[j]!] !== 0) dst[j] = 1;
  }
}

interface SelState {
  i: number;
  keys: string[];
  keyIndex: Map<string, number>;
  kIdx: Int32Array;
  time: Float64Array | null;
  lo: number;
  hi: number;
  acc: { col: string; yes: boolean; key: string; values: Float64Array }[];
}

/** Apply one slice's hits to a selection: latest key, latest time, accumulated values. */
function applyHits(st: SelState, s: Slice, ki: number, hits: Int32Array, h: number, ids: Int32Array): void {
  const kIdx = st.kIdx;
  for (let x = 0; x < h; x++) kIdx[hits[x]!] = ki; // keys ascending: the last one kept is the latest
  if (st.time) {
    const time = st.time;
    const f = s.first;
    for (let x = 0; x < h; x++) {
      const j = hits[x]!;
      const at = f[ids[j]!]!;
      if (!(time[j]! >= at)) time[j] = at;
    }
  }
  for (const a of st.acc) {
    const src = s.cols.get(a.key)!;
    if (a.yes) orColumn(hits, h, ids, src as Uint8Array, a.values);
    else addColumn(hits, h, ids, src as Float64Array, a.values);
  }
}

/** What runScan returns, computed from cached slices for the units of the subtree. */
async function scanFromCache(store: Store, cache: SliceCache, scan: Scan, ids: Int32Array): Promise<ScanResult> {
  const selKeys: string[][] = [];
  for (const s of scan.selections) selKeys.push([...(s.keys ?? (await distinctKeys(store, scan.planKey, scan.formKey)))].sort());
  const all = new Set<string>(selKeys.flat());
  if (scan.countKey !== null) all.add(scan.countKey);
  const specs = scan.aggs.flatMap(aggColumns);
  const slices = await cache.slicesFor(formId(scan.planKey, scan.formKey), [...all], specs.map((s) => s.spec));
  const n = ids.length;
  const present = new Uint8Array(n);
  const hits = new Int32Array(n);

  const perSel: SelState[] = scan.selections.map((sel, i) => ({
    i,
    keys: selKeys[i]!,
    keyIndex: new Map(selKeys[i]!.map((k, ki) => [k, ki])),
    kIdx: new Int32Array(n).fill(-1),
    time: sel.from || sel.to ? new Float64Array(n).fill(NaN) : null,
    lo: sel.from ? sel.from.getTime() : -Infinity,
    hi: sel.to ? sel.to.getTime() : Infinity,
    acc: scan.aggs
      .filter((a) => a.sel === i)
      .flatMap(aggColumns)
      .map((c) => ({ col: c.col, yes: c.spec.kind === "yes", key: columnKey(c.spec), values: new Float64Array(n) })),
  }));
  const untimed = perSel.filter((st) => !st.time);
  const timed = perSel.filter((st) => st.time);

  const first: Float64Array | null = scan.countKey !== null ? new Float64Array(n).fill(NaN) : null;
  // One pass per non-empty slice, shared by every selection without a time filter.
  for (const key of [...all].sort()) {
    const s = slices.get(key);
    if (!s || s.count === 0) continue;
    const h = slicePass(ids, s.first, -Infinity, Infinity, hits);
    if (key === scan.countKey && first) {
      for (let x = 0; x < h; x++) {
        const j = hits[x]!;
        first[j] = s.first[ids[j]!]!;
        present[j] = 1;
      }
    }
    for (const st of untimed) {
      const ki = st.keyIndex.get(key);
      if (ki !== undefined) applyHits(st, s, ki, hits, h, ids);
    }
  }
  for (const st of timed) {
    st.keys.forEach((key, ki) => {
      const s = slices.get(key);
      if (!s || s.count === 0) return;
      applyHits(st, s, ki, hits, slicePass(ids, s.first, st.lo, st.hi, hits), ids);
    });
  }
  for (const st of perSel) {
    const kIdx = st.kIdx;
    for (let j = 0; j < n; j++) if (kIdx[j]! >= 0) present[j] = 1;
  }

  // Compact to the units with something, in the shape of runScan's result (typed arrays, NaN for
  // null: no boxed numbers to collect afterwards).
  let m = 0;
  for (let j = 0; j < n; j++) m += present[j]!;
  const u = new Int32Array(m);
  const out: ScanResult = { u };
  const firstOut = first ? (out.first = new Float64Array(m)) : null;
  const selOut = perSel.map((p) => ({
    p,
    k: (out[`k${p.i}`] = new Array<string | null>(m)),
    t: p.time ? (out[`t${p.i}`] = new Float64Array(m)) : null,
    cols: p.acc.map((a) => ({ a, out: (out[a.col] = new Float64Array(m)) })),
  }));
  let x = 0;
  for (let j = 0; j < n; j++) {
    if (!present[j]) continue;
    u[x] = ids[j]!;
    if (firstOut) firstOut[x] = first![j]!;
    for (const so of selOut) {
      const k = so.p.kIdx[j]!;
      so.k[x] = k >= 0 ? so.p.keys[k]! : null;
      if (so.t) so.t[x] = k >= 0 ? so.p.time![j]! : NaN;
      for (const c of so.cols) c.out[x] = k < 0 ? NaN : c.a.values[j]!;
    }
    x++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Synthetic facts

/** The materialised path of a unit, as the store computes it ("/1/7/42/"), from the loaded tree. */
export function unitPath(tree: UnitTree, id: number): string {
  const ids = [id, ...tree.ancestors(id).map((a) => a.id)].reverse();
  return `/${ids.join("/")}/`;
}

/**
 * Where a sum or ratio indicator's values may be gathered without changing its result: the
 * nearest unit of kind `per` at or above the unit inside the subtree, else the root. Every unit
 * of kind `per` then sums the same values over its subtree, and so does the root (whose totals
 * are the reported part/total); no other unit's own sum is read by computeProgress.
 */
type AnchorMode = UnitKind | "root";

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

interface CallGroup {
  sel: number;
  formKey: string;
  aggs: Agg[];
  /** question → measure, to keep one answer shape per question in a group. */
  measures: Map<string, Indicator["measure"]>;
  /** Gather values at anchors (sum and ratio), or null: one fact per unit (yes_share). */
  anchor: AnchorMode | null;
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

function mainFacts(group: CallGroup, res: ScanResult, period: Period): ReportFact[] {
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

function groupFacts(group: CallGroup, res: ScanResult, tree: UnitTree, rootId: number): ReportFact[] {
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

/**
 * Everything /tiendo shows for a unit, a form and a period, from the store. See the module
 * comment for what is queried and why the result equals computeProgress over the raw reports.
 */
export async function loadProgress(store: Store, opts: LoadProgressOptions): Promise<Progress> {
  const { plan, tree, rootId, now } = opts;
  if (!tree.byId(rootId)) throw new RangeError(`Unknown unit id ${rootId}`);
  const form = opts.form ?? defaultProgressForm(plan, tree, rootId);
  if (!form) throw new NoProgressFormError(rootId);
  const period = opts.period ?? currentPeriod(form, now, plan);
  const indicators = opts.indicators ?? plan.indicators.filter((ind) => ind.form === form.key);

  // The subtree restriction; none when the unit is the only root (its subtree is everything), nor
  // on a past day's tree (the stored paths describe the latest tree; reading every unit's rows is
  // a superset, and rows of units outside the loaded subtree are ignored as said above).
  const root = tree.byId(rootId)!;
  const wholeStore = (root.parentId === null && tree.roots.length === 1) || tree.date.historic;
  const subtree = wholeStore ? null : { path: unitPath(tree, rootId) };

  // Plan the scans: one per form read; selections deduplicated by signature.
  const scans = new Map<string, Scan>();
  const scanOf = (formKey: string): Scan => {
    let s = scans.get(formKey);
    if (!s) scans.set(formKey, (s = { planKey: plan.id, formKey, selections: [], aggs: [], countKey: null }));
    return s;
  };
  scanOf(form.key).countKey = period.key;
  const mainIndicators: { index: number; ind: Indicator }[] = [];
  const groups: CallGroup[] = [];
  const mainGroup: CallGroup = { sel: -1, formKey: form.key, aggs: [], measures: new Map(), anchor: null };
  indicators.forEach((ind, index) => {
    const indForm = plan.forms.find((f) => f.key === ind.form);
    if (!indForm) {
      mainIndicators.push({ index, ind }); // computeProgress reports the unknown form
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

  const results = new Map<string, ScanResult>();
  if (opts.cache === false) {
    for (const scan of scans.values()) results.set(scan.formKey, await runScan(store, scan, subtree));
  } else {
    const cache = progressCache(store);
    await cache.exclusive(async () => {
      await cache.sync();
      const ids = subtreeIds(tree, rootId);
      for (const scan of scans.values()) results.set(scan.formKey, await scanFromCache(store, cache, scan, ids));
    });
  }

  const main = computeProgress({
    tree,
    plan,
    form,
    period,
    rootId,
    now,
    reports: mainFacts(mainGroup, results.get(form.key)!, period),
    indicators: [...mainIndicators.map((m) => m.ind), ...mainGroup.aggs.map((a) => a.ind)],
  });
  const resultAt = new Array<IndicatorResult>(indicators.length);
  [...mainIndicators.map((m) => m.index), ...mainGroup.aggs.map((a) => a.index)].forEach((idx, k) => (resultAt[idx] = main.indicators[k]!));
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
