import { describe, expect, it } from "vitest";
import { isNoneAnswer, parseYesNo, yesNoProblem } from "./yesno.js";

describe("parseYesNo", () => {
  it.each([
    "có", "co", "Có", "C", "c", "ok", "OK", "oke", "okay", "oki", "ừ", "u", "uh", "uk", "ừm",
    "dạ có", "Dạ có ạ", "co a", "có ạ!", "Dạ, có chị ơi", "có em nhé",
    "vâng", "vang", "vâng ạ", "dạ vâng", "rồi", "roi", "rồi ạ", "dạ rồi", "có rồi",
    "đúng", "dung", "đúng rồi", "xong rồi", "được", "đc", "yes", "y", "1",
    "có 2 buổi", "đã tổ chức", "dạ tổ chức rồi ạ", "tổ chức rồi",
  ])("%j → yes", (text) => {
    expect(parseYesNo(text)).toBe(true);
  });

  it.each([
    "không", "khong", "Không ạ", "ko", "k", "K", "kg", "kh", "hông", "hok", "chưa", "chua", "chưa ạ",
    "no", "n", "0", "không có", "k co", "ko có", "kg co a", "chưa có", "dạ không ạ", "da khong",
    "Không ạ, chi hội em chưa tổ chức", "chưa tổ chức", "không có hộ nào", "vâng, không có ạ",
  ])("%j → no", (text) => {
    expect(parseYesNo(text)).toBe(false);
  });

  it.each([
    "", "2", "5 hộ", "có lẽ", "có thể", "không biết", "ko biet", "chưa rõ", "không nhớ", "không chắc",
    "có không", "có hả", "có gì", "có nhưng chưa xong", "hôm qua", "bình thường",
  ])("%j → not a clear answer", (text) => {
    expect(parseYesNo(text)).toBeNull();
  });

  describe("ambiguous words that lose their diacritics", () => {
    it("'dạ', 'đã' and 'da' alone are all yes", () => {
      expect(parseYesNo("dạ")).toBe(true);
      expect(parseYesNo("đã")).toBe(true);
      expect(parseYesNo("da")).toBe(true);
      expect(parseYesNo("Dạ ạ")).toBe(true);
    });

    it("'dạ'/'đã' before another answer only adds politeness", () => {
      expect(parseYesNo("dạ không")).toBe(false);
      expect(parseYesNo("đã không tổ chức")).toBe(false);
      expect(parseYesNo("đã có")).toBe(true);
    });

    it("lone letters: c = có, k = không, y/n, u = ừ", () => {
      expect([parseYesNo("c"), parseYesNo("k"), parseYesNo("y"), parseYesNo("n"), parseYesNo("u")]).toEqual([
        true, false, true, false, true,
      ]);
    });

    it("letters count only alone", () => {
      expect(parseYesNo("c 5")).toBeNull();
      expect(parseYesNo("y tế")).toBeNull();
    });
  });
});

/** Issue 11: yes/no answers typed on a phone. [text, true / false / null, why]. */
describe("parseYesNo on a phone", () => {
  it.each([
    ["dạ em quên mất", null, "'dạ' before a statement is not a yes"],
    ["dạ để em hỏi lại", null, "she will ask and come back"],
    ["dạ chị chờ em tí", null, "asks to wait"],
    ["dạ em quên mất rồi", null, "a final 'rồi' does not turn forgetting into a yes"],
    ["dạ tổ chức", null, "'dạ' + a statement: typed 'dạ', not 'đã'"],
    ["đã tổ chức", true, "'đã' (did), typed with its marks"],
    ["dạ tổ chức rồi", true, "ends in 'rồi' (already)"],
    ["không, có", null, "a no and a yes in two clauses"],
    ["ko, co", null, "the same without marks"],
    ["không có", false, "'there is none'"],
    ["vâng, không có ạ", false, "'vâng' acknowledges the question; the answer is no"],
    ["👍", true, "thumbs up"],
    ["👍🏻👍🏻", true, "with skin tones, repeated"],
    ["dạ 👌", true, "OK hand with a polite word"],
    ["✅", true, "check mark"],
    ["👎", false, "thumbs down"],
    ["👍👎", null, "both"],
    ["😅", null, "any other emoji"],
    ["👍 em hỏi lại đã", null, "an emoji with words is read from the words"],
  ])("%j → %j (%s)", (text, expected, _why) => {
    expect(parseYesNo(text)).toBe(expected);
  });

  it("says 'later' for answers that promise one", () => {
    expect(yesNoProblem("dạ chị đợi em chút")).toBe("later");
    expect(yesNoProblem("để sau nhé")).toBe("later");
    expect(yesNoProblem("có lẽ")).toBeNull();
    expect(yesNoProblem("có")).toBeNull();
  });

  it("knows 'none' for a list of choices", () => {
    for (const text of ["không", "không có", "ko", "k", "chưa có", "không có mô hình nào", "dạ không có ạ"]) {
      expect(isNoneAnswer(text), text).toBe(true);
    }
    for (const text of ["không biết", "có", "1", "không có 2"]) expect(isNoneAnswer(text), text).toBe(false);
  });
});
