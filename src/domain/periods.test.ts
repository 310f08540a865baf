import { describe, expect, it } from "vitest";
import type { Form, Plan } from "../plan/schema.js";
import {
  currentPeriod,
  dueDate,
  formPeriods,
  isOnTime,
  makePeriod,
  nextPeriod,
  parsePeriodKey,
  parsePeriodText,
  periodLabel,
  periodOf,
  periodsBetween,
  previousPeriod,
  splitPeriodText,
  type Period,
} from "./periods.js";

/** An instant written in local time (+07:00). */
const at = (local: string) => new Date(`${local}+07:00`);

function form(partial: Partial<Form> & Pick<Form, "period">): Form {
  return {
    key: "bc",
    title: "Báo cáo",
    unitKinds: ["branch"],
    questions: [{ key: "q", text: "?", type: "yes_no", optional: false }],
    due: { day: 20, monthOffset: 0, time: "23:59" },
    ...partial,
  } as Form;
}
const plan = { start: "2023-02-14", end: "2025-12-31" } as Pick<Plan, "start" | "end">;

describe("periodOf", () => {
  it("uses local time around the half-year boundary", () => {
    expect(periodOf("half_yearly", at("2024-06-30T23:30:00")).key).toBe("2024-H1");
    expect(periodOf("half_yearly", at("2024-07-01T00:00:00")).key).toBe("2024-H2");
    expect(periodOf("monthly", at("2024-06-30T23:59:59.999")).key).toBe("2024-06");
  });
  it("uses local time around the new year", () => {
    expect(periodOf("yearly", at("2024-12-31T23:59:59")).key).toBe("2024");
    expect(periodOf("yearly", at("2025-01-01T00:00:00")).key).toBe("2025");
    expect(periodOf("half_yearly", at("2025-01-01T00:00:00")).key).toBe("2025-H1");
  });
  it("reads a UTC instant in Vietnam's time zone", () => {
    const p = periodOf("monthly", new Date("2024-06-30T17:30:00Z")); // 00:30 on 1 July local
    expect(p.key).toBe("2024-07");
    expect(periodOf("half_yearly", new Date("2024-06-30T17:30:00Z")).key).toBe("2024-H2");
    expect(periodOf("monthly", new Date("2024-06-30T16:59:59Z")).key).toBe("2024-06");
  });
  it("gives local-midnight bounds with an exclusive end", () => {
    const p = periodOf("monthly", at("2024-02-10T12:00:00"));
    expect(p.start.toISOString()).toBe("2024-01-31T17:00:00.000Z");
    expect(p.end.toISOString()).toBe("2024-02-29T17:00:00.000Z"); // leap year: 1 March local
    expect(periodOf("monthly", at("2023-02-10T12:00:00")).end.toISOString()).toBe("2023-02-28T17:00:00.000Z");
    const h2 = makePeriod("half_yearly", 2024, 2);
    expect(h2.start.toISOString()).toBe("2024-06-30T17:00:00.000Z");
    expect(h2.end.toISOString()).toBe("2024-12-31T17:00:00.000Z");
    const y = makePeriod("yearly", 2024);
    expect([y.start.toISOString(), y.end.toISOString()]).toEqual(["2023-12-31T17:00:00.000Z", "2024-12-31T17:00:00.000Z"]);
  });
  it("once-periods are keyed by the form, or 'once'", () => {
    expect(periodOf("once", at("2024-01-01T00:00:00")).key).toBe("once");
    const p = periodOf("once", at("2024-01-01T00:00:00"), { form: { key: "hoi_nghi", from: "2023-05-01", until: "2023-06-10" } });
    expect(p.key).toBe("hoi_nghi");
    expect(p.end.toISOString()).toBe("2023-06-10T17:00:00.000Z");
  });
});

