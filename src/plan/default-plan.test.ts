import { describe, expect, it } from "vitest";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "./load.js";
import type { Plan } from "./schema.js";

const plan: Plan = loadPlanFile(DEFAULT_PLAN_PATH);

const form = (key: string) => {
  const found = plan.forms.find((f) => f.key === key);
  if (!found) throw new Error(`form ${key} missing`);
  return found;
};

describe("default plan (52/KH-BTV, Nam Định)", () => {
  it("loads from plans/2023-2025-52-KH-BTV.yaml with the plan period 14/02/2023 – 31/12/2025", () => {
    expect(DEFAULT_PLAN_PATH).toMatch(/plans[\\/]2023-2025-52-KH-BTV\.yaml$/);
    expect(plan.reference).toContain("52/KH-BTV");
    expect(plan.reference).toContain("14/02/2023");
    expect(plan.start).toBe("2023-02-14");
    expect(plan.end).toBe("2025-12-31");
    expect(plan.place).toBe("Nam Định");
  });

  it("has the four family values in order", () => {
    expect(plan.values.map((v) => v.name)).toEqual(["An toàn", "Trách nhiệm", "Thịnh vượng", "Bình đẳng"]);
    for (const value of plan.values) expect(value.description.length).toBeGreaterThan(40);
  });

  it("has both campaigns with their criteria", () => {
    const byKey = Object.fromEntries(plan.campaigns.map((c) => [c.key, c.criteria]));
    expect(byKey["nam_khong_ba_sach"]).toEqual([
      "Không đói nghèo",
      "Không vi phạm pháp luật và tệ nạn xã hội",
      "Không có bạo lực gia đình",
      "Không sinh con thứ 3 trở lên",
      "Không có trẻ suy dinh dưỡng và bỏ học",
      "Sạch nhà",
      "Sạch bếp",
      "Sạch ngõ",
    ]);
    expect(byKey["nam_co_ba_sach"]).toEqual([
      "Có ngôi nhà an toàn",
      "Có sinh kế bền vững",
      "Có sức khỏe",
      "Có kiến thức",
      "Có nếp sống văn hóa",
      "Sạch nhà",
      "Sạch bếp",
      "Sạch ngõ",
    ]);
  });

  it("lists the plan's family models", () => {
    const names = plan.models.map((m) => m.name).join(" | ");
    for (const model of ["Giáo dục cha mẹ", "Giáo dục trước hôn nhân", "CLB Nuôi con bằng sữa mẹ", "Địa chỉ tin cậy", "Dịch vụ gia đình"]) {
      expect(names).toContain(model);
    }
  });

  it("measures each of the 4 targets (Chỉ tiêu 1–4) with an indicator", () => {
    for (const n of [1, 2, 3, 4]) {
      expect(plan.indicators.some((i) => i.source?.startsWith(`Chỉ tiêu ${n}:`)), `Chỉ tiêu ${n}`).toBe(true);
    }
    const bySource = (n: number) => plan.indicators.filter((i) => i.source?.startsWith(`Chỉ tiêu ${n}:`));
    expect(bySource(1).map((i) => i.measure).sort()).toEqual(["ratio", "yes_share", "yes_share"]);
    // Chỉ tiêu 2 each year, from the short report after that year's 28/6 (not from December's).
    expect(bySource(2).map((i) => i.form)).toEqual(["ngay_gia_dinh_2023", "ngay_gia_dinh_2024_ket_qua", "ngay_gia_dinh_2025_ket_qua"]);
    for (const i of bySource(2)) expect(i).toMatchObject({ measure: "sum", window: "year", question: "so_hoat_dong", target: { atLeast: 1, per: "district" } });
    expect(bySource(3)).toMatchObject([
      { form: "chi_hoi_thang", question: "ho_dat_moi", measure: "sum", window: "year", target: { atLeast: 5, per: "commune" } },
    ]);
    expect(bySource(4)).toMatchObject([{ form: "chi_hoi_thang", question: "nan_nhan_blgd", measure: "ratio", target: { atLeast: 80 } }]);
  });

  it("has the milestones 10/6/2023 (two pilot communes) and 28/6/2023 (district pilots)", () => {
    const province = plan.milestones.find((m) => m.date === "2023-06-10");
    expect(province?.unitCodes).toEqual(
      expect.arrayContaining(["NDI-XTR-XKIEN", "NDI-YYE-YPHUONG", "NDI-XTR-XKIEN-CH01", "NDI-YYE-YPHUONG-CH01"]),
    );
    expect(province?.name).toContain("Xuân Kiên");
    expect(province?.name).toContain("Yên Phương");
    const district = plan.milestones.find((m) => m.date === "2023-06-28");
    expect(district?.unitKinds).toEqual(["district"]);
    expect(district?.form).toBe("ngay_gia_dinh_2023");
  });

  it("collects what the seed asks: 5K3S and 5C3S apart, training by level, models with members, resources, model families", () => {
    const keys = (f: string) => form(f).questions.map((q) => q.key);
    expect(keys("co_so_6_thang")).toEqual(expect.arrayContaining([
      "ho_dang_ky_5k3s", "ho_dat_5k3s", "ho_dang_ky_5c3s", "ho_dat_5c3s", "lop_tap_huan", "can_bo_tap_huan",
      "so_mo_hinh", "thanh_vien_mo_hinh", "loai_mo_hinh", "nguon_luc", "gia_dinh_dien_hinh",
    ]));
    expect(keys("huyen_6_thang")).toEqual(expect.arrayContaining(["lop_tap_huan_huyen", "can_bo_huyen_tap_huan", "tin_bai", "nguon_luc", "gia_dinh_dien_hinh"]));
    // Stocks are each unit's latest figure over a longer window; flows are summed.
    const q = (f: string, k: string) => form(f).questions.find((x) => x.key === k)!;
    expect(q("co_so_6_thang", "can_bo_tap_huan")).toMatchObject({ aggregate: "latest" });
    expect(q("co_so_6_thang", "thanh_vien_mo_hinh")).toMatchObject({ aggregate: "latest" });
    expect(q("co_so_6_thang", "ho_dat_5k3s")).toMatchObject({ aggregate: "sum" });
    // Proposals go to the draft's "Kiến nghị", summaries to its results.
    expect(q("huyen_6_thang", "kien_nghi")).toMatchObject({ draftSection: "proposal" });
    expect(q("chi_hoi_thang", "ghi_chu")).toMatchObject({ draftSection: "proposal" });
    expect(q("huyen_6_thang", "tom_tat")).toMatchObject({ draftSection: "summary" });
  });

  it("treats 10/6 and 28/6 as events, each followed by a short report (held? date, attendance)", () => {
    const events = plan.milestones.filter((m) => m.event);
    expect(events.map((m) => m.date)).toEqual(["2023-06-10", "2023-06-28", "2024-06-28", "2025-06-28"]);
    for (const m of events) {
      const f = form(m.form!);
      expect(f.period, m.key).toBe("once");
      expect(f.questions.map((x) => x.key), m.key).toEqual(expect.arrayContaining(["da_to_chuc", "so_nguoi"]));
      if (m.date !== "2023-06-28") expect(f.questions.map((x) => x.key), m.key).toContain("ngay_to_chuc");
      expect(f.from! >= m.date.slice(0, 4) + "-06-01" && "date" in f.due && f.due.date > m.date, m.key).toBe(true);
    }
    // Deadlines are not events.
    expect(plan.milestones.find((m) => m.key === "ke_hoach_huyen")?.event).toBe(false);
  });

  it("has monthly, half-yearly, yearly and one-off forms with the chosen deadlines", () => {
    const periods = new Set(plan.forms.map((f) => f.period));
    expect([...periods].sort()).toEqual(["half_yearly", "monthly", "once", "yearly"]);

    const monthly = form("chi_hoi_thang");
    expect(monthly).toMatchObject({ period: "monthly", unitKinds: ["branch"], from: "2023-07-01", due: { day: 20, monthOffset: 0 } });
    expect(form("co_so_6_thang")).toMatchObject({ period: "half_yearly", unitKinds: ["commune"], due: { day: 15 } });
    expect(form("huyen_6_thang")).toMatchObject({ period: "half_yearly", unitKinds: ["district", "special"], due: { day: 15 } });
    expect(form("huyen_nam")).toMatchObject({ period: "yearly", unitKinds: ["district", "special"], due: { day: 15 } });
    expect(form("ngay_gia_dinh_2023")).toMatchObject({
      period: "once", unitKinds: ["district"], due: { date: "2023-07-05" }, from: "2023-06-01", until: "2023-07-05",
    });
  });

  it("asks branch leaders the monthly questions the plan needs, with skip conditions", () => {
    const questions = Object.fromEntries(form("chi_hoi_thang").questions.map((q) => [q.key, q]));
    expect(Object.keys(questions)).toEqual([
      "tuyen_truyen", "so_buoi", "so_nguoi", "gia_tri", "ho_dat_moi", "mo_hinh", "phat_hien_blgd", "nan_nhan_blgd", "ghi_chu", "anh_minh_chung",
    ]);
    expect(questions["anh_minh_chung"]).toMatchObject({ type: "photo", optional: true, max: 5, label: "Ảnh minh chứng" });
    expect(questions["tuyen_truyen"]?.type).toBe("yes_no");
    expect(questions["so_buoi"]).toMatchObject({ type: "integer", min: 1, askIf: { question: "tuyen_truyen", value: true } });
    const values = questions["gia_tri"];
    expect(values?.type === "multi_choice" && values.choices.map((c) => c.key)).toEqual(plan.values.map((v) => v.key));
    const models = questions["mo_hinh"];
    expect(models?.type === "multi_choice" && models.choices.map((c) => c.key)).toEqual(plan.models.map((m) => m.key));
    expect(questions["nan_nhan_blgd"]).toMatchObject({ type: "part_of_total", askIf: { question: "phat_hien_blgd", value: true } });
    expect(questions["ghi_chu"]).toMatchObject({ type: "text", optional: true });
    expect(questions["tuyen_truyen"]?.text).toContain("chị");
  });

  it("reminds before every form deadline and every milestone", () => {
    for (const f of plan.forms) {
      const rule = plan.reminders.find((r) => "form" in r.target && r.target.form === f.key);
      expect(rule?.before, f.key).toEqual(["3d", "1d"]);
    }
    for (const m of plan.milestones) {
      const rule = plan.reminders.find((r) => "milestone" in r.target && r.target.milestone === m.key);
      expect(rule?.before, m.key).toEqual(["7d", "2d"]);
    }
  });

  it("has at least 16 content items covering every value and campaign, the 2023 slogan and Family Day", () => {
    const items = plan.content.items;
    expect(items.length).toBeGreaterThanOrEqual(16);
    for (const topic of [...plan.values.map((v) => v.key), ...plan.campaigns.map((c) => c.key)]) {
      expect(items.some((i) => i.topic === topic), topic).toBe(true);
    }
    const all = items.map((i) => `${i.title} ${i.text}`).join("\n").toLowerCase();
    for (const campaign of plan.campaigns) {
      for (const criterion of campaign.criteria) expect(all, criterion).toContain(criterion.toLowerCase());
    }
    expect(all).toContain("gia đình hạnh phúc – quốc gia thịnh vượng");
    expect(all).toContain("72/2001/qđ-ttg");
    for (const item of items) {
      const sentences = item.text.split(/[.!?](?:\s|$)/).filter((s) => s.trim().length > 0);
      expect(sentences.length, item.key).toBeGreaterThanOrEqual(2);
      expect(sentences.length, item.key).toBeLessThanOrEqual(4);
    }
  });

  it("schedules content for branch and commune groups on Monday 08:00 and Thursday 19:00", () => {
    const crons = plan.content.schedules.filter((s) => s.unitKinds.includes("branch")).map((s) => s.cron);
    expect(crons.sort()).toEqual(["0 19 * * 4", "0 8 * * 1"]);
    for (const s of plan.content.schedules) expect(s.noRepeatDays).toBe(28);
  });
});

