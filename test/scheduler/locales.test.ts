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
    expect(vi).toMatch(/^Dạ, em chào chị Lan và các chị Chi hội thôn Đông ạ\./);
    expect(vi).toContain("Em cảm ơn chị ạ!");
    expect(renderReminder({ ...base, lng: "en" })).toContain("(3 days left)");
    expect(timeLeftText(vn("2024-05-20 19:30"), due, "en")).toBe("30 minutes");
    const late = renderLateSummary({ plan: seedPlan, form, periodKey: "2024-05", dueAt: due, parentName: "Xã A", late: ["B1", "B2", "B3"], expected: 5, maxListed: 2 });
    expect(late).toContain("… và 1 đơn vị khác");
  });
});
