/**
 * The place name of a unit's documents ("Ý Yên, ngày … tháng … năm …"): the locality in its name
 * ("Hội LHPN huyện Ý Yên" → "Ý Yên", "Hội LHPN xã Yên Phương" → "Yên Phương"); a unit whose name
 * names no locality (a branch, a special unit) takes its parent's; the plan's `place` last.
 */
import type { UnitNode } from "../domain/types.js";
import type { UnitTree } from "../domain/units/tree.js";

const LOCALITY = /^Hội\s+(?:LHPN|Liên hiệp Phụ nữ)\s+(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+(.+)$/iu;

/** The locality a unit's name names, or null. */
export function localityOf(name: string): string | null {
  const m = LOCALITY.exec(name.trim());
  return m ? m[1]!.trim() : null;
}

/** The place of the unit's date line (see the module comment). */
export function unitPlace(tree: UnitTree, unit: UnitNode, fallback: string): string {
  const seen = new Set<number>();
  for (let u: UnitNode | undefined = unit; u && !seen.has(u.id); u = u.parentId === null ? undefined : tree.byId(u.parentId)) {
    seen.add(u.id);
    const place = localityOf(u.name);
    if (place) return place;
  }
  return fallback;
}