describe("keys, next, previous, between", () => {
  it("parses valid keys and rejects invalid ones", () => {
    expect(parsePeriodKey("monthly", "2024-05")?.index).toBe(5);
    expect(parsePeriodKey("monthly", "2024-13")).toBeNull();
    expect(parsePeriodKey("monthly", "2024-5")).toBeNull();
    expect(parsePeriodKey("half_yearly", "2024-H2")?.start.toISOString()).toBe("2024-06-30T17:00:00.000Z");
    expect(parsePeriodKey("half_yearly", "2024-H3")).toBeNull();
    expect(parsePeriodKey("yearly", "2024")?.key).toBe("2024");
    expect(parsePeriodKey("yearly", "2024-05")).toBeNull();
    expect(parsePeriodKey("once", "hoi_nghi", { form: { key: "hoi_nghi" } })?.key).toBe("hoi_nghi");
    expect(parsePeriodKey("once", "khac", { form: { key: "hoi_nghi" } })).toBeNull();
  });
  it("steps across year ends", () => {
    expect(nextPeriod(makePeriod("monthly", 2024, 12))?.key).toBe("2025-01");
    expect(previousPeriod(makePeriod("monthly", 2024, 1))?.key).toBe("2023-12");
    expect(nextPeriod(makePeriod("half_yearly", 2024, 2))?.key).toBe("2025-H1");
    expect(previousPeriod(makePeriod("half_yearly", 2024, 1))?.key).toBe("2023-H2");
    expect(previousPeriod(makePeriod("yearly", 2024))?.key).toBe("2023");
    expect(nextPeriod(periodOf("once", new Date()))).toBeNull();
  });
  it("lists periods between two instants, inclusive", () => {
    expect(periodsBetween("monthly", at("2023-11-15T00:00:00"), at("2024-02-01T00:00:00")).map((p) => p.key)).toEqual([
      "2023-11",
      "2023-12",
      "2024-01",
      "2024-02",
    ]);
    expect(periodsBetween("half_yearly", at("2023-07-01T00:00:00"), at("2024-12-31T23:00:00")).map((p) => p.key)).toEqual([
      "2023-H2",
      "2024-H1",
      "2024-H2",
    ]);
    expect(periodsBetween("monthly", at("2024-02-01T00:00:00"), at("2024-01-01T00:00:00"))).toEqual([]);
  });
  it("formPeriods respects form from/until and the plan", () => {
    const keys = formPeriods(form({ period: "half_yearly" }), plan).map((p) => p.key);
    expect(keys).toEqual(["2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1", "2025-H2"]);
    const monthly = formPeriods(form({ period: "monthly", from: "2023-07-01", until: "2026-06-30" }), plan);
    expect(monthly[0]!.key).toBe("2023-07");
    expect(monthly.at(-1)!.key).toBe("2025-12"); // clamped to the plan's end
    expect(monthly).toHaveLength(30);
    const once = formPeriods(form({ period: "once", key: "hoi_nghi", until: "2023-06-10", due: { date: "2023-06-10", time: "23:59" } }), plan);
    expect(once.map((p) => p.key)).toEqual(["hoi_nghi"]);
  });
});

describe("labels", () => {
  it("are Vietnamese by default", () => {
    expect(periodLabel(makePeriod("monthly", 2024, 5))).toBe("tháng 5/2024");
    expect(periodLabel(makePeriod("half_yearly", 2024, 1))).toBe("6 tháng đầu năm 2024");
    expect(periodLabel(makePeriod("half_yearly", 2024, 2))).toBe("6 tháng cuối năm 2024");
    expect(periodLabel(makePeriod("yearly", 2024))).toBe("năm 2024");
    expect(periodLabel(makePeriod("monthly", 2024, 5), "en")).toBe("05/2024");
  });
});

