import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES_DIR } from "../i18n.js";
import { makePeriod } from "./periods.js";
import { computeProgress, type Progress } from "./progress.js";
import { percentText, renderProgressText } from "./progress-text.js";
import type { ReportFact, UnitNode } from "./types.js";
import { UnitTree } from "./units/tree.js";
import type { Form, Indicator, Plan } from "../plan/schema.js";

const at = (local: string) => new Date(`${local}+07:00`);

const units: UnitNode[] = [
  { id: 1, code: "NDI", name: "Tỉnh Nam Định", kind: "province", parentId: null },
  { id: 2, code: "YYE", name: "Huyện Ý Yên", kind: "district", parentId: 1 },
  { id: 3, code: "XTR", name: "Huyện Xuân Trường", kind: "district", parentId: 1 },
  { id: 4, code: "YPH", name: "Xã Yên Phương", kind: "commune", parentId: 2 },
  { id: 6, code: "XKI", name: "Xã Xuân Kiên", kind: "commune", parentId: 3 },
  { id: 10, code: "B10", name: "Chi hội An Hòa", kind: "branch", parentId: 4 },
  { id: 11, code: "B11", name: "Chi hội Bắc Sơn", kind: "branch", parentId: 4 },
  { id: 12, code: "B12", name: "Chi hội Cầu", kind: "branch", parentId: 4 },
  { id: 13, code: "B13", name: "Chi hội Đông Tâm", kind: "branch", parentId: 4 },
  { id: 16, code: "B16", name: "Chi hội Hạ", kind: "branch", parentId: 6 },
  { id: 18, code: "B18", name: "Chi hội Ấp Mới", kind: "branch", parentId: 6 },
];
const tree = new UnitTree(units);

const form = {
  key: "bc_thang",
  title: "Báo cáo tháng",
  period: "monthly",
  due: { day: 20, monthOffset: 0, time: "23:59" },
  unitKinds: ["branch"],
  questions: [],
} as unknown as Form;
const indicators: Indicator[] = [
  { key: "ho", name: "Hộ đạt 5K3S", form: "bc_thang", question: "ho", measure: "sum", window: "year", target: { atLeast: 5, per: "commune" } },
  { key: "nn", name: "Nạn nhân BLGĐ được hỗ trợ", form: "bc_thang", question: "nn", measure: "ratio", window: "plan", target: { atLeast: 80 } },
  { key: "tt", name: "Chi hội tuyên truyền", form: "bc_thang", question: "tt", measure: "yes_share", window: "period", target: { atLeast: 100 } },
  { key: "tong", name: "Tổng số hộ", form: "bc_thang", question: "ho", measure: "sum", window: "period", target: { atLeast: 1500 } },
];
const plan = { start: "2023-02-14", end: "2025-12-31", forms: [form], indicators } as unknown as Plan;

const rep = (unitId: number, submittedAt: string, answers: ReportFact["answers"]): ReportFact => ({
  unitId,
  formKey: "bc_thang",
  periodKey: "2024-05",
  submittedAt: at(submittedAt),
  answers,
});
const reports = [
  rep(10, "2024-05-10T08:00:00", { tt: true, ho: 1200, nn: { part: 4, total: 5 } }),
  rep(11, "2024-05-20T23:59:30", { tt: true, ho: 2 }),
  rep(12, "2024-05-21T00:00:00", { tt: false, ho: 3 }),
];
const may = makePeriod("monthly", 2024, 5);
const progress = (rootId: number, now = at("2024-05-28T09:00:00")): Progress =>
  computeProgress({ tree, plan, form, period: may, rootId, reports, now });

