import { describe, expect, it } from "vitest";
import type { Form, Indicator, Plan } from "../plan/schema.js";
import { makePeriod, type Period } from "./periods.js";
import { compareUnitNames, computeProgress, indicatorWindow, targetFraction, type ProgressInput } from "./progress.js";
import type { ReportFact, UnitNode } from "./types.js";
import { UnitTree } from "./units/tree.js";

const at = (local: string) => new Date(`${local}+07:00`);

// Province → 2 districts → communes → branches, plus a special unit with nothing below it.
const units: UnitNode[] = [
  { id: 1, code: "NDI", name: "Tỉnh Nam Định", kind: "province", parentId: null },
  { id: 2, code: "YYE", name: "Huyện Ý Yên", kind: "district", parentId: 1 },
  { id: 3, code: "XTR", name: "Huyện Xuân Trường", kind: "district", parentId: 1 },
  { id: 4, code: "YPH", name: "Xã Yên Phương", kind: "commune", parentId: 2 },
  { id: 5, code: "YBI", name: "Xã Yên Bình", kind: "commune", parentId: 2 },
  { id: 6, code: "XKI", name: "Xã Xuân Kiên", kind: "commune", parentId: 3 },
  { id: 7, code: "CAT", name: "Hội phụ nữ Công an tỉnh", kind: "special", parentId: 1 },
  { id: 10, code: "B10", name: "Chi hội An Hòa", kind: "branch", parentId: 4 },
  { id: 11, code: "B11", name: "Chi hội Bắc Sơn", kind: "branch", parentId: 4 },
  { id: 12, code: "B12", name: "Chi hội Cầu", kind: "branch", parentId: 4 },
  { id: 13, code: "B13", name: "Chi hội Đông Tâm", kind: "branch", parentId: 4 },
  { id: 14, code: "B14", name: "Chi hội Giữa", kind: "branch", parentId: 5 },
  { id: 15, code: "B15", name: "Chi hội Duệ", kind: "branch", parentId: 5 },
  { id: 16, code: "B16", name: "Chi hội Hạ", kind: "branch", parentId: 6 },
  { id: 17, code: "B17", name: "Chi hội Kênh", kind: "branch", parentId: 6 },
  { id: 18, code: "B18", name: "Chi hội Ấp Mới", kind: "branch", parentId: 6 },
];
const tree = new UnitTree(units);

const q = (key: string, type: "yes_no" | "integer" | "part_of_total") =>
  type === "integer"
    ? { key, text: key, type, min: 0, max: 1000, optional: false }
    : type === "part_of_total"
      ? { key, text: key, type, partLabel: "được hỗ trợ", totalLabel: "được phát hiện", max: 100000, optional: false }
      : { key, text: key, type, optional: false };

const monthly: Form = {
  key: "bc_thang",
  title: "Báo cáo tháng",
  period: "monthly",
  due: { day: 20, monthOffset: 0, time: "23:59" },
  unitKinds: ["branch"],
  questions: [q("tuyen_truyen", "yes_no"), q("ho_5k3s", "integer"), q("bao_luc", "part_of_total")],
} as Form;
const once: Form = {
  key: "hoi_nghi_diem",
  title: "Hội nghị điểm",
  period: "once",
  due: { date: "2023-06-28", time: "23:59" },
  unitKinds: ["district"],
  questions: [q("da_to_chuc", "yes_no")],
} as Form;
const half: Form = {
  key: "bc_6thang",
  title: "Báo cáo 6 tháng",
  period: "half_yearly",
  due: { day: 15, monthOffset: 1, time: "23:59" },
  unitKinds: ["commune"],
  questions: [q("ghi_chu", "yes_no")],
} as Form;

const ind = (i: Partial<Indicator> & Pick<Indicator, "key" | "measure" | "question">): Indicator =>
  ({ name: i.key, form: "bc_thang", window: "period", target: { atLeast: 0 }, ...i }) as Indicator;