describe("dueDate and isOnTime", () => {
  const iso = (d: Date) => d.toISOString();
  it("ends at the last millisecond of the local minute", () => {
    const due = dueDate(form({ period: "monthly" }), makePeriod("monthly", 2024, 5));
    expect(iso(due)).toBe("2024-05-20T16:59:59.999Z"); // 20/05 23:59:59.999 local
    expect(isOnTime(at("2024-05-20T23:59:30"), due)).toBe(true);
    expect(isOnTime(at("2024-05-20T23:59:59.999"), due)).toBe(true);
    expect(isOnTime(at("2024-05-21T00:00:00"), due)).toBe(false);
    expect(isOnTime(at("2024-05-10T08:00:00"), due)).toBe(true);
  });
  it("honours a custom time", () => {
    const due = dueDate(form({ period: "monthly", due: { day: 5, monthOffset: 1, time: "17:00" } }), makePeriod("monthly", 2024, 12));
    expect(iso(due)).toBe("2025-01-05T10:00:59.999Z"); // 05/01/2025 17:00 local, the whole minute
    expect(isOnTime(at("2025-01-05T17:01:00"), due)).toBe(false);
  });
  it("clamps day 31 and 'last' to the month's end", () => {
    const f31 = form({ period: "monthly", due: { day: 31, monthOffset: 0, time: "23:59" } });
    expect(iso(dueDate(f31, makePeriod("monthly", 2024, 6)))).toBe("2024-06-30T16:59:59.999Z");
    expect(iso(dueDate(f31, makePeriod("monthly", 2024, 2)))).toBe("2024-02-29T16:59:59.999Z");
    expect(iso(dueDate(f31, makePeriod("monthly", 2023, 2)))).toBe("2023-02-28T16:59:59.999Z");
    expect(iso(dueDate(f31, makePeriod("monthly", 2024, 7)))).toBe("2024-07-31T16:59:59.999Z");
    const fLast = form({ period: "monthly", due: { day: "last", monthOffset: 1, time: "23:59" } });
    expect(iso(dueDate(fLast, makePeriod("monthly", 2024, 1)))).toBe("2024-02-29T16:59:59.999Z");
  });
  it("uses the last month of half-years and years, with offsets across the year", () => {
    const half = form({ period: "half_yearly", due: { day: 15, monthOffset: 1, time: "23:59" } });
    expect(iso(dueDate(half, makePeriod("half_yearly", 2024, 1)))).toBe("2024-07-15T16:59:59.999Z");
    expect(iso(dueDate(half, makePeriod("half_yearly", 2024, 2)))).toBe("2025-01-15T16:59:59.999Z");
    const year = form({ period: "yearly", due: { day: 15, monthOffset: -1, time: "23:59" } });
    expect(iso(dueDate(year, makePeriod("yearly", 2024)))).toBe("2024-11-15T16:59:59.999Z");
  });
  it("uses the date of a once-form", () => {
    const f = form({ period: "once", key: "hoi_nghi", due: { date: "2023-06-10", time: "23:59" } });
    expect(iso(dueDate(f, formPeriods(f, plan)[0]!))).toBe("2023-06-10T16:59:59.999Z");
  });
});

describe("currentPeriod", () => {
  it("monthly due the 20th of the same month: the current month, even after the 20th", () => {
    const f = form({ period: "monthly" });
    expect(currentPeriod(f, at("2024-05-03T09:00:00"), plan).key).toBe("2024-05");
    expect(currentPeriod(f, at("2024-05-21T09:00:00"), plan).key).toBe("2024-05");
    expect(currentPeriod(f, at("2024-05-31T23:59:59"), plan).key).toBe("2024-05");
    expect(currentPeriod(f, at("2024-06-01T00:00:00"), plan).key).toBe("2024-06");
  });
  it("monthly due the 5th of the next month: the previous month until its deadline passes", () => {
    const f = form({ period: "monthly", due: { day: 5, monthOffset: 1, time: "23:59" } });
    expect(currentPeriod(f, at("2024-05-03T09:00:00"), plan).key).toBe("2024-04");
    expect(currentPeriod(f, at("2024-05-05T23:59:30"), plan).key).toBe("2024-04");
    expect(currentPeriod(f, at("2024-05-06T00:00:00"), plan).key).toBe("2024-05");
    expect(currentPeriod(f, at("2025-01-02T00:00:00"), plan).key).toBe("2024-12");
  });
  it("half-yearly and yearly reports due after the period", () => {
    const half = form({ period: "half_yearly", due: { day: 15, monthOffset: 1, time: "23:59" } });
    expect(currentPeriod(half, at("2024-07-10T00:00:00"), plan).key).toBe("2024-H1");
    expect(currentPeriod(half, at("2024-07-16T00:00:00"), plan).key).toBe("2024-H2");
    const year = form({ period: "yearly", due: { day: "last", monthOffset: 1, time: "23:59" } });
    expect(currentPeriod(year, at("2025-01-20T00:00:00"), plan).key).toBe("2024");
    expect(currentPeriod(year, at("2025-02-01T00:00:00"), plan).key).toBe("2025");
  });
  it("stays within the form's range", () => {
    const f = form({ period: "monthly", from: "2023-07-01", until: "2025-12-31" });
    expect(currentPeriod(f, at("2023-03-01T00:00:00"), plan).key).toBe("2023-07");
    expect(currentPeriod(f, at("2026-05-01T00:00:00"), plan).key).toBe("2025-12");
    // The first period never walks back before the range.
    const g = form({ period: "monthly", from: "2023-07-01", due: { day: 5, monthOffset: 1, time: "23:59" } });
    expect(currentPeriod(g, at("2023-07-03T00:00:00"), plan).key).toBe("2023-07");
  });
  it("once-forms have one period", () => {
    const f = form({ period: "once", key: "hoi_nghi", due: { date: "2023-06-10", time: "23:59" } });
    expect(currentPeriod(f, at("2024-01-01T00:00:00"), plan).key).toBe("hoi_nghi");
  });
});