describe("renderProgressText", () => {
  it("renders a commune's progress in Vietnamese", () => {
    const text = renderProgressText(progress(4));
    const lines = text.split("\n");
    expect(lines[0]).toBe("📊 Tiến độ báo cáo: Xã Yên Phương");
    expect(lines).toContain("Báo cáo tháng, tháng 5/2024");
    expect(lines).toContain("Hạn nộp: 23:59 ngày 20/05/2024 (đã hết hạn)");
    expect(lines).toContain("Đã báo cáo: 3/4 đơn vị (75%)");
    expect(lines).toContain("Đúng hạn: 2/4 đơn vị (50%)");
    expect(lines).toContain("Chưa báo cáo (1): Chi hội Đông Tâm");
    expect(lines).toContain("Trễ hạn (1): Chi hội Cầu");
    expect(text).not.toContain("Theo đơn vị trực thuộc"); // each child is one branch: the lists say it all
    expect(lines).toContain("Chỉ tiêu:");
    expect(lines).toContain("• Hộ đạt 5K3S (từ đầu năm): 1/1 cơ sở Hội đạt từ 5 trở lên (100%): đạt");
    expect(lines).toContain("• Nạn nhân BLGĐ được hỗ trợ (từ đầu kế hoạch): 80% (4/5), chỉ tiêu 80%: đạt");
    expect(lines).toContain("• Chi hội tuyên truyền: 50% (2/4 đơn vị), chỉ tiêu 100%: chưa đạt");
    expect(lines).toContain("• Tổng số hộ: 1.205/1.500: chưa đạt");
  });

  it("names the first missing units, then 'và N đơn vị khác', and lists children", () => {
    const text = renderProgressText(progress(1), { maxMissing: 1 });
    expect(text).toContain("Đã báo cáo: 3/6 đơn vị (50%)");
    expect(text).toContain("Chưa báo cáo (3): Chi hội Ấp Mới và 2 đơn vị khác");
    expect(text).toContain("Theo đơn vị trực thuộc:\n• Huyện Xuân Trường: 0/2 (0%)\n• Huyện Ý Yên: 3/4 (75%)");
    expect(text).toContain("• Hộ đạt 5K3S (từ đầu năm): 1/2 cơ sở Hội đạt từ 5 trở lên (50%): chưa đạt\n  Chưa đạt: Xã Xuân Kiên");
    const all = renderProgressText(progress(1));
    expect(all).toContain("Chưa báo cáo (3): Chi hội Ấp Mới, Chi hội Đông Tâm, Chi hội Hạ");
    expect(all).not.toContain("đơn vị khác");
  });

  it("says how long is left before the deadline", () => {
    expect(renderProgressText(progress(4, at("2024-05-17T09:00:00")))).toContain("Hạn nộp: 23:59 ngày 20/05/2024 (còn 3 ngày)");
    expect(renderProgressText(progress(4, at("2024-05-20T09:00:00")))).toContain("(hết hạn hôm nay)");
  });

  it("handles a unit with nothing to report and a complete unit", () => {
    const none = computeProgress({ tree, plan, form, period: may, rootId: 10, reports, now: at("2024-05-28T00:00:00") });
    expect(renderProgressText(none)).toContain("Đã báo cáo: 1/1 đơn vị (100%)");
    expect(renderProgressText(none)).toContain("Tất cả đơn vị đã báo cáo.");
    const emptyForm = { ...form, unitKinds: ["special"] } as Form;
    const p = computeProgress({ tree, plan, form: emptyForm, period: may, rootId: 1, reports, now: at("2024-05-28T00:00:00") });
    expect(renderProgressText(p)).toContain("Không có đơn vị nào phải nộp báo cáo này.");
  });

  it("renders English from locales/en", () => {
    const text = renderProgressText(progress(1), { maxMissing: 2, lng: "en" });
    expect(text).toContain("Reported: 3/6 units (50%)");
    expect(text).toContain("Not reported yet (3): Chi hội Ấp Mới, Chi hội Đông Tâm and 1 more");
    expect(text).toContain("Báo cáo tháng, 05/2024");
  });

  it("formats percentages without a misleading 100% or 0%", () => {
    expect([percentText(0.75), percentText(2 / 3), percentText(1), percentText(0.99999), percentText(0.00001), percentText(0)]).toEqual([
      "75%",
      "66,7%",
      "100%",
      "99,9%",
      "0,1%",
      "0%",
    ]);
  });
});

describe("progress locales", () => {
  const flatten = (o: unknown, prefix = ""): string[] =>
    Object.entries(o as Record<string, unknown>).flatMap(([k, v]) =>
      typeof v === "object" && v !== null ? flatten(v, `${prefix}${k}.`) : [`${prefix}${k}`.replace(/_(one|other)$/, "")],
    );
  it("has the same keys in Vietnamese and English", () => {
    const vi = new Set(flatten(JSON.parse(readFileSync(join(LOCALES_DIR, "vi", "progress.json"), "utf8"))));
    const en = new Set(flatten(JSON.parse(readFileSync(join(LOCALES_DIR, "en", "progress.json"), "utf8"))));
    expect([...vi].sort()).toEqual([...en].sort());
  });
});
