import { describe, expect, it } from "vitest";
import { isAllChoices, matchChoice, matchChoices } from "./choices.js";
import { MODELS } from "./test-fixtures.js";

const TWO = [
  { key: "a", label: "Tuyên truyền trực tiếp" },
  { key: "b", label: "Tuyên truyền qua mạng xã hội" },
];

describe("matchChoice", () => {
  it.each([
    ["2", "giao_duc_cha_me"],
    [" 2. ", "giao_duc_cha_me"],
    ["số 2", "giao_duc_cha_me"],
    ["chọn 2", "giao_duc_cha_me"],
    ["Dạ số 2 ạ", "giao_duc_cha_me"],
    ["Giáo dục cha mẹ", "giao_duc_cha_me"],
    ["giao duc cha me", "giao_duc_cha_me"],
    ["GIAO DUC CHA ME", "giao_duc_cha_me"],
    ["giao_duc_cha_me", "giao_duc_cha_me"],
    ["giao duc truoc", "giao_duc_truoc_hon_nhan"],
    ["giao cha me", "giao_duc_cha_me"],
    ["cha me", "giao_duc_cha_me"],
    ["dia chi tin cay", "dia_chi_tin_cay"],
    ["địa chỉ", "dia_chi_tin_cay"],
    ["sữa mẹ", "clb_sua_me"],
    ["dạ giáo dục cha mẹ ạ", "giao_duc_cha_me"],
    ["Xây dựng gia đình ấm no, hạnh phúc, tiến bộ, văn minh", "gia_dinh_am_no"],
    ["am no", "gia_dinh_am_no"],
  ])("%j → %s", (text, key) => {
    expect(matchChoice(MODELS, text)).toEqual({ ok: true, key });
  });

  it("rejects numbers outside 1..n", () => {
    expect(matchChoice(MODELS, "8")).toEqual({ ok: false, code: "choice_out_of_range", n: 8 });
    expect(matchChoice(MODELS, "0")).toEqual({ ok: false, code: "choice_out_of_range", n: 0 });
  });

  it("rejects names matching several choices", () => {
    expect(matchChoice(MODELS, "giáo dục")).toEqual({
      ok: false,
      code: "ambiguous_choice",
      candidates: ["giao_duc_cha_me", "giao_duc_truoc_hon_nhan"],
    });
    expect(matchChoice(MODELS, "clb")).toMatchObject({ ok: false, code: "ambiguous_choice" });
    expect(matchChoice(TWO, "tuyen truyen")).toMatchObject({ ok: false, code: "ambiguous_choice" });
  });

  it("rejects unknown names and too short fragments", () => {
    expect(matchChoice(MODELS, "khuyến học")).toEqual({ ok: false, code: "unknown_choice" });
    expect(matchChoice(MODELS, "me")).toEqual({ ok: false, code: "unknown_choice" });
    expect(matchChoice(MODELS, "")).toEqual({ ok: false, code: "unknown_choice" });
  });
});

describe("matchChoices", () => {
  it.each([
    ["1,3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1, 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1 và 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1 va 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1;3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1 + 3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["3, 1", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["1,1,3", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["dạ 1, 3 ạ", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"]],
    ["2", ["giao_duc_cha_me"]],
    ["giao duc cha me, dich vu gia dinh", ["dich_vu_gia_dinh", "giao_duc_cha_me"]],
    ["Giáo dục cha mẹ và Địa chỉ tin cậy", ["giao_duc_cha_me", "dia_chi_tin_cay"]],
    ["giao duc cha me\nsua me", ["giao_duc_cha_me", "clb_sua_me"]],
    ["Xây dựng gia đình ấm no, hạnh phúc, tiến bộ, văn minh, 1", ["dich_vu_gia_dinh", "gia_dinh_am_no"]],
    ["1, Xây dựng gia đình ấm no, hạnh phúc, tiến bộ, văn minh", ["dich_vu_gia_dinh", "gia_dinh_am_no"]],
  ])("%j → %j", (text, keys) => {
    expect(matchChoices(MODELS, text)).toEqual({ ok: true, keys });
  });

  it.each(["tất cả", "tat ca", "Dạ tất cả ạ", "hết", "all"])("%j selects every choice", (text) => {
    expect(matchChoices(MODELS, text)).toEqual({ ok: true, keys: MODELS.map((c) => c.key) });
  });

  it("'cả hai' / 'cả 2' mean all only when there are two choices", () => {
    expect(isAllChoices(TWO, "cả hai")).toBe(true);
    expect(isAllChoices(TWO, "ca 2")).toBe(true);
    expect(isAllChoices(MODELS, "cả hai")).toBe(false);
    expect(isAllChoices(MODELS, "cả 7")).toBe(true);
  });

  it("reports the first bad piece", () => {
    expect(matchChoices(MODELS, "1, 9")).toEqual({ ok: false, code: "choice_out_of_range", n: 9, input: "9" });
    expect(matchChoices(MODELS, "1, khuyến học")).toEqual({ ok: false, code: "unknown_choice", input: "khuyến học" });
    expect(matchChoices(MODELS, "giáo dục, 1")).toMatchObject({ ok: false, code: "ambiguous_choice", input: "giáo dục" });
    expect(matchChoices(MODELS, ", ;")).toMatchObject({ ok: false, code: "unknown_choice" });
  });
});

/** Issue 11: choices typed on a phone. [text, key(s) or error code, why]. MODELS: 7 = Địa chỉ tin cậy. */
describe("choices on a phone", () => {
  it.each([
    ["7. Địa chỉ tin cậy", "dia_chi_tin_cay", "number and label as the list shows them"],
    ["7 - Địa chỉ…", "dia_chi_tin_cay", "dash and a cut label"],
    ["7) dia chi tin cay", "dia_chi_tin_cay", "no marks"],
    ["7 dia chi tin cay a", "dia_chi_tin_cay", "a polite word after"],
    ["dctc", "dia_chi_tin_cay", "initials of the label"],
    ["gdcm", "giao_duc_cha_me", "initials"],
    ["４", "gia_dinh_am_no", "full-width digit"],
    ["2. Địa chỉ tin cậy", "ambiguous_choice", "number 2 and the label of 7 disagree"],
  ])("%j → %s (%s)", (text, expected, _why) => {
    const m = matchChoice(MODELS, text);
    if (m.ok) expect(m.key).toBe(expected);
    else expect(m.code).toBe(expected);
  });

  it.each([
    ["1 đến 3", ["dich_vu_gia_dinh", "giao_duc_cha_me", "giao_duc_truoc_hon_nhan"], "a range in words is clear"],
    ["từ 2 tới 3", ["giao_duc_cha_me", "giao_duc_truoc_hon_nhan"], "'from 2 to 3'"],
    ["1-3", "choice_range", "1 to 3, or 1 and 3: asked, never guessed"],
    ["1 – 3", "choice_range", "en dash"],
    ["1-9", "choice_out_of_range", "there is no 9"],
    ["2. Giáo dục cha mẹ\n7. Địa chỉ tin cậy", ["giao_duc_cha_me", "dia_chi_tin_cay"], "lines copied from the list"],
    ["１, ３", ["dich_vu_gia_dinh", "giao_duc_truoc_hon_nhan"], "full-width digits"],
  ])("%j → %j (%s)", (text, expected, _why) => {
    const m = matchChoices(MODELS, text);
    if (m.ok) expect(m.keys).toEqual(expected);
    else expect(m.code).toBe(expected);
  });
});
