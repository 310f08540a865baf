/** Inbound: real update shapes through grammY's handleUpdate, a fake fetch, and a PGlite store. */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTelegramChannel, decideUpdate, moveChatLink, normalizeCommand } from "../../src/channels/telegram/index.js";
import type { InboundMessage } from "../../src/channels/types.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { fakeFetch } from "./fake-api.js";
import {
  BOT,
  claimingHandler,
  DATE,
  editedMessage,
  GROUP,
  groupCommand,
  groupReplyToBot,
  groupReplyToPerson,
  HOA,
  LAN,
  migrateToSupergroup,
  privateText,
  SUPERGROUP,
  supergroupMention,
  supergroupPlain,
  TOKEN,
} from "./fixtures.js";

let store: Store;
let cleanup: () => Promise<void>;
let nextId = 500_000;
const uid = () => nextId++;

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
});
afterAll(async () => {
  await cleanup?.();
});

function setup(extra: Partial<Parameters<typeof createTelegramChannel>[0]> = {}) {
  const received: InboundMessage[] = [];
  const api = fakeFetch();
  const logLines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  const tg = createTelegramChannel({
    token: TOKEN,
    botInfo: BOT,
    fetch: api.fetch,
    store,
    log,
    onInbound: claimingHandler(store, received),
    ...extra,
  });
  return { tg, received, api, logLines };
}

describe("inbound updates", () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  it("turns a private text into an InboundMessage", async () => {
    const id = uid();
    await ctx.tg.handleUpdate(privateText(id, "Xin chào chị"));
    expect(ctx.received).toEqual([
      {
        channel: "telegram",
        chatId: String(LAN.id),
        chatType: "private",
        sender: { id: String(LAN.id), name: "Lan Nguyễn Thị" },
        text: "Xin chào chị",
        messageId: "11",
        updateId: String(id),
        receivedAt: new Date(DATE * 1000),
      },
    ]);
    expect(ctx.api.calls).toEqual([]); // handling an update calls no Bot API method by itself
  });

  it("marks a group reply to the bot as such, and a reply to a person as not", async () => {
    await ctx.tg.handleUpdate(groupReplyToBot(uid(), "12"));
    await ctx.tg.handleUpdate(groupReplyToPerson(uid()));
    expect(ctx.received).toHaveLength(2);
    const [toBot, toPerson] = ctx.received;
    expect(toBot).toMatchObject({
      chatId: String(GROUP.id),
      chatType: "group",
      chatTitle: "Chi hội Yên Tiến",
      text: "12",
      replyTo: { messageId: "51", fromBot: true },
    });
    expect(toPerson).toMatchObject({ sender: { id: String(HOA.id), name: "Hoa Trần" }, replyTo: { messageId: "59", fromBot: false } });
  });

  it("treats a supergroup as a group and detects a mention of the bot", async () => {
    await ctx.tg.handleUpdate(supergroupMention(uid()));
    await ctx.tg.handleUpdate(supergroupPlain(uid()));
    expect(ctx.received.map((m) => [m.chatId, m.chatType, m.mentionsBot])).toEqual([
      [String(SUPERGROUP.id), "group", true],
      [String(SUPERGROUP.id), "group", undefined],
    ]);
  });

  it("normalises a command addressed to this bot and drops one addressed to another bot", async () => {
    const ours = uid();
    const theirs = uid();
    await ctx.tg.handleUpdate(groupCommand(ours, "/tiendo@VunDapBot thang 5", 17));
    await ctx.tg.handleUpdate(groupCommand(theirs, "/tiendo@OtherBot thang 5", 16));
    await ctx.tg.handleUpdate(groupCommand(uid(), "/TienDo", 7));
    expect(ctx.received.map((m) => m.text)).toEqual(["/tiendo thang 5", "/tiendo"]);
    // the ignored command is not even claimed
    const claimed = await store.prisma.processedUpdate.findMany({ where: { updateId: { in: [String(ours), String(theirs)] } } });
    expect(claimed.map((c) => c.updateId)).toEqual([String(ours)]);
  });

  it("handles a redelivered update_id once, also when both deliveries race", async () => {
    const id = uid();
    await ctx.tg.handleUpdate(privateText(id, "Báo cáo tháng 5"));
    await ctx.tg.handleUpdate(privateText(id, "Báo cáo tháng 5"));
    const raced = uid();
    await Promise.all([ctx.tg.handleUpdate(privateText(raced)), ctx.tg.handleUpdate(privateText(raced))]);
    expect(ctx.received.map((m) => m.updateId)).toEqual([String(id), String(raced)]);
    // a second process (a restart) sharing the store also skips it
    const other = setup();
    await other.tg.handleUpdate(privateText(id, "Báo cáo tháng 5"));
    expect(other.received).toEqual([]);
  });

  it("passes edited messages on as kind \"edited\" (the app decides; it never takes them as answers)", async () => {
    await ctx.tg.handleUpdate(editedMessage(uid()));
    expect(ctx.received).toMatchObject([{ kind: "edited", text: "Xin chào chị (sửa)", messageId: "11", chatType: "private" }]);
  });

  it("reports migrate_to_chat_id through onChatMigrated, once", async () => {
    const onChatMigrated = vi.fn(async (_old: string, _new: string) => undefined);
    const s = setup({ onChatMigrated });
    const id = uid();
    await s.tg.handleUpdate(migrateToSupergroup(id, -1002233445566));
    await s.tg.handleUpdate(migrateToSupergroup(id, -1002233445566));
    expect(onChatMigrated.mock.calls).toEqual([[String(GROUP.id), "-1002233445566"]]);
    expect(s.received).toEqual([]);
  });

  it("moves the ChatLink by default when no onChatMigrated is given", async () => {
    const unit = await store.prisma.unit.create({ data: { code: "YT-01", name: "Chi hội Yên Tiến", kind: "branch", path: "/" } });
    await store.prisma.chatLink.create({ data: { channel: "telegram", chatId: String(GROUP.id), unitId: unit.id } });
    await ctx.tg.handleUpdate(migrateToSupergroup(uid(), -1003000000001));
    const links = await store.prisma.chatLink.findMany({ where: { unitId: unit.id } });
    expect(links.map((l) => l.chatId)).toEqual(["-1003000000001"]);
  });

  it("logs an error thrown by the app's handler and keeps going", async () => {
    let calls = 0;
    const s = setup({
      onInbound: async () => {
        calls++;
        if (calls === 1) throw new Error("boom in the app");
      },
    });
    const bad = uid();
    await expect(s.tg.handleUpdate(privateText(bad))).resolves.toBeUndefined();
    await s.tg.handleUpdate(privateText(uid()));
    expect(calls).toBe(2);
    const errorLine = s.logLines.find((l) => l.msg === "inbound handler failed");
    expect(errorLine).toMatchObject({ level: 50, updateId: bad });
    expect(JSON.stringify(errorLine)).toContain("boom in the app");
  });
});

