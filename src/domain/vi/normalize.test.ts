import { describe, expect, it } from "vitest";
import { comparable, normalize, stripCourtesy, stripCourtesyText, stripDiacritics, words } from "./normalize.js";

describe("stripDiacritics", () => {
  it("removes every Vietnamese tone and vowel mark and turns đ into d", () => {
    expect(stripDiacritics("Đắp Vun Hội Liên hiệp Phụ nữ")).toBe("Dap Vun Hoi Lien hiep Phu nu");
    expect(stripDiacritics("ăâêôơư ĂÂÊÔƠƯ đĐ")).toBe("aaeoou AAEOOU dD");
    expect(stripDiacritics("ả ã ạ ẻ ẽ ẹ ỉ ĩ ị ỏ õ ọ ủ ũ ụ ỷ ỹ ỵ")).toBe("a a a e e e i i i o o o u u u y y y");
  });

  it("handles text typed in decomposed form (NFD)", () => {
    expect(stripDiacritics("Có".normalize("NFD"))).toBe("Co");
  });
});

describe("normalize", () => {
  it("lower-cases, strips diacritics, collapses spaces and trims", () => {
    expect(normalize("  Dạ  CÓ \t ạ \n")).toBe("da co a");
    expect(normalize("Giáo dục cha mẹ")).toBe("giao duc cha me");
    expect(normalize("ĐƯỢC")).toBe("duoc");
  });

  it("removes zero-width characters and non-breaking spaces", () => {
    expect(normalize("có\u200b\u00a0ạ")).toBe("co a");
  });

  it("keeps punctuation (numbers and dates need it)", () => {
    expect(normalize("1.234,5 / 12/15")).toBe("1.234,5 / 12/15");
  });
});

describe("words and comparable", () => {
  it("splits on punctuation", () => {
    expect(words("da, co! a.")).toEqual(["da", "co", "a"]);
    expect(comparable("Xây dựng gia đình ấm no, hạnh phúc")).toBe("xay dung gia dinh am no hanh phuc");
  });
});

describe("stripCourtesy", () => {
  it("drops polite words at both ends", () => {
    expect(stripCourtesy(["da", "co", "a"])).toEqual(["co"]);
    expect(stripCourtesy(["thua", "chi", "em", "chua", "lam", "a"])).toEqual(["chua", "lam"]);
    expect(stripCourtesy(["bao", "cao", "chi", "5", "ho"])).toEqual(["5", "ho"]);
  });

  it("never empties the list", () => {
    expect(stripCourtesy(["da"])).toEqual(["da"]);
    expect(stripCourtesy(["da", "a"])).toEqual(["da"]);
  });

  it("keeps inner punctuation in the text variant", () => {
    expect(stripCourtesyText("da, 1.234 ho a.")).toBe("1.234 ho");
    expect(stripCourtesyText("da 12/15 a")).toBe("12/15");
    expect(stripCourtesyText("86,4%")).toBe("86,4%");
    expect(stripCourtesyText("-5")).toBe("-5");
  });
});

describe("phone keyboards", () => {
  it("reads full-width forms as ASCII and every dash form as a hyphen-minus", () => {
    expect(normalize("２８／６")).toBe("28/6");
    expect(normalize("Ｃó")).toBe("co");
    for (const dash of ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63"]) {
      expect(normalize(`${dash}3`), `U+${dash.charCodeAt(0).toString(16)}`).toBe("-3");
    }
  });

  it("keeps a leading decimal mark and a trailing plus", () => {
    expect(stripCourtesyText(normalize("dạ ,5 ạ"))).toBe(",5");
    expect(stripCourtesyText(normalize("10+ ạ"))).toBe("10+");
    expect(stripCourtesyText(normalize("5."))).toBe("5");
  });
});
