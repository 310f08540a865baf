import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { decodePayload, OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import type { Plan } from "../../src/plan/schema.js";
import {
  listPaused,
  pauseRule,
  resumeRule,
  Scheduler,
  type SchedulerOptions,
  todaysContent,
  upcomingReminders,
} from "../../src/scheduler/index.js";
import { openStore, type Store } from "../../src/store/database.js";
import { createPgDatabase, FLAVOURS, freshStore } from "../helpers/db.js";
import { FakeSender } from "../outbox/fakes.js";
import { addLeader, addReport, linkGroup, seedPlan, smallPlan, storeTree, type Units, vn } from "./fixtures.js";

class TestClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  set(d: Date): void {
    this.t = d.getTime();
  }
}

async function queued(store: Store, kind?: "reminder" | "late_summary" | "content") {
  const rows = await store.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
  return rows
    .map((r) => ({ ...decodePayload(r.payload), key: r.dedupeKey ?? "", notBefore: r.notBefore }))
    .filter((r) => !kind || r.key.includes(`|${kind}|`));
}

async function outcomes(store: Store, kind: string) {
  const rows = await store.prisma.scheduledOccurrence.findMany({ where: { kind }, orderBy: [{ sendAt: "asc" }, { key: "asc" }] });
  return rows.map((r) => ({ unitId: r.unitId, outcome: r.outcome, detail: r.detail, before: (r.data as { before?: string }).before, itemKey: r.itemKey }));
}

