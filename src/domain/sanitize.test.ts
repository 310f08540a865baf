import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH, sanitizeName, sanitizeText } from "./sanitize.js";

/** [what, input, cleaned text, cleaned name]: the data that drives both tables below. */
const CASES: Array<[string, string, string, string]> = [
  ["plain Vietnamese stays", "Nguyễn Thị Lan", "Nguyễn Thị Lan", "Nguyễn Thị Lan"],
  ["NUL inside a name", "Lan\u0000 Nguyễn", "Lan Nguyễn", "Lan Nguyễn"],
  ["NUL alone", "\u0000", "", ""],
  ["NUL in an answer", "1\u00002", "12", "12"],
  ["bell, backspace, escape, DEL", "a\u0007b\u0008c\u001bd\u007fe", "abcde", "abcde"],
  ["C1 controls", "a\u0085b\u009fc", "abc", "abc"],
  ["lone high surrogate", "co\ud800", "co", "co"],
  ["lone low surrogate", "\udc00khong", "khong", "khong"],
  ["reversed pair is two lone halves", "a\udc00\ud800b", "ab", "ab"],
  ["an emoji (a valid pair) stays", "Lan 🌸", "Lan 🌸", "Lan 🌸"],
  ["a family emoji keeps its zero-width joiners", "👩\u200d👧", "👩\u200d👧", "👩\u200d👧"],
  ["right-to-left override", "Lan\u202eoG", "LanoG", "LanoG"],
  ["all embeddings and overrides", "\u202a1\u202b2\u202c3\u202d4\u202e5", "12345", "12345"],
  ["isolates", "\u20661\u20672\u20683\u2069", "123", "123"],
  ["bidi marks", "\u200e5\u200f\u061c", "5", "5"],
  ["byte-order mark and zero-width space", "\ufeffco\u200b", "co", "co"],
  ["noncharacters", "a\uffffb\ufffe", "ab", "ab"],
  ["newline and tab kept in texts, flattened in names", "dòng 1\n\tdòng 2", "dòng 1\n\tdòng 2", "dòng 1 dòng 2"],
  ["CR LF and lone CR become newlines", "a\r\nb\rc", "a\nb\nc", "a b c"],
  ["line and paragraph separators become newlines", "a\u2028b\u2029c", "a\nb\nc", "a b c"],
  ["combining marks are composed (NFC)", "Tra\u0302\u0300n Thi\u0323", "Trần Thị", "Trần Thị"],
  ["decomposed đ stays đ", "\u0111a\u0303", "đã", "đã"],
  ["names are trimmed and single-spaced", "  Lan \u0000  Hoa  ", "  Lan   Hoa  ", "Lan Hoa"],
];

describe("sanitizeText", () => {
  it.each(CASES)("%s", (_what, input, text) => {
    expect(sanitizeText(input)).toBe(text);
  });

  it("is idempotent", () => {
    for (const [, input] of CASES) expect(sanitizeText(sanitizeText(input))).toBe(sanitizeText(input));
  });

  it("leaves no control character but newline and tab, no lone surrogate, no bidi control in random input", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 200; n++) {
      const s = Array.from({ length: 300 }, () => String.fromCharCode(Math.floor(rnd() * 0x10000))).join("");
      const out = sanitizeText(s);
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(out).not.toMatch(/\p{Cs}/u);
      expect(out).toBe(out.normalize("NFC"));
    }
  });
});

describe("sanitizeName", () => {
  it.each(CASES)("%s", (_what, input, _text, name) => {
    expect(sanitizeName(input)).toBe(name);
  });

  it(`cuts a name at ${MAX_NAME_LENGTH} characters, counting an emoji as one`, () => {
    expect([...sanitizeName("🌸".repeat(300))]).toHaveLength(MAX_NAME_LENGTH);
  });
});
