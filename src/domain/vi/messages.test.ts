import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Question } from "../../plan/schema.js";
import { getT } from "../../i18n.js";
import { PARSE_ERROR_CODES, parseAnswer } from "./answers.js";
import { NO_WORD, YES_WORD } from "./format.js";
import { describeExpected, errorKey, EXPECTED_KEYS, explainError, OTHER_KEYS, skipHint } from "./messages.js";
import { Q } from "./test-fixtures.js";

const LOCALES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "locales");
const load = (lng: string) => JSON.parse(readFileSync(join(LOCALES, lng, "parse.json"), "utf8")) as Record<string, unknown>;
const LANGS = { vi: load("vi"), en: load("en") };

/** Looks up "a.b.c" in a JSON object; undefined when absent. */
function lookup(json: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], json);
}
const withoutNs = (key: string) => key.replace(/^parse:/, "");

/** All "{{name}}" / "{{name, format}}" placeholders of a template. */
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([a-zA-Z]+)/g)].map((m) => m[1]!).sort();

const ALL_QUESTIONS = Object.values(Q);

describe("locale files", () => {
  const keys = [
    ...PARSE_ERROR_CODES.map((c) => withoutNs(errorKey(c))),
    ...EXPECTED_KEYS,
    ...OTHER_KEYS,
  ];

  it.each(Object.keys(LANGS))("%s has a non-empty string for every key the module produces", (lng) => {
    for (const key of keys) {
      const text = lookup(LANGS[lng as keyof typeof LANGS], key);
      expect(typeof text === "string" && text.length > 0, `${lng}: ${key}`).toBe(true);
    }
  });

  it("every key returned by describeExpected is a known key", () => {
    for (const q of ALL_QUESTIONS) {
      expect(EXPECTED_KEYS).toContain(withoutNs(describeExpected(q).key));
    }
  });

  it("vi and en use the same placeholders", () => {
    for (const key of keys) {
      const vi = lookup(LANGS.vi, key) as string;
      const en = lookup(LANGS.en, key) as string;
      expect(placeholders(en), key).toEqual(placeholders(vi));
    }
  });

  it("Vietnamese texts keep diacritics and the bot's tone", () => {
    for (const code of PARSE_ERROR_CODES) {
      expect(lookup(LANGS.vi, `error.${code}`), code).toMatch(/^Dạ, /);
    }
    expect(lookup(LANGS.vi, "retry")).toContain("Chị");
    expect(lookup(LANGS.vi, "answer.yes")).toBe(YES_WORD);
    expect(lookup(LANGS.vi, "answer.no")).toBe(NO_WORD);
  });

  it("error params cover each error template's placeholders", () => {
    // Produce every error code from real inputs and check nothing in the template is left unfilled.
    const samples: Array<[Question, string]> = [
      [Q.households, ""],
      [Q.households, "abc"],
      [Q.households, "30%"],
      [Q.households, "hơn 30"],
      [Q.households, "5-7"],
      [Q.households, "sau nhé"],
      [Q.amount, "1,234"],
      [Q.models, "1-3"],
      [Q.households, "2,5"],
      [Q.households, "600"],
      [Q.held, "có lẽ"],
      [Q.heldOn, "tuần trước"],
      [Q.heldOn, "31/4/2024"],
      [Q.victims, "12"],
      [Q.victims, "15/12"],
      [Q.model, "khuyến học"],
      [Q.model, "9"],
      [Q.model, "giáo dục"],
      [Q.model, "1, 3"],
      [Q.note, "x".repeat(21)],
      [Q.photos, "ảnh ở trên"],
      [Q.photos, "xong"],
    ];
    const seen = new Set<string>();
    for (const [q, text] of samples) {
      const r = parseAnswer(q, text, { today: "2024-03-15" });
      if (r.ok) throw new Error(`expected an error for ${text}`);
      seen.add(r.error.code);
      for (const lng of ["vi", "en"] as const) {
        const template = lookup(LANGS[lng], `error.${r.error.code}`) as string;
        for (const name of placeholders(template)) expect(r.error.params, `${lng} ${r.error.code}`).toHaveProperty(name);
      }
    }
    expect([...seen].sort()).toEqual([...PARSE_ERROR_CODES].sort());
  });
});