describe.each(FLAVOURS)("scheduler on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let tree: UnitTree;
  let u: Units;
  let clock: TestClock;

  const scheduler = (plan: Plan = seedPlan, extra: Partial<SchedulerOptions> = {}) =>
    new Scheduler({ store, plan, clock, ...extra });
  const at = async (s: Scheduler, when: string) => {
    clock.set(vn(when));
    return s.tick();
  };

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    ({ tree, units: u } = await storeTree(store));
    await linkGroup(store, u.b1.id, "-101");
    await linkGroup(store, u.b2.id, "-102");
    await linkGroup(store, u.b3.id, "-103");
    await linkGroup(store, u.commune.id, "-200");
    await addLeader(store, u.b1.id, "501", "Nguyễn Thị Lan");
    clock = new TestClock(0);
  });
  afterEach(async () => cleanup());

  it("reminders fire 3 days before the 20th 20:00 deadline at 20:00 local, only to units that have not reported", async () => {
    const s = scheduler();
    await at(s, "2024-05-17 12:00"); // first run: catch-up
    await addReport(store, "chi_hoi_thang", "2024-05", u.b2.id, vn("2024-05-17 15:00"));
    await at(s, "2024-05-17 19:59");
    expect(await queued(store, "reminder")).toEqual([]);
    const r = await at(s, "2024-05-17 20:00");
    expect(r).toMatchObject({ claimed: 3, sent: 2, skipped: 1 });
    const sent = await queued(store, "reminder");
    expect(sent.map((m) => m.chatId)).toEqual(["-101", "-103"]);
    expect(sent[0]!.text).toContain("Nguyễn Thị Lan");
    expect(sent[0]!.mentions).toEqual([{ id: "501", name: "Nguyễn Thị Lan" }]);
    expect(sent[0]!.text).toContain("“Báo cáo tháng chi hội” tháng 5/2024 cần gửi trước 20 giờ ngày 20/5 (còn 3 ngày) ạ.");
    expect(sent[0]!.text).toMatch(/\/baocao/);
    expect(sent[1]!.text).toContain("các chị Chi hội thôn Trung");
    expect(sent[1]!.mentions).toBeUndefined();
    expect((await outcomes(store, "reminder")).find((o) => o.unitId === u.b2.id)).toMatchObject({
      outcome: "skipped",
      detail: "already reported",
    });
    // exactly once: the next runs overlap this one's window and send nothing more
    await at(s, "2024-05-17 20:01");
    await at(s, "2024-05-17 20:02");
    expect(await queued(store, "reminder")).toHaveLength(2);
    // 1 day before: b3 reported meanwhile
    await addReport(store, "chi_hoi_thang", "2024-05", u.b3.id, vn("2024-05-18 09:00"));
    await at(s, "2024-05-19 20:00");
    const second = (await queued(store, "reminder")).slice(2);
    expect(second.map((m) => m.chatId)).toEqual(["-101"]);
    expect(second[0]!.text).toContain("(còn 1 ngày)");
  });

  it("after the deadline: one late summary to the parent unit's group, listing its late branches", async () => {
    const s = scheduler();
    await at(s, "2024-05-20 19:00");
    await addReport(store, "chi_hoi_thang", "2024-05", u.b2.id, vn("2024-05-20 19:30"));
    await at(s, "2024-05-20 20:00");
    expect(await queued(store, "late_summary")).toEqual([]);
    await at(s, "2024-05-20 20:01");
    const late = await queued(store, "late_summary");
    expect(late).toHaveLength(1);
    expect(late[0]!.chatId).toBe("-200");
    expect(late[0]!.text).toContain("Hội LHPN xã Yên Phương còn 2/3 đơn vị chưa gửi:");
    expect(late[0]!.text).toContain("• Chi hội thôn Trung");
    expect(late[0]!.text).toContain("• Chi hội thôn Đông");
    expect(late[0]!.text).not.toContain("thôn Đoài");
    expect(late[0]!.text).toContain("quá hạn (20:00 ngày 20/05/2024)");
  });

  it("quiet hours hold: a 22:00 content occurrence goes out at 07:00", async () => {
    const s = scheduler(smallPlan());
    await at(s, "2024-05-17 20:50");
    expect((await queued(store, "content")).length).toBe(0); // the 16th's 22:00 → 07:00 is 13 h old: dropped
    expect((await at(s, "2024-05-17 22:00")).deferred).toBe("quiet");
    expect((await at(s, "2024-05-18 06:59")).deferred).toBe("quiet");
    expect(await queued(store, "content")).toEqual([]);
    const r = await at(s, "2024-05-18 07:00");
    expect(r.sent).toBe(3);
    const content = await queued(store, "content");
    expect(content.map((m) => m.chatId).sort()).toEqual(["-101", "-102", "-103"]);
    expect(content[0]!.text).toMatch(/^🌸 Bài \d\n\nNội dung bài \d\.\n\n— Vun đắp giá trị gia đình Việt Nam/);
    const rows = await store.prisma.scheduledOccurrence.findMany({ where: { kind: "content", outcome: "sent" } });
    for (const row of rows) {
      expect(row.dueAt).toEqual(vn("2024-05-17 22:00"));
      expect(row.sendAt).toEqual(vn("2024-05-18 07:00"));
    }
  });

  it("catch-up after downtime sends what still makes sense once and drops stale ones", async () => {
    await at(scheduler(), "2024-05-16 10:00"); // ran, then the machine went down
    await addReport(store, "chi_hoi_thang", "2024-05", u.b2.id, vn("2024-05-18 09:00"));
    // back at Sunday 20:30: the 3-day (Fri 20:00) and 1-day (Sun 20:00) reminders were missed, the
    // deadline (Mon 20:00) is still ahead → one reminder per branch that has not reported;
    // Thursday 19:00 content is 25 h old → dropped
    const b = scheduler();
    const r = await at(b, "2024-05-19 20:30");
    expect(r.sent).toBe(2);
    const reminders = await queued(store, "reminder");
    expect(reminders.map((m) => m.chatId)).toEqual(["-101", "-103"]);
    expect(reminders[0]!.text).toContain("(còn 23 giờ)"); // sent at 20:30: 23½ hours before the deadline
    const rem = await outcomes(store, "reminder");
    expect(rem.filter((o) => o.before === "3d").map((o) => o.outcome)).toEqual(["dropped", "dropped", "dropped"]);
    expect(rem.filter((o) => o.before === "3d")[0]!.detail).toBe("superseded by a later one");
    const content = (await outcomes(store, "content")).slice(-4); // Thursday 16th 19:00
    expect(content.map((o) => [o.outcome, o.detail])).toEqual(Array(4).fill(["dropped", "too old"]));
    expect(await queued(store, "content")).toEqual([]);
    // nothing is reconsidered: neither by the next run nor by another restart
    await at(b, "2024-05-19 20:31");
    await at(scheduler(), "2024-05-19 20:40");
    expect(await queued(store)).toHaveLength(2);

    // down again over Monday 08:00; back at 15:00 the same day: today's content is still sent, once
    await at(scheduler(), "2024-05-20 15:00");
    await at(scheduler(), "2024-05-20 15:05");
    const monday = await queued(store, "content");
    expect(monday.map((m) => m.chatId).sort()).toEqual(["-101", "-102", "-103", "-200"]);
  });

  it("pause and resume a reminder rule or a content item", async () => {
    const s = scheduler();
    await at(s, "2024-05-17 12:00");
    await pauseRule(store, "nhac_chi_hoi_thang");
    await pauseRule(store, "nhac_chi_hoi_thang"); // idempotent
    expect((await listPaused(store)).map((p) => p.key)).toEqual(["nhac_chi_hoi_thang"]);
    const r = await at(s, "2024-05-17 20:00");
    expect(r.paused).toBe(3);
    expect(await queued(store, "reminder")).toEqual([]);
    expect(await resumeRule(store, "nhac_chi_hoi_thang")).toBe(true);
    expect(await resumeRule(store, "nhac_chi_hoi_thang")).toBe(false);
    await at(s, "2024-05-19 20:00");
    expect((await queued(store, "reminder")).map((m) => m.chatId)).toEqual(["-101", "-102", "-103"]);

    // a paused content item is left out of the rotation
    const planned = await todaysContent(store, seedPlan, tree, u.b1.id, vn("2024-05-20 07:30"));
    const item = planned.entries[0]!.item!.key;
    await pauseRule(store, item);
    await at(s, "2024-05-20 08:00");
    const rows = await outcomes(store, "content");
    expect(rows.filter((o) => o.unitId === u.b1.id).map((o) => o.itemKey)).not.toContain(item);
  });

  it("content rotation: a group never gets the same item within noRepeatDays", async () => {
    const s = scheduler();
    await at(s, "2024-03-01 09:00");
    const days = [];
    for (let d = new Date("2024-03-01T00:00:00Z").getTime(); d < new Date("2024-06-01T00:00:00Z").getTime(); d += 86_400_000) {
      const day = new Date(d).toISOString().slice(0, 10);
      const wd = new Date(d).getUTCDay();
      if (wd === 1) days.push(`${day} 08:00`);
      if (wd === 4) days.push(`${day} 19:00`);
    }
    for (const when of days) await at(s, when);
    const rows = await store.prisma.scheduledOccurrence.findMany({
      where: { kind: "content", unitId: u.b1.id, outcome: "sent" },
      orderBy: { sendAt: "asc" },
    });
    expect(rows).toHaveLength(days.length);
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++)
        if (rows[j]!.sendAt.getTime() - rows[i]!.sendAt.getTime() < 28 * 86_400_000) expect(rows[j]!.itemKey).not.toBe(rows[i]!.itemKey);
    // the texts in the outbox match the items chosen
    const texts = (await queued(store, "content")).filter((m) => m.chatId === "-101").map((m) => m.text);
    expect(texts).toHaveLength(days.length);
    const items = new Map(seedPlan.content.items.map((i) => [i.key, i]));
    rows.forEach((r, i) => expect(texts[i]).toContain(items.get(r.itemKey!)!.title));
  });

  it("upcomingReminders and todaysContent for the commands", async () => {
    await addReport(store, "chi_hoi_thang", "2024-05", u.b2.id, vn("2024-05-17 15:00"));
    const up = await upcomingReminders(store, seedPlan, tree, [u.district.id, u.b1.id, u.b2.id], vn("2024-05-18 10:00"), 6);
    expect(up.map((d) => [d.kind, d.key, d.periodKey, d.dueAt.toISOString().slice(0, 16)])).toEqual([
      ["form", "chi_hoi_thang", "2024-05", "2024-05-20T13:00"],
      ["form", "huyen_thang", "2024-05", "2024-05-25T10:00"],
      ["form", "huyen_6_thang", "2024-H1", "2024-06-15T10:00"],
      ["form", "chi_hoi_thang", "2024-06", "2024-06-20T13:00"],
      ["form", "huyen_thang", "2024-06", "2024-06-25T10:00"],
      ["milestone", "ngay_gia_dinh_2024", null, "2024-06-28T10:00"],
    ]);
    expect(up[0]!.units).toEqual([
      { unitId: u.b1.id, name: "Chi hội thôn Đông", reported: false },
      { unitId: u.b2.id, name: "Chi hội thôn Đoài", reported: true },
    ]);
    expect(up[0]!.nextReminderAt).toEqual(vn("2024-05-19 20:00"));
    expect(up[0]!.periodLabel).toBe("tháng 5/2024");
    expect(up[1]!.units).toEqual([{ unitId: u.district.id, name: "Hội LHPN huyện Ý Yên", reported: false }]);
    expect(up[5]!.units).toEqual([{ unitId: u.district.id, name: "Hội LHPN huyện Ý Yên", reported: null }]);
    await pauseRule(store, "nhac_chi_hoi_thang");
    const paused = await upcomingReminders(store, seedPlan, tree, [u.b1.id], vn("2024-05-18 10:00"), 1);
    expect(paused[0]).toMatchObject({ paused: true, nextReminderAt: null });
    await resumeRule(store, "nhac_chi_hoi_thang");

    // Monday: the 08:00 item is predicted before it goes out, and is the one that goes out
    const before = await todaysContent(store, seedPlan, tree, u.b1.id, vn("2024-05-20 07:00"));
    expect(before.entries).toHaveLength(1);
    expect(before.entries[0]).toMatchObject({ scheduleKey: "chi_hoi_co_so_sang_thu_hai", status: "planned", at: vn("2024-05-20 08:00") });
    const s = scheduler();
    await at(s, "2024-05-20 08:00");
    const after = await todaysContent(store, seedPlan, tree, u.b1.id, vn("2024-05-20 12:00"));
    expect(after.entries[0]).toMatchObject({ status: "sent", item: before.entries[0]!.item });
    expect(after.suggestion).toEqual(before.entries[0]!.item);
    expect(after.text).toContain(after.suggestion!.title);
    // a day without a schedule still suggests something to read
    const tuesday = await todaysContent(store, seedPlan, tree, u.b1.id, vn("2024-05-21 12:00"));
    expect(tuesday.entries).toEqual([]);
    expect(tuesday.suggestion).not.toBeNull();
    expect(tuesday.suggestion!.key).not.toBe(after.suggestion!.key);
  });
});