describe("moveChatLink", () => {
  it("keeps an existing link of the new chat and drops the old one; is idempotent", async () => {
    const a = await store.prisma.unit.create({ data: { code: "A-1", name: "A", kind: "branch", path: "/" } });
    const b = await store.prisma.unit.create({ data: { code: "B-1", name: "B", kind: "branch", path: "/" } });
    await store.prisma.chatLink.create({ data: { channel: "telegram", chatId: "-41", unitId: a.id } });
    await store.prisma.chatLink.create({ data: { channel: "telegram", chatId: "-10041", unitId: b.id } });
    expect(await moveChatLink(store, "telegram", "-41", "-10041")).toBe(false);
    const rows = await store.prisma.chatLink.findMany({ where: { chatId: { in: ["-41", "-10041"] } } });
    expect(rows.map((r) => [r.chatId, r.unitId])).toEqual([["-10041", b.id]]);
    await store.prisma.chatLink.create({ data: { channel: "telegram", chatId: "-42", unitId: a.id } });
    expect(await moveChatLink(store, "telegram", "-42", "-10042")).toBe(true);
    expect(await moveChatLink(store, "telegram", "-42", "-10042")).toBe(false);
    expect((await store.prisma.chatLink.findUnique({ where: { channel_chatId: { channel: "telegram", chatId: "-10042" } } }))?.unitId).toBe(a.id);
  });
});

describe("pure inbound rules", () => {
  it("normalizeCommand", () => {
    expect(normalizeCommand("/tiendo@vundapbot Ý Yên", "VunDapBot")).toBe("/tiendo Ý Yên");
    expect(normalizeCommand("/baocao@SomeoneElse_bot", "VunDapBot")).toBeNull();
    expect(normalizeCommand("/huy", "VunDapBot")).toBe("/huy");
    expect(normalizeCommand("12 hộ", "VunDapBot")).toBe("12 hộ");
    expect(normalizeCommand("/tiendo@VunDapBotX", "VunDapBot")).toBeNull();
  });

  it("ignores the implicit reply of forum-topic messages but keeps a real reply", () => {
    const topicMsg = {
      update_id: 1,
      message: {
        message_id: 90,
        message_thread_id: 80,
        is_topic_message: true,
        from: LAN,
        chat: { ...SUPERGROUP, is_forum: true },
        date: DATE,
        text: "12",
        reply_to_message: { message_id: 80, from: HOA, chat: SUPERGROUP, date: DATE - 900, forum_topic_created: { name: "Báo cáo", icon_color: 0 } },
      },
    } as never;
    const d = decideUpdate(topicMsg, BOT);
    expect(d.kind === "message" && d.message.replyTo).toBeUndefined();
  });
});

describe("de-duplication on PostgreSQL", () => {
  it("handles racing redeliveries of one update once", async () => {
    const pgStore = await freshStore("postgres");
    try {
      const received: InboundMessage[] = [];
      const make = () =>
        createTelegramChannel({ token: TOKEN, botInfo: BOT, fetch: fakeFetch().fetch, store: pgStore.store, onInbound: claimingHandler(pgStore.store, received) });
      const a = make();
      const b = make(); // two instances behind a webhook
      const update = groupReplyToBot(424242, "Có");
      await Promise.all([a.handleUpdate(update), b.handleUpdate(update), a.handleUpdate(update), b.handleUpdate(update)]);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ updateId: "424242", text: "Có", replyTo: { fromBot: true } });
    } finally {
      await pgStore.cleanup();
    }
  });
});
