/**
 * The form /tiendo shows by default for a unit (see defaultProgressForm), from the kinds of units
 * in its subtree.
 */
import type { Period } from "../domain/periods.js";
import type { UnitKind } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Form, Plan } from "../plan/schema.js";

const KIND_BITS: Record<UnitKind, number> = { province: 1, district: 2, commune: 4, branch: 8, special: 16 };
const kindMaskCache = new WeakMap<UnitTree, Map<number, number>>();

/** Per unit, the kinds present in its subtree (a bit mask), computed once per tree. */
function subtreeKinds(tree: UnitTree, id: number): number {
  let masks = kindMaskCache.get(tree);
  if (!masks) {
    masks = new Map();
    for (const u of tree.all()) {
      const bit = KIND_BITS[u.kind] ?? 0;
      masks.set(u.id, (masks.get(u.id) ?? 0) | bit);
      const seen = new Set<number>([u.id]);
      for (let p = u.parentId; p !== null && !seen.has(p); ) {
        seen.add(p);
        const m = masks.get(p) ?? 0;
        if ((m & bit) !== 0 && tree.byId(p)) break; // the rest of the chain has it already
        masks.set(p, m | bit);
        p = tree.byId(p)?.parentId ?? null;
      }
    }
    kindMaskCache.set(tree, masks);
  }
  return masks.get(id) ?? 0;
}

/**
 * The form /tiendo shows by default for a unit: among the forms answered by some unit of its
 * subtree, the first monthly one in plan order (the branches' monthly report), else the first.
 * With `periodKind` (the officer named a period, e.g. "năm 2024"): the first with that kind, if any.
 */
export function defaultProgressForm(plan: Plan, tree: UnitTree, rootId: number, periodKind?: Period["kind"]): Form | null {
  const mask = subtreeKinds(tree, rootId);
  const applies = plan.forms.filter((f) => f.unitKinds.some((k) => (KIND_BITS[k] & mask) !== 0));
  if (periodKind) return applies.find((f) => f.period === periodKind) ?? null;
  return applies.find((f) => f.period === "monthly") ?? applies[0] ?? null;
}