describe("describeExpected", () => {
  it("returns key and params per question type", () => {
    expect(describeExpected(Q.households)).toEqual({ key: "parse:expected.integer_unit", params: { min: 0, max: 500, measure: "hộ" } });
    expect(describeExpected(Q.members)).toEqual({ key: "parse:expected.integer", params: { min: 0, max: 100000 } });
    expect(describeExpected(Q.held)).toEqual({ key: "parse:expected.yes_no", params: {} });
    expect(describeExpected(Q.models)).toEqual({ key: "parse:expected.multi_choice", params: { count: 7 } });
    expect(describeExpected(Q.note)).toEqual({ key: "parse:expected.text", params: { maxLength: 20 } });
  });

  it("reads well in Vietnamese and English through i18n", () => {
    const vi = getT("vi");
    const en = getT("en");
    const say = (t: typeof vi, q: Question) => {
      const m = describeExpected(q);
      return t(m.key, m.params);
    };
    expect(say(vi, Q.members)).toBe("một số nguyên từ 0 đến 100.000");
    expect(say(en, Q.members)).toBe("a whole number from 0 to 100,000");
    expect(say(vi, Q.households)).toBe("một số nguyên từ 0 đến 500 (đơn vị: hộ)");
    expect(say(vi, Q.held)).toBe("Có hoặc Không");
    expect(say(vi, Q.model)).toBe("một số thứ tự từ 1 đến 7 (hoặc tên lựa chọn)");
    expect(say(vi, Q.heldOn)).toBe("ngày dạng ngày/tháng/năm, ví dụ 05/08/2023 (hoặc “hôm nay”, “hôm qua”)");
    expect(say(vi, Q.victims)).toBe("dạng số được hỗ trợ/số được phát hiện, ví dụ 12/15");
    expect(say(vi, Q.models)).toContain("cách nhau bởi dấu phẩy");
  });
});

describe("explainError", () => {
  it("says what was wrong, then what is expected", () => {
    const r = parseAnswer(Q.households, "600");
    if (r.ok) throw new Error("expected an error");
    expect(explainError(Q.households, r.error, getT("vi"))).toBe(
      "Dạ, số 600 nằm ngoài khoảng cho phép (từ 0 đến 500) ạ. Chị trả lời giúp em một số nguyên từ 0 đến 500 (đơn vị: hộ) ạ.",
    );
    expect(explainError(Q.households, r.error, getT("en"))).toBe(
      "The number 600 is outside the allowed range (0 to 500). Please answer with a whole number from 0 to 500 (unit: hộ).",
    );
  });

  it("formats numbers the Vietnamese way inside messages", () => {
    const r = parseAnswer(Q.members, "1 triệu");
    if (r.ok) throw new Error("expected an error");
    expect(explainError(Q.members, r.error, getT("vi"))).toContain("số 1.000.000 nằm ngoài khoảng cho phép (từ 0 đến 100.000)");
  });

  it("echoes the user's words for yes/no", () => {
    const r = parseAnswer(Q.held, "có lẽ");
    if (r.ok) throw new Error("expected an error");
    expect(explainError(Q.held, r.error, getT("vi"))).toBe(
      "Dạ, em chưa rõ “có lẽ” là có hay không ạ. Chị trả lời giúp em Có hoặc Không ạ.",
    );
  });
});

describe("skipHint", () => {
  it("is only given for optional questions", () => {
    expect(skipHint(Q.sessions)).toEqual({ key: "parse:skip_hint", params: {} });
    expect(skipHint(Q.households)).toBeNull();
  });
});
