/**
 * End to end through the app core: an admin invites a branch leader, she registers, links are
 * used, she answers the monthly report question by question in her group, the report lands in
 * the store, an officer sees it in /tiendo. Runs on PGlite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localInstant } from "../../src/domain/periods.js";
import { linkChat } from "../../src/store/people.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";
import { makeHarness, texts, type Harness, type Who } from "./harness.js";
import type { Store } from "../../src/store/database.js";

const admin: Who = { id: "admin", name: "Quản trị", chatId: "province-group" };
const inPrivate = (who: Who): Who => ({ ...who, chatId: `${who.id}-private`, chatType: "private" });
const lan = (chatId = "branch-group"): Who => ({ id: "lan", name: "Chị Lan", chatId });
const hoa: Who = { id: "hoa", name: "Chị Hoa", chatId: "branch-group" };
const stranger: Who = { id: "x", name: "Người lạ", chatId: "branch-group" };

/** The answers of a full monthly branch report, typed the way people type. */
const MONTHLY_ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua"];

describe.each(FLAVOURS)("report flow on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    // 10 May 2024, 09:00 local: the May 2024 monthly report (due 20/5 20:00) is being collected.
    h = await makeHarness(store, localInstant(2024, 5, 10, 9, 0));
    await h.grant(admin, "NDI", "admin");
    const branch = h.app.services.tree().byCode("NDI-YYE-YPHUONG-CH01")!;
    await linkChat(store, "local", "branch-group", branch.id, null);
  });
  afterEach(async () => cleanup());

  async function registerLan(): Promise<void> {
    const invite = texts(await h.say(inPrivate(admin), "/moi NDI-YYE-YPHUONG-CH01 chihoitruong"));
    const code = /\/dangky ([A-Z0-9]{8})/.exec(invite)?.[1];
    expect(code).toBeDefined();
    const done = texts(await h.say(lan("lan-private"), `/dangky ${code!.toLowerCase()}`, { chatType: "private" }));
    expect(done).toContain("chi hội trưởng");
    expect(done).toContain("Chi hội điểm (xã Yên Phương)");
  }

  async function answerAll(who: Who, answers: string[]): Promise<string> {
    let last = "";
    for (const a of answers) last = texts(await h.say(who, a));
    return last;
  }

  it("registers, reports question by question and shows up in /tiendo", async () => {
    await registerLan();
    const first = await h.say(lan(), "/baocao");
    expect(first.at(-1)?.askPerson?.id).toBe("lan");
    expect(texts(first)).toMatch(/tháng 5\/2024/);

    const summary = await answerAll(lan(), MONTHLY_ANSWERS);
    expect(summary).toContain("45");
    const receipt = texts(await h.say(lan(), "gui"));
    expect(receipt).toMatch(/đúng hạn/);

    const row = await store.prisma.report.findFirstOrThrow({ where: { formKey: "chi_hoi_thang", periodKey: "2024-05" } });
    expect(row.answers).toMatchObject({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45, ho_dat_moi: 2, phat_hien_blgd: false });
    expect(await store.prisma.conversation.count()).toBe(0);

    const progress = texts(await h.say(admin, "/tiendo Ý Yên"));
    expect(progress).toContain("Hội LHPN huyện Ý Yên");
    expect(progress).toMatch(/1\/1 đơn vị \(100%\)/);

    // A second /baocao for the same period is turned towards /sua.
    expect(texts(await h.say(lan(), "/baocao"))).toContain("/sua");
  });

  it("keeps earlier answers across a bad answer and a restart", async () => {
    await registerLan();
    await h.say(lan(), "/baocao");
    await h.say(lan(), "co");
    const bad = texts(await h.say(lan(), "nhieu lam"));
    expect(bad).toMatch(/số nguyên/);
    await h.restart();
    await h.say(lan(), "3");
    const rest = MONTHLY_ANSWERS.slice(2);
    const summary = await answerAll(lan(), rest);
    expect(summary).toMatch(/\b3\b/);
    await h.say(lan(), "ok");
    expect(await store.prisma.report.count()).toBe(1);
  });

  it("keeps two people reporting in one group apart", async () => {
    await registerLan();
    // A group linked to no unit (linked groups take only their own unit's reports).
    const shared = (who: Who): Who => ({ ...who, chatId: "shared-group" });
    await h.grant(hoa, "NDI-XTR-XKIEN-CH01", "leader");
    await h.say(shared(lan()), "/baocao");
    await h.say(shared(hoa), "/baocao NDI-XTR-XKIEN-CH01");
    for (let i = 0; i < MONTHLY_ANSWERS.length; i++) {
      await h.say(shared(lan()), MONTHLY_ANSWERS[i]!);
      // Hoa answers a different number of participants.
      await h.say(shared(hoa), i === 2 ? "12" : MONTHLY_ANSWERS[i]!);
    }
    await h.say(shared(hoa), "gui");
    await h.say(shared(lan()), "gui");
    const rows = await store.prisma.report.findMany({ include: { unit: true } });
    const byUnit = Object.fromEntries(rows.map((r) => [r.unit.code, (r.answers as Record<string, unknown>).so_nguoi]));
    expect(byUnit).toEqual({ "NDI-YYE-YPHUONG-CH01": 45, "NDI-XTR-XKIEN-CH01": 12 });
  });

  it("corrects a sent report with history", async () => {
    await registerLan();
    await h.say(lan(), "/baocao");
    await answerAll(lan(), MONTHLY_ANSWERS);
    await h.say(lan(), "gui");
    h.clock.now = localInstant(2024, 5, 12, 10, 0);
    const opened = texts(await h.say(lan(), "/sua"));
    expect(opened).toContain("45");
    await h.say(lan(), "3");
    await h.say(lan(), "50");
    const receipt = texts(await h.say(lan(), "gui"));
    expect(receipt.length).toBeGreaterThan(0);
    const report = await store.prisma.report.findFirstOrThrow({ include: { changes: true } });
    expect((report.answers as Record<string, unknown>).so_nguoi).toBe(50);
    expect(report.version).toBe(2);
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0]).toMatchObject({ questionKey: "so_nguoi", oldValue: 45, newValue: 50 });
  });

  it("refuses commands by role and tells the unregistered how to register", async () => {
    expect(texts(await h.say(stranger, "/baocao"))).toMatch(/\/dangky/);
    expect(texts(await h.say(stranger, "/tiendo"))).toMatch(/\/dangky/);
    expect(texts(await h.say(inPrivate(stranger), "/moi NDI leader"))).toMatch(/\/dangky/);
    await registerLan();
    expect(texts(await h.say(lan(), "/tiendo"))).toMatch(/cán bộ theo dõi/);
    expect(texts(await h.say(inPrivate(lan()), "/moi NDI-YYE leader"))).toMatch(/cán bộ theo dõi hoặc quản trị/);
    // An officer of Ý Yên sees Ý Yên but not Xuân Trường, and cannot mint admins.
    const officer: Who = { id: "off", name: "Cán bộ Ý Yên", chatId: "yy-group" };
    await h.grant(officer, "NDI-YYE", "officer");
    expect(texts(await h.say(officer, "/tiendo"))).toContain("Hội LHPN huyện Ý Yên");
    expect(texts(await h.say(officer, "/tiendo NDI-XTR"))).toMatch(/không tìm thấy|không thuộc phạm vi/);
    expect(texts(await h.say(inPrivate(officer), "/moi NDI-YYE admin"))).toMatch(/quản trị cấp tỉnh/);
    expect(texts(await h.say(inPrivate(officer), "/moi NDI-XTR-XKIEN-CH01"))).toMatch(/không thuộc phạm vi/);
    // A used invite cannot be used again.
    const code = /\/dangky ([A-Z0-9]{8})/.exec(texts(await h.say(inPrivate(officer), "/moi NDI-YYE-YPHUONG-CH01")))![1]!;
    await h.say(inPrivate(hoa), `/dangky ${code}`);
    expect(texts(await h.say(inPrivate(stranger), `/dangky ${code}`))).toMatch(/đã được dùng/);
  });

  it("cancels with /huy and expires unanswered conversations politely", async () => {
    await registerLan();
    await h.say(lan(), "/baocao");
    expect(texts(await h.say(lan(), "/huy"))).toMatch(/hủy/);
    expect(await store.prisma.conversation.count()).toBe(0);
    await h.say(lan(), "/baocao");
    h.clock.now = new Date(h.clock.now.getTime() + 25 * 3600_000);
    const before = h.sent.length;
    expect(await h.app.expireConversations()).toBe(1);
    expect(h.sent.length).toBe(before + 1);
    expect(h.sent.at(-1)?.chatId).toBe("branch-group");
    // The notice says which kind of chat it goes to (Zalo must be told group or private).
    expect(h.sent.at(-1)?.chatType).toBe("group");
  });

  it("keeps invite codes out of groups and answers Telegram's /start", async () => {
    expect(texts(await h.say(admin, "/moi NDI-YYE-YPHUONG-CH01"))).toMatch(/nhắn riêng/);
    expect(await store.prisma.invite.count()).toBe(0);
    expect(texts(await h.say(inPrivate(stranger), "/start"))).toMatch(/\/dangky/);
  });

  it("does not let an officer re-link a group that belongs to a unit above her", async () => {
    const officer: Who = { id: "off", name: "Cán bộ Ý Yên", chatId: "province-group" };
    await h.grant(officer, "NDI-YYE", "officer");
    await h.say(admin, "/lienket NDI");
    expect(texts(await h.say(officer, "/lienket NDI-YYE"))).toMatch(/giữ nguyên/);
    const link = await store.prisma.chatLink.findFirstOrThrow({ where: { chatId: "province-group" }, include: { unit: true } });
    expect(link.unit.code).toBe("NDI");
  });

  it("refuses the second of two corrections made at the same time instead of overwriting the first", async () => {
    await registerLan();
    const mai: Who = { id: "mai", name: "Chị Mai", chatId: "branch-group" };
    await h.grant(mai, "NDI-YYE-YPHUONG-CH01", "leader");
    await h.say(lan(), "/baocao");
    await answerAll(lan(), MONTHLY_ANSWERS);
    await h.say(lan(), "gui");
    await h.say(lan(), "/sua");
    await h.say(mai, "/sua");
    await answerAll(lan(), ["3", "50", "gui"]);
    const refused = await answerAll(mai, ["2", "9", "gui"]);
    expect(refused).toMatch(/vừa được người khác sửa/);
    const report = await store.prisma.report.findFirstOrThrow();
    expect(report.answers).toMatchObject({ so_nguoi: 50, so_buoi: 3 });
    expect(report.version).toBe(2);
  });

  it("takes a late report and a correction after the month has rolled over", async () => {
    await registerLan();
    h.clock.now = localInstant(2024, 6, 2, 9, 0);
    // June is current; May is named, and its questions name May instead of "tháng này".
    const opened = texts(await h.say(lan(), "/baocao thang 5"));
    expect(opened).toMatch(/Trong tháng 5\/2024, chi hội/);
    expect(opened).not.toMatch(/tháng này/);
    // /huy says how to reopen May, and that command does.
    expect(texts(await h.say(lan(), "/huy"))).toContain("/baocao tháng 5/2024");
    expect(texts(await h.say(lan(), "/baocao tháng 5/2024"))).toMatch(/Trong tháng 5\/2024, chi hội/);
    await answerAll(lan(), MONTHLY_ANSWERS);
    expect(texts(await h.say(lan(), "gui"))).toMatch(/trễ hạn/);
    expect(await store.prisma.report.count({ where: { periodKey: "2024-05" } })).toBe(1);
    // /sua without a period finds May (June has no report yet).
    expect(texts(await h.say(lan(), "/sua"))).toMatch(/tháng 5\/2024/);
    // Typed "hủy" (the engine) and /huy (the command) both give the command for the same period.
    expect(texts(await h.say(lan(), "hủy"))).toContain("/sua tháng 5/2024");
    expect(texts(await h.say(lan(), "/sua tháng 5/2024"))).toMatch(/tháng 5\/2024/);
    expect(texts(await h.say(lan(), "/huy"))).toContain("/sua tháng 5/2024");
    expect(texts(await h.say(lan(), "/baocao thang 8/2024"))).toMatch(/chưa bắt đầu/);
  });

  it("handles two answers arriving at once one after the other", async () => {
    await registerLan();
    await h.say(lan(), "/baocao");
    await h.say(lan(), "co");
    await Promise.all([h.say(lan(), "3"), h.say(lan(), "45")]);
    const conv = await store.prisma.conversation.findFirstOrThrow();
    expect((conv.state as { answers: Record<string, unknown> }).answers).toMatchObject({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45 });
  });
});
