/**
 * A per-store, in-memory cache of per-unit report values, one "slice" per (form, period key):
 * for every unit, its report's submission time and the values the indicators accumulate
 * (values.ts). A slice covers the whole store, so one slice serves every subtree, and a window
 * of 12 or 30 periods is combined in memory instead of re-reading up to a million JSON rows.
 *
 * Kept exact by a change feed read at every use (one cheap statement on primary keys):
 *   - reports with an id above a cursor (new reports), and reports named by ReportChange rows
 *     with an id above a cursor (corrections), are re-read and written into their slices;
 *   - writes through src/store/reports.ts in this process are applied at once (onReportWrite),
 *     including a correction without history rows.
 * PGlite runs every statement exclusively (one process, one connection, and PGlite waits for an
 * open transaction), so what the feed reads is never overtaken by an earlier id committing later:
 * the cursor is the last maximum seen. On PostgreSQL, transactions may commit out of id order;
 * the feed therefore re-reads from a cursor taken at least LAG_MS before the previous read
 * (and, during the first LAG_MS, from BOOT_MARGIN ids below the first maximum seen). Assumption:
 * a transaction inserting a report or a correction commits within LAG_MS (60 s) of taking its id
 * (Prisma's interactive transactions time out after 5 s).
 * Not seen by the feed: deleting reports (the app never does; call invalidateProgressCache).
 */
import type { AnswerValue } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import { onReportWrite, type ReportWriteEvent } from "../store/reports.js";
import { valueOf, valueSql, type ValueKind } from "./values.js";

export const LAG_MS = 60_000;
export const BOOT_MARGIN = 1_000;
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

interface Stamp {
  t: number;
  report: number;
  change: number;
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
  private stamps: Stamp[] = [];
  private lastCheck: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Store) {
    this.unsubscribe = onReportWrite(store, (e) => this.applyRow(formId(e.planKey, e.formKey), e.periodKey, e.unitId, e.submittedAt.getTime(), e.answers));
  }

  /** Runs `fn` after every earlier call has finished (feed reads and loads never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Forget slices (all, a form's, or one period's). */
  invalidate(formKey?: string, periodKey?: string): void {
    for (const [id, s] of this.slices) {
      if (formKey !== undefined && s.formKey !== formKey) continue;
      if (periodKey !== undefined && s.periodKey !== periodKey) continue;
      this.slices.delete(id);
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.slices.clear();
  }

  get size(): number {
    return this.slices.size;
  }

  /** Read the change feed and bring the cached slices up to date. */
  async sync(now = Date.now()): Promise<void> {
    const from = this.feedCursor();
    const forms = [...new Set([...this.slices.values()].map((s) => s.formKey))];
    // Two steps, so that the usual case (nothing new) is two primary-key probes whatever the
    // table statistics say.
    const [row] = await this.store.sql.query<{ r: number; c: number; ids: number[] | null }>(
      `SELECT (SELECT coalesce(max("id"), 0) FROM "Report")::int AS r,
              (SELECT coalesce(max("id"), 0) FROM "ReportChange")::int AS c,
              (SELECT array_agg(DISTINCT d.id) FROM (
                 SELECT "id" FROM "Report" WHERE "id" > $1
                 UNION ALL SELECT "reportId" FROM "ReportChange" WHERE "id" > $2) d) AS ids`,
      // Before the first read nothing is cached: read only the maxima.
      [from?.report ?? 2_147_483_647, from?.change ?? 2_147_483_647],
    );
    if (!row) return;
    if (row.ids && row.ids.length > 0 && forms.length > 0) {
      const [changed] = await this.store.sql.query<{ rows: string }>(
        `SELECT coalesce(json_agg(json_build_object('f', r."planKey" || '/' || r."formKey", 'k', r."periodKey", 'u', r."unitId",
                  't', (extract(epoch FROM r."submittedAt") * 1000)::float8, 'a', r."answers")), '[]')::text AS rows
         FROM "Report" r WHERE r."id" = ANY($1::int[]) AND (r."planKey" || '/' || r."formKey") = ANY($2::text[])`,
        [row.ids, forms],
      );
      const rows = JSON.parse(changed!.rows) as { f: string; k: string; u: number; t: number; a: Record<string, AnswerValue> }[];
      for (const r of rows) this.applyRow(r.f, r.k, r.u, r.t, r.a);
    }
    if (this.stamps.length === 0) {
      // The first read: nothing is cached yet; the boot stamp bounds what may still commit.
      const margin = this.store.kind === "pglite" ? 0 : BOOT_MARGIN;
      this.stamps.push({ t: -Infinity, report: Math.max(0, row.r - margin), change: Math.max(0, row.c - margin) });
    }
    this.stamps.push({ t: now, report: row.r, change: row.c });
    this.lastCheck = now;
    // Keep the newest stamp old enough for the next read, and everything after it.
    const lag = this.store.kind === "pglite" ? 0 : LAG_MS;
    let keepFrom = 0;
    for (let i = 0; i < this.stamps.length; i++) if (this.stamps[i]!.t <= now - lag) keepFrom = i;
    this.stamps = this.stamps.slice(keepFrom);
  }

  /** The cursor the next feed read starts from (null before the first read). */
  private feedCursor(): Stamp | null {
    if (this.lastCheck === null) return null;
    const lag = this.store.kind === "pglite" ? 0 : LAG_MS;
    let best: Stamp | null = null;
    for (const s of this.stamps) if (s.t <= this.lastCheck - lag) best = s;
    return best ?? this.stamps[0] ?? null;
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

/** Drop cached progress data of a store (after deleting reports by hand, for instance). */
export function invalidateProgressCache(store: Store, formKey?: string, periodKey?: string): void {
  caches.get(store)?.invalidate(formKey, periodKey);
}

export type { ReportWriteEvent };