const iHouseholds = ind({ key: "ho_moi_xa", name: "Hộ đạt 5K3S", measure: "sum", question: "ho_5k3s", window: "year", target: { atLeast: 5, per: "commune" } });
const iVictims = ind({ key: "nan_nhan", name: "Nạn nhân BLGĐ được hỗ trợ", measure: "ratio", question: "bao_luc", window: "plan", target: { atLeast: 80 } });
const iOutreach = ind({ key: "tuyen_truyen", name: "Chi hội tuyên truyền", measure: "yes_share", question: "tuyen_truyen", target: { atLeast: 1 } });
const iTotal = ind({ key: "tong_ho", name: "Tổng số hộ", measure: "sum", question: "ho_5k3s", target: { atLeast: 20 } });

const plan = {
  id: "vun_dap",
  title: "Kế hoạch",
  reference: "52/KH-BTV",
  organisation: "Hội LHPN tỉnh Nam Định",
  place: "Nam Định",
  timezone: "Asia/Ho_Chi_Minh",
  start: "2023-02-14",
  end: "2025-12-31",
  values: [],
  campaigns: [],
  models: [],
  forms: [monthly, once, half],
  indicators: [iHouseholds, iVictims, iOutreach, iTotal],
  milestones: [],
  reminders: [],
  content: { items: [], schedules: [] },
} as unknown as Plan;

const rep = (unitId: number, periodKey: string, submittedAt: string, answers: ReportFact["answers"], formKey = "bc_thang"): ReportFact => ({
  unitId,
  formKey,
  periodKey,
  submittedAt: at(submittedAt),
  answers,
});

const may = makePeriod("monthly", 2024, 5);
const mayReports: ReportFact[] = [
  rep(10, "2024-05", "2024-05-10T08:00:00", { tuyen_truyen: true, ho_5k3s: 2, bao_luc: { part: 4, total: 5 } }),
  rep(11, "2024-05", "2024-05-20T23:59:30", { tuyen_truyen: true, ho_5k3s: 1 }), // on time: the whole minute 23:59
  // 12: late, then corrected: counts as late (first submission), answers from the correction.
  rep(12, "2024-05", "2024-05-21T00:00:00", { tuyen_truyen: false, ho_5k3s: 5 }),
  rep(12, "2024-05", "2024-05-22T09:00:00", { tuyen_truyen: true, ho_5k3s: 1 }),
  rep(14, "2024-05", "2024-05-18T10:00:00", { tuyen_truyen: true, ho_5k3s: 3 }),
  rep(16, "2024-05", "2024-05-15T10:00:00", { tuyen_truyen: true, ho_5k3s: 5, bao_luc: { part: 3, total: 4 } }),
  rep(17, "2024-05", "2024-05-25T10:00:00", { tuyen_truyen: true, ho_5k3s: 0 }),
  // ignored by the counts: other period, other form, unknown unit, a unit kind the form does not ask
  rep(13, "2024-04", "2024-04-10T10:00:00", { tuyen_truyen: true, ho_5k3s: 2 }),
  rep(15, "2024-05", "2024-05-10T10:00:00", { tuyen_truyen: true }, "bc_khac"),
  rep(999, "2024-05", "2024-05-10T10:00:00", { tuyen_truyen: true, ho_5k3s: 100 }),
  rep(4, "2024-05", "2024-05-10T10:00:00", { tuyen_truyen: true, ho_5k3s: 0 }),
];
const windowReports: ReportFact[] = [
  rep(13, "2024-04", "2024-04-10T10:00:00", { tuyen_truyen: true, ho_5k3s: 2 }), // same as above: not counted twice
  rep(15, "2024-03", "2024-03-10T10:00:00", { ho_5k3s: 1 }),
  rep(17, "2023-12", "2023-12-10T10:00:00", { ho_5k3s: 10, bao_luc: { part: 1, total: 1 } }), // last year: plan only
  rep(18, "2024-06", "2024-06-10T10:00:00", { ho_5k3s: 10, bao_luc: { part: 0, total: 10 } }), // after the period
  rep(18, "2022-12", "2022-12-10T10:00:00", { bao_luc: { part: 0, total: 5 } }), // before the plan
  rep(2, "hoi_nghi_diem", "2023-06-20T10:00:00", { da_to_chuc: true }, "hoi_nghi_diem"),
  rep(3, "hoi_nghi_diem", "2024-07-01T10:00:00", { da_to_chuc: true }, "hoi_nghi_diem"), // after the window
];

