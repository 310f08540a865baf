import { describe, expect, it } from "vitest";
import { parseNumber, readDigits, readNumber } from "./numbers.js";

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

/** Issue 11: numbers as typed on a phone. [text, value or problem, why]. */
describe("readNumber on a phone", () => {
  it.each([
    ["５", 5, "full-width digit (CJK keyboard mode)"],
    ["１２３４", 1234, "full-width digits"],
    ["2 000 000", 2_000_000, "digits grouped by spaces in threes"],
    ["12 345 hội viên", 12_345, "space groups with a unit"],
    ["1 3", null, "not groups of three: two numbers"],
    [",5", 0.5, "a leading decimal comma"],
    [".5", 0.5, "a leading decimal point"],
    ["–3", -3, "en dash read as a minus, not dropped"],
    ["−3", -3, "U+2212 minus"],
    ["—3", -3, "em dash"],
    ["bốn lăm", 45, "spoken tens: bốn (mươi) lăm"],
    ["bon lam", 45, "the same without marks"],
    ["hai mốt", 21, "hai (mươi) mốt"],
    ["ba tư", 34, "ba (mươi) tư"],
    ["năm nhăm", 55, "năm (mươi) nhăm"],
    ["bốn lăm nghìn", 45_000, "spoken tens before a multiplier"],
    ["ba trăm hai lăm", 325, "spoken tens after hundreds"],
    ["một nghìn hai", 1_200, "a lone digit after a multiplier counts tenths of it"],
    ["sáu", 6, "six, typed with its mark"],
    ["sau muoi", 60, "a number word follows: sáu mươi"],
    ["10.000", 10_000, "'000' after the mark is thousands"],
  ])("%j → %j (%s)", (text, expected, _why) => {
    const r = readNumber(text);
    if (expected === null) expect(r.ok).toBe(false);
    else expect(r).toMatchObject({ ok: true, value: expected });
  });

  it.each([
    ["10+", "approximate", "'10 or more'"],
    ["hơn 30", "approximate", "'more than 30'"],
    ["có hơn 30 hộ", "approximate", "after a leading word"],
    ["trên 80%", "approximate", "'over 80%'"],
    ["gần 100", "approximate", "'nearly 100'"],
    ["ba mươi mấy", "approximate", "'thirty-something'"],
    ["vài chục", "approximate", "'a few dozen'"],
    ["1tr+", "approximate", "a plus after a multiplier"],
    ["5-7", "range", "a range with a hyphen"],
    ["5 – 7 hộ", "range", "an en dash range with a unit"],
    ["5 đến 7", "range", "a range in words"],
    ["từ 5 tới 7", "range", "'from 5 to 7'"],
    ["5 hoặc 6", "range", "'5 or 6'"],
    ["1-2 triệu", "range", "a range of amounts"],
    ["sau", "later", "'sau' typed bare: later (six is 'sáu')"],
    ["sau nhé", "later", "'later, ok?'"],
    ["để sau", "later", "'leave it for later'"],
    ["dạ để em hỏi lại", "later", "she will check"],
    ["năm sáu", null, "'five or six' in words: not a number, no specific reason"],
  ])("%j is not a number: %s (%s)", (text, problem, _why) => {
    expect(readNumber(text)).toEqual({ ok: false, problem });
  });

  it("reports a percent sign and the decimal reading of '1,234'", () => {
    expect(readNumber("30%")).toEqual({ ok: true, value: 30, percent: true });
    expect(readNumber("50 phần trăm")).toEqual({ ok: true, value: 50, percent: true });
    expect(readNumber("1,234")).toEqual({ ok: true, value: 1234, percent: false, decimalReading: 1.234 });
    expect(readNumber("12.500")).toEqual({ ok: true, value: 12500, percent: false, decimalReading: 12.5 });
    expect(readNumber("1.234.567")).toEqual({ ok: true, value: 1234567, percent: false });
    // Also when a statement follows the counted word.
    expect(readNumber("1,234 người tham gia")).toEqual({ ok: true, value: 1234, percent: false, decimalReading: 1.234 });
  });
});
