/**
 * Planning a reorganisation of the unit tree (`units reorganise`): the new tree (a whole unit file,
 * as for `units import`) and the map of the units that end, checked against the latest tree.
 * Pure: the store applies the plan (src/store/reorganise.ts).
 *
 * - A code of the latest tree that is in the new tree continues: same id, reports and chats; its
 *   name, kind and parent are taken from the new tree (a changed parent is kept as history).
 * - A code of the new tree that is not in the store is a new unit, existing from the first day.
 * - A code of the latest tree that is not in the new tree ends the day before the first day; the
 *   map must name the unit of the new tree that takes over its chat links, roles and invites.
 * Every problem is reported with its file and line; line 0 for a whole-file problem (a unit of the
 * latest tree that is neither in the new tree nor in the map).
 */
import { t } from "../../i18n.js";
import type { UnitNode } from "../types.js";
import type { UnitImportError, UnitRow } from "./import.js";
import type { UnitMapEntry } from "./reorganise-map.js";

/** A unit of the latest tree that continues in the new tree. */
export interface KeptUnit {
  id: number;
  row: UnitRow;
  /** Its parent in the latest tree, when the new tree gives it another one (else undefined). */
  movedFrom?: number | null;
}

/** A unit of the latest tree that ends, and the code of the unit that takes over. */
export interface EndedUnit {
  id: number;
  code: string;
  successorCode: string;
}

/** What a reorganisation does, before any id of a new unit is known. */
export interface ReorganisationPlan {
  kept: KeptUnit[];
  /** New units, parents first. */
  added: UnitRow[];
  ended: EndedUnit[];
}

/** The plan, or every problem found. */
export type ReorganisationPlanResult = { ok: true; plan: ReorganisationPlan } | { ok: false; errors: UnitImportError[] };

/** What planReorganisation checks against. */
export interface ReorganisationInput {
  /** The latest tree's units. */
  current: readonly UnitNode[];
  /** Codes of units that ended in an earlier reorganisation (upper case): not reusable. */
  endedCodes: ReadonlySet<string>;
  /** The new tree, from parseUnits (parents first). */
  rows: readonly UnitRow[];
  treeFile: string;
  map: readonly UnitMapEntry[];
  mapFile: string;
}

/** Check the new tree and the map against the latest tree, and say what changes. */
export function planReorganisation(input: ReorganisationInput): ReorganisationPlanResult {
  const { current, rows, map, treeFile, mapFile } = input;
  const errors: UnitImportError[] = [];
  const byCode = new Map(current.map((u) => [u.code.toUpperCase(), u]));
  const byId = new Map(current.map((u) => [u.id, u]));
  const newCodes = new Map(rows.map((r) => [r.code, r]));
  const mapByFrom = new Map(map.map((m) => [m.from, m]));

  const kept: KeptUnit[] = [];
  const added: UnitRow[] = [];
  for (const r of rows) {
    if (input.endedCodes.has(r.code)) {
      errors.push({ file: treeFile, line: r.line, message: t("units:reorganise.codeEnded", { code: r.code }) });
      continue;
    }
    const u = byCode.get(r.code);
    if (!u) {
      added.push(r);
      continue;
    }
    const oldParent = u.parentId === null ? null : (byId.get(u.parentId)?.code.toUpperCase() ?? null);
    kept.push(oldParent === r.parentCode ? { id: u.id, row: r } : { id: u.id, row: r, movedFrom: u.parentId });
  }

  for (const m of map) {
    const err = (key: string, params: Record<string, unknown>) =>
      errors.push({ file: mapFile, line: m.line, message: t(`units:reorganise.${key}`, params) });
    if (input.endedCodes.has(m.from)) err("mapFromEnded", { code: m.from });
    else if (!byCode.has(m.from)) err("mapFromUnknown", { code: m.from });
    else if (newCodes.has(m.from)) err("mapFromContinues", { code: m.from, file: treeFile, line: newCodes.get(m.from)!.line });
    if (newCodes.has(m.to)) continue;
    const chained = mapByFrom.get(m.to);
    if (chained) err("mapCycle", { from: m.from, to: m.to, next: chained.to, line: chained.line });
    else err("mapToUnknown", { code: m.to, file: treeFile });
  }

  const ended: EndedUnit[] = [];
  for (const u of [...current].sort((a, b) => a.code.localeCompare(b.code))) {
    const code = u.code.toUpperCase();
    if (newCodes.has(code)) continue;
    const m = mapByFrom.get(code);
    if (!m) {
      errors.push({ file: mapFile, line: 0, message: t("units:reorganise.unmapped", { code, name: u.name, file: treeFile }) });
      continue;
    }
    ended.push({ id: u.id, code, successorCode: m.to });
  }

  if (errors.length === 0 && added.length === 0 && ended.length === 0 && kept.every((k) => k.movedFrom === undefined)) {
    errors.push({ file: treeFile, line: 0, message: t("units:reorganise.nothing") });
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === treeFile ? -1 : 1)) };
  return { ok: true, plan: { kept, added, ended } };
}

/**
 * The first day of a reorganisation from what an admin types: dd/mm/yyyy (also d/m/yyyy,
 * dd-mm-yyyy) or yyyy-mm-dd. Returns YYYY-MM-DD, or null for anything else or a day that does
 * not exist (31/02/2025).
 */
export function parseReorganisationDay(text: string): string | null {
  const s = text.trim();
  let y: number;
  let m: number;
  let d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(s))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}
