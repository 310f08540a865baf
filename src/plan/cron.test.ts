import { describe, expect, it } from "vitest";
import { cronProblem, isValidCron } from "./cron.js";

describe("cronProblem", () => {
  it.each(["0 8 * * 1", "0 19 * * 4", "*/15 7-21 * * *", "0 8 1,15 * *", "30 8 * 6 mon-fri", "0 9 28 JUN *", "0 8 * * 7"])(
    "accepts %s",
    (cron) => {
      expect(cronProblem(cron)).toBeNull();
      expect(isValidCron(cron)).toBe(true);
    },
  );

  it.each([
    ["0 8 * *", "đang có 4"],
    ["0 8 * * 1 *", "đang có 6"],
    ["0 24 * * 1", "phần giờ có giá trị 24 ngoài khoảng 0–23"],
    ["0 8 0 * *", "phần ngày có giá trị 0 ngoài khoảng 1–31"],
    ["0 8 * 13 *", "phần tháng"],
    ["0 8 * * 8", "phần thứ"],
    ["0 8 * * thu2", "phần thứ không đọc được"],
    ["0 20-8 * * *", "khoảng bị ngược"],
    ["*/0 8 * * *", "bước nhảy"],
    ["0 8 ? * *", "phần ngày"],
    ["0,,5 8 * * *", "phần phút"],
    // Pass the field-by-field reading but node-cron, which runs them, refuses them.
    ["5/10 8 * * 1", "bộ lập lịch không chấp nhận"],
    ["0 8 31 2 *", "bộ lập lịch không chấp nhận"],
    ["0 8 30 2 *", "bộ lập lịch không chấp nhận"],
  ])("rejects %s", (cron, problem) => {
    expect(cronProblem(cron)).toContain(problem);
    expect(isValidCron(cron)).toBe(false);
  });

  it("describes problems in English when asked", () => {
    expect(cronProblem("0 24 * * 1", "en")).toBe("the hour part has value 24 outside 0–23");
  });
});
