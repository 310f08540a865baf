import { describe, expect, it } from "vitest";
import { questionSchema, type Question } from "../../plan/schema.js";
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
  ["amount", "1.234", E_("ambiguous_number")],
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

/**
 * Issue 11 ("Answering on a phone"): answers that were read wrong or re-asked needlessly. Each row:
 * question, text, expected parse, and why.
 */
const PHONE_Q = {
  ...Q,
  rate: questionSchema.parse({ key: "rate", text: "Tỷ lệ hộ tham gia?", type: "decimal", max: 100 }),
};
const PHONE_ANSWERS: Array<[keyof typeof PHONE_Q, string, unknown, string]> = [
  // Never a silent wrong value: "dạ" before a statement is not a yes.
  ["held", "dạ em quên mất", E_("later"), "she forgot: not an answer, asked again politely"],
  ["held", "dạ để em hỏi lại", E_("later"), "she will check: not a yes"],
  ["held", "dạ chị chờ em tí", E_("later"), "asks to wait: not a yes"],
  ["held", "dạ em quên mất rồi", E_("later"), "a final 'rồi' does not make forgetting a yes"],
  ["held", "dạ em đang họp", E_("later"), "busy: not a yes"],
  ["held", "dạ tháng này bận quá", E_("not_yes_no"), "'dạ' + a statement without yes or no words"],
  ["held", "đã tổ chức", true, "'đã' (typed with its marks) = did: yes"],
  ["held", "da to chuc roi", true, "ends in 'rồi' (already): yes, even without marks"],
  ["held", "dạ có", true, "'dạ' with a yes word is yes"],
  ["held", "dạ vâng ạ", true, "'dạ' with a yes word is yes"],
  ["held", "không, có", E_("not_yes_no"), "a no and a yes in two clauses"],
  ["held", "ko, co", E_("not_yes_no"), "the same without marks"],
  ["held", "vâng, không có ạ", false, "'vâng' acknowledges; the answer is 'không có'"],
  ["held", "👍", true, "thumbs up on a yes/no question"],
  ["held", "👍🏽", true, "with a skin tone"],
  ["held", "dạ 👌", true, "OK hand with a polite word"],
  ["held", "👎", false, "thumbs down"],
  ["held", "👍👎", E_("not_yes_no"), "both"],
  ["held", "🤔", E_("not_yes_no"), "any other emoji: the expected form again, not 'cannot skip'"],
  // Numbers: signs, bounds, ranges, 'later', percentages.
  ["households", "–3", E_("out_of_range"), "en dash minus is seen (and refused: min 0)"],
  ["households", "−3", E_("out_of_range"), "U+2212 minus"],
  ["households", "—3", E_("out_of_range"), "em dash"],
  ["households", "30%", E_("percent_for_count"), "a percentage where a count is asked"],
  ["households", "10+", E_("approximate"), "'at least 10' is not a figure"],
  ["households", "hơn 30", E_("approximate"), "'more than 30'"],
  ["households", "trên 30 hộ", E_("approximate"), "'over 30'"],
  ["households", "1-3", E_("range"), "a range"],
  ["households", "5 đến 7", E_("range"), "a range in words"],
  ["households", "5 hoặc 6", E_("range"), "'5 or 6'"],
  ["households", "sau", E_("later"), "'sau' typed bare is 'later' (six is 'sáu')"],
  ["households", "sau nhé", E_("later"), "'later, ok?'"],
  ["households", "để sau", E_("later"), "'leave it for later'"],
  ["households", "sáu", 6, "six, with its mark"],
  ["households", "sau muoi", 60, "'sáu mươi' without marks: a number word follows"],
  ["households", "hai muoi sau", 26, "'sáu' after tens"],
  ["households", "５", 5, "full-width digit"],
  ["households", "bốn lăm", 45, "spoken tens: 'bốn (mươi) lăm'"],
  ["households", "hai mốt", 21, "'hai (mươi) mốt'"],
  ["households", "ba tư", 34, "'ba (mươi) tư'"],
  ["households", "năm sáu", E_("not_a_number"), "'five or six', not 56: 'sáu' is not a spoken-tens unit"],
  ["households", "8 hộ đạt chuẩn", 8, "the question's own words after the number"],
  ["members", "một nghìn hai", 1200, "'một nghìn hai (trăm)'"],
  ["members", "2 000", 2000, "space-grouped thousands"],
  ["members", "12 345 hội viên", 12345, "space-grouped thousands with a unit"],
  ["members", "1,234", 1234, "a count has no decimals: one separator before 3 digits is thousands"],
  ["members", "1.234", 1234, "Vietnamese thousands dot"],
  ["members", "50%", E_("percent_for_count"), "a percentage where a count is asked"],
  ["share", ",5", 0.5, "a leading decimal comma: 0,5 (was read as 5)"],
  ["share", ",5%", 0.5, "the same with a percent sign"],
  ["share", "bảy lăm phần trăm", 75, "spoken tens and 'phần trăm'"],
  ["share", "–5", E_("out_of_range"), "a negative percentage is refused, not read as 5"],
  ["amount", "1,234", E_("ambiguous_number"), "1,234 or 1234: both possible amounts, asked back"],
  ["amount", "12.500", E_("ambiguous_number"), "12,5 or 12500"],
  ["amount", "200 000", 200_000, "space-grouped thousands"],
  ["amount", "20%", E_("percent_for_count"), "a percentage where an amount is asked"],
  ["rate", "20%", 20, "a decimal question whose text asks for a rate ('Tỷ lệ') takes a percent sign"],
  // Choices.
  ["model", "4. Địa chỉ tin cậy", E_("ambiguous_choice"), "number 4 (ấm no here) and the label of 7 disagree"],
  ["model", "7. Địa chỉ tin cậy", "dia_chi_tin_cay", "number and label as the list shows them"],
  ["model", "7 - Địa chỉ…", "dia_chi_tin_cay", "number, dash and a cut label"],
  ["model", "7) dia chi tin cay", "dia_chi_tin_cay", "no marks"],
  ["model", "dctc", "dia_chi_tin_cay", "initials of the label"],
  ["model", "１", "dich_vu_gia_dinh", "full-width digit"],
  ["model", "1-3", E_("one_choice_only"), "a range on a single choice"],
  ["models", "1-3", E_("choice_range"), "1 to 3, or 1 and 3? asked, never guessed"],
  ["models", "1 – 3", E_("choice_range"), "en dash"],
  ["models", "1 đến 3", ["dich_vu_gia_dinh", "giao_duc_cha_me", "giao_duc_truoc_hon_nhan"], "a range in words is clear"],
  ["models", "2. Giáo dục cha mẹ\n7. Địa chỉ tin cậy", ["giao_duc_cha_me", "dia_chi_tin_cay"], "copied lines of the list"],
  ["models", "ko", E_("unknown_choice"), "required multiple choice: 'none' is not an answer"],
  // Dates.
  ["heldOn", "mùng 5 tháng 6", "2024-06-05", "'mùng' for the first ten days"],
  ["heldOn", "mồng 5/6", "2024-06-05", "'mồng' with a slash"],
  ["heldOn", "２８/６", "2024-06-28", "full-width digits"],
  ["heldOn", "28 thg 6", "2024-06-28", "'thg' for 'tháng'"],
  // Found by the held-out batch of the independent corpus.
  ["households", "có 23 hộ tham gia", 23, "a counted word, then a plain statement"],
  ["households", "5 hộ chưa đạt", E_("not_a_number"), "a negation in the statement changes what is counted"],
  ["households", "20 hộ, trong đó 5 hộ nghèo", E_("not_a_number"), "two numbers: asked, not guessed"],
  ["held", "khg", false, "'khg' shorthand for 'không'"],
  ["held", "dạ tháng này chưa", false, "a time, then a final 'chưa' (not yet)"],
  ["held", "tháng này chưa?", E_("not_yes_no"), "the same as a question back"],
  ["held", "chưa ạ, tháng sau ạ", false, "'tháng sau' (next month) is not 'sau' (later)"],
  ["models", "tất cả các mô hình", ["dich_vu_gia_dinh", "giao_duc_cha_me", "giao_duc_truoc_hon_nhan", "gia_dinh_am_no", "clb_vi_thanh_nien", "clb_sua_me", "dia_chi_tin_cay"], "'all the models'"],
  ["models", "hết rồi", E_("unknown_choice"), "'hết rồi' may mean 'none left': not read as all"],
  ["models", "Dạ em có 2 mô hình: giáo dục cha mẹ và địa chỉ tin cậy", ["giao_duc_cha_me", "dia_chi_tin_cay"], "the list after a colon"],
  ["heldOn", "hnay", "2024-03-15", "'hnay' shorthand for 'hôm nay'"],
  ["heldOn", "2024/03/10", "2024-03-10", "year first with slashes"],
  ["heldOn", "mồng một tháng ba", "2024-03-01", "day and month in words"],
  ["victims", "hỗ trợ 2 trên 3", { part: 2, total: 3 }, "the label before the number"],
  // Skips.
  ["sessions", "👍", E_("not_a_number"), "an emoji on an optional number: the expected form again, never a skip"],
  ["heldOptional", "👍", true, "thumbs up on an optional yes/no is yes, not a skip"],
  ["sessions", "dạ bỏ qua ạ", null, "still a skip"],
];

