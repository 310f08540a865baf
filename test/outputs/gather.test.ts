/**
 * gatherForm's figures for a part-of-total question (e.g. "cán bộ được tập huấn / tổng số"): summed
 * over the units and the window, and no "0/0" line when every unit answered zero of zero.
 */
import { describe, expect, it } from "vitest";
import { makePeriod } from "../../src/domain/periods.js";
import type { UnitNode } from "../../src/domain/types.js";
import { gatherForm, type WindowReport } from "../../src/outputs/gather.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";

const plan = loadPlanFile(DEFAULT_PLAN_PATH);
const form = plan.forms.find((f) => f.questions.some((q) => q.key === "can_bo_tap_huan"))!;
const period = makePeriod(form.period as Exclude<typeof form.period, "once">, 2024, 1);
const units = [1, 2, 3].map((id) => ({ id, code: `U${id}`, name: `Đơn vị ${id}`, kind: form.unitKinds[0], parentId: null }) as unknown as UnitNode);
const reportOf = (unitId: number, part: number, total: number): WindowReport => ({
  unitId,
  periodKey: period.key,
  submittedAt: period.start,
  answers: { can_bo_tap_huan: { part, total } },
});
const partFigure = (reports: WindowReport[]) =>
  gatherForm({ form, periods: [period], units, reports }, "vi").figures.find((f) => f.key === "can_bo_tap_huan");

describe("a part-of-total figure in a draft", () => {
  const cases: Array<{ name: string; answers: Array<[number, number, number]>; expected: { part: number; total: number } | null }> = [
    { name: "summed over the units", answers: [[1, 2, 5], [2, 0, 3]], expected: { part: 2, total: 8 } },
    { name: "a zero of zero counts nothing but keeps the others", answers: [[1, 0, 0], [2, 4, 4]], expected: { part: 4, total: 4 } },
    { name: "every unit zero of zero: no line (not 0/0)", answers: [[1, 0, 0], [2, 0, 0], [3, 0, 0]], expected: null },
    { name: "nobody answered: no line", answers: [], expected: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const f = partFigure(c.answers.map(([u, p, t]) => reportOf(u, p, t)));
      if (c.expected === null) expect(f).toBeUndefined();
      else expect(f).toMatchObject({ type: "part", ...c.expected });
    });
  }
});
