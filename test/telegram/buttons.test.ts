/**
 * Buttons on Telegram, wired as src/main.ts wires it: real update shapes (messages and
 * callback_query taps) → the Telegram channel → the app core (one unit of work per update) → the
 * outbox → an OutboxWorker on a virtual clock sending through the channel → a fake Bot API that
 * answers as Telegram does (FakeTelegram: kept messages and keyboards, answerCallbackQuery once per
 * query, editMessageReplyMarkup with "message is not modified" / "message to edit not found").
 * Every button path in a private chat and in a group, a tap by someone else, a double tap, a
 * redelivered tap, taps on old keyboards; the bot's messages per report and the group's pacing
 * with two leaders reporting at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { App } from "../../src/app/app.js";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/index.js";
import type { ChannelSender } from "../../src/channels/types.js";
import { localInstant } from "../../src/domain/periods.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { createLogger } from "../../src/log.js";
import { OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import type { Store } from "../../src/store/database.js";
import { grantRole, linkChat, upsertPerson } from "../../src/store/people.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { freshStore } from "../helpers/db.js";
import { fakeFetch, FakeTelegram, LocalBotApi, waitFor, type ApiCall, type TgUser } from "./fake-api.js";
import { BOT, HOA, LAN, TOKEN } from "./fixtures.js";

const plan = loadPlanFile(DEFAULT_PLAN_PATH);
/** 10 May 2024, 09:00 local: the May 2024 monthly report is being collected. */
const NOW = localInstant(2024, 5, 10, 9, 0);
const DATE = Math.floor(NOW.getTime() / 1000);
const BRANCH_CODE = "NDI-YYE-YPHUONG-CH01";
const GROUP = { id: -1001555000222, title: "Chi hội điểm Yên Phương", type: "supergroup" } as const;
const BOT_USER = { id: BOT.id, is_bot: true, first_name: BOT.first_name, username: BOT.username };
const privateChat = (u: TgUser) => ({ id: u.id, first_name: u.first_name, type: "private" });
type Chat = typeof GROUP | ReturnType<typeof privateChat>;

const NOT_YOURS = /dành cho chị được hỏi/;
const STALE = /nút này đã cũ/;

let nextUpdateId = 760_000_000;
let nextMessageId = 500;

/** A text message from `from`, replying to the bot's message `replyTo` when given. */
function text(from: TgUser, chat: Chat, body: string, replyTo?: number): { update: Update; messageId: number } {
  const messageId = nextMessageId++;
  const command = /^\/\S+/.exec(body);
  const message: Record<string, unknown> = { message_id: messageId, from, chat, date: DATE, text: body };
  if (command) message.entities = [{ offset: 0, length: command[0].length, type: "bot_command" }];
  if (replyTo !== undefined) message.reply_to_message = { message_id: replyTo, from: BOT_USER, chat, date: DATE - 5, text: "…" };
  return { update: { update_id: nextUpdateId++, message } as unknown as Update, messageId };
}

