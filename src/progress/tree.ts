/**
 * Which unit tree a period's progress rolls up on, across reorganisations (`units reorganise`):
 * the tree in force on the period's last day (Asia/Ho_Chi_Minh). June 2025 is shown on the tree
 * with districts, July 2025 on the two-level tree when the district level ended on 1/7/2025; a
 * year is shown on the tree of its last day. Reports stay with the unit that sent them, so a unit
 * that ended before a period's last day does not count in that period.
 */
import { MAX_INSTANT, localIsoDate, type Period } from "../domain/periods.js";
import type { UnitNode } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Store } from "../store/database.js";
import { latestReorganisationDay, loadUnitTree } from "../store/units.js";

/** The local day (YYYY-MM-DD) whose tree a period is shown on: its last day; null for an open-ended period. */
export function periodTreeDay(period: Period): string | null {
  if (period.end.getTime() >= MAX_INSTANT.getTime()) return null;
  return localIsoDate(new Date(period.end.getTime() - 1));
}

/**
 * The tree `period` rolls up on: `latest` (the bot's in-memory tree) unless a reorganisation took
 * effect after the period's last day, else that day's tree from the store.
 */
export async function treeForPeriod(store: Store, period: Period, latest: UnitTree): Promise<UnitTree> {
  const day = periodTreeDay(period);
  if (day === null) return latest;
  const last = await latestReorganisationDay(store);
  if (last === null || last <= day) return latest;
  return loadUnitTree(store, { at: day });
}

/**
 * The units of `tree` that stand for a unit of the latest tree: the unit itself when `tree` has
 * it, else the units that ended into it (through the successor links, at any depth) and exist in
 * `tree` — e.g. the two communes merged into a new one, for a period before the merger. None of
 * the result lies below another one. Empty when the unit has no counterpart in `tree`.
 */
export async function counterpartsIn(store: Store, tree: UnitTree, unitId: number): Promise<UnitNode[]> {
  const self = tree.byId(unitId);
  if (self) return [self];
  const rows = await store.sql.query<{ id: number }>(
    `WITH RECURSIVE p(id) AS (
       SELECT "id" FROM "Unit" WHERE "successorId" = $1
       UNION SELECT u."id" FROM "Unit" u JOIN p ON u."successorId" = p.id)
     SELECT id FROM p`,
    [unitId],
  );
  const found = rows.map((r) => tree.byId(r.id)).filter((u): u is UnitNode => u !== undefined);
  const ids = new Set(found.map((u) => u.id));
  return found.filter((u) => !tree.ancestors(u.id).some((a) => ids.has(a.id))).sort((a, b) => a.name.localeCompare(b.name, "vi"));
}
