import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultPlan, planStatus } from "./calendar.js";
import { extendPlan } from "./extend.js";
import { DEFAULT_PLAN_PATH, parsePlan, PlanError } from "./load.js";
import { loadPlanSet } from "./set.js";

const dir = mkdtempSync(join(tmpdir(), "vundap-plans-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const seedText = readFileSync(DEFAULT_PLAN_PATH, "utf8");
const shipped = loadPlanSet();
const [seed, continuation] = shipped.plans;

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof PlanError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("the shipped plans", () => {
  it("are the seed plan (2023–2025) and its continuation (2026–2030), in date order", () => {
    expect(shipped.plans.map((p) => [p.id, p.start, p.end])).toEqual([
      ["vun_dap_gia_dinh_2023_2025", "2023-02-14", "2025-12-31"],
      ["vun_dap_gia_dinh_2026_2030", "2026-01-01", "2030-12-31"],
    ]);
    expect(shipped.files.get(seed!.id)).toBe(DEFAULT_PLAN_PATH);
  });

  it("mark the continuation as a draft that carries the seed plan forward", () => {
    expect(seed!.status).toBe("official");
    expect(continuation!.status).toBe("draft");
    expect(continuation!.continues).toBe(seed!.id);
    expect(continuation!.reference).toContain("52/KH-BTV");
  });

  it("keep the continuation's forms and reminders on the province → commune → branch tree, with Family Day each year", () => {
    for (const form of continuation!.forms) expect(form.unitKinds).not.toContain("district");
    for (const m of continuation!.milestones) expect(m.unitKinds).not.toContain("district");
    expect(continuation!.forms.map((f) => f.key)).toContain("chi_hoi_thang");
    const familyDays = continuation!.milestones.filter((m) => m.date.endsWith("-06-28")).map((m) => m.date.slice(0, 4));
    expect(familyDays).toEqual(["2026", "2027", "2028", "2029", "2030"]);
    const reminded = new Set(continuation!.reminders.map((r) => ("milestone" in r.target ? r.target.milestone : r.target.form)));
    for (const m of continuation!.milestones) expect(reminded.has(m.key)).toBe(true);
    for (const f of continuation!.forms) expect(reminded.has(f.key)).toBe(true);
  });

  it("drop the third-child outreach after June 2025 (seed: bounded by date; continuation: removed)", () => {
    const item = seed!.content.items.find((i) => i.key === "khong_sinh_con_thu_3");
    expect(item?.validUntil).toBe("2025-06-02");
    const text = JSON.stringify(continuation!.content.items) + JSON.stringify(continuation!.campaigns);
    expect(text).not.toMatch(/con thứ 3/);
  });
});

describe("plan status by date", () => {
  it("inside each plan, between plans and after the last", () => {
    expect(planStatus(shipped.plans, "2024-05-10").current?.id).toBe(seed!.id);
    expect(planStatus(shipped.plans, "2026-11-29").current?.id).toBe(continuation!.id);
    const gap = planStatus([seed!, { ...continuation!, start: "2026-03-01" }], "2026-02-10");
    expect(gap).toMatchObject({ current: null, ended: { id: seed!.id }, next: { start: "2026-03-01" } });
    const after = planStatus([seed!], "2026-11-29");
    expect(after).toMatchObject({ current: null, ended: { id: seed!.id }, next: null });
    expect(defaultPlan([seed!], "2026-11-29").id).toBe(seed!.id);
    expect(defaultPlan(shipped.plans, "2022-01-01").id).toBe(seed!.id);
  });
});

describe("loading plans together", () => {
  it("refuses two plans with one id and two plans that overlap", () => {
    const contText = readFileSync(shipped.files.get(continuation!.id)!, "utf8");
    const sameId = join(dir, "same-id.yaml");
    writeFileSync(sameId, contText.replace("id: vun_dap_gia_dinh_2026_2030", "id: vun_dap_gia_dinh_2023_2025"));
    expect(problems(() => loadPlanSet([DEFAULT_PLAN_PATH, sameId]))).toEqual([
      `id: mã kế hoạch “vun_dap_gia_dinh_2023_2025” đã dùng cho kế hoạch trong tệp ${DEFAULT_PLAN_PATH}; mỗi kế hoạch cần một mã riêng`,
    ]);
    const early = join(dir, "early.yaml");
    writeFileSync(early, contText.replace("start: 2026-01-01", "start: 2025-12-01"));
    const found = problems(() => loadPlanSet([DEFAULT_PLAN_PATH, early]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^start: kế hoạch “vun_dap_gia_dinh_2026_2030” bắt đầu ngày 2025-12-01, .*đến ngày 2025-12-31; thời gian các kế hoạch không được chồng lên nhau$/);
  });

  it("refuses a folder without plans", () => {
    const empty = mkdtempSync(join(dir, "empty-"));
    expect(problems(() => loadPlanSet(empty))).toEqual([": không tìm thấy tệp kế hoạch nào (*.yaml)"]);
  });

  it("refuses validity dates in the wrong order", () => {
    const text = seedText.replace("      validUntil: 2025-06-02", "      validFrom: 2025-06-10\n      validUntil: 2025-06-02");
    expect(problems(() => parsePlan(text, "x.yaml")).join("\n")).toContain("“validUntil” (2025-06-02) đứng trước ngày “validFrom” (2025-06-10)");
  });
});

describe("extendPlan", () => {
  const texts = { title: "Gia hạn", note: "Dự thảo" };

  it("starts the day after the old plan, repeats the last year's milestones and passes plan check", () => {
    const { plan, summary } = extendPlan(seed!, "2027-12-31", texts);
    expect(plan).toMatchObject({ id: "vun_dap_gia_dinh_2026_2027", start: "2026-01-01", end: "2027-12-31", status: "draft", continues: seed!.id });
    // Family Day and the short report after it, with their reminders, in each new year.
    expect(summary.repeated.sort()).toEqual([
      "nhac_ngay_gia_dinh_2026", "nhac_ngay_gia_dinh_2026_ket_qua", "nhac_ngay_gia_dinh_2027", "nhac_ngay_gia_dinh_2027_ket_qua",
      "ngay_gia_dinh_2026", "ngay_gia_dinh_2026_ket_qua", "ngay_gia_dinh_2027", "ngay_gia_dinh_2027_ket_qua",
    ].sort());
    expect((plan.forms as { key: string; due: { date?: string } }[]).find((f) => f.key === "ngay_gia_dinh_2027_ket_qua")?.due.date).toBe("2027-06-30");
    expect((plan.indicators as { key: string; form: string }[]).filter((i) => i.form === "ngay_gia_dinh_2027_ket_qua").map((i) => i.key)).toEqual(["hoat_dong_ngay_gia_dinh_2027"]);
    expect(summary.dropped).toContain("ngay_gia_dinh_2023");
    expect(summary.dropped).toContain("khong_sinh_con_thu_3");
    const file = join(dir, "extended.yaml");
    writeFileSync(file, JSON.stringify(plan)); // JSON is YAML
    const set = loadPlanSet([DEFAULT_PLAN_PATH, file]);
    expect(set.plans.map((p) => p.id)).toEqual([seed!.id, "vun_dap_gia_dinh_2026_2027"]);
    expect(planStatus(set.plans, "2026-11-29").current?.milestones.map((m) => m.name)).toEqual([
      "Hoạt động nhân dịp Ngày Gia đình Việt Nam 28/6/2026 (Chỉ tiêu 2)",
      "Hoạt động nhân dịp Ngày Gia đình Việt Nam 28/6/2027 (Chỉ tiêu 2)",
    ]);
  });

  it("extends the continuation beyond 2030 with Family Day in each new year", () => {
    const { plan } = extendPlan(continuation!, "2032-12-31", texts);
    const file = join(dir, "after-2030.yaml");
    writeFileSync(file, JSON.stringify(plan));
    const extended = loadPlanSet([file]).plans[0]!;
    expect(extended.id).toBe("vun_dap_gia_dinh_2031_2032");
    expect(extended.milestones.map((m) => m.date)).toEqual(["2031-06-28", "2032-06-28"]);
  });
});
