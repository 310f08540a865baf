/**
 * /tiendo from the store: loadProgress (cached and direct) on a known data set, and equal to
 * computeProgress over the raw report rows on hand-made and generated data, also after writes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formPeriods, makePeriod, type Period } from "../../src/domain/periods.js";
import { computeProgress, type Progress } from "../../src/domain/progress.js";
import { renderProgressText } from "../../src/domain/progress-text.js";
import type { Answers, ReportFact } from "../../src/domain/types.js";
import type { UnitRow } from "../../src/domain/units/import.js";
import { provinceScale } from "../../src/domain/units/generate.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import type { Form, Indicator } from "../../src/plan/schema.js";
import { defaultProgressForm, loadProgress, progressCache, progressText } from "../../src/progress/index.js";
import type { Store } from "../../src/store/database.js";
import { correctReport, saveReport } from "../../src/store/reports.js";
import { importUnits, loadUnitTree } from "../../src/store/units.js";
import { generateReports } from "../../bench/data.js";
import { MAY, monthly, NOW, plan, row, UNITS as BASE_UNITS } from "./progress-fixture.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

/** The shared province, and a special unit directly under it. */
const UNITS: UnitRow[] = [...BASE_UNITS, row("S1", "Hội phụ nữ Công an tỉnh", "special", "P")];

/** Indicators beyond the plan's, to cover every path: other forms, once-forms, per-kind ratios, one question with two measures. */
const EXTRA: Indicator[] = [
  { key: "cs_tt", name: "Cơ sở tuyên truyền (năm)", form: "co_so_6_thang", question: "tuyen_truyen", measure: "yes_share", window: "year", target: { atLeast: 100 } },
  { key: "ngd", name: "Hoạt động Ngày Gia đình", form: "ngay_gia_dinh_2023", question: "so_hoat_dong", measure: "sum", window: "plan", target: { atLeast: 1, per: "district" } },
  { key: "ratio_huyen", name: "Tỷ lệ hỗ trợ theo huyện", form: "chi_hoi_thang", question: "nan_nhan_blgd", measure: "ratio", window: "year", target: { atLeast: 50, per: "district" } },
  { key: "co_ho_moi", name: "Chi hội có hộ mới", form: "chi_hoi_thang", question: "ho_dat_moi", measure: "yes_share", window: "year", target: { atLeast: 50 } },
  { key: "so_buoi", name: "Số buổi trong tháng", form: "chi_hoi_thang", question: "so_buoi", measure: "sum", window: "period", target: { atLeast: 1 } },
  { key: "tt_xa", name: "Tháng có tuyên truyền, theo xã", form: "chi_hoi_thang", question: "tuyen_truyen", measure: "sum", window: "year", target: { atLeast: 2, per: "commune" } },
  { key: "ho_moi_kh", name: "Hộ mới từ đầu kế hoạch", form: "chi_hoi_thang", question: "ho_dat_moi", measure: "sum", window: "plan", target: { atLeast: 10 } },
];

async function rawFacts(store: Store): Promise<ReportFact[]> {
  const rows = await store.prisma.report.findMany();
  return rows.map((r) => ({ unitId: r.unitId, formKey: r.formKey, periodKey: r.periodKey, submittedAt: r.submittedAt, answers: r.answers as Answers }));
}

/** computeProgress over every raw row: the reference. */
function reference(tree: UnitTree, raw: ReportFact[], rootId: number, form: Form, period: Period, indicators?: readonly Indicator[]): Progress {
  return computeProgress({
    tree,
    plan,
    form,
    period,
    rootId,
    now: NOW,
    reports: raw.filter((r) => r.formKey === form.key && r.periodKey === period.key),
    windowReports: raw,
    ...(indicators ? { indicators } : {}),
  });
}

