/**
 * The pilot and new-countryside (NTM) marks of the units after a reorganisation (`units
 * reorganise`). Pure: the store writes what this returns (src/store/reorganise.ts).
 *
 * The rules, in order:
 *   1. A value the new tree file gives (`pilot`, `ntm`; an empty `ntm` clears it) is taken as is.
 *   2. Otherwise a unit that takes over ended units of its own kind (a merger of communes) gets:
 *      - pilot when any of them, or itself when it continues, was a pilot unit: the pilot work
 *        goes on in the merged area, and the officers can still clear it in the file;
 *      - the NTM status they all had, when they all had the same one (itself included when it
 *        continues); when they differ (one "kiểu mẫu", one "nâng cao", or one without status) the
 *        status is cleared and reported: NTM status is recognised for a whole commune, so the
 *        merged commune has none until it is recognised, and the most advanced would overstate it.
 *   3. A unit with no value in the file and no merger keeps its marks (a new one has none).
 * Ended units of another kind than the unit taking over (the districts when a level goes, a
 * province merged into another) pass no mark; their marks are reported as dropped.
 */
import type { UnitKind } from "../types.js";
import type { NtmStatus, UnitRow } from "./import.js";

/** A unit's marks. */
export interface UnitMarks {
  pilot: boolean;
  ntm: NtmStatus | null;
}

/** A unit of the latest tree as the reorganisation sees it. */
export interface MarkedUnit extends UnitMarks {
  code: string;
  kind: UnitKind;
}

/** What the marks rules read. */
export interface MarksInput {
  /** The new tree's rows (their `pilot` / `ntm` when the file gives them). */
  rows: readonly UnitRow[];
  /** The latest tree's units, with their marks (continuing and ending ones). */
  current: readonly MarkedUnit[];
  /** Ended unit code → the code that takes over. */
  successors: ReadonlyMap<string, string>;
}

/** A merged unit whose NTM status was cleared because its predecessors' differed. */
export interface NtmConflict {
  code: string;
  /** Each unit merged (and the continuing one), with its status (null: none). */
  from: Array<{ code: string; ntm: NtmStatus | null }>;
}

/** The marks to write and what to tell the officer. */
export interface MarksOutcome {
  /** Units of the new tree whose marks change (code → marks). */
  changes: Map<string, UnitMarks>;
  /** Units that became pilot units by a merger (code → the pilot units merged into it). */
  pilotMerged: Array<{ code: string; from: string[] }>;
  /** Units that keep or get an NTM status shared by every unit merged into them. */
  ntmMerged: Array<{ code: string; ntm: NtmStatus; from: string[] }>;
  ntmConflicts: NtmConflict[];
  /** Ended units of another kind than their successor, whose marks are not carried. */
  dropped: Array<{ code: string; successor: string; marks: UnitMarks }>;
}

/** Apply the rules above. */
export function marksAfterReorganisation(input: MarksInput): MarksOutcome {
  const byCode = new Map(input.current.map((u) => [u.code.toUpperCase(), u]));
  const predecessors = new Map<string, MarkedUnit[]>();
  const out: MarksOutcome = { changes: new Map(), pilotMerged: [], ntmMerged: [], ntmConflicts: [], dropped: [] };
  const newKind = new Map(input.rows.map((r) => [r.code, r.kind]));
  for (const [from, to] of [...input.successors].sort(([a], [b]) => a.localeCompare(b))) {
    const u = byCode.get(from);
    if (!u) continue;
    if (newKind.get(to) !== u.kind) {
      if (u.pilot || u.ntm) out.dropped.push({ code: from, successor: to, marks: { pilot: u.pilot, ntm: u.ntm } });
      continue;
    }
    let list = predecessors.get(to);
    if (!list) predecessors.set(to, (list = []));
    list.push(u);
  }
  for (const r of input.rows) {
    const own = byCode.get(r.code);
    const before: UnitMarks = own ? { pilot: own.pilot, ntm: own.ntm } : { pilot: false, ntm: null };
    const merged = predecessors.get(r.code) ?? [];
    const group = own ? [own, ...merged] : merged;
    const after: UnitMarks = { ...before };
    if (r.pilot !== undefined) after.pilot = r.pilot;
    else if (merged.length > 0) {
      after.pilot = group.some((u) => u.pilot);
      const pilots = merged.filter((u) => u.pilot).map((u) => u.code);
      if (pilots.length > 0 && !before.pilot) out.pilotMerged.push({ code: r.code, from: pilots });
    }
    if (r.ntm !== undefined) after.ntm = r.ntm;
    else if (merged.length > 0) {
      const statuses = new Set(group.map((u) => u.ntm));
      if (statuses.size === 1) {
        after.ntm = group[0]!.ntm;
        if (after.ntm) out.ntmMerged.push({ code: r.code, ntm: after.ntm, from: group.map((u) => u.code) });
      } else {
        after.ntm = null;
        out.ntmConflicts.push({ code: r.code, from: group.map((u) => ({ code: u.code, ntm: u.ntm })) });
      }
    }
    if (after.pilot !== before.pilot || after.ntm !== before.ntm) out.changes.set(r.code, after);
  }
  return out;
}
