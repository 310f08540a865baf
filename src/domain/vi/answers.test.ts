import { describe, expect, it } from "vitest";
import type { Question } from "../../plan/schema.js";
import { isSkipInput, parseAnswer, type ParseResult } from "./answers.js";
import { Q } from "./test-fixtures.js";

const TODAY = "2024-03-15";
const parse = (q: Question, text: string) => parseAnswer(q, text, { today: TODAY });
const value = (v: unknown) => ({ ok: true, value: v });
const error = (code: string, params?: Record<string, unknown>) =>
  params ? { ok: false, error: { code, params } } : { ok: false, error: expect.objectContaining({ code }) };

/** An expected error in the corpus (anything else there is the expected value). */
class E {
  constructor(readonly code: string) {}
}
const E_ = (code: string) => new E(code);

/** Real-looking chat answers, each with the parse it must give. */
const CORPUS: Array<[keyof typeof Q, string, unknown]> = [
  // yes / no
  ["held", "ko", false],
  ["held", "k co", false],
  ["held", "Dạ có ạ", true],
  ["held", "co a", true],
  ["held", "roi", true],
  ["held", "rồi ạ", true],
  ["held", "Dạ chưa ạ", false],
  ["held", "chưa tổ chức chị ạ", false],
  ["held", "uh", true],
  ["held", "oke em", true],
  ["held", "Vâng", true],
  ["held", "dạ", true],
  ["held", "không có", false],
  ["held", "hông", false],
  ["held", "Dạ đã tổ chức rồi ạ", true],
  ["held", "khong biet", E_("not_yes_no")],
  ["held", "có lẽ", E_("not_yes_no")],
  ["held", "5", E_("not_yes_no")],
  ["held", "bỏ qua", E_("required")],
  // integers
  ["households", "5 ho", 5],
  ["households", "5 hộ", 5],
  ["households", "năm", 5],
  ["households", "nam ho", 5],
  ["households", "Dạ có 12 hộ ạ", 12],
  ["households", "hai mươi lăm", 25],
  ["households", "không có hộ nào", 0],
  ["households", "chưa có ạ", 0],
  ["households", "501", E_("out_of_range")],
  ["households", "1.234", E_("out_of_range")],
  ["households", "2,5", E_("not_an_integer")],
  ["households", "nhiều lắm", E_("not_a_number")],
  ["households", "5 hộ, 3 người", E_("not_a_number")],
  ["households", "", E_("required")],
  ["members", "1.234", 1234],
  ["members", "1,234", 1234],
  ["members", "12.345", 12345],
  ["members", "1 triệu", E_("out_of_range")],
  ["sessions", "3 buổi", 3],
  ["sessions", "0", E_("out_of_range")],
  // decimals
  ["share", "86,4%", 86.4],
  ["share", "86,4", 86.4],
  ["share", "83.85%", 83.85],
  ["share", "83.85", 83.85],
  ["share", "2,5", 2.5],
  ["share", "100%", 100],
  ["share", "tám mươi sáu phẩy tư", 86.4],
  ["share", "12,345", 12.345],
  ["share", "101", E_("out_of_range")],
  ["share", "86,4,5", E_("not_a_number")],
  ["amount", "1.234", 1234],
  ["amount", "1,5tr", E_("out_of_range")],
  ["amount", "1.234,5", 1234.5],
  ["amount", "2k", 2000],
  // dates
  ["heldOn", "05/08/2023", "2023-08-05"],
  ["heldOn", "5/8/2023", "2023-08-05"],
  ["heldOn", "5-8-2023", "2023-08-05"],
  ["heldOn", "28/6", "2024-06-28"],
  ["heldOn", "hom nay", "2024-03-15"],
  ["heldOn", "hôm qua", "2024-03-14"],
  ["heldOn", "29/2/2024", "2024-02-29"],
  ["heldOn", "31/4/2024", E_("invalid_date")],
  ["heldOn", "29/2/2023", E_("invalid_date")],
  ["heldOn", "tuần trước", E_("bad_date")],
  // part of total
  ["victims", "12/15", { part: 12, total: 15 }],
  ["victims", "12 / 15", { part: 12, total: 15 }],
  ["victims", "12 tren 15", { part: 12, total: 15 }],
  ["victims", "12 trên 15", { part: 12, total: 15 }],
  ["victims", "12 trong 15", { part: 12, total: 15 }],
  ["victims", "12 trong tổng số 15", { part: 12, total: 15 }],
  ["victims", "dạ 3 được hỗ trợ / 4 được phát hiện ạ", { part: 3, total: 4 }],
  ["victims", "không có", { part: 0, total: 0 }],
  ["victims", "15/12", E_("part_gt_total")],
  ["victims", "12", E_("not_part_of_total")],
  ["victims", "12/1.500", E_("out_of_range")],
  ["victims", "1,5/3", E_("not_an_integer")],
  // choices
  ["model", "2", "giao_duc_cha_me"],
  ["model", "giao duc cha me", "giao_duc_cha_me"],
  ["model", "Giáo dục cha mẹ", "giao_duc_cha_me"],
  ["model", "dia chi tin cay", "dia_chi_tin_cay"],
  ["model", "9", E_("choice_out_of_range")],
  ["model", "giáo dục", E_("ambiguous_choice")],
  ["model", "1, 3", E_("one_choice_only")],
  ["model", "khuyến học", E_("unknown_choice")],
  ["models", "1, 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
  ["models", "1 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
  ["models", "1 và 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
  ["models", "1;3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
  ["models", "giao duc cha me, dia chi tin cay", ["giao_duc_cha_me", "dia_chi_tin_cay"]],
  ["models", "tat ca", ["dich_vu_gia_dinh", "giao_duc_cha_me", "giao_duc_truoc_hon_nhan", "gia_dinh_am_no", "clb_vi_thanh_nien", "clb_sua_me", "dia_chi_tin_cay"]],
  ["models", "1, 8", E_("choice_out_of_range")],
  // text
  ["note", "  Tại nhà văn hóa  ", "Tại nhà văn hóa"],
  ["note", "Chi hội đã tổ chức 3 buổi tuyên truyền", E_("too_long")],
  ["story", "-", E_("required")],
];

describe("parseAnswer corpus", () => {
  it.each(CORPUS)("%s: %j", (q, text, expected) => {
    const r = parse(Q[q], text);
    if (expected instanceof E) expect(r).toMatchObject({ ok: false, error: { code: expected.code } });
    else expect(r).toEqual(value(expected));
  });
});

describe("skipping", () => {
  it.each(["", "   ", "bỏ qua", "Bỏ qua", "bo qua", "-", "skip", "dạ bỏ qua ạ"])("%j skips an optional question", (text) => {
    expect(parse(Q.sessions, text)).toEqual({ ok: true, value: null, skipped: true });
    expect(parse(Q.heldOptional, text)).toEqual({ ok: true, value: null, skipped: true });
    expect(parse(Q.note, text)).toEqual({ ok: true, value: null, skipped: true });
  });

  it("is refused on a required question", () => {
    expect(parse(Q.households, "bỏ qua")).toEqual(error("required", {}));
    expect(parse(Q.held, "")).toEqual(error("required", {}));
  });

  it("does not take '-5' or 'bỏ' for a skip", () => {
    expect(isSkipInput("-5")).toBe(false);
    expect(isSkipInput("bỏ")).toBe(false);
    expect(parse(Q.sessions, "-5")).toMatchObject({ ok: false, error: { code: "out_of_range" } });
  });

  it("narrows by type: a skip has no value, an answer has one", () => {
    const r: ParseResult = parse(Q.sessions, "bo qua");
    const shown = !r.ok ? "error" : r.skipped ? "skipped" : `value ${String(r.value)}`;
    expect(shown).toBe("skipped");
  });
});

describe("error params", () => {
  it("out_of_range gives the number and bounds", () => {
    expect(parse(Q.households, "600")).toEqual(error("out_of_range", { n: 600, min: 0, max: 500 }));
    expect(parse(Q.victims, "1/2000")).toEqual(error("out_of_range", { n: 2000, min: 0, max: 1000 }));
  });

  it("echoes the input, shortened when long", () => {
    expect(parse(Q.held, "có lẽ")).toEqual(error("not_yes_no", { input: "có lẽ" }));
    const long = "x".repeat(60);
    const r = parse(Q.households, long);
    expect(r).toMatchObject({ ok: false, error: { code: "not_a_number" } });
    if (!r.ok) expect([...String(r.error.params.input)]).toHaveLength(40);
  });

  it("not_an_integer carries the number read", () => {
    expect(parse(Q.households, "2,5")).toEqual(error("not_an_integer", { input: "2,5", n: 2.5 }));
  });

  it("invalid_date shows the day as typed in Vietnamese order", () => {
    expect(parse(Q.heldOn, "31/4/2024")).toEqual(
      error("invalid_date", { date: "31/04/2024", day: 31, month: 4, year: 2024 }),
    );
  });

  it("part_gt_total names both counts", () => {
    expect(parse(Q.victims, "15/12")).toEqual(
      error("part_gt_total", { part: 15, total: 12, partLabel: "được hỗ trợ", totalLabel: "được phát hiện" }),
    );
  });

  it("choice errors carry the number of choices and the candidates", () => {
    expect(parse(Q.model, "9")).toEqual(error("choice_out_of_range", { n: 9, count: 7 }));
    expect(parse(Q.model, "khuyến học")).toEqual(error("unknown_choice", { input: "khuyến học", count: 7 }));
    expect(parse(Q.model, "1, 3")).toEqual(error("one_choice_only", { count: 7 }));
    expect(parse(Q.model, "giáo dục")).toEqual(
      error("ambiguous_choice", {
        input: "giáo dục",
        options: "Giáo dục cha mẹ; Giáo dục trước hôn nhân",
        candidates: ["giao_duc_cha_me", "giao_duc_truoc_hon_nhan"],
        count: 7,
      }),
    );
  });

  it("too_long counts characters, not bytes", () => {
    expect(parse(Q.note, "Đã tổ chức 3 buổi tuyên truyền")).toEqual(error("too_long", { length: 30, maxLength: 20 }));
    expect(parse(Q.note, "Ấm no, hạnh phúc")).toEqual(value("Ấm no, hạnh phúc"));
  });
});

describe("decimal questions and the 3-digit group", () => {
  it("reads thousands when in range, else the decimal reading if that one is in range", () => {
    expect(parse(Q.amount, "1.234")).toEqual(value(1234));
    expect(parse(Q.share, "1.234")).toEqual(value(1.234));
    // Neither reading (123456, 123.456) is within 0–100: the error reports the thousands reading.
    expect(parse(Q.share, "123.456")).toEqual(error("out_of_range", { n: 123456, min: 0, max: 100 }));
  });
});

describe("dates default to today in Vietnam", () => {
  it("parses 'hôm nay' without a reference day", () => {
    const r = parseAnswer(Q.heldOn, "hôm nay");
    expect(r.ok && !r.skipped && /^\d{4}-\d{2}-\d{2}$/.test(String(r.value))).toBe(true);
  });
});
