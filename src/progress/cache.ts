/**
 * A per-store, in-memory cache of per-unit report values, one "slice" per (form, period key):
 * for every unit, its report's submission time and the values the indicators accumulate
 * (values.ts). A slice covers the whole store, so one slice serves every subtree, and a window
 * of 12 or 30 periods is combined in memory instead of re-reading up to a million JSON rows.
 *
 * Invariant (what makes a cached answer exact): after `sync()`, every cached slice equals what a
 * fresh load from the store would give at a point no earlier than the start of that sync.
 * It holds because
 *   - a slice is loaded (`slicesFor`) only after a sync, inside `exclusive()`, so its rows are at
 *     least as new as the feed cursor that sync returned;
 *   - every sync reads the change feed (feed.ts) from the previous cursor in one statement, and
 *     the feed returns every report inserted or updated since, by any writer, in any commit order;
 *     each row is written into its slot as the slot's current state;
 *   - a slot a report left (delete, a key moved, truncate) drops its whole slice (or every slice),
 *     which then reloads on this same call: deletes are rare, and a reload is simply right; so
 *     does a feed read with more rows than it returns (an import, a mass fix).
 * Nothing else writes slices: there is no in-process shortcut to fall out of step with the store.
 * Unit reorganisations need nothing here: slices are by unit id, and the tree a period rolls up
 * on is given to each call (tree.ts); a deleted unit's reports go by cascade, with tombstones.
 */
import type { AnswerValue } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import { readFeed, type FeedCursor } from "./feed.js";
import { valueOf, valueSql, type ValueKind } from "./values.js";

/** Periods per loading query. */
const LOAD_BATCH = 3;

export interface ColumnSpec {
  kind: ValueKind;
  question: string;
}

export const columnKey = (c: ColumnSpec): string => `${c.kind}:${c.question}`;

type Values = Float64Array | Uint8Array;

export interface Slice {
  formKey: string;
  periodKey: string;
  /** Submission time (ms) by unit id; NaN when the unit has no report. */
  first: Float64Array;
  /** By column key, by unit id (yes: 0/1). */
  cols: Map<string, Values>;
  /** Units with a report (0: the arrays are empty, nothing allocated). */
  count: number;
}

const sliceId = (formKey: string, periodKey: string) => `${formKey}\u0000${periodKey}`;

/**
 * The cache's name for a plan's form, "planKey/formKey": slices of two plans with the same form
 * keys never mix. Plan keys have no "/" (plan:format.key).
 */
export function formId(planKey: string, formKey: string): string {
  return `${planKey}/${formKey}`;
}

function splitFormId(id: string): [planKey: string, formKey: string] {
  const i = id.indexOf("/");
  return [id.slice(0, i), id.slice(i + 1)];
}

