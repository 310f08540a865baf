import { describe, expect, it } from "vitest";
import { formalDateLine, formatAnswer, formatDate, formatNumber, formatPercent } from "./format.js";
import { Q } from "./test-fixtures.js";

describe("formatNumber", () => {
  it.each([
    [0, undefined, "0"],
    [5, undefined, "5"],
    [999, undefined, "999"],
    [1234, undefined, "1.234"],
    [1234567, undefined, "1.234.567"],
    [86.4, undefined, "86,4"],
    [83.85, undefined, "83,85"],
    [1234.5, undefined, "1.234,5"],
    [0.1 + 0.2, undefined, "0,3"],
    [-1234.5, undefined, "-1.234,5"],
    [2.5, 2, "2,50"],
    [86.44, 1, "86,4"],
    [86.45, 1, "86,5"],
    [1.005, 2, "1,01"],
    [1234.4, 0, "1.234"],
    [-0.04, 1, "0,0"],
  ])("formatNumber(%s, %s) → %s", (n, decimals, text) => {
    expect(formatNumber(n, decimals)).toBe(text);
  });
});

describe("formatPercent", () => {
  it("shows a ratio as a percentage with fixed decimals", () => {
    expect(formatPercent(0.864)).toBe("86,4%");
    expect(formatPercent(0.8)).toBe("80,0%");
    expect(formatPercent(12 / 15)).toBe("80,0%");
    expect(formatPercent(0.8385, 2)).toBe("83,85%");
    expect(formatPercent(1, 0)).toBe("100%");
    expect(formatPercent(0.8645)).toBe("86,5%");
  });
});

describe("formatDate", () => {
  it("writes day/month/year with two-digit day and month", () => {
    expect(formatDate("2023-08-05")).toBe("05/08/2023");
    expect(formatDate("2024-12-31")).toBe("31/12/2024");
  });

  it("throws on a non-date", () => {
    expect(() => formatDate("05/08/2023")).toThrow(RangeError);
    expect(() => formatDate("2023-02-30")).toThrow(RangeError);
  });
});

describe("formalDateLine", () => {
  it("follows the administrative rule: day < 10 and months 1, 2 get a leading zero", () => {
    expect(formalDateLine("Nam Định", "2023-08-05")).toBe("Nam Định, ngày 05 tháng 8 năm 2023");
    expect(formalDateLine("Nam Định", "2023-02-14")).toBe("Nam Định, ngày 14 tháng 02 năm 2023");
    expect(formalDateLine("Nam Định", "2024-01-09")).toBe("Nam Định, ngày 09 tháng 01 năm 2024");
    expect(formalDateLine("Ninh Bình", "2025-12-01")).toBe("Ninh Bình, ngày 01 tháng 12 năm 2025");
    expect(formalDateLine("Ninh Bình", "2025-03-28")).toBe("Ninh Bình, ngày 28 tháng 3 năm 2025");
  });
});

describe("formatAnswer", () => {
  it("formats each question type in Vietnamese", () => {
    expect(formatAnswer(Q.households, 1234)).toBe("1.234 hộ");
    expect(formatAnswer(Q.members, 5)).toBe("5");
    expect(formatAnswer(Q.share, 86.4)).toBe("86,4%");
    expect(formatAnswer(Q.held, true)).toBe("Có");
    expect(formatAnswer(Q.held, false)).toBe("Không");
    expect(formatAnswer(Q.model, "giao_duc_cha_me")).toBe("Giáo dục cha mẹ");
    expect(formatAnswer(Q.models, ["dich_vu_gia_dinh", "gia_dinh_am_no"])).toBe(
      "Dịch vụ gia đình; Xây dựng gia đình ấm no, hạnh phúc, tiến bộ, văn minh",
    );
    expect(formatAnswer(Q.heldOn, "2023-08-05")).toBe("05/08/2023");
    expect(formatAnswer(Q.victims, { part: 12, total: 15 })).toBe("12/15");
    expect(formatAnswer(Q.victims, { part: 1200, total: 1500 })).toBe("1.200/1.500");
    expect(formatAnswer(Q.note, "Tại nhà văn hóa")).toBe("Tại nhà văn hóa");
  });

  it("shows skipped answers as a dash and unknown keys as they are", () => {
    expect(formatAnswer(Q.sessions, null)).toBe("—");
    expect(formatAnswer(Q.sessions, undefined)).toBe("—");
    expect(formatAnswer(Q.model, "da_xoa")).toBe("da_xoa");
    expect(formatAnswer(Q.held, "có" as never)).toBe("có");
  });
});
