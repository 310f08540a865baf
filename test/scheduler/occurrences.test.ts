import { describe, expect, it } from "vitest";
import {
  afterQuiet,
  chooseContentItem,
  type ContentHistoryEntry,
  cronTimes,
  durationMs,
  isQuiet,
  listOccurrences,
  type Occurrence,
  reminderSendAt,
  staleReason,
  supersede,
} from "../../src/scheduler/index.js";
import { memoryTree, seedPlan, smallPlan, vn } from "./fixtures.js";

const DAY = 86_400_000;

function summary(o: Occurrence) {
  return { rule: o.ruleKey, kind: o.kind, unit: o.unitId, sendAt: o.sendAt.toISOString(), before: o.data.before };
}

describe("time helpers", () => {
  it("durations, quiet hours (21:00–07:00 local, wrapping midnight)", () => {
    expect(durationMs("3d")).toBe(3 * DAY);
    expect(durationMs("12h")).toBe(12 * 3_600_000);
    expect(durationMs("30m")).toBe(1_800_000);
    expect(() => durationMs("3w")).toThrow();
    expect(isQuiet(vn("2024-05-17 20:59"))).toBe(false);
    expect(isQuiet(vn("2024-05-17 21:00"))).toBe(true);
    expect(isQuiet(vn("2024-05-18 06:59"))).toBe(true);
    expect(isQuiet(vn("2024-05-18 07:00"))).toBe(false);
    expect(afterQuiet(vn("2024-05-17 22:00"))).toEqual(vn("2024-05-18 07:00"));
    expect(afterQuiet(vn("2024-05-18 03:10"))).toEqual(vn("2024-05-18 07:00"));
    expect(afterQuiet(vn("2024-05-18 12:00"))).toEqual(vn("2024-05-18 12:00"));
    expect(isQuiet(vn("2024-05-18 12:30"), { start: "12:00", end: "13:30" })).toBe(true);
    expect(isQuiet(vn("2024-05-18 03:00"), { start: "00:00", end: "00:00" })).toBe(false);
  });

  it("cron times in Asia/Ho_Chi_Minh (Monday 08:00, Thursday 19:00)", () => {
    const mondays = cronTimes("0 8 * * 1", vn("2024-05-01 00:00"), vn("2024-06-01 00:00"));
    expect(mondays.map((d) => d.toISOString())).toEqual(
      ["2024-05-06", "2024-05-13", "2024-05-20", "2024-05-27"].map((d) => `${d}T01:00:00.000Z`),
    );
    expect(cronTimes("0 19 * * 4", vn("2024-05-16 19:00"), vn("2024-05-16 19:01"))).toEqual([vn("2024-05-16 19:00")]);
    expect(cronTimes("*/30 8-9 1 * *", vn("2024-06-01 00:00"), vn("2024-06-02 00:00"))).toHaveLength(4);
  });
});

