/**
 * A plan item the scheduler cannot expand (a cron node-cron refuses) is skipped with a log line
 * and one admin notice, and everything else is still sent; validFrom / validUntil on reminder
 * rules and content items are honoured.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notifyItemFailure } from "../../src/app/plan-notices.js";
import { decodePayload } from "../../src/outbox/index.js";
import { planSchema, type Plan } from "../../src/plan/schema.js";
import { chooseContentItem, listOccurrences, Scheduler, type ItemFailure } from "../../src/scheduler/index.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { linkGroup, memoryTree, smallPlan, storeTree, type Units, vn } from "./fixtures.js";

/** The small plan with a good and a bad content schedule (the schema alone lets the bad one through). */
function planWithBadCron(): Plan {
  const base = smallPlan();
  return planSchema.parse({
    ...base,
    content: {
      items: base.content.items,
      schedules: [
        { key: "bad_step", cron: "5/10 8 * * 1", unitKinds: ["branch"] },
        { key: "sang_thu_hai", cron: "0 8 * * 1", unitKinds: ["branch"] },
        { key: "bad_day", cron: "0 8 31 2 *", unitKinds: ["branch"] },
      ],
    },
  });
}

describe("scheduler with a bad plan item (PGlite)", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let u: Units;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
    ({ units: u } = await storeTree(store));
    await linkGroup(store, u.b1.id, "-101");
    await linkGroup(store, u.b2.id, "-102");
    const admin = await store.prisma.person.create({ data: { channel: "telegram", externalId: "900", displayName: "Quản trị" } });
    await store.prisma.role.create({ data: { personId: admin.id, unitId: u.province.id, role: "admin" } });
  });
  afterEach(async () => cleanup());

  it("skips the bad schedules, sends the good one, tells the admins once", async () => {
    const plan = planWithBadCron();
    const failures: ItemFailure[] = [];
    const clock = { t: vn("2024-05-20 08:00").getTime(), now() { return this.t; } };
    const make = () =>
      new Scheduler({
        store,
        plan,
        clock,
        onItemFailure: async (f) => {
          failures.push(f);
          await notifyItemFailure(store, f, "vi");
        },
      });
    const first = await make().tick();
    expect(first.failed).toBe(2);
    expect(first.sent).toBe(4); // the good schedule and the reminder one day before 20/5, to both linked branches
    expect(failures.map((f) => f.itemKey).sort()).toEqual(["bad_day", "bad_step"]);

    const rows = await store.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
    const content = rows.filter((r) => r.dedupeKey?.startsWith("sched:sang_thu_hai|content|"));
    expect(content.map((r) => r.chatId).sort()).toEqual(["-101", "-102"]);
    const notices = rows.filter((r) => r.dedupeKey?.startsWith("plan-item-failed:"));
    expect(notices).toHaveLength(2);
    expect(notices.every((r) => r.chatId === "900")).toBe(true);
    expect(notices.map((r) => decodePayload(r.payload).text).join("\n")).toContain("“bad_step”");

    // A restart a week later: the same failures, no new notice; the good schedule goes on.
    clock.t = vn("2024-05-27 08:00").getTime();
    const again = await make().tick();
    expect(again.failed).toBe(2);
    expect(again.sent).toBe(2);
    expect(await store.prisma.outboxMessage.count({ where: { dedupeKey: { startsWith: "plan-item-failed:" } } })).toBe(2);
  });
});

describe("validFrom / validUntil", () => {
  it("a reminder rule sends nothing before validFrom", () => {
    const base = smallPlan();
    const plan = planSchema.parse({ ...base, reminders: [{ ...base.reminders[0]!, validFrom: "2024-06-01" }] });
    const { tree } = memoryTree();
    const may = listOccurrences(plan, tree, vn("2024-05-15 00:00"), vn("2024-05-21 00:00")).filter((o) => o.kind === "reminder");
    const june = listOccurrences(plan, tree, vn("2024-06-15 00:00"), vn("2024-06-21 00:00")).filter((o) => o.kind === "reminder");
    expect(may).toEqual([]);
    expect(june.length).toBeGreaterThan(0);
    expect(june.every((o) => o.data.planId === plan.id)).toBe(true);
  });

  it("a content item is not chosen outside its dates", () => {
    const base = smallPlan();
    const items = base.content.items.map((item, i) => (i < 5 ? { ...item, validUntil: "2024-05-01" } : item));
    const plan = planSchema.parse({ ...base, content: { ...base.content, items } });
    const schedule = plan.content.schedules[0]!;
    const choice = chooseContentItem(plan, schedule, 4, vn("2024-05-20 08:00"), []);
    expect(choice?.item.key).toBe("bai_6");
    // Before 1/5 every item may be chosen: units with different offsets get different ones.
    const april = new Set([0, 1, 2, 3, 4, 5].map((unitId) => chooseContentItem(plan, schedule, unitId, vn("2024-04-20 08:00"), [])!.item.key));
    expect(april.size).toBe(6);
  });
});
