import { describe, expect, it } from "vitest";
import type { UnitRow } from "./import.js";
import { marksAfterReorganisation, type MarkedUnit } from "./reorganise-marks.js";

const row = (code: string, extra: Partial<UnitRow> = {}): UnitRow => ({ code, name: code, kind: "commune", parentCode: "P", line: 1, ...extra }) as UnitRow;
const unit = (code: string, pilot = false, ntm: MarkedUnit["ntm"] = null): MarkedUnit => ({ code, kind: "commune", pilot, ntm });

describe("marks after a reorganisation", () => {
  it.each([
    { name: "communes without any mark merge into one without a mark (no conflict)", current: [unit("A"), unit("B")], rows: [row("M")], expect: { M: undefined }, conflicts: 0 },
    { name: "a pilot commune makes the merger a pilot unit", current: [unit("A", true), unit("B")], rows: [row("M")], expect: { M: { pilot: true, ntm: null } }, conflicts: 0 },
    { name: "the same NTM status is kept", current: [unit("A", false, "nang_cao"), unit("B", false, "nang_cao")], rows: [row("M")], expect: { M: { pilot: false, ntm: "nang_cao" } }, conflicts: 0 },
    { name: "a status and none: cleared, reported", current: [unit("A", false, "kieu_mau"), unit("B")], rows: [row("M")], expect: { M: undefined }, conflicts: 1 },
    { name: "the file's ntm wins over a conflict", current: [unit("A", false, "kieu_mau"), unit("B")], rows: [row("M", { ntm: "kieu_mau" })], expect: { M: { pilot: false, ntm: "kieu_mau" } }, conflicts: 0 },
  ])("$name", ({ current, rows, expect: want, conflicts }) => {
    const out = marksAfterReorganisation({ current, rows, successors: new Map([["A", "M"], ["B", "M"]]) });
    for (const [code, marks] of Object.entries(want)) expect(out.changes.get(code)).toEqual(marks);
    expect(out.ntmConflicts).toHaveLength(conflicts);
  });

  it("a unit without merger or file value keeps its marks (no change written)", () => {
    const out = marksAfterReorganisation({ current: [unit("K", true, "nang_cao")], rows: [row("K")], successors: new Map() });
    expect(out.changes.size).toBe(0);
  });
});
