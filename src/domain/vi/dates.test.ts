import { describe, expect, it } from "vitest";
import { addDays, daysInMonth, isLeapYear, nearestYear, parseDate, vietnamToday } from "./dates.js";

const TODAY = "2024-03-15";

describe("parseDate", () => {
  it.each([
    ["05/08/2023", "2023-08-05"],
    ["5/8/2023", "2023-08-05"],
    ["05-08-2023", "2023-08-05"],
    ["05.08.2023", "2023-08-05"],
    ["5 / 8 / 2023", "2023-08-05"],
    ["5/8/23", "2023-08-05"],
    ["2023-08-05", "2023-08-05"],
    ["ngày 5 tháng 8 năm 2023", "2023-08-05"],
    ["ngay 5 thang 8 nam 2023", "2023-08-05"],
    ["ngày 05/08/2023", "2023-08-05"],
    ["Dạ ngày 05/08/2023 ạ", "2023-08-05"],
    ["29/2/2024", "2024-02-29"],
    ["31/12/2023", "2023-12-31"],
    ["hôm nay", "2024-03-15"],
    ["hom nay", "2024-03-15"],
    ["Dạ hôm nay ạ", "2024-03-15"],
    ["hôm qua", "2024-03-14"],
    ["hom qua", "2024-03-14"],
    ["hôm kia", "2024-03-13"],
    ["1/3", "2024-03-01"],
    ["28/6", "2024-06-28"],
    ["ngày 10 tháng 6", "2024-06-10"],
  ])("%j → %s", (text, iso) => {
    expect(parseDate(text, TODAY)).toEqual({ ok: true, value: iso });
  });

  it.each([
    ["31/4/2024", { year: 2024, month: 4, day: 31 }],
    ["29/2/2023", { year: 2023, month: 2, day: 29 }],
    ["30/02/2024", { year: 2024, month: 2, day: 30 }],
    ["31/6", { year: 2024, month: 6, day: 31 }],
  ])("%j is not a real day", (text, date) => {
    expect(parseDate(text, TODAY)).toEqual({ ok: false, code: "invalid_date", date });
  });

  it.each(["12/15", "32/1/2024", "0/1/2024", "5/8/1800", "abc", "5", "05/08-2023", "tháng 8", ""])(
    "%j is not a date",
    (text) => {
      expect(parseDate(text, TODAY)).toEqual({ ok: false, code: "bad_date" });
    },
  );

  it("picks the year closest to the reference day for d/m", () => {
    expect(parseDate("28/12", "2024-01-05")).toEqual({ ok: true, value: "2023-12-28" });
    expect(parseDate("5/1", "2024-12-20")).toEqual({ ok: true, value: "2025-01-05" });
    expect(parseDate("5/8", "2024-01-05")).toEqual({ ok: true, value: "2023-08-05" });
    expect(parseDate("29/2", "2023-03-01")).toEqual({ ok: true, value: "2024-02-29" });
  });

  it("'hôm qua' crosses month and year boundaries", () => {
    expect(parseDate("hôm qua", "2024-03-01")).toEqual({ ok: true, value: "2024-02-29" });
    expect(parseDate("hôm qua", "2024-01-01")).toEqual({ ok: true, value: "2023-12-31" });
  });

  it("rejects a malformed reference day", () => {
    expect(() => parseDate("hôm nay", "15/03/2024")).toThrow(RangeError);
  });
});

describe("calendar helpers", () => {
  it("knows leap years and month lengths", () => {
    expect([isLeapYear(2024), isLeapYear(2023), isLeapYear(1900), isLeapYear(2000)]).toEqual([true, false, false, true]);
    expect([daysInMonth(2024, 2), daysInMonth(2023, 2), daysInMonth(2024, 4), daysInMonth(2024, 12)]).toEqual([29, 28, 30, 31]);
    expect(addDays("2023-12-31", 1)).toBe("2024-01-01");
    expect(nearestYear(31, 4, { year: 2024, month: 1, day: 1 })).toBeNull();
  });

  it("computes today in Vietnam (UTC+7)", () => {
    expect(vietnamToday(new Date("2024-03-14T16:59:59Z"))).toBe("2024-03-14");
    expect(vietnamToday(new Date("2024-03-14T17:00:00Z"))).toBe("2024-03-15");
  });
});

/** Issue 11: dates typed on a phone. [text, date or null, why]. Reference day 2024-03-15. */
describe("dates on a phone", () => {
  it.each([
    ["mùng 5 tháng 6", "2024-06-05", "'mùng' for the first ten days of a month"],
    ["mồng 5 tháng 6", "2024-06-05", "'mồng', the northern spelling"],
    ["mung 5 thang 6", "2024-06-05", "no marks"],
    ["ngày mùng 5 tháng 6", "2024-06-05", "with 'ngày'"],
    ["mồng 2/5", "2024-05-02", "with a slash"],
    ["２８/６", "2024-06-28", "full-width digits"],
    ["28 thg 6", "2024-06-28", "'thg' for 'tháng'"],
    ["28 – 29/6", null, "two days: not one date"],
  ])("%j → %j (%s)", (text, expected, _why) => {
    const r = parseDate(text, TODAY);
    if (expected === null) expect(r.ok).toBe(false);
    else expect(r).toEqual({ ok: true, value: expected });
  });
});