function run(rootId: number, extra: Partial<ProgressInput> = {}) {
  return computeProgress({
    tree,
    plan,
    form: monthly,
    period: may,
    rootId,
    reports: mayReports,
    windowReports,
    now: at("2024-05-28T09:00:00"),
    ...extra,
  });
}
const names = (list: readonly UnitNode[]) => list.map((u) => u.name);

describe("computeProgress: counts", () => {
  it("counts the whole province", () => {
    const p = run(1);
    expect(p.unit.id).toBe(1);
    expect(p.due.toISOString()).toBe("2024-05-20T16:59:59.999Z");
    expect(p.duePassed).toBe(true);
    expect([p.expected, p.received, p.onTime, p.late]).toEqual([9, 6, 4, 2]);
    expect(p.reportingRate).toBeCloseTo(6 / 9);
    expect(p.onTimeRate).toBeCloseTo(4 / 9);
    // 'vi' collation: Ấ before B..., D before Đ
    expect(names(p.missing)).toEqual(["Chi hội Ấp Mới", "Chi hội Duệ", "Chi hội Đông Tâm"]);
    expect(names(p.lateUnits)).toEqual(["Chi hội Cầu", "Chi hội Kênh"]);
  });
  it("gives one line per direct child that has expected units", () => {
    const p = run(1);
    expect(p.children.map((c) => [c.unit.name, c.expected, c.received, c.onTime])).toEqual([
      ["Huyện Xuân Trường", 3, 2, 1],
      ["Huyện Ý Yên", 6, 4, 3],
    ]); // the special unit has no branch below it: no line
    expect(p.children[1]!.rate).toBeCloseTo(4 / 6);
  });
  it("counts a district's subtree only", () => {
    const p = run(2);
    expect([p.expected, p.received, p.onTime, p.late]).toEqual([6, 4, 3, 1]);
    expect(names(p.missing)).toEqual(["Chi hội Duệ", "Chi hội Đông Tâm"]);
    expect(p.children.map((c) => [c.unit.name, c.expected, c.received])).toEqual([
      ["Xã Yên Bình", 2, 1],
      ["Xã Yên Phương", 4, 3],
    ]);
  });
  it("counts the root itself when its kind is asked", () => {
    const p = run(12);
    expect([p.expected, p.received, p.onTime, p.late, p.children.length]).toEqual([1, 1, 0, 1, 0]);
    const none = run(7);
    expect([none.expected, none.reportingRate, none.onTimeRate]).toEqual([0, null, null]);
  });
  it("before the deadline nothing is late yet", () => {
    const p = run(4, { now: at("2024-05-20T12:00:00") });
    expect(p.duePassed).toBe(false);
    expect(p.onTime).toBe(2); // 10 and 11; 12 came after the deadline
  });
  it("rejects an unknown root", () => {
    expect(() => run(12345)).toThrow(/Unknown unit/);
  });
});