describe("parsePeriodText", () => {
  const now = at("2024-05-15T10:00:00");
  const key = (text: string, kind: Period["kind"] = "monthly") => parsePeriodText(text, kind, now)?.key ?? null;
  it.each([
    ["thang 5", "2024-05"],
    ["tháng 5", "2024-05"],
    ["Tháng 5/2024", "2024-05"],
    ["THANG 05 NAM 2023", "2023-05"],
    ["tháng 5 năm 2023", "2023-05"],
    ["t5", "2024-05"],
    ["T12", "2023-12"], // the most recent December that has started
    ["th6", "2023-06"],
    ["t5/2023", "2023-05"],
    ["5/2024", "2024-05"],
    ["05-2023", "2023-05"],
    ["5/23", "2023-05"],
    ["2024-03", "2024-03"],
    ["thang truoc", "2024-04"],
    ["tháng trước", "2024-04"],
    ["thang nay", "2024-05"],
    ["6 thang dau nam", "2024-H1"],
    ["6 tháng đầu năm 2023", "2023-H1"],
    ["6 thang cuoi nam", "2023-H2"], // H2 2024 has not started yet
    ["6 thang cuoi nam 2024", "2024-H2"],
    ["6 tháng", "2024-H1"],
    ["6t dau nam 2023", "2023-H1"],
    ["nua cuoi nam 2022", "2022-H2"],
    ["2024-H2", "2024-H2"],
    ["h1 2023", "2023-H1"],
    ["nam 2024", "2024"],
    ["năm 2023", "2023"],
    ["2024", "2024"],
    ["nam nay", "2024"],
    ["năm ngoái", "2023"],
    ["nam truoc", "2023"],
    ["thang 5.", "2024-05"],
  ])("%s → %s", (text, expected) => {
    expect(key(text)).toBe(expected);
  });
  it.each(["", "nua", "nua nam", "thang 13", "13/2024", "t0", "abc", "y yen", "quy 2", "thang", "5", "nam 1800"])("%s → null", (text) => {
    expect(key(text)).toBeNull();
  });
  it("resolves 'kỳ trước' and 'kỳ này' with the form's kind and current period", () => {
    expect(key("ky truoc", "monthly")).toBe("2024-04");
    expect(key("kỳ trước", "half_yearly")).toBe("2023-H2");
    expect(key("ky truoc", "yearly")).toBe("2023");
    expect(key("ky nay", "half_yearly")).toBe("2024-H1");
    expect(parsePeriodText("ky truoc", "monthly", now, makePeriod("monthly", 2024, 4))?.key).toBe("2024-03");
    expect(key("ky truoc", "once")).toBeNull();
  });
  it("handles the local date around midnight", () => {
    // 17:30Z on 31/12 is already 1 January local.
    expect(parsePeriodText("thang truoc", "monthly", new Date("2024-12-31T17:30:00Z"))?.key).toBe("2024-12");
    expect(parsePeriodText("nam nay", "monthly", new Date("2024-12-31T17:30:00Z"))?.key).toBe("2025");
  });
  it("splits a unit name from a period phrase", () => {
    const r = splitPeriodText("Ý Yên tháng 5/2023", "monthly", now);
    expect(r.rest).toBe("Ý Yên");
    expect(r.period?.key).toBe("2023-05");
    const s = splitPeriodText("6 thang cuoi nam 2023 Hai Hau", "monthly", now);
    expect([s.rest, s.period?.key]).toEqual(["Hai Hau", "2023-H2"]);
    expect(splitPeriodText("Xuân Trường", "monthly", now)).toEqual({ rest: "Xuân Trường", period: null });
  });
});
