import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES_DIR } from "../../src/i18n.js";
import { renderLateSummary, renderReminder, timeLeftText } from "../../src/scheduler/index.js";
import { seedPlan, vn } from "./fixtures.js";

function keys(obj: unknown, prefix = ""): string[] {
  if (typeof obj !== "object" || obj === null) return [prefix.replace(/_(one|other|few|many|zero|two)$/, "")];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("locales/*/reminders.json", () => {
  it("vi and en have the same keys", () => {
    const read = (lng: string) => JSON.parse(readFileSync(join(LOCALES_DIR, lng, "reminders.json"), "utf8"));
    expect([...new Set(keys(read("en")))].sort()).toEqual([...new Set(keys(read("vi")))].sort());
  });

  it("renders polite Vietnamese (chị / em) and English", () => {
    const form = seedPlan.forms.find((f) => f.key === "chi_hoi_thang")!;
    const due = new Date(vn("2024-05-20 20:00").getTime() + 59_999);
    const base = { plan: seedPlan, unitName: "Chi hội thôn Đông", leaders: ["Lan"], dueAt: due, sendAt: vn("2024-05-17 20:00"), form, periodKey: "2024-05" };
    const vi = renderReminder(base);
    // Not an answer to her: no "Dạ".
    expect(vi).toMatch(/^Em chào chị Lan và các chị Chi hội thôn Đông ạ\./);
    expect(vi).toContain("📝 Em xin nhắc chị: báo cáo “Báo cáo tháng chi hội” tháng 5/2024 cần gửi trước 20 giờ ngày 20/5 (còn 3 ngày) ạ.");
    expect(vi).toContain("Em cảm ơn chị ạ!");
    expect(renderReminder({ ...base, lng: "en" })).toContain("(3 days left)");
    expect(timeLeftText(vn("2024-05-20 19:30"), due, "en")).toBe("30 minutes");
    const late = renderLateSummary({ plan: seedPlan, form, periodKey: "2024-05", dueAt: due, parentName: "Xã A", late: ["B1", "B2", "B3"], expected: 5, maxListed: 2 });
    expect(late).toContain("… và 1 đơn vị khác");
    expect(late).toContain("“Báo cáo tháng chi hội”");
    expect(late).not.toMatch(/[«»]|^Dạ/);
  });

  it("counts days as the calendar does: a week ahead is 7 days, whatever the hour", () => {
    const due = new Date(vn("2024-06-20 20:00").getTime() + 59_999);
    expect(timeLeftText(vn("2024-06-13 20:00"), due)).toBe("7 ngày");
    expect(timeLeftText(vn("2024-06-13 08:00"), due)).toBe("7 ngày");
    expect(timeLeftText(vn("2024-06-17 21:00"), due)).toBe("3 ngày");
    expect(timeLeftText(vn("2024-06-19 21:00"), due)).toBe("23 giờ");
    expect(timeLeftText(vn("2024-06-20 19:30"), due)).toBe("30 phút");
  });

  it("does not double the honorific: “chị Chị Lan” never appears", () => {
    const form = seedPlan.forms.find((f) => f.key === "chi_hoi_thang")!;
    const base = { plan: seedPlan, unitName: "Chi hội thôn Đông", dueAt: vn("2024-05-20 20:00"), sendAt: vn("2024-05-17 20:00"), form, periodKey: "2024-05" };
    expect(renderReminder({ ...base, leaders: ["Chị Lan"] })).toMatch(/^Em chào chị Lan và/);
    expect(renderReminder({ ...base, leaders: ["chị Lan", "Cô Hạnh"] })).toMatch(/^Em chào chị Lan, chị Hạnh và các chị/);
    expect(renderReminder({ ...base, leaders: ["Chị Lan", "Hoa"] })).toContain("Em xin nhắc các chị:");
  });

  it("words 28/6 as an event, not a deadline, and asks for the short report after it", () => {
    const m = seedPlan.milestones.find((x) => x.key === "ngay_gia_dinh_2024")!;
    const form = seedPlan.forms.find((f) => f.key === m.form)!;
    const text = renderReminder({ plan: seedPlan, unitName: "Hội LHPN huyện Ý Yên", leaders: ["Lan"], dueAt: vn("2024-06-28 17:00"), sendAt: vn("2024-06-21 17:00"), milestone: m, form });
    expect(text).toContain("📅 Em xin báo chị: sắp đến hoạt động nhân dịp Ngày Gia đình Việt Nam 28/6/2024 (Chỉ tiêu 2), vào ngày 28/6 (còn 7 ngày) ạ.");
    expect(text).toContain("Sau sự kiện, chị gõ /baocao để báo cáo nhanh “Ngày Gia đình 28/6/2024”");
    expect(text).not.toMatch(/Hạn|cần hoàn thành/);
    // A deadline milestone keeps its deadline.
    const plan = seedPlan.milestones.find((x) => x.key === "ke_hoach_huyen")!;
    const deadline = renderReminder({ plan: seedPlan, unitName: "Hội LHPN huyện Ý Yên", leaders: ["Lan"], dueAt: vn("2023-06-30 17:00"), sendAt: vn("2023-06-28 17:00"), milestone: plan });
    expect(deadline).toContain("cần hoàn thành trước 17 giờ ngày 30/6 (còn 2 ngày) ạ.");
  });
});