describe("computeProgress: indicators", () => {
  const byKey = (rootId: number, extra: Partial<ProgressInput> = {}) =>
    Object.fromEntries(run(rootId, extra).indicators.map((r) => [r.indicator.key, r]));

  it("computes the plan's indicators of the form by default, in plan order", () => {
    expect(run(1).indicators.map((r) => r.indicator.key)).toEqual(["ho_moi_xa", "nan_nhan", "tuyen_truyen", "tong_ho"]);
  });

  it("sum per commune over the calendar year to date", () => {
    const r = byKey(1).ho_moi_xa!;
    expect(r.window.start.toISOString()).toBe("2023-12-31T17:00:00.000Z");
    // Yên Phương 2+1+1(corrected)+2(April)=6 ✓, Yên Bình 3+1(March)=4 ✗, Xuân Kiên 5+0=5 ✓ (Dec 2023 and June 2024 excluded)
    expect(r.value).toBe(2);
    expect(r.detail.unitsCounted).toBe(3);
    expect(r.detail.share).toBeCloseTo(2 / 3);
    expect(names(r.detail.unitsNotMeeting!)).toEqual(["Xã Yên Bình"]);
    expect(r.detail.part).toBe(15);
    expect(r.met).toBe(false);
    const d2 = byKey(3).ho_moi_xa!;
    expect([d2.value, d2.detail.unitsCounted, d2.met]).toEqual([1, 1, true]);
  });

  it("sum without per over the period; a corrected report counts once (latest answers)", () => {
    const r = byKey(1).tong_ho!;
    expect(r.value).toBe(2 + 1 + 1 + 3 + 5 + 0);
    expect(r.met).toBe(false);
    expect(byKey(4).tong_ho!.value).toBe(4);
  });

  it("ratio over the plan to date: Σpart/Σtotal, percent target", () => {
    const r = byKey(1).nan_nhan!;
    // May: 4/5 + 3/4, Dec 2023: 1/1; June 2024 (after) and Dec 2022 (before the plan) excluded
    expect([r.detail.part, r.detail.total]).toEqual([8, 10]);
    expect(r.value).toBeCloseTo(0.8);
    expect(r.target).toBe(0.8);
    expect(r.met).toBe(true);
    const none = byKey(5).nan_nhan!;
    expect([none.value, none.met]).toEqual([null, null]);
  });

  it("yes_share of expected units over the period", () => {
    const r = byKey(1).tuyen_truyen!;
    // yes: 10, 11, 12 (corrected), 14, 16, 17; commune 4's yes is not counted (not asked)
    expect([r.detail.part, r.detail.total]).toEqual([6, 9]);
    expect(r.value).toBeCloseTo(6 / 9);
    expect(r.met).toBe(false);
    const c = byKey(4).tuyen_truyen!;
    expect([c.detail.part, c.detail.total]).toEqual([3, 4]);
  });

  it("an indicator of another (once) form, from windowReports", () => {
    const pilot = ind({ key: "hoi_nghi", form: "hoi_nghi_diem", measure: "yes_share", question: "da_to_chuc", window: "plan", target: { atLeast: 100 } });
    const r = byKey(1, { indicators: [pilot] }).hoi_nghi!;
    expect([r.detail.part, r.detail.total, r.met]).toEqual([1, 2, false]);
    const later = byKey(1, { indicators: [pilot], now: at("2024-08-01T00:00:00"), period: makePeriod("monthly", 2024, 7) }).hoi_nghi!;
    expect([later.detail.part, later.met]).toEqual([2, true]);
  });

  it("a monthly indicator in a half-year view sums the months of that half", () => {
    const h1: Period = makePeriod("half_yearly", 2024, 1);
    const sumHalf = ind({ key: "ho_6thang", measure: "sum", question: "ho_5k3s", target: { atLeast: 5, per: "commune" } });
    const p = computeProgress({ tree, plan, form: half, period: h1, rootId: 1, reports: [], windowReports: [...mayReports, ...windowReports], now: at("2024-07-01T00:00:00"), indicators: [sumHalf] });
    expect(p.expected).toBe(3);
    const r = p.indicators[0]!;
    // Yên Phương 6, Yên Bình 4, Xuân Kiên 5 + 10 (June) = 15
    expect(r.detail.part).toBe(25);
    expect([r.value, r.detail.unitsCounted]).toEqual([2, 3]);
  });

  it("ratio per commune counts only communes with a total", () => {
    const perCommune = ind({ key: "nn_xa", measure: "ratio", question: "bao_luc", window: "period", target: { atLeast: 0.8, per: "commune" } });
    const r = byKey(1, { indicators: [perCommune] }).nn_xa!;
    // Yên Phương 4/5 ✓, Xuân Kiên 3/4 ✗, Yên Bình no total
    expect([r.value, r.detail.unitsCounted, r.met]).toEqual([1, 2, false]);
    expect(names(r.detail.unitsNotMeeting!)).toEqual(["Xã Xuân Kiên"]);
  });

  it("an indicator whose form is not in the plan has no value", () => {
    const bad = ind({ key: "x", form: "khong_co", measure: "sum", question: "q" });
    expect(byKey(1, { indicators: [bad] }).x!).toMatchObject({ value: null, met: null, detail: { unknownForm: true } });
  });

  it("windows and targets", () => {
    expect(indicatorWindow("plan", may, plan).start.toISOString()).toBe("2023-02-13T17:00:00.000Z");
    expect(indicatorWindow("year", may, plan).end).toEqual(may.end);
    expect([targetFraction(80), targetFraction(0.8), targetFraction(1), targetFraction(100)]).toEqual([0.8, 0.8, 1, 1]);
  });
});

