/** The reorganisation map and plan, without a store: every problem with its file and line. */
import { describe, expect, it } from "vitest";
import type { UnitNode } from "../types.js";
import { parseUnits } from "./import.js";
import { parseReorganisationDay, planReorganisation } from "./reorganise.js";
import { parseUnitMap } from "./reorganise-map.js";

const current: UnitNode[] = [
  { id: 1, code: "P", name: "Tỉnh", kind: "province", parentId: null },
  { id: 2, code: "D", name: "Huyện", kind: "district", parentId: 1 },
  { id: 3, code: "C1", name: "Xã 1", kind: "commune", parentId: 2 },
  { id: 4, code: "C2", name: "Xã 2", kind: "commune", parentId: 2 },
  { id: 5, code: "B1", name: "Chi hội 1", kind: "branch", parentId: 3 },
];
const newTree = "- code: P\n  name: Tỉnh\n  kind: province\n  children:\n    - code: C\n      name: Xã mới\n      kind: commune\n      children:\n        - {code: B1, name: Chi hội 1, kind: branch}\n";

function plan(mapText: string, endedCodes: string[] = []) {
  const rows = parseUnits(newTree, "new.yaml");
  const map = parseUnitMap(mapText, "map.txt");
  if (!rows.ok || !map.ok) throw new Error("fixture does not parse");
  return planReorganisation({ current, endedCodes: new Set(endedCodes), rows: rows.units, treeFile: "new.yaml", map: map.entries, mapFile: "map.txt" });
}

describe("parseUnitMap", () => {
  it("reads arrows, commas and spaces, skips comments, upper-cases codes", () => {
    const r = parseUnitMap("# c\n\nd -> p\nC1 → C\nC2, c\n", "map.txt");
    expect(r).toEqual({ ok: true, entries: [{ from: "D", to: "P", line: 3 }, { from: "C1", to: "C", line: 4 }, { from: "C2", to: "C", line: 5 }] });
  });

  it("names malformed, invalid and duplicate lines", () => {
    const r = parseUnitMap("D -> P -> Q\nX? -> P\nC1 -> C\nc1 -> P\n", "map.txt");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.line)).toEqual([1, 2, 4]);
    expect(r.errors[2]!.message).toBe('Mã "C1" đã được ánh xạ ở dòng 3; mỗi đơn vị cũ chỉ ánh xạ một lần');
  });
});

describe("planReorganisation", () => {
  it("keeps continuing units (recording a move), adds new ones and ends the mapped ones", () => {
    const r = plan("D -> P\nC1 -> C\nC2 -> C\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.kept.map((k) => [k.row.code, k.movedFrom])).toEqual([
      ["P", undefined],
      ["B1", 3],
    ]);
    expect(r.plan.added.map((a) => a.code)).toEqual(["C"]);
    expect(r.plan.ended).toEqual([
      { id: 3, code: "C1", successorCode: "C" },
      { id: 4, code: "C2", successorCode: "C" },
      { id: 2, code: "D", successorCode: "P" },
    ]);
  });

  it("reports an unmapped unit, an unknown or ended code, a chain and a reused code", () => {
    const r = plan("C1 -> C2\nC2 -> C\nZZ -> C\nOLD -> C\n", ["OLD"]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.file}:${e.line}`)).toEqual(["map.txt:0", "map.txt:1", "map.txt:3", "map.txt:4"]);
    expect(r.errors[0]!.message).toContain('"D" (Huyện) không có trong cây mới new.yaml');
    expect(r.errors[1]!.message).toContain("(chuỗi hoặc vòng lặp)");
    const rows = parseUnits(newTree, "new.yaml");
    if (!rows.ok) throw new Error("fixture does not parse");
    const reused = planReorganisation({ current, endedCodes: new Set(["C"]), rows: rows.units, treeFile: "new.yaml", map: [], mapFile: "map.txt" });
    expect(reused.ok ? [] : reused.errors.map((e) => `${e.file}:${e.line}`)).toContain("new.yaml:5");
  });
});

describe("parseReorganisationDay", () => {
  it("accepts dd/mm/yyyy and yyyy-mm-dd, refuses days that do not exist", () => {
    expect(parseReorganisationDay("1/7/2025")).toBe("2025-07-01");
    expect(parseReorganisationDay("01-07-2025")).toBe("2025-07-01");
    expect(parseReorganisationDay("2025-07-01")).toBe("2025-07-01");
    expect(parseReorganisationDay("31/06/2025")).toBeNull();
    expect(parseReorganisationDay("2025/07/01")).toBeNull();
    expect(parseReorganisationDay("tháng 7")).toBeNull();
  });
});