describe.each(FLAVOURS)("loadProgress on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let tree: UnitTree;
  const id = (code: string) => tree.byCode(code)!.id;
  const save = (formKey: string, periodKey: string, code: string, submittedAt: string, answers: Answers) =>
    saveReport(store, { planKey: plan.id, formKey, periodKey, unitId: id(code), answers, personId: null, submittedAt: new Date(submittedAt) });

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    await importUnits(store, UNITS);
    tree = await loadUnitTree(store);
    const F = "chi_hoi_thang";
    await save(F, "2024-05", "B1", "2024-05-18T03:00:00Z", { tuyen_truyen: true, so_buoi: 2, ho_dat_moi: 3, phat_hien_blgd: true, nan_nhan_blgd: { part: 1, total: 2 } });
    await save(F, "2024-03", "B1", "2024-03-15T03:00:00Z", { tuyen_truyen: false, ho_dat_moi: 2, phat_hien_blgd: true, nan_nhan_blgd: { part: 1, total: 1 } });
    await save(F, "2023-11", "B1", "2023-11-15T03:00:00Z", { tuyen_truyen: true, so_buoi: 1, ho_dat_moi: 4, phat_hien_blgd: false });
    await save(F, "2024-05", "B2", "2024-05-22T02:00:00Z", { tuyen_truyen: false, ho_dat_moi: 0, phat_hien_blgd: false });
    await save(F, "2024-02", "B3", "2024-02-10T03:00:00Z", { tuyen_truyen: true, so_buoi: 4, ho_dat_moi: 6, phat_hien_blgd: true, nan_nhan_blgd: { part: 0, total: 1 } });
    await save(F, "2024-06", "B3", "2024-06-10T03:00:00Z", { tuyen_truyen: true, so_buoi: 1, ho_dat_moi: 9, phat_hien_blgd: false });
    await save("co_so_6_thang", "2024-H1", "C1", "2024-06-10T03:00:00Z", { tuyen_truyen: true, can_bo_tap_huan: { part: 3, total: 4 }, mo_hinh_moi: 1, mo_hinh_cung_co: 0, dien_hinh: 2 });
    await save("co_so_6_thang", "2023-H2", "C2", "2023-12-10T03:00:00Z", { tuyen_truyen: false, can_bo_tap_huan: { part: 1, total: 4 }, mo_hinh_moi: 0, mo_hinh_cung_co: 1, dien_hinh: 0 });
    await save("ngay_gia_dinh_2023", "ngay_gia_dinh_2023", "D1", "2023-06-20T03:00:00Z", { da_to_chuc: true, so_hoat_dong: 2 });
    await save("ngay_gia_dinh_2023", "ngay_gia_dinh_2023", "D2", "2023-07-20T03:00:00Z", { da_to_chuc: false, so_hoat_dong: 0 });
  });
  afterAll(async () => cleanup());

  for (const cache of [true, false]) {
    it(`gives the known counts, lists and indicators (cache: ${cache})`, async () => {
      const p = await loadProgress(store, { plan, tree, rootId: id("P"), now: NOW, cache });
      expect(p.form.key).toBe("chi_hoi_thang");
      expect(p.period.key).toBe("2024-05");
      expect(p.duePassed).toBe(true);
      expect([p.expected, p.received, p.onTime, p.late]).toEqual([3, 2, 1, 1]);
      expect(p.missing.map((u) => u.code)).toEqual(["B3"]);
      expect(p.lateUnits.map((u) => u.code)).toEqual(["B2"]);
      expect(p.children.map((c) => [c.unit.code, c.received, c.expected])).toEqual([
        ["D2", 0, 1],
        ["D1", 2, 2],
      ]);
      const [yes, sum, ratio] = p.indicators;
      expect(yes!.indicator.key).toBe("ti_le_chi_hoi_tuyen_truyen");
      expect([yes!.value, yes!.detail.part, yes!.detail.total, yes!.met]).toEqual([1 / 3, 1, 3, false]);
      expect(sum!.indicator.key).toBe("ho_dat_5k3s_5c3s");
      // Jan–May 2024: xã An 3 + 2 + 0 = 5, xã Bình 6 (Nov 2023 and June 2024 do not count).
      expect([sum!.value, sum!.detail.unitsCounted, sum!.detail.part, sum!.met]).toEqual([2, 2, 11, true]);
      expect(ratio!.indicator.key).toBe("ti_le_nan_nhan_blgd_duoc_ho_tro");
      expect([ratio!.value, ratio!.detail.part, ratio!.detail.total, ratio!.met]).toEqual([0.5, 2, 4, false]);

      const d1 = await loadProgress(store, { plan, tree, rootId: id("D1"), now: NOW, cache });
      expect([d1.expected, d1.received, d1.onTime, d1.missing.length]).toEqual([2, 2, 1, 0]);
      expect(d1.indicators.map((r) => r.value)).toEqual([0.5, 1, 2 / 3]);

      const march = await loadProgress(store, { plan, tree, rootId: id("P"), now: NOW, period: makePeriod("monthly", 2024, 3), cache });
      expect([march.received, march.onTime]).toEqual([1, 1]);
      expect(march.indicators[1]!.detail.unitsNotMeeting!.map((u) => u.code)).toEqual(["C1"]);

      const text = await progressText(store, { plan, tree, rootId: id("P"), now: NOW, cache });
      expect(text.split("\n")).toEqual(
        expect.arrayContaining([
          "📊 Tiến độ báo cáo: Hội LHPN tỉnh Thử",
          "Báo cáo tháng của chi hội về hoạt động Vun đắp giá trị gia đình, tháng 5/2024",
          "Đã báo cáo: 2/3 đơn vị (66,7%)",
          "Đúng hạn: 1/3 đơn vị (33,3%)",
          "Chưa báo cáo (1): Chi hội thôn Nam",
          "Trễ hạn (1): Chi hội thôn Tây",
        ]),
      );
    });
  }

  it("equals computeProgress over the raw reports for every unit, several periods and forms, and more indicators", async () => {
    const raw = await rawFacts(store);
    const halfYear = plan.forms.find((f) => f.key === "co_so_6_thang")!;
    const cases: { form: Form; period: Period }[] = [
      { form: monthly, period: MAY },
      { form: monthly, period: makePeriod("monthly", 2024, 3) },
      { form: monthly, period: makePeriod("monthly", 2024, 8) },
      { form: monthly, period: makePeriod("monthly", 2023, 11) },
      { form: halfYear, period: makePeriod("half_yearly", 2024, 1) },
    ];
    let compared = 0;
    for (const { form, period } of cases) {
      for (const u of tree.all()) {
        for (const indicators of [undefined, [...plan.indicators, ...EXTRA]]) {
          const want = reference(tree, raw, u.id, form, period, indicators);
          for (const cache of [true, false]) {
            const got = await loadProgress(store, { plan, tree, rootId: u.id, form, period, now: NOW, cache, ...(indicators ? { indicators } : {}) });
            expect(got, `${u.code} ${form.key} ${period.key} cache=${cache}`).toEqual(want);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(cases.length * tree.size * 4);
  });

  it("stays equal after new reports, corrections and writes that bypass the report module", async () => {
    const cache = progressCache(store);
    await loadProgress(store, { plan, tree, rootId: id("P"), now: NOW }); // fill the cache
    expect(cache.size).toBeGreaterThan(0);
    await save("chi_hoi_thang", "2024-05", "B3", "2024-05-24T03:00:00Z", { tuyen_truyen: true, so_buoi: 1, ho_dat_moi: 2, phat_hien_blgd: true, nan_nhan_blgd: { part: 2, total: 2 } });
    await correctReport(store, {
      planKey: plan.id,
      formKey: "chi_hoi_thang",
      periodKey: "2024-03",
      unitId: id("B1"),
      personId: null,
      changes: [{ key: "ho_dat_moi", oldValue: 2, newValue: 0 }],
      answers: { tuyen_truyen: false, ho_dat_moi: 0, phat_hien_blgd: true, nan_nhan_blgd: { part: 1, total: 1 } },
      at: new Date("2024-05-24T04:00:00Z"),
    });
    // Written by hand (another instance, a script): seen through the change feed.
    await store.sql.query(
      `INSERT INTO "Report" ("planKey", "formKey", "periodKey", "unitId", "answers", "submittedAt", "updatedAt") VALUES ($5, $1, $2, $3, $4::jsonb, now(), now())`,
      ["chi_hoi_thang", "2024-04", id("B2"), JSON.stringify({ tuyen_truyen: true, ho_dat_moi: 4, nan_nhan_blgd: { part: 0, total: 3 } }), plan.id],
    );
    const raw = await rawFacts(store);
    for (const code of ["P", "D1", "C2"]) {
      const want = reference(tree, raw, id(code), monthly, MAY);
      expect(await loadProgress(store, { plan, tree, rootId: id(code), now: NOW })).toEqual(want);
      expect(await loadProgress(store, { plan, tree, rootId: id(code), now: NOW, cache: false })).toEqual(want);
    }
    const p = await loadProgress(store, { plan, tree, rootId: id("P"), now: NOW });
    expect([p.received, p.missing.length]).toEqual([3, 0]);
    // Jan–May 2024 after the correction and the new rows: xã An 3 + 0 + 0 + 4 = 7, xã Bình 6 + 2 = 8.
    expect(p.indicators[1]!.detail.part).toBe(15);
    cache.invalidate();
    expect(cache.size).toBe(0);
    expect(await loadProgress(store, { plan, tree, rootId: id("P"), now: NOW })).toEqual(reference(tree, raw, id("P"), monthly, MAY));
  });

  it("chooses the default form by the kinds in the subtree", () => {
    expect(defaultProgressForm(plan, tree, id("P"))!.key).toBe("chi_hoi_thang");
    expect(defaultProgressForm(plan, tree, id("B1"))!.key).toBe("chi_hoi_thang");
    expect(defaultProgressForm(plan, tree, id("S1"))!.key).toBe("huyen_6_thang");
    expect(defaultProgressForm(plan, tree, id("P"), "yearly")!.key).toBe("huyen_nam");
  });
});

describe.each(FLAVOURS)("generated province data on %s", (flavour) => {
  it("loadProgress equals computeProgress over the raw rows (whole tree, districts, communes)", async () => {
    const { store, cleanup } = await freshStore(flavour);
    try {
      await importUnits(store, provinceScale(11));
      const tree = await loadUnitTree(store);
      const periods = formPeriods(monthly, plan).filter((p) => p.key >= "2024-01" && p.key <= "2024-12");
      const n = await generateReports(store, { form: monthly, periods });
      expect(n).toBeGreaterThan(15_000);
      const raw = await rawFacts(store);
      const root = tree.roots[0]!;
      const districts = tree.children(root.id).filter((u) => u.kind === "district");
      const roots = [root, districts[0]!, districts[3]!, tree.children(districts[1]!.id)[0]!];
      const now = new Date("2024-12-28T03:00:00Z");
      for (const period of [periods[periods.length - 1]!, periods[4]!]) {
        for (const u of roots) {
          const want = computeProgress({ tree, plan, form: monthly, period, rootId: u.id, now, reports: raw.filter((r) => r.periodKey === period.key), windowReports: raw });
          for (const cache of [true, false]) {
            const got = await loadProgress(store, { plan, tree, rootId: u.id, form: monthly, period, now, cache });
            expect(got, `${u.code} ${period.key} cache=${cache}`).toEqual(want);
            expect(renderProgressText(got)).toBe(renderProgressText(want));
          }
        }
      }
    } finally {
      await cleanup();
    }
  });
});