describe("occurrences (pure)", () => {
  const { tree, units } = memoryTree();

  it("a reminder goes out 3 days and 1 day before the 20th 20:00 deadline, at 20:00 local, to each branch", () => {
    const occ = listOccurrences(seedPlan, tree, vn("2024-05-17 00:00"), vn("2024-05-21 00:00")).filter(
      (o) => o.ruleKey === "nhac_chi_hoi_thang",
    );
    const reminders = occ.filter((o) => o.kind === "reminder");
    expect(reminders.map(summary)).toEqual(
      [
        ["3d", "2024-05-17T13:00:00.000Z", units.b1.id],
        ["3d", "2024-05-17T13:00:00.000Z", units.b2.id],
        ["3d", "2024-05-17T13:00:00.000Z", units.b3.id],
        ["1d", "2024-05-19T13:00:00.000Z", units.b1.id],
        ["1d", "2024-05-19T13:00:00.000Z", units.b2.id],
        ["1d", "2024-05-19T13:00:00.000Z", units.b3.id],
      ].map(([before, sendAt, unit]) => ({ rule: "nhac_chi_hoi_thang", kind: "reminder", unit, sendAt, before })),
    );
    expect(reminders[0]!.dueAt).toEqual(new Date(vn("2024-05-20 20:00").getTime() + 59_999));
    expect(reminders[0]!.data).toMatchObject({ formKey: "chi_hoi_thang", periodKey: "2024-05" });
    expect(reminders[0]!.key).toBe(`nhac_chi_hoi_thang|reminder|${units.b1.id}|2024-05-20T13:00:59.999Z|3d`);
    // one late summary, to the commune (the branches' parent), right after the deadline
    const late = occ.filter((o) => o.kind === "late_summary");
    expect(late.map(summary)).toEqual([
      { rule: "nhac_chi_hoi_thang", kind: "late_summary", unit: units.commune.id, sendAt: "2024-05-20T13:01:00.000Z", before: undefined },
    ]);
  });

  it("only recipients asked for, and milestones to their unit kinds and codes", () => {
    const only = listOccurrences(seedPlan, tree, vn("2024-05-17 00:00"), vn("2024-05-18 00:00"), { units: new Set([units.b2.id]) });
    expect(new Set(only.map((o) => o.unitId))).toEqual(new Set([units.b2.id]));
    // Pilot conference milestone 10/6/2023 17:00, 7 days and 2 days before: province, the pilot commune, its pilot branch.
    const ms = listOccurrences(seedPlan, tree, vn("2023-06-01 00:00"), vn("2023-06-11 00:00")).filter(
      (o) => o.ruleKey === "nhac_hoi_nghi_diem_tinh",
    );
    expect(ms.map((o) => [o.data.before, o.sendAt.toISOString(), o.unitId])).toEqual([
      ["7d", vn("2023-06-03 17:00").toISOString(), units.province.id],
      ["7d", vn("2023-06-03 17:00").toISOString(), units.commune.id],
      ["7d", vn("2023-06-03 17:00").toISOString(), units.b1.id],
      ["2d", vn("2023-06-08 17:00").toISOString(), units.province.id],
      ["2d", vn("2023-06-08 17:00").toISOString(), units.commune.id],
      ["2d", vn("2023-06-08 17:00").toISOString(), units.b1.id],
    ]);
  });

  it("quiet hours: a 22:00 occurrence goes out at 07:00; a reminder never lands after its deadline", () => {
    const plan = smallPlan();
    const content = listOccurrences(plan, tree, vn("2024-05-17 12:00"), vn("2024-05-18 12:00")).filter((o) => o.kind === "content");
    expect(content).toHaveLength(3);
    for (const o of content) {
      expect(o.nominalAt).toEqual(vn("2024-05-17 22:00"));
      expect(o.sendAt).toEqual(vn("2024-05-18 07:00"));
      expect(o.dueAt).toEqual(vn("2024-05-17 22:00"));
    }
    // a 1-hour reminder before a 23:30 deadline would fall at 22:30: it goes out at 20:59 instead
    const due = new Date(vn("2024-05-20 23:30").getTime() + 59_999);
    expect(reminderSendAt(vn("2024-05-20 22:30"), due)).toEqual(vn("2024-05-20 20:59"));
    // …and one at 05:00 before a 17:00 deadline moves to 07:00
    expect(reminderSendAt(vn("2024-05-20 05:00"), new Date(vn("2024-05-20 17:00").getTime() + 59_999))).toEqual(vn("2024-05-20 07:00"));
    // nothing in quiet hours at all, over a month of the seed plan
    const month = listOccurrences(seedPlan, tree, vn("2024-05-01 00:00"), vn("2024-06-01 00:00"));
    expect(month.length).toBeGreaterThan(20);
    for (const o of month) expect(isQuiet(o.sendAt)).toBe(false);
  });

  it("content stays within the plan's dates", () => {
    const plan = smallPlan({ end: "2024-05-17" });
    const occ = listOccurrences(plan, tree, vn("2024-05-16 08:00"), vn("2024-05-20 00:00")).filter((o) => o.kind === "content");
    expect(new Set(occ.map((o) => o.nominalAt.toISOString()))).toEqual(
      new Set([vn("2024-05-16 22:00").toISOString(), vn("2024-05-17 22:00").toISOString()]),
    );
  });

  it("after downtime: stale reasons, and only the latest per deadline / per group", () => {
    const occ = listOccurrences(seedPlan, tree, vn("2024-05-16 00:00"), vn("2024-05-19 20:30"), { units: new Set([units.b1.id]) });
    const now = vn("2024-05-19 20:30");
    const reasons = occ.map((o) => [o.kind, o.data.before ?? o.nominalAt.toISOString(), staleReason(o, now)]);
    expect(reasons).toEqual([
      ["content", vn("2024-05-16 19:00").toISOString(), "too old"],
      ["reminder", "3d", null],
      ["reminder", "1d", null],
    ]);
    const { keep, superseded } = supersede(occ.filter((o) => !staleReason(o, now)));
    expect(keep.map((o) => o.data.before)).toEqual(["1d"]);
    expect(superseded.map((o) => o.data.before)).toEqual(["3d"]);
    // a reminder whose deadline has passed is stale; content of today within 12 h is not
    expect(staleReason(keep[0]!, vn("2024-05-20 20:01"))).toBe("deadline passed");
    const monday = listOccurrences(seedPlan, tree, vn("2024-05-20 07:00"), vn("2024-05-20 09:00"), { units: new Set([units.b1.id]) })[0]!;
    expect(monday.kind).toBe("content");
    expect(staleReason(monday, vn("2024-05-20 19:30"))).toBeNull();
    expect(staleReason(monday, vn("2024-05-20 20:30"))).toBe("too old");
  });
});