describe("two scheduler instances on one PostgreSQL", () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeEach(async () => ({ url, drop } = await createPgDatabase()));
  afterEach(async () => drop());

  it("send each occurrence once", async () => {
    const a = await openStore({ databaseUrl: url, poolSize: 4 });
    const b = await openStore({ databaseUrl: url, poolSize: 4, migrate: false });
    try {
      const { units: u } = await storeTree(a);
      for (const [unit, chat] of [[u.b1, "-101"], [u.b2, "-102"], [u.b3, "-103"], [u.commune, "-200"]] as const)
        await linkGroup(a, unit.id, chat);
      const clock = new TestClock(vn("2024-05-17 19:00").getTime());
      const sa = new Scheduler({ store: a, plan: seedPlan, clock, instanceId: "A" });
      const sb = new Scheduler({ store: b, plan: seedPlan, clock, instanceId: "B" });
      await Promise.all([sa.tick(), sb.tick()]);
      const reports = [];
      for (const when of ["2024-05-17 20:00", "2024-05-19 20:00", "2024-05-20 08:00", "2024-05-20 20:01"]) {
        clock.set(vn(when));
        reports.push(...(await Promise.all([sa.tick(), sb.tick(), sa.tick(), sb.tick()])));
      }
      // 3 + 3 reminders, the commune's own monthly report 3 days before 23/5, 4 Monday contents, 1 late summary
      expect(reports.reduce((n, r) => n + r.claimed, 0)).toBe(12);
      expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(12);
      const rows = await a.prisma.scheduledOccurrence.findMany({ where: { outcome: "sent" } });
      expect(rows).toHaveLength(12);
      expect(new Set(rows.map((r) => r.claimedBy)).size).toBeGreaterThanOrEqual(1);
      // delivered through the outbox: each message once
      const vc = new VirtualClock(vn("2024-05-20 20:02"));
      const tg = new FakeSender("telegram", vc);
      await new OutboxWorker({ store: b, senders: { telegram: tg }, clock: vc }).drain();
      expect(tg.delivered).toHaveLength(12);
      expect(new Set(tg.delivered.map((d) => `${d.chatId}|${d.text}`)).size).toBe(12);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe("scheduler driver with node-cron", () => {
  it("start() catches up at once, then runs every minute until stop()", async () => {
    const { store, cleanup } = await freshStore("pglite");
    try {
      const { units: u } = await storeTree(store);
      await linkGroup(store, u.b1.id, "-101");
      const clock = new TestClock(vn("2024-05-17 20:30").getTime()); // the 20:00 reminder was missed
      const s = new Scheduler({ store, plan: seedPlan, clock });
      await s.start();
      expect((await queued(store, "reminder")).map((m) => m.chatId)).toEqual(["-101"]);
      await s.stop();
      await s.stop(); // twice is fine
    } finally {
      await cleanup();
    }
  });
});
