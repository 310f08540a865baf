import { describe, expect, it } from "vitest";
import { parseNumber, readDigits } from "./numbers.js";

describe("readDigits (separator rule)", () => {
  it.each([
    ["5", 5],
    ["1.234", 1234],
    ["1,234", 1234],
    ["12.345", 12345],
    ["1.234.567", 1234567],
    ["1,234,567", 1234567],
    ["1.234,5", 1234.5],
    ["1,234.5", 1234.5],
    ["86,4", 86.4],
    ["83.85", 83.85],
    ["2,5", 2.5],
    ["0,125", 0.125],
    ["1234,567", 1234.567],
    ["1,2345", 1.2345],
  ])("%s → %s (3-digit group read as thousands)", (text, value) => {
    expect(readDigits(text)).toBe(value);
  });

  it("reads a single 3-digit group as decimals when asked", () => {
    expect(readDigits("1.234", "decimal")).toBe(1.234);
    expect(readDigits("1,234", "decimal")).toBe(1.234);
    // Several groups or both separators are never ambiguous.
    expect(readDigits("1.234.567", "decimal")).toBe(1234567);
  });

  it.each(["1.23.4", "1.234.56", "1,2,3", "1.234,567,8", "12a"])("rejects %s", (text) => {
    expect(readDigits(text)).toBeNull();
  });
});

describe("parseNumber", () => {
  it.each([
    // figures, with units and polite words
    ["5", 5],
    ["5 hộ", 5],
    ["5 ho gia dinh", 5],
    ["dạ có 5 hộ ạ", 5],
    ["Dạ, 3 buổi ạ.", 3],
    ["được 12 người", 12],
    ["tổng cộng 15", 15],
    ["khoảng 5", 5],
    ["tầm 5", 5],
    ["-3", -3],
    ["5.", 5],
    ["86,4%", 86.4],
    ["83.85%", 83.85],
    ["50 phần trăm", 50],
    // number words, with and without diacritics
    ["không", 0],
    ["khong", 0],
    ["một", 1],
    ["mot", 1],
    ["hai", 2],
    ["ba", 3],
    ["bốn", 4],
    ["bon", 4],
    ["tư", 4],
    ["năm", 5],
    ["nam", 5],
    ["lăm", 5],
    ["sáu", 6],
    ["bảy", 7],
    ["bay", 7],
    ["tám", 8],
    ["chín", 9],
    ["mười", 10],
    ["muoi", 10],
    ["mười một", 11],
    ["mười hai", 12],
    ["mười lăm", 15],
    ["hai mươi", 20],
    ["hai mươi mốt", 21],
    ["hai mươi tư", 24],
    ["hai mươi lăm", 25],
    ["hai muoi lam", 25],
    ["tám mươi", 80],
    ["ba chục", 30],
    ["một trăm", 100],
    ["một trăm linh năm", 105],
    ["một trăm lẻ tư", 104],
    ["hai trăm ba mươi tư", 234],
    ["chín trăm chín mươi chín", 999],
    ["một trăm rưỡi", 150],
    ["một trăm hai", 120],
    ["3 trăm", 300],
    ["năm hộ", 5],
    ["tám mươi sáu phẩy tư", 86.4],
    ["86 phẩy 4", 86.4],
    // multipliers
    ["1tr", 1_000_000],
    ["1 tr", 1_000_000],
    ["1 triệu", 1_000_000],
    ["1 trieu", 1_000_000],
    ["1tr2", 1_200_000],
    ["1 triệu 2", 1_200_000],
    ["1,5tr", 1_500_000],
    ["1 triệu 200 nghìn", 1_200_000],
    ["2k", 2_000],
    ["2k5", 2_500],
    ["3 nghìn", 3_000],
    ["3 ngàn", 3_000],
    ["2 nghìn 300", 2_300],
    ["hai nghìn rưỡi", 2_500],
    ["một nghìn không trăm linh năm", 1_005],
    ["1 tỷ", 1_000_000_000],
    // "none" as zero
    ["không có", 0],
    ["ko có", 0],
    ["k co", 0],
    ["chưa có", 0],
    ["chưa", 0],
    ["không có hộ nào", 0],
  ])("%s → %s", (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each([
    "",
    "abc",
    "có",
    "5 năm",
    "5, 6",
    "5 hộ, 3 người",
    "12/15",
    "1 triệu 200",
    "1 nghìn 2 triệu",
    "hơn 5",
    "5 hộ chưa đạt",
    "mươi mươi",
    "không biết",
  ])("rejects %j", (text) => {
    expect(parseNumber(text)).toBeNull();
  });

  it("accepts the question's own unit after the number", () => {
    expect(parseNumber("4 tờ rơi")).toBe(4);
    expect(parseNumber("4 áp phích")).toBeNull();
    expect(parseNumber("4 áp phích", { units: ["áp phích"] })).toBe(4);
  });

  it("keeps 'tám mươi' as 80 although 'tầm' (about) is dropped before figures", () => {
    expect(parseNumber("tam muoi")).toBe(80);
    expect(parseNumber("tam 80")).toBe(80);
    expect(parseNumber("tam")).toBe(8);
  });
});

describe("words that are names of JavaScript object properties", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])("%s is not a number", (word) => {
    expect(parseNumber(word)).toBeNull();
  });
});
