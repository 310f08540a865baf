/**
 * Who may do what, on which part of the unit tree. Pure: roles and the tree come in.
 * - admin (province): everything in the subtree of the unit the role is held on;
 * - officer: sees progress, links groups and invites branch leaders and officers in her subtree;
 * - leader (branch leader): reports for the unit the role is held on.
 */
import type { UnitNode } from "./types.js";
import type { UnitTree } from "./units/tree.js";

export const ROLES = ["admin", "officer", "leader"] as const;
export type RoleName = (typeof ROLES)[number];

export function isRoleName(x: string): x is RoleName {
  return (ROLES as readonly string[]).includes(x);
}

export interface Grant {
  role: RoleName;
  unitId: number;
}

export type Action = "report" | "view" | "link" | "invite" | "admin";

/** The commands each action unlocks (for /trogiup); commands anyone may use are listed by the app. */
export function actionsOf(grants: readonly Grant[]): Set<Action> {
  const out = new Set<Action>();
  for (const g of grants) {
    if (g.role === "leader") out.add("report");
    if (g.role === "officer" || g.role === "admin") ["view", "link", "invite"].forEach((a) => out.add(a as Action));
    if (g.role === "admin") out.add("admin");
  }
  return out;
}

/** The units whose subtree a person oversees (officer or admin), without units already covered by another. */
export function overseenRoots(grants: readonly Grant[], tree: UnitTree): UnitNode[] {
  const ids = [...new Set(grants.filter((g) => g.role !== "leader").map((g) => g.unitId))];
  return ids
    .filter((id) => !ids.some((other) => other !== id && tree.isWithin(id, other)))
    .map((id) => tree.byId(id))
    .filter((u): u is UnitNode => u !== undefined);
}

/** True when the person may see (and act as officer on) this unit. */
export function canOversee(grants: readonly Grant[], tree: UnitTree, unitId: number): boolean {
  return grants.some((g) => g.role !== "leader" && tree.isWithin(unitId, g.unitId));
}

/** The units this person reports for. */
export function reportingUnits(grants: readonly Grant[], tree: UnitTree): UnitNode[] {
  const ids = [...new Set(grants.filter((g) => g.role === "leader").map((g) => g.unitId))];
  return ids.map((id) => tree.byId(id)).filter((u): u is UnitNode => u !== undefined);
}

/** May this person create an invite for `role` in `unitId`? Admin invites only by admins. */
export function canInvite(grants: readonly Grant[], tree: UnitTree, unitId: number, role: RoleName): boolean {
  if (role === "admin") return grants.some((g) => g.role === "admin" && tree.isWithin(unitId, g.unitId));
  return canOversee(grants, tree, unitId);
}