describe("content rotation", () => {
  const plan = seedPlan;
  const schedule = plan.content.schedules[0]!; // noRepeatDays 28

  it("no item twice within noRepeatDays; deterministic given the history", () => {
    const history: ContentHistoryEntry[] = [];
    const times = [
      ...cronTimes("0 8 * * 1", vn("2024-01-01 00:00"), vn("2024-07-01 00:00")),
      ...cronTimes("0 19 * * 4", vn("2024-01-01 00:00"), vn("2024-07-01 00:00")),
    ].sort((a, b) => a.getTime() - b.getTime());
    for (const at of times) {
      const c = chooseContentItem(plan, schedule, 4, at, history)!;
      expect(c.repeat).toBe(false);
      // same history → same choice
      expect(chooseContentItem(plan, schedule, 4, at, [...history])!.item.key).toBe(c.item.key);
      history.push({ itemKey: c.item.key, at });
    }
    for (let i = 0; i < history.length; i++)
      for (let j = i + 1; j < history.length && history[j]!.at.getTime() - history[i]!.at.getTime() < 28 * DAY; j++)
        expect(history[j]!.itemKey).not.toBe(history[i]!.itemKey);
    expect(new Set(history.map((h) => h.itemKey)).size).toBe(plan.content.items.length); // all get their turn
  });

  it("topics, paused items, neighbouring groups, and a flagged repeat when items run out", () => {
    const topical = chooseContentItem(plan, { topics: ["binh_dang"], noRepeatDays: 28 }, 1, vn("2024-05-20 08:00"), []);
    expect(topical!.item.topic).toBe("binh_dang");
    const a = chooseContentItem(plan, schedule, 4, vn("2024-05-20 08:00"), [])!.item.key;
    const b = chooseContentItem(plan, schedule, 5, vn("2024-05-20 08:00"), [])!.item.key;
    expect(a).not.toBe(b);
    const paused = chooseContentItem(plan, schedule, 4, vn("2024-05-20 08:00"), [], new Set([a]))!.item.key;
    expect(paused).not.toBe(a);
    const small = smallPlan();
    const h: ContentHistoryEntry[] = small.content.items.map((it, i) => ({ itemKey: it.key, at: new Date(vn("2024-05-20 08:00").getTime() - (6 - i) * 3_600_000) }));
    const again = chooseContentItem(small, { noRepeatDays: 3 }, 1, vn("2024-05-20 08:00"), h)!;
    expect(again).toEqual({ item: small.content.items[0], repeat: true });
    expect(chooseContentItem(small, { topics: ["khac"], noRepeatDays: 3 }, 1, vn("2024-05-20 08:00"), [])).toBeNull();
  });
});
