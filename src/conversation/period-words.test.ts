import { describe, expect, it } from "vitest";
import { parsePeriodText } from "../domain/periods.js";
import type { PeriodKind } from "../plan/schema.js";
import { expiredNotice, startCorrection, startReport } from "./engine.js";
import { formForPeriod, nameThePeriod, periodName, reopenCommand } from "./period-words.js";
import { translator } from "./render.js";
import { CTX, drive, FORM, said } from "./test-helpers.js";

const vi = translator("vi");
const en = translator("en");

/** Plan phrases for "the period now", the period key, and what a past period turns them into (why). */
const RENAMES: Array<[string, string, string, string]> = [
  ["Dạ, trong tháng này chi hội mình có tổ chức tuyên truyền không chị?", "2024-10", "Dạ, trong tháng 10/2024 chi hội mình có tổ chức tuyên truyền không chị?", "monthly: the issue's case"],
  ["Tháng này chi hội có bao nhiêu hộ?", "2024-10", "Tháng 10/2024 chi hội có bao nhiêu hộ?", "capital kept at a sentence start"],
  ["Trong 6 tháng qua, cơ sở Hội có tổ chức tuyên truyền không?", "2024-H1", "Trong 6 tháng đầu năm 2024, cơ sở Hội có tổ chức tuyên truyền không?", "half year: '6 tháng qua'"],
  ["Trong 6 tháng, cơ sở Hội đã thành lập mới bao nhiêu mô hình?", "2024-H2", "Trong 6 tháng cuối năm 2024, cơ sở Hội đã thành lập mới bao nhiêu mô hình?", "half year: bare '6 tháng'"],
  ["Sơ kết 6 tháng đầu năm", "2024-H1", "Sơ kết 6 tháng đầu năm", "already named: left alone"],
  ["Kết quả trong năm nay?", "2023", "Kết quả trong năm 2023?", "yearly"],
  ["Trong tháng này chị có họp không?", "2024-H1", "Trong tháng này chị có họp không?", "a month phrase on a half-year form is not the period"],
  ["Số hộ đạt chuẩn tháng nay?", "2024-10", "Số hộ đạt chuẩn tháng 10/2024?", "'tháng nay' (colloquial)"],
];

describe("past periods are named in the questions", () => {
  it.each(RENAMES)("%j (%s) → %j", (text, key, renamed) => {
    expect(nameThePeriod(text, key, periodName(key, vi)!)).toBe(renamed);
  });

  it("a form is only renamed for a period that is over", () => {
    expect(formForPeriod(FORM, { periodKey: "2024-05" }, vi)).toBe(FORM);
    const past = formForPeriod(FORM, { periodKey: "2024-05", periodPast: true }, vi);
    expect(past.questions.map((q) => q.text).join("\n")).not.toMatch(/tháng này/);
    expect(past.questions[0]!.text).toMatch(/trong tháng 5\/2024/i);
    // The plan itself is not changed.
    expect(FORM.questions[0]!.text).toMatch(/trong tháng này/i);
  });

  it("the engine asks, helps and summarises with the period's name, also after a JSON round trip", () => {
    const start = startReport(FORM, { ...CTX, periodPast: true });
    expect(said(start)).toMatch(/trong tháng 5\/2024/i);
    expect(said(start)).not.toMatch(/tháng này/);
    const help = drive(start, ["?"], { roundTrip: true });
    expect(said(help.last)).toMatch(/trong tháng 5\/2024/i);
    const current = startReport(FORM, CTX);
    expect(said(current)).toMatch(/trong tháng này/i);
    const correction = startCorrection(FORM, { ...CTX, periodPast: true, existing: { tuyen_truyen: true } });
    expect(said(correction)).not.toMatch(/tháng này/);
  });
});

describe("the command that reopens the same period", () => {
  const KINDS: Array<[string, PeriodKind]> = [
    ["2024-05", "monthly"],
    ["2024-10", "monthly"],
    ["2024-H1", "half_yearly"],
    ["2024-H2", "half_yearly"],
    ["2023", "yearly"],
  ];

  it.each(KINDS)("%s: the argument reads back as the same period (vi and en)", (periodKey, kind) => {
    const now = new Date("2025-03-01T00:00:00Z");
    for (const tr of [vi, en]) {
      const command = reopenCommand({ periodKey, mode: "report" }, tr);
      expect(command.startsWith("/baocao ")).toBe(true);
      expect(parsePeriodText(command.slice("/baocao ".length), kind, now)?.key).toBe(periodKey);
    }
  });

  it("says /sua for a correction and a bare command for a one-off form", () => {
    expect(reopenCommand({ periodKey: "2024-05", mode: "correct" }, vi)).toBe("/sua tháng 5/2024");
    expect(reopenCommand({ periodKey: "ke_hoach_nam", mode: "report" }, vi)).toBe("/baocao");
  });

  it("is in the cancel reply and in the expiry notice", () => {
    const cancelled = drive(startReport(FORM, CTX), ["hủy"]);
    expect(said(cancelled.last)).toContain("/baocao tháng 5/2024");
    const open = startReport(FORM, { ...CTX, periodKey: "2024-04", periodLabel: "tháng 4/2024", periodPast: true }).state!;
    expect(expiredNotice(open)).toContain("/baocao tháng 4/2024");
    expect(expiredNotice({ ...open, mode: "correct" })).toContain("/sua tháng 4/2024");
  });
});
