/**
 * The shipped plans on the days they are used: inside the seed plan (2025), on the real date of
 * this work (29/11/2026, inside the 2026–2030 continuation), between two plans and after the last
 * one. A deployment started with the shipped defaults takes a report end to end, /nhacnho names
 * the next deadline, /tiendo shows the current period; with no current plan the bot says which
 * plan ended and who can load a new one, and the admins are told once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { warnIfNoCurrentPlan } from "../../src/app/plan-notices.js";
import { localInstant } from "../../src/domain/periods.js";
import { createLogger } from "../../src/log.js";
import { loadPlanSet } from "../../src/plan/set.js";
import type { Plan } from "../../src/plan/schema.js";
import type { Store } from "../../src/store/database.js";
import { linkChat } from "../../src/store/people.js";
import { freshStore } from "../helpers/db.js";
import { makeHarness, texts, type Harness, type Who } from "./harness.js";

const shipped = loadPlanSet().plans;
const seed = shipped.find((p) => p.id === "vun_dap_gia_dinh_2023_2025")!;
const continuation = shipped.find((p) => p.id === "vun_dap_gia_dinh_2026_2030")!;

const admin: Who = { id: "admin", name: "Quản trị", chatId: "province-group" };
const lan: Who = { id: "lan", name: "Chị Lan", chatId: "branch-group" };
const MONTHLY_ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua"];

describe("plans by date (PGlite)", () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
  });
  afterEach(async () => cleanup());

  async function setUp(now: Date, plans: readonly Plan[]): Promise<Harness> {
    const h = await makeHarness(store, now, { plans });
    await h.grant(admin, "NDI", "admin");
    await h.grant(lan, "NDI-YYE-YPHUONG-CH01", "leader");
    await linkChat(store, "local", "branch-group", h.app.services.tree().byCode("NDI-YYE-YPHUONG-CH01")!.id, null);
    return h;
  }

  async function reportMonth(h: Harness, label: RegExp, command = "/baocao"): Promise<string> {
    const first = texts(await h.say(lan, command));
    expect(first).toMatch(label);
    for (const a of MONTHLY_ANSWERS) await h.say(lan, a);
    return texts(await h.say(lan, "gui"));
  }

  it("on 29/11/2026 with the shipped defaults: a report for November 2026, the next deadline, the current period", async () => {
    const h = await setUp(localInstant(2026, 11, 29, 9, 0), shipped);
    const receipt = await reportMonth(h, /tháng 11\/2026/);
    expect(receipt).toContain("tháng 11/2026");
    const row = await store.prisma.report.findFirstOrThrow();
    expect(row).toMatchObject({ planKey: continuation.id, formKey: "chi_hoi_thang", periodKey: "2026-11" });

    const reminders = texts(await h.say(lan, "/nhacnho"));
    expect(reminders).toContain("20:00 20/12/2026");

    const progress = texts(await h.say(admin, "/tiendo Ý Yên"));
    expect(progress).toContain("tháng 11/2026");
    expect(progress).toMatch(/1\/1 đơn vị/);
  });

  it("inside the seed plan (June 2025) the report belongs to the seed plan", async () => {
    const h = await setUp(localInstant(2025, 6, 10, 9, 0), shipped);
    await reportMonth(h, /tháng 6\/2025/);
    const row = await store.prisma.report.findFirstOrThrow();
    expect(row).toMatchObject({ planKey: seed.id, periodKey: "2025-06" });
    expect(texts(await h.say(lan, "/nhacnho"))).toContain("20:00 20/06/2025");
  });

  it("/tiendo names a period of the ended plan and reads that plan's reports only", async () => {
    const h = await setUp(localInstant(2025, 11, 10, 9, 0), shipped);
    await reportMonth(h, /tháng 11\/2025/);
    h.clock.now = localInstant(2026, 11, 29, 9, 0);
    expect(texts(await h.say(admin, "/tiendo Ý Yên tháng 11/2025"))).toMatch(/tháng 11\/2025[\s\S]*1\/1 đơn vị/);
    expect(texts(await h.say(admin, "/tiendo Ý Yên"))).toMatch(/tháng 11\/2026[\s\S]*0\/1 đơn vị/);
  });

  it("in January 2026 a late report for December 2025 belongs to the seed plan, and can be corrected", async () => {
    const h = await setUp(localInstant(2026, 1, 8, 9, 0), shipped);
    const receipt = await reportMonth(h, /tháng 12\/2025/, "/baocao tháng 12/2025");
    expect(receipt).toContain("tháng 12/2025");
    const row = await store.prisma.report.findFirstOrThrow();
    expect(row).toMatchObject({ planKey: seed.id, formKey: "chi_hoi_thang", periodKey: "2025-12" });
    // The current month is still the continuation's, and still open.
    expect(texts(await h.say(lan, "/baocao"))).toContain("tháng 1/2026");
    await h.say(lan, "/huy");
    expect(texts(await h.say(lan, "/sua tháng 12/2025"))).toContain("tháng 12/2025");
    await h.say(lan, "/huy");
    expect(await store.prisma.report.count()).toBe(1);
  });

  it("after the last plan ended its last month can still be reported late", async () => {
    const h = await setUp(localInstant(2026, 1, 8, 9, 0), [seed]);
    expect(texts(await h.say(lan, "/baocao"))).toContain("đã kết thúc ngày 31/12/2025");
    await reportMonth(h, /tháng 12\/2025/, "/baocao tháng 12/2025");
    expect(await store.prisma.report.findFirstOrThrow()).toMatchObject({ planKey: seed.id, periodKey: "2025-12" });
    // A month no plan covers is not opened.
    const none = texts(await h.say(lan, "/baocao tháng 1/2026"));
    expect(none).toContain("đã kết thúc ngày 31/12/2025");
    expect(await store.prisma.conversation.count()).toBe(0);
  });

  it("between two plans /baocao and /nhacnho say which plan ended and when the next begins", async () => {
    const later: Plan = { ...continuation, id: "ke_hoach_thu", start: "2026-03-01" };
    const h = await setUp(localInstant(2026, 2, 10, 9, 0), [seed, later]);
    for (const command of ["/baocao", "/nhacnho"]) {
      const reply = texts(await h.say(lan, command));
      expect(reply).toContain("đã kết thúc ngày 31/12/2025");
      expect(reply).toContain("bắt đầu từ ngày 01/03/2026");
    }
    expect(await store.prisma.conversation.count()).toBe(0);
  });

  it("after the last plan: who can load a new one, and the admins are told once", async () => {
    const now = localInstant(2026, 11, 29, 9, 0);
    const h = await setUp(now, [seed]);
    const reply = texts(await h.say(lan, "/baocao"));
    expect(reply).toContain("đã kết thúc ngày 31/12/2025");
    expect(reply).toContain("Quản trị viên");
    expect(texts(await h.say(lan, "/nhacnho"))).toContain("đã kết thúc ngày 31/12/2025");

    const log = createLogger("silent");
    const status = await warnIfNoCurrentPlan(store, [seed], now, log, "vi");
    expect(status.current).toBeNull();
    expect(status.ended?.id).toBe(seed.id);
    await warnIfNoCurrentPlan(store, [seed], now, log, "vi"); // a restart: not sent again
    const queued = await store.prisma.outboxMessage.findMany({ where: { dedupeKey: { startsWith: "plan-ended:" } } });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ channel: "local", chatId: "admin" });
    expect(JSON.stringify(queued[0]!.payload)).toContain("plan extend");

    // With the continuation loaded nothing is said.
    expect((await warnIfNoCurrentPlan(store, shipped, now, log, "vi")).current?.id).toBe(continuation.id);
  });
});