// Speed is measured by `npm run bench:progress`; this test pins the results at that scale.
describe("computeProgress at national scale", () => {
  it("rolls up 100,000 units and 100,000 reports", () => {
    const big: UnitNode[] = [{ id: 1, code: "P", name: "Tỉnh", kind: "province", parentId: null }];
    let id = 2;
    const branchIds: number[] = [];
    for (let d = 0; d < 10; d++) {
      const did = id++;
      big.push({ id: did, code: `D${did}`, name: `Huyện ${d}`, kind: "district", parentId: 1 });
      for (let c = 0; c < 20; c++) {
        const cid = id++;
        big.push({ id: cid, code: `C${cid}`, name: `Xã ${d}-${c}`, kind: "commune", parentId: did });
        for (let b = 0; b < 499; b++) {
          const bid = id++;
          big.push({ id: bid, code: `B${bid}`, name: `Chi hội ${(bid * 7919) % 100003}`, kind: "branch", parentId: cid });
          branchIds.push(bid);
        }
      }
    }
    const bigTree = new UnitTree(big);
    expect(bigTree.size).toBeGreaterThanOrEqual(100_000);
    const reports: ReportFact[] = [];
    branchIds.forEach((bid, i) => {
      if (i % 10 === 0) return; // 10% missing
      reports.push(rep(bid, "2024-05", i % 7 === 0 ? "2024-05-22T10:00:00" : "2024-05-15T10:00:00", {
        tuyen_truyen: i % 3 !== 0,
        ho_5k3s: i % 4,
        bao_luc: { part: i % 2, total: 1 },
      }));
    });
    while (reports.length < 100_000) reports.push(rep(branchIds[reports.length % branchIds.length]!, "2024-04", "2024-04-15T10:00:00", { ho_5k3s: 1 }));
    const input: ProgressInput = { tree: bigTree, plan, form: monthly, period: may, rootId: 1, reports, now: at("2024-05-28T00:00:00") };
    const first = computeProgress(input); // builds the cached tree index and name ranks
    expect(first.expected).toBe(branchIds.length);
    expect(first.missing.length).toBe(Math.ceil(branchIds.length / 10));
    expect(first.indicators).toHaveLength(4);
    // A second call over the cached index gives the same answer.
    const again = computeProgress(input);
    expect(again.received).toBe(first.received);
    expect(again.onTime).toBe(first.onTime);
    // With the ranks built, a short list of a commune is sorted through them: the same order as the collator's.
    const commune = computeProgress({ ...input, rootId: 3 });
    expect(commune.missing.length).toBeGreaterThan(16);
    expect(commune.missing).toEqual([...commune.missing].sort(compareUnitNames));
    expect(commune.lateUnits.length).toBeGreaterThan(16);
    expect(commune.lateUnits).toEqual([...commune.lateUnits].sort(compareUnitNames));
  });
});