describe("buttons on Telegram", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: App;
  let tg: TelegramChannel;
  let telegram: FakeTelegram;
  let calls: ApiCall[];
  let clock: VirtualClock;
  let worker: OutboxWorker;
  /** When each sendMessage went out, in virtual time, and to which chat. */
  let sends: { at: number; chatId: string; text: string }[];

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    const tree = await loadUnitTree(store);
    const branch = tree.byCode(BRANCH_CODE)!;
    for (const u of [LAN, HOA]) {
      const person = await upsertPerson(store, "telegram", String(u.id), `${u.first_name} ${"last_name" in u ? u.last_name : ""}`.trim());
      await grantRole(store, person.id, branch.id, "leader");
    }
    await linkChat(store, "telegram", String(GROUP.id), branch.id, null);
    clock = new VirtualClock(NOW);
    const log = createLogger("silent");
    app = new App({ store, plan, log, now: () => clock.date() });
    await app.init();
    telegram = new FakeTelegram(BOT);
    const fake = fakeFetch((call) => telegram.answer(call));
    calls = fake.calls;
    tg = createTelegramChannel({ token: TOKEN, botInfo: BOT, fetch: fake.fetch, store, log, onInbound: (msg) => app.handleInbound(msg) });
    sends = [];
    const timed: ChannelSender = {
      channel: "telegram",
      send: async (msg, opts) => {
        sends.push({ at: clock.now(), chatId: msg.chatId, text: msg.text });
        return tg.channel.send(msg, opts);
      },
    };
    worker = new OutboxWorker({ store, senders: { telegram: timed }, clock, log });
  });
  afterEach(async () => {
    await tg.stop();
    await cleanup();
  });

  /** Deliver one update as polling/webhook would, let the outbox deliver; the Bot API calls it caused. */
  async function deliver(u: Update | { update: Update }): Promise<ApiCall[]> {
    const before = calls.length;
    await tg.handleUpdate("update" in u ? u.update : u);
    await worker.drain();
    return calls.slice(before);
  }
  const sent = (cs: ApiCall[]) => cs.filter((c) => c.method === "sendMessage");
  const only = (cs: ApiCall[], method: string) => cs.filter((c) => c.method === method);
  /** The bot's last message in a chat and its id. */
  function lastBot(chatId: number): { id: number; text: string; markup: Record<string, unknown> | undefined } {
    const kept = [...telegram.messages.values()].filter((m) => m.chatId === chatId).at(-1);
    if (!kept) throw new Error(`no bot message in ${chatId}`);
    const call = sent(calls).filter((c) => Number(c.payload.chat_id) === chatId).at(-1)!;
    return { id: kept.messageId, text: kept.text, markup: call.payload.reply_markup as Record<string, unknown> | undefined };
  }
  const labels = (chatId: number, messageId: number) => telegram.keyboardOf(chatId, messageId).flat().map((b) => b.text);
  async function stateOf(who: TgUser, chat: Chat): Promise<{ version: number; state: unknown } | null> {
    const row = await store.prisma.conversation.findFirst({ where: { channel: "telegram", chatId: String(chat.id), personKey: String(who.id) } });
    return row ? { version: row.version, state: row.state } : null;
  }
  async function reportOf(periodKey: string) {
    return store.prisma.report.findFirst({ where: { formKey: "chi_hoi_thang", periodKey } });
  }
  /** A tap on a button; the calls it caused, checked: the query is answered exactly once. */
  async function tap(who: TgUser, chat: Chat, messageId: number, label: string): Promise<ApiCall[]> {
    const cs = await deliver(telegram.tap(who, chat, messageId, label));
    expect(only(cs, "answerCallbackQuery")).toHaveLength(1);
    return cs;
  }
  const notice = (cs: ApiCall[]) => only(cs, "answerCallbackQuery")[0]?.payload.text;

  it("in a private chat: yes/no, ticks and Xong, Bỏ qua, Sửa and Giữ nguyên, Gửi — each tap once, keyboard closed after", async () => {
    const me = privateChat(LAN);
    const start = await deliver(text(LAN, me, "/baocao"));
    // The introduction and the first question in ONE message, with Có / Không.
    expect(sent(start)).toHaveLength(1);
    const q1 = lastBot(LAN.id);
    expect(q1.text).toMatch(/Câu 1\/10/);
    expect(labels(LAN.id, q1.id)).toEqual(["Có", "Không"]);
    for (const b of telegram.keyboardOf(LAN.id, q1.id).flat()) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);

    // Có: the query is answered without a note, the keyboard goes, the next question acknowledges it.
    const yes = await tap(LAN, me, q1.id, "Có");
    expect(notice(yes)).toBeUndefined();
    expect(only(yes, "editMessageReplyMarkup").map((c) => c.payload)).toEqual([
      { chat_id: LAN.id, message_id: q1.id, reply_markup: { inline_keyboard: [] } },
    ]);
    expect(labels(LAN.id, q1.id)).toEqual([]);
    expect(sent(yes)).toHaveLength(1);
    const q2 = lastBot(LAN.id);
    expect(q2.text).toMatch(/^✓ Câu 1: Có\nCâu 2\/10/);
    // A number to type: force_reply, no buttons.
    expect(q2.markup).toEqual({ force_reply: true });

    await deliver(text(LAN, me, "3"));
    await deliver(text(LAN, me, "45"));
    const q4 = lastBot(LAN.id);
    expect(q4.text).toMatch(/Câu 4\/10/);
    expect(labels(LAN.id, q4.id)).toEqual(["◻️ 1. An toàn", "◻️ 2. Trách nhiệm", "◻️ 3. Thịnh vượng", "◻️ 4. Bình đẳng", "Xong"]);

    // "Xong" with nothing ticked: a note, nothing else.
    const before = await stateOf(LAN, me);
    const early = await tap(LAN, me, q4.id, "Xong");
    expect(notice(early)).toMatch(/chọn ít nhất một/);
    expect(sent(early)).toEqual([]);
    expect(only(early, "editMessageReplyMarkup")).toEqual([]);
    expect(await stateOf(LAN, me)).toEqual(before);

    // Ticks update the keyboard in place (no new message); a second tap unticks.
    const t1 = await tap(LAN, me, q4.id, "◻️ 1. An toàn");
    expect(sent(t1)).toEqual([]);
    expect(labels(LAN.id, q4.id).slice(0, 2)).toEqual(["✅ 1. An toàn", "◻️ 2. Trách nhiệm"]);
    await tap(LAN, me, q4.id, "◻️ 3. Thịnh vượng");
    await tap(LAN, me, q4.id, "◻️ 2. Trách nhiệm");
    await tap(LAN, me, q4.id, "✅ 2. Trách nhiệm");
    expect(labels(LAN.id, q4.id)).toEqual(["✅ 1. An toàn", "◻️ 2. Trách nhiệm", "✅ 3. Thịnh vượng", "◻️ 4. Bình đẳng", "Xong"]);
    const done = await tap(LAN, me, q4.id, "Xong");
    expect(sent(done)).toHaveLength(1);
    expect(lastBot(LAN.id).text).toMatch(/^✓ Câu 4: An toàn; Thịnh vượng\nCâu 5\/10/);
    expect(labels(LAN.id, q4.id)).toEqual([]);

    await deliver(text(LAN, me, "2"));
    // An optional multiple choice: its choices and "Bỏ qua".
    const q6 = lastBot(LAN.id);
    expect(labels(LAN.id, q6.id).at(-1)).toBe("Bỏ qua");
    await tap(LAN, me, q6.id, "Bỏ qua");
    const q7 = lastBot(LAN.id);
    expect(q7.text).toMatch(/^✓ Câu 6: bỏ qua\nCâu 7\/10/);
    await tap(LAN, me, q7.id, "Không");
    // Question 8 depends on 7: not asked. Question 9 (optional text): "Bỏ qua" in a private chat.
    const q9 = lastBot(LAN.id);
    expect(q9.text).toMatch(/^✓ Câu 7: Không\nCâu 9\/10/);
    expect(labels(LAN.id, q9.id)).toEqual(["Bỏ qua"]);
    await tap(LAN, me, q9.id, "Bỏ qua");
    // Question 10 (optional photos): "Xong" and "Bỏ qua"; she has no photo this month.
    const q10 = lastBot(LAN.id);
    expect(q10.text).toMatch(/^✓ Câu 9: bỏ qua\nCâu 10\/10/);
    expect(labels(LAN.id, q10.id)).toEqual(["Xong", "Bỏ qua"]);
    await tap(LAN, me, q10.id, "Bỏ qua");

    // The summary: Gửi / Sửa / Hủy.
    const summary = lastBot(LAN.id);
    expect(summary.text).toMatch(/xem lại/);
    expect(labels(LAN.id, summary.id)).toEqual(["Gửi", "Sửa", "Hủy"]);
    await tap(LAN, me, summary.id, "Sửa");
    const pick = lastBot(LAN.id);
    expect(pick.text).toMatch(/sửa câu số mấy/);
    expect(labels(LAN.id, pick.id)).toEqual(["1", "2", "3", "4", "5", "6", "7", "9", "10", "Giữ nguyên"]);
    await tap(LAN, me, pick.id, "1");
    const change = lastBot(LAN.id);
    expect(labels(LAN.id, change.id)).toEqual(["Có", "Không", "Giữ nguyên"]);
    await tap(LAN, me, change.id, "Giữ nguyên");
    const again = lastBot(LAN.id);
    expect(labels(LAN.id, again.id)).toEqual(["Gửi", "Sửa", "Hủy"]);
    const send = await tap(LAN, me, again.id, "Gửi");
    expect(sent(send).map((c) => String(c.payload.text))).toEqual([expect.stringMatching(/em đã nhận/)]);
    expect(labels(LAN.id, again.id)).toEqual([]);
    expect((await reportOf("2024-05"))?.answers).toEqual({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45, gia_tri: ["an_toan", "thinh_vuong"], ho_dat_moi: 2, phat_hien_blgd: false });
    expect(await stateOf(LAN, me)).toBeNull();
    expect(telegram.unansweredQueries).toBe(0);

    // A client that missed the keyboard's removal taps "Gửi" again after the report was sent:
    // a note, nothing sent, nothing stored twice.
    expect(labels(LAN.id, summary.id)).toEqual([]);
    const ghost = await deliver(telegram.tapData(LAN, me, again.id, telegram.sentData(LAN.id, again.id, "Gửi")));
    expect(notice(ghost)).toMatch(STALE);
    expect(sent(ghost)).toEqual([]);
    expect(await store.prisma.report.count()).toBe(1);
  });

  it("in a group: only she can tap; a double tap and a redelivered tap act once; typed answers still work; old keyboards change nothing", async () => {
    const start = text(LAN, GROUP, "/baocao@VunDapBot");
    expect(sent(await deliver(start))).toHaveLength(1);
    const q1 = lastBot(GROUP.id);
    expect(q1.markup).toMatchObject({ inline_keyboard: [[{ text: "Có" }, { text: "Không" }]] });
    const asked = await stateOf(LAN, GROUP);

    // Hoa taps Lan's question: a note for Hoa, the keyboard stays, nothing changes.
    const other = await tap(HOA, GROUP, q1.id, "Có");
    expect(notice(other)).toMatch(NOT_YOURS);
    expect(sent(other)).toEqual([]);
    expect(only(other, "editMessageReplyMarkup")).toEqual([]);
    expect(labels(GROUP.id, q1.id)).toEqual(["Có", "Không"]);
    expect(await stateOf(LAN, GROUP)).toEqual(asked);
    expect(await stateOf(HOA, GROUP)).toBeNull();

    // A double tap: both taps left her phone before the keyboard went. One answer, one message.
    const first = telegram.tap(LAN, GROUP, q1.id, "Có");
    const second = telegram.tap(LAN, GROUP, q1.id, "Có");
    const a = await deliver(first);
    const b = await deliver(second);
    expect(sent(a)).toHaveLength(1);
    expect(sent(b)).toEqual([]);
    expect(notice(b)).toMatch(STALE);
    expect(only([...a, ...b], "answerCallbackQuery")).toHaveLength(2);
    const q2 = lastBot(GROUP.id);
    expect(q2.text).toMatch(/✓ Câu 1: Có\nCâu 2\/10/);
    // After a tap the question names her (a text_mention), so that selective force_reply reaches her.
    const q2call = sent(a)[0]!;
    expect(String(q2call.payload.text)).toMatch(/^Chị Lan Nguyễn Thị, ✓ Câu 1/);
    expect(q2call.payload.entities).toEqual([expect.objectContaining({ type: "text_mention", user: expect.objectContaining({ id: LAN.id }) })]);
    expect(q2.markup).toEqual({ force_reply: true, selective: true });
    const afterFirst = await stateOf(LAN, GROUP);

    // Telegram delivers the first tap's update again: nothing happens (its query is answered again
    // and Telegram refuses that, which is logged).
    const redelivered = await deliver(first);
    expect(sent(redelivered)).toEqual([]);
    expect(only(redelivered, "editMessageReplyMarkup")).toEqual([]);
    expect(await stateOf(LAN, GROUP)).toEqual(afterFirst);

    // Typed answers, replying to the bot.
    await deliver(text(LAN, GROUP, "3", q2.id));
    await deliver(text(LAN, GROUP, "45", lastBot(GROUP.id).id));
    const q4 = lastBot(GROUP.id);
    await tap(LAN, GROUP, q4.id, "◻️ 2. Trách nhiệm");
    // Hoa cannot tick for her either.
    expect(notice(await tap(HOA, GROUP, q4.id, "◻️ 4. Bình đẳng"))).toMatch(NOT_YOURS);
    await tap(LAN, GROUP, q4.id, "Xong");
    expect(lastBot(GROUP.id).text).toMatch(/✓ Câu 4: Trách nhiệm\n/);
    await deliver(text(LAN, GROUP, "0", lastBot(GROUP.id).id));
    await tap(LAN, GROUP, lastBot(GROUP.id).id, "Bỏ qua");
    // Question 7 (yes/no): she types instead of tapping; its keyboard stays behind.
    const q7 = lastBot(GROUP.id);
    expect(labels(GROUP.id, q7.id)).toEqual(["Có", "Không"]);
    await deliver(text(LAN, GROUP, "co", q7.id));
    expect(lastBot(GROUP.id).text).toMatch(/^Câu 8\/10/);
    await deliver(text(LAN, GROUP, "1/2", lastBot(GROUP.id).id));
    // Question 9, optional text in a group: typing is the way, so force_reply (the text says how to skip).
    const q9 = lastBot(GROUP.id);
    expect(q9.markup).toEqual({ force_reply: true, selective: true });
    await deliver(text(LAN, GROUP, "bo qua", q9.id));
    // Question 10 (photos) in a group asks for a reply too (her photos must reply to it).
    const q10 = lastBot(GROUP.id);
    expect(q10.markup).toEqual({ force_reply: true, selective: true });
    await deliver(text(LAN, GROUP, "bo qua", q10.id));
    const summary = lastBot(GROUP.id);
    expect(notice(await tap(HOA, GROUP, summary.id, "Gửi"))).toMatch(NOT_YOURS);
    expect(await reportOf("2024-05")).toBeNull();
    const receipt = await tap(LAN, GROUP, summary.id, "Gửi");
    expect(sent(receipt).map((c) => String(c.payload.text))).toEqual([expect.stringMatching(/em đã nhận/)]);
    const stored = await reportOf("2024-05");
    expect(stored?.answers).toEqual({
      tuyen_truyen: true,
      so_buoi: 3,
      so_nguoi: 45,
      gia_tri: ["trach_nhiem"],
      ho_dat_moi: 0,
      phat_hien_blgd: true,
      nan_nhan_blgd: { part: 1, total: 2 },
    });

    // The old keyboard of question 7, tapped after the report was sent: a note, the keyboard goes,
    // nothing is sent or stored.
    const old = await tap(LAN, GROUP, q7.id, "Không");
    expect(notice(old)).toMatch(STALE);
    expect(sent(old)).toEqual([]);
    expect(only(old, "editMessageReplyMarkup")).toHaveLength(1);
    expect(labels(GROUP.id, q7.id)).toEqual([]);
    expect((await reportOf("2024-05"))?.answers).toEqual(stored?.answers);
    expect(await stateOf(LAN, GROUP)).toBeNull();
    // Forged data is refused the same way.
    const forged = await deliver(telegram.tapData(LAN, GROUP, q7.id, `r${LAN.id}.1.99.y`));
    expect(notice(forged)).toMatch(STALE);
    const junk = await deliver(telegram.tapData(LAN, GROUP, q7.id, "x".repeat(64)));
    expect(notice(junk)).toMatch(STALE);
    expect(await store.prisma.report.count()).toBe(1);
  });

  it("a full ten-question report in a group is 12 bot messages; two leaders at one answer per 10 s never wait on the group's 20 per minute", async () => {
    // Lan reports May, Hoa reports April, in the same group, each answering every 10 s (Hoa 5 s later).
    type Turn = { who: TgUser; at: number; act: "text" | "tap"; value: string };
    const script = (who: TgUser, offset: number, first: string): Turn[] =>
      [
        { act: "text", value: first },
        { act: "tap", value: "Có" },
        { act: "text", value: "3" },
        { act: "text", value: "45" },
        { act: "tap", value: "◻️ 1. An toàn" },
        { act: "tap", value: "Xong" },
        { act: "text", value: "2" },
        { act: "tap", value: "Bỏ qua" },
        { act: "tap", value: "Có" },
        { act: "text", value: "1/2" },
        { act: "text", value: "bo qua" },
        // The photo question (10): in a group it asks for a reply, so "bỏ qua" is typed.
        { act: "text", value: "bo qua" },
        { act: "tap", value: "Gửi" },
      ].map((s, i) => ({ ...s, who, at: NOW.getTime() + offset + i * 10_000 }) as Turn);
    const turns = [...script(LAN, 0, "/baocao@VunDapBot"), ...script(HOA, 5_000, "/baocao@VunDapBot tháng 4")].sort((x, y) => x.at - y.at);
    /** The bot message each person answers (her last question). */
    const lastFor = new Map<number, number>();
    const waits: number[] = [];
    for (const turn of turns) {
      clock.set(Math.max(clock.now(), turn.at));
      const enqueuedAt = clock.now();
      const before = sends.length;
      const mine = lastFor.get(turn.who.id);
      const update = turn.act === "tap" ? telegram.tap(turn.who, GROUP, mine!, turn.value) : text(turn.who, GROUP, turn.value, mine).update;
      const cs = await deliver(update);
      for (const s of sends.slice(before)) waits.push(s.at - enqueuedAt);
      // Everything was delivered before the next turn: her question is the group's last message.
      if (sent(cs).length > 0) lastFor.set(turn.who.id, [...telegram.messages.values()].at(-1)!.messageId);
    }
    expect((await reportOf("2024-05"))?.answers).toMatchObject({ gia_tri: ["an_toan"], nan_nhan_blgd: { part: 1, total: 2 } });
    expect((await reportOf("2024-04"))?.answers).toMatchObject({ gia_tri: ["an_toan"], nan_nhan_blgd: { part: 1, total: 2 } });

    const toGroup = sends.filter((s) => s.chatId === String(GROUP.id));
    // Per report: the question 1 with the introduction, questions 2–10, the summary, the receipt.
    expect(toGroup).toHaveLength(2 * 12);
    // No message waited for the group's window: each went out within the chat's 1 s spacing.
    expect(Math.max(...waits)).toBeLessThanOrEqual(1000);
    // And the busiest minute stays well inside 20.
    const times = toGroup.map((s) => s.at);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 60_000).length));
    expect(busiest).toBeLessThanOrEqual(12);
  });
});

