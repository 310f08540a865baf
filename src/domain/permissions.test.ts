import { describe, expect, it } from "vitest";
import { actionsOf, canInvite, canOversee, overseenRoots, reportingUnits, type Grant } from "./permissions.js";
import { UnitTree } from "./units/tree.js";

const tree = new UnitTree([
  { id: 1, code: "P", name: "Tỉnh", kind: "province", parentId: null },
  { id: 2, code: "D1", name: "Huyện Một", kind: "district", parentId: 1 },
  { id: 3, code: "D2", name: "Huyện Hai", kind: "district", parentId: 1 },
  { id: 4, code: "C1", name: "Xã Một", kind: "commune", parentId: 2 },
  { id: 5, code: "B1", name: "Chi hội Một", kind: "branch", parentId: 4 },
  { id: 6, code: "C2", name: "Xã Hai", kind: "commune", parentId: 3 },
]);

describe("permissions", () => {
  it("gives nobody anything without a role", () => {
    expect([...actionsOf([])]).toEqual([]);
    expect(canOversee([], tree, 5)).toBe(false);
    expect(canInvite([], tree, 5, "leader")).toBe(false);
    expect(reportingUnits([], tree)).toEqual([]);
  });

  it("lets an officer see her subtree only", () => {
    const officer: Grant[] = [{ role: "officer", unitId: 2 }];
    expect(canOversee(officer, tree, 2)).toBe(true);
    expect(canOversee(officer, tree, 5)).toBe(true);
    expect(canOversee(officer, tree, 3)).toBe(false);
    expect(canOversee(officer, tree, 6)).toBe(false);
    expect(canOversee(officer, tree, 1)).toBe(false);
  });

  it("lets a branch leader report but not oversee", () => {
    const leader: Grant[] = [{ role: "leader", unitId: 5 }];
    expect([...actionsOf(leader)]).toEqual(["report"]);
    expect(canOversee(leader, tree, 5)).toBe(false);
    expect(reportingUnits(leader, tree).map((u) => u.code)).toEqual(["B1"]);
  });

  it("reserves admin invites to admins", () => {
    expect(canInvite([{ role: "officer", unitId: 1 }], tree, 2, "admin")).toBe(false);
    expect(canInvite([{ role: "officer", unitId: 1 }], tree, 2, "officer")).toBe(true);
    expect(canInvite([{ role: "admin", unitId: 1 }], tree, 2, "admin")).toBe(true);
    expect(canInvite([{ role: "officer", unitId: 2 }], tree, 6, "leader")).toBe(false);
  });

  it("collapses nested oversight to the highest units", () => {
    const grants: Grant[] = [
      { role: "officer", unitId: 4 },
      { role: "officer", unitId: 2 },
      { role: "admin", unitId: 3 },
      { role: "leader", unitId: 1 },
    ];
    expect(overseenRoots(grants, tree).map((u) => u.code).sort()).toEqual(["D1", "D2"]);
  });
});
