/**
 * A scan straight from the store (`cache: false`): one query per form, over the rows of Report
 * of that form whose period key lies in the union of the selections' keys, restricted to the
 * subtree by joining Unit on its materialised path (`path LIKE '/1/7/%'`, text_pattern_ops
 * index; left out when the subtree is the whole store). GROUP BY unit gives one row per unit;
 * FILTER clauses let one scan serve every selection. The rows come back as one JSON text
 * (column arrays) to keep driver overhead flat.
 */
import { MAX_INSTANT } from "../domain/periods.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Store } from "../store/database.js";
import type { Scan, ScanResult } from "./scan.js";
import { valueSql } from "./values.js";

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

/** The scan's rows for the units of `subtree` (null: every unit). */
export async function runScan(store: Store, scan: Scan, subtree: { path: string } | null): Promise<ScanResult> {
  const { text, params } = buildScanQuery(scan, subtree);
  const [row] = await store.sql.query<{ j: string }>(text, params);
  return JSON.parse(row!.j) as ScanResult;
}

/** The materialised path of a unit, as the store computes it ("/1/7/42/"), from the loaded tree. */
export function unitPath(tree: UnitTree, id: number): string {
  const ids = [id, ...tree.ancestors(id).map((a) => a.id)].reverse();
  return `/${ids.join("/")}/`;
}
