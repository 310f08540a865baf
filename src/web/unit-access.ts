/**
 * Which unit a URL names, for this viewer: a unit of the latest tree inside a subtree she oversees,
 * else nothing — the same answer for a unit that does not exist and for one outside her subtree, so
 * that changing a code in the URL shows nothing of another subtree (not even that it exists).
 */
import { canOversee, overseenRoots } from "../domain/permissions.js";
import type { UnitNode } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Viewer } from "./context.js";

/** The unit with this code when the viewer oversees it, else null. */
export function viewableUnit(viewer: Viewer, tree: UnitTree, code: string): UnitNode | null {
  const unit = tree.byCode(code);
  if (!unit || !canOversee(viewer.grants, tree, unit.id)) return null;
  return unit;
}

/** The units at the top of what the viewer oversees. */
export function viewerRoots(viewer: Viewer, tree: UnitTree): UnitNode[] {
  return overseenRoots(viewer.grants, tree);
}

/** The unit's ancestors the viewer may also open (for the breadcrumb), from the top. */
export function viewableAncestors(viewer: Viewer, tree: UnitTree, unit: UnitNode): UnitNode[] {
  return tree
    .ancestors(unit.id)
    .filter((a) => a.id !== unit.id && canOversee(viewer.grants, tree, a.id))
    .sort((a, b) => (tree.isWithin(b.id, a.id) ? -1 : 1));
}