describe("short labels (the chat summary's rows, the outputs' columns)", () => {
  const shipped = ["plans/2023-2025-52-KH-BTV.yaml", "plans/2026-2030-tiep-noi.yaml"].map((p) => loadPlanFile(p));
  it.each(shipped.map((p) => [p.id, p] as const))("%s: every question has a short label, distinct within its form", (_id, p) => {
    for (const f of p.forms) {
      const labels = f.questions.map((q) => q.label?.trim() ?? "");
      for (const [i, l] of labels.entries()) {
        expect(l, `${f.key}.${f.questions[i]!.key}`).not.toBe("");
        expect([...l].length, `${f.key}.${f.questions[i]!.key}: ${l}`).toBeLessThanOrEqual(60);
        expect(l, `${f.key}.${f.questions[i]!.key}`).not.toMatch(/\?|(?<!\p{L})(?:ạ|chị)(?!\p{L})/u);
      }
      expect(new Set(labels).size, f.key).toBe(labels.length);
    }
  });
});

describe("monthly forms of communes and districts, models by type", () => {
  const [seed, next] = ["plans/2023-2025-52-KH-BTV.yaml", "plans/2026-2030-tiep-noi.yaml"].map((p) => loadPlanFile(p)) as [Plan, Plan];
  const formOf = (p: Plan, key: string) => p.forms.find((f) => f.key === key);

  it("2023–2025: communes monthly to the plan's end, districts monthly until the district level ends (30/6/2025)", () => {
    expect(formOf(seed, "co_so_thang")).toMatchObject({ period: "monthly", unitKinds: ["commune"], from: "2023-07-01", due: { day: 23 } });
    expect(formOf(seed, "co_so_thang")?.until).toBeUndefined();
    expect(formOf(seed, "huyen_thang")).toMatchObject({ period: "monthly", unitKinds: ["district"], from: "2023-07-01", until: "2025-06-30", due: { day: 25 } });
  });

  it("2026–2030: communes (directly under the province) monthly, no district form", () => {
    expect(formOf(next, "co_so_thang")).toMatchObject({ period: "monthly", unitKinds: ["commune"], due: { day: 23 } });
    expect(next.forms.some((f) => f.unitKinds.includes("district"))).toBe(false);
  });

  it.each([seed, next].map((p) => [p.id, p] as const))("%s: every form has its reminder rule", (_id, p) => {
    for (const f of p.forms) expect(p.reminders.some((r) => "form" in r.target && r.target.form === f.key), f.key).toBe(true);
  });

  it.each([seed, next].map((p) => [p.id, p] as const))("%s: each model type has its count and members, asked when the type is chosen", (_id, p) => {
    const form = formOf(p, "co_so_6_thang")!;
    for (const m of p.models) {
      const per = form.questions.filter((q) => q.askIf?.question === "loai_mo_hinh" && q.askIf.op === "includes" && q.askIf.value === m.key);
      expect(per.map((q) => q.type === "integer" && q.unit), m.key).toEqual(["mô hình", "thành viên"]);
      expect(per.every((q) => q.type === "integer" && q.aggregate === "latest"), m.key).toBe(true);
    }
  });
});