describe("answers on a phone (issue 11)", () => {
  it.each(PHONE_ANSWERS)("%s: %j → %j (%s)", (q, text, expected) => {
    const r = parse(PHONE_Q[q], text);
    if (expected instanceof E) expect(r).toMatchObject({ ok: false, error: { code: expected.code } });
    else if (expected === null) expect(r).toEqual({ ok: true, value: null, skipped: true });
    else expect(r).toEqual(value(expected));
  });

  it("'không có' on an optional multiple choice is none (a skip)", () => {
    const optional = { ...Q.models, optional: true };
    for (const text of ["không có", "ko", "k", "chưa có", "không có mô hình nào", "dạ không có ạ"]) {
      expect(parse(optional, text), text).toEqual({ ok: true, value: null, skipped: true });
    }
    expect(parse(optional, "không biết")).toMatchObject({ ok: false });
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
  it("asks which reading when both are in range, takes the only one in range otherwise", () => {
    // 1,234 (Vietnamese decimal comma) and 1234 (thousands) are both possible amounts: asked back.
    expect(parse(Q.amount, "1.234")).toEqual(error("ambiguous_number", { input: "1.234", decimal: 1.234, thousands: 1234 }));
    expect(parse(Q.amount, "1,234")).toEqual(error("ambiguous_number", { input: "1,234", decimal: 1.234, thousands: 1234 }));
    // A percentage cannot be 1234: the decimal reading is the only one.
    expect(parse(Q.share, "1.234")).toEqual(value(1.234));
    expect(parse(Q.share, "1,234")).toEqual(value(1.234));
    // "000" after the mark is always thousands; several groups are never ambiguous.
    expect(parse(Q.amount, "10.000")).toEqual(value(10000));
    expect(parse(Q.amount, "123.456.7")).toMatchObject({ ok: false });
    expect(parse(Q.amount, "123.456,7")).toEqual(value(123456.7));
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
