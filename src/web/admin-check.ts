/** Who may use the admin pages: a province admin (an admin role on a root of the tree), as for /tamdung. */
import { canOversee, type Grant } from "../domain/permissions.js";
import type { UnitTree } from "../domain/units/tree.js";

/** True for an admin of a whole province (a root of the tree). */
export function isProvinceAdmin(grants: readonly Grant[], tree: UnitTree): boolean {
  return grants.some((g) => g.role === "admin" && tree.roots.some((r) => canOversee([g], tree, r.id)));
}