describe("wording of the shipped plans (what leaders read in chat)", () => {
  const shipped = ["plans/2023-2025-52-KH-BTV.yaml", "plans/2026-2030-tiep-noi.yaml"].map((p) => loadPlanFile(p));
  it.each(shipped.map((p) => [p.id, p] as const))("%s: “…” quotes, “huyện, thành phố”, one spelling, no “Dạ” opening a question", (_id, p) => {
    const texts: Array<[string, string]> = [];
    for (const f of p.forms) {
      texts.push([f.key, f.title], [`${f.key}.shortTitle`, f.shortTitle ?? ""]);
      for (const q of f.questions) {
        texts.push([`${f.key}.${q.key}`, q.text], [`${f.key}.${q.key}.hint`, q.hint ?? ""], [`${f.key}.${q.key}.label`, q.label ?? ""]);
        if (q.type === "single_choice" || q.type === "multi_choice") for (const c of q.choices) texts.push([`${f.key}.${q.key}.${c.key}`, c.label]);
        // The intro before question 1 already says "Dạ"; questions do not repeat it.
        expect(q.text, `${f.key}.${q.key}`).not.toMatch(/^Dạ\b/u);
      }
    }
    for (const m of p.milestones) texts.push([m.key, m.name]);
    for (const c of p.content.items) texts.push([c.key, `${c.title} ${c.text}`]);
    for (const [key, text] of texts) {
      expect(text, key).not.toMatch(/"|\.\.\./);
      expect(text, key).not.toMatch(/huỷ|thuỷ|huyện\s*\/\s*(thành phố|TP)|5 không 3 sạch|5 có 3 sạch|(?<!\p{L})chị\s+chị(?!\p{L})/iu);
    }
  });
});
