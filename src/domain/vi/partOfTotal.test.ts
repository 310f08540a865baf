import { describe, expect, it } from "vitest";
import { parsePartOfTotal } from "./partOfTotal.js";

describe("parsePartOfTotal", () => {
  it.each([
    ["12/15", 12, 15],
    ["12 / 15", 12, 15],
    ["12 trên 15", 12, 15],
    ["12 tren 15", 12, 15],
    ["12 trong 15", 12, 15],
    ["12 trong số 15", 12, 15],
    ["12 trong tổng số 15", 12, 15],
    ["12 trên tổng số 15", 12, 15],
    ["12 hộ/15 hộ", 12, 15],
    ["Dạ, được 12/15 ạ", 12, 15],
    ["mười hai trên mười lăm", 12, 15],
    ["1.234/1.500", 1234, 1500],
    ["0/3", 0, 3],
    ["0", 0, 0],
    ["không có", 0, 0],
  ])("%j → %d of %d", (text, part, total) => {
    expect(parsePartOfTotal(text)).toEqual({ ok: true, part, total });
  });

  it("accepts the question's labels after the numbers", () => {
    expect(parsePartOfTotal("3 được hỗ trợ / 4 được phát hiện", ["được hỗ trợ", "được phát hiện"])).toEqual({
      ok: true,
      part: 3,
      total: 4,
    });
  });

  it.each(["12", "12 15", "12/15/2023", "abc/15", "12/", "/15", ""])("rejects %j", (text) => {
    expect(parsePartOfTotal(text)).toEqual({ ok: false, code: "not_part_of_total" });
  });
});
