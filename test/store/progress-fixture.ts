/**
 * The small data set of the /tiendo store tests (progress.test.ts, progress-feed.test.ts): the
 * default plan's branch monthly form in May 2024, seen on 25/5 at 10:00 in Việt Nam (after the 20/5
 * deadline), and a province of two districts, two communes and three branches.
 */
import { makePeriod } from "../../src/domain/periods.js";
import type { UnitRow } from "../../src/domain/units/import.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";

export const plan = loadPlanFile(DEFAULT_PLAN_PATH);
/** The branch monthly report form. */
export const monthly = plan.forms.find((f) => f.key === "chi_hoi_thang")!;
/** 10:00 on 25/5/2024 in Việt Nam, after the 20/5 deadline. */
export const NOW = new Date("2024-05-25T03:00:00Z");
export const MAY = makePeriod("monthly", 2024, 5);

/** A unit row of the fixture. */
export const row = (code: string, name: string, kind: UnitRow["kind"], parentCode: string | null): UnitRow => ({ code, name, kind, parentCode, line: 0 });
/** The province: P › D1 › C1 › B1, B2 and P › D2 › C2 › B3. */
export const UNITS: UnitRow[] = [
  row("P", "Hội LHPN tỉnh Thử", "province", null),
  row("D1", "Hội LHPN huyện Một", "district", "P"),
  row("C1", "Hội LHPN xã An", "commune", "D1"),
  row("B1", "Chi hội thôn Đông", "branch", "C1"),
  row("B2", "Chi hội thôn Tây", "branch", "C1"),
  row("D2", "Hội LHPN huyện Hai", "district", "P"),
  row("C2", "Hội LHPN xã Bình", "commune", "D2"),
  row("B3", "Chi hội thôn Nam", "branch", "C2"),
];