describe("buttons over the local Bot API server (long polling)", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let api: LocalBotApi;
  let tg: TelegramChannel;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
  });
  afterEach(async () => {
    await tg?.stop();
    await api?.close();
    await cleanup();
  });

  it("receives a callback_query by getUpdates, answers it and closes the keyboard over HTTP", async () => {
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    const tree = await loadUnitTree(store);
    const person = await upsertPerson(store, "telegram", String(LAN.id), "Lan Nguyễn Thị");
    await grantRole(store, person.id, tree.byCode(BRANCH_CODE)!.id, "leader");
    const log = createLogger("silent");
    const clock = new VirtualClock(NOW);
    const app = new App({ store, plan, log, now: () => clock.date() });
    await app.init();
    api = await new LocalBotApi(BOT).listen();
    const telegram = new FakeTelegram(BOT);
    api.telegram = telegram;
    tg = createTelegramChannel({ token: TOKEN, apiRoot: api.apiRoot, store, log, onInbound: (msg) => app.handleInbound(msg) });
    const worker = new OutboxWorker({ store, senders: { telegram: tg.channel }, clock, log });
    await tg.startPolling();

    const me = privateChat(LAN);
    const queued = async (n: number) => {
      for (const start = Date.now(); (await store.prisma.outboxMessage.count()) < n; ) {
        if (Date.now() - start > 10_000) throw new Error("timed out waiting for the outbox");
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    api.push(text(LAN, me, "/baocao").update);
    await queued(1);
    await worker.drain();
    const q1 = [...telegram.messages.values()].at(-1)!;
    expect(telegram.keyboardOf(LAN.id, q1.messageId).flat().map((b) => b.text)).toEqual(["Có", "Không"]);

    api.push(telegram.tap(LAN, me, q1.messageId, "Có"));
    await waitFor(() => api.callsOf("answerCallbackQuery").length === 1 && api.callsOf("editMessageReplyMarkup").length === 1, 10_000);
    expect(api.callsOf("answerCallbackQuery")[0]!.payload).toEqual({ callback_query_id: expect.any(String) });
    expect(telegram.keyboardOf(LAN.id, q1.messageId)).toEqual([]);
    await queued(2);
    await worker.drain();
    expect([...telegram.messages.values()].at(-1)!.text).toMatch(/^✓ Câu 1: Có\nCâu 2\/10/);
    expect(telegram.unansweredQueries).toBe(0);
  });
});
