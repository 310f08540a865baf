/**
 * A scan from the store's slice cache (cache.ts): the same rows as scan-sql.ts, computed from
 * per-period, per-unit slices with a few typed-array passes, so a window of 12 or 30 months
 * costs no re-reading of reports. Call inside the cache's `exclusive()`, after its `sync()`.
 */
import type { UnitTree } from "../domain/units/tree.js";
import type { Store } from "../store/database.js";
import { columnKey, formId, type ColumnSpec, type Slice, type SliceCache } from "./cache.js";
import type { Agg, Scan, ScanResult } from "./scan.js";
import type { ValueKind } from "./values.js";

const subtreeCache = new WeakMap<UnitTree, Map<number, Int32Array>>();
export const SUBTREE_CACHE_SIZE = 64;

/** Ids of the unit and everything below it, ascending (memory order of the slices); cached per tree, the most recent roots. */
export function subtreeIds(tree: UnitTree, rootId: number): Int32Array {
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
export async function scanFromCache(store: Store, cache: SliceCache, scan: Scan, ids: Int32Array): Promise<ScanResult> {
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

