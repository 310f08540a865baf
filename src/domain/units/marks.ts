/**
 * How a unit's attributes from the units file show next to its name: " (điểm, NTM kiểu mẫu)" for
 * a pilot unit in an area with NTM kiểu mẫu status; "" for a unit with neither. Pure.
 */
import { t, type Language } from "../../i18n.js";
import type { UnitNode } from "../types.js";

/** The marks of a unit, in words ("điểm", "NTM nâng cao"…), pilot first. */
export function unitMarkWords(unit: Pick<UnitNode, "pilot" | "ntm">, lng: Language): string[] {
  const out: string[] = [];
  if (unit.pilot) out.push(t("progress:marks.pilot", {}, lng));
  if (unit.ntm) out.push(t(`progress:marks.${unit.ntm}`, {}, lng));
  return out;
}

/** " (điểm, NTM kiểu mẫu)", or "" when the unit has no mark. */
export function unitMarks(unit: Pick<UnitNode, "pilot" | "ntm">, lng: Language): string {
  const words = unitMarkWords(unit, lng);
  return words.length > 0 ? t("progress:marks.marked", { marks: words.join(", ") }, lng) : "";
}
