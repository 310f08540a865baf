/** Short question names for headers and report lines. */
import { describe, expect, it } from "vitest";
import { questionLabel, shortenQuestion } from "../../src/outputs/labels.js";
import { plan } from "./fixture.js";

describe("questionLabel", () => {
  it("has a short label for every question of the default plan, in both languages", () => {
    for (const form of plan.forms)
      for (const q of form.questions) {
        const vi = questionLabel(form, q, "vi");
        const en = questionLabel(form, q, "en");
        expect(vi.length, `${form.key}.${q.key}`).toBeLessThanOrEqual(60);
        expect(vi).not.toBe(q.text);
        expect(en.length, `${form.key}.${q.key} (en)`).toBeGreaterThan(0);
        expect(en, `${form.key}.${q.key} (en)`).not.toBe(q.text);
      }
    const ngay = plan.forms.find((f) => f.key === "ngay_gia_dinh_2023")!;
    expect(questionLabel(ngay, ngay.questions.find((q) => q.key === "dia_ban_diem")!)).toBe("Địa bàn điểm, mô hình được chọn");
  });

  it("falls back to the first clause of the question", () => {
    expect(shortenQuestion("Dạ, trong tháng chi hội có tổ chức họp không chị?")).toBe("Trong tháng chi hội có tổ chức họp");
    expect(shortenQuestion("Chị cho em hỏi số hộ nghèo của xóm ạ?")).toBe("Số hộ nghèo của xóm");
    expect(shortenQuestion("Số buổi sinh hoạt")).toBe("Số buổi sinh hoạt");
    expect(shortenQuestion("x".repeat(100)).length).toBe(60);
  });

  it("uses the plan's own label when a question has one", () => {
    const form = plan.forms[0]!;
    const q = { ...form.questions[1]!, label: "Buổi tuyên truyền" };
    expect(questionLabel(form, q)).toBe("Buổi tuyên truyền");
  });
});