export class SliceCache {
  private readonly slices = new Map<string, Slice>();
  private readonly formCols = new Map<string, Map<string, ColumnSpec>>();
  /** Where the next feed read starts; null before the first sync. */
  private cursor: FeedCursor | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store) {}

  /** Runs `fn` after every earlier call has finished (feed reads and loads never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Forget slices (all, a form's, or one period's); they reload on their next use. */
  invalidate(formKey?: string, periodKey?: string): void {
    for (const [id, s] of this.slices) {
      if (formKey !== undefined && s.formKey !== formKey) continue;
      if (periodKey !== undefined && s.periodKey !== periodKey) continue;
      this.slices.delete(id);
    }
  }

  dispose(): void {
    this.slices.clear();
  }

  get size(): number {
    return this.slices.size;
  }

  /** Read the change feed and bring the cached slices up to date (call inside exclusive()). */
  async sync(): Promise<void> {
    const forms = [...new Set([...this.slices.values()].map((s) => s.formKey))];
    const feed = await readFeed(this.store.sql, this.cursor, forms);
    if (feed.overflow) this.invalidate(); // a mass change: reloading is simpler and cheaper
    for (const g of feed.gone) {
      if (g.f === null) this.invalidate();
      else this.invalidate(g.f, g.k ?? undefined);
    }
    for (const r of feed.rows) this.applyRow(r.f, r.k, r.u, r.t, r.a);
    this.cursor = feed.cursor;
  }

  private applyRow(formKey: string, periodKey: string, unitId: number, at: number, answers: Record<string, AnswerValue>): void {
    const slice = this.slices.get(sliceId(formKey, periodKey));
    if (!slice) return;
    if (unitId >= slice.first.length) grow(slice, Math.max(unitId + 1, slice.first.length * 2, 1024));
    if (slice.first[unitId] !== slice.first[unitId]) slice.count++;
    slice.first[unitId] = at;
    const specs = this.formCols.get(formKey);
    for (const [key, values] of slice.cols) {
      const spec = specs?.get(key);
      if (spec) values[unitId] = valueOf(spec.kind, answers?.[spec.question]);
    }
  }

  /**
   * The slices of a form for the given period keys, with at least the given columns; loads what
   * is missing (call sync() first, inside exclusive()).
   */
  async slicesFor(formKey: string, keys: readonly string[], columns: readonly ColumnSpec[]): Promise<Map<string, Slice>> {
    let specs = this.formCols.get(formKey);
    if (!specs) this.formCols.set(formKey, (specs = new Map()));
    let added = false;
    for (const c of columns) {
      const k = columnKey(c);
      if (!specs.has(k)) {
        specs.set(k, c);
        added = true;
      }
    }
    if (added) this.invalidate(formKey); // reload with the new column
    const missing = [...new Set(keys)].filter((k) => !this.slices.has(sliceId(formKey, k)));
    for (let i = 0; i < missing.length; i += LOAD_BATCH) await this.load(formKey, missing.slice(i, i + LOAD_BATCH), [...specs.values()]);
    const out = new Map<string, Slice>();
    for (const k of keys) {
      const s = this.slices.get(sliceId(formKey, k));
      if (s) out.set(k, s);
    }
    return out;
  }

  private async load(formKey: string, keys: string[], specs: ColumnSpec[]): Promise<void> {
    const params: unknown[] = [...splitFormId(formKey), keys];
    const qParam = new Map<string, string>();
    const cols = specs.map((c, i) => {
      let p = qParam.get(c.question);
      if (!p) {
        params.push(c.question);
        qParam.set(c.question, (p = `$${params.length}`));
      }
      return `'c${i}', coalesce(array_agg(${valueSql(c.kind, `(r."answers" -> ${p})`)}), '{}')`;
    });
    const [row] = await this.store.sql.query<{ j: string }>(
      `SELECT json_build_object('m', (SELECT coalesce(max("id"), 0) FROM "Unit"),
         'k', coalesce(array_agg(r."periodKey"), '{}'), 'u', coalesce(array_agg(r."unitId"), '{}'),
         'f', coalesce(array_agg((extract(epoch FROM r."submittedAt") * 1000)::float8), '{}')
         ${cols.length > 0 ? `, ${cols.join(", ")}` : ""})::text AS j
       FROM "Report" r WHERE r."planKey" = $1 AND r."formKey" = $2 AND r."periodKey" = ANY($3::text[])`,
      params,
    );
    const data = JSON.parse(row!.j) as { m: number; k: string[]; u: number[]; f: number[]; [c: string]: unknown };
    let cap = data.m + 1;
    for (const u of data.u) if (u >= cap) cap = u + 1;
    const withRows = new Set(data.k);
    const made = new Map<string, Slice>();
    for (const k of keys) {
      // A period without reports costs nothing until its first report arrives.
      const size = withRows.has(k) ? cap : 0;
      const slice: Slice = { formKey, periodKey: k, first: new Float64Array(size).fill(NaN), cols: new Map(), count: 0 };
      for (const c of specs) slice.cols.set(columnKey(c), c.kind === "yes" ? new Uint8Array(size) : new Float64Array(size));
      made.set(k, slice);
    }
    const colData = specs.map((c, i) => ({ key: columnKey(c), values: data[`c${i}`] as (number | boolean)[] }));
    for (let j = 0; j < data.u.length; j++) {
      const slice = made.get(data.k[j]!);
      if (!slice) continue;
      const u = data.u[j]!;
      if (slice.first[u] !== slice.first[u]) slice.count++;
      slice.first[u] = data.f[j]!;
      for (const c of colData) {
        const v = c.values[j];
        slice.cols.get(c.key)![u] = v === true ? 1 : typeof v === "number" ? v : 0;
      }
    }
    for (const s of made.values()) this.slices.set(sliceId(formKey, s.periodKey), s);
  }
}

function grow(slice: Slice, cap: number): void {
  const first = new Float64Array(cap).fill(NaN);
  first.set(slice.first);
  slice.first = first;
  for (const [k, v] of slice.cols) {
    const next = v instanceof Uint8Array ? new Uint8Array(cap) : new Float64Array(cap);
    next.set(v);
    slice.cols.set(k, next);
  }
}

const caches = new WeakMap<Store, SliceCache>();

/** The store's slice cache (created on first use). */
export function progressCache(store: Store): SliceCache {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new SliceCache(store)));
  return c;
}

