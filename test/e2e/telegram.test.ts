/**
 * End to end through Telegram, wired as src/main.ts wires it: real update shapes → the Telegram
 * channel (grammY, update_id de-duplication) → the app core → the conversation engine → the
 * durable outbox → an OutboxWorker delivering through the Telegram channel's sender → Bot API calls
 * recorded by a fake fetch. An admin links a branch group and invites a branch leader; she
 * registers in private, reports question by question in the group replying to the bot's
 * questions, and an officer sees "1/1" and the chart in /tiendo in the district group.
 * Runs on PGlite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import type { Update, UserFromGetMe } from "grammy/types";
import { App } from "../../src/app/app.js";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/index.js";
import { localInstant } from "../../src/domain/periods.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { createLogger } from "../../src/log.js";
import { outboxCounts, OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import type { Store } from "../../src/store/database.js";
import { ensureEnvAdmins } from "../../src/store/people.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";
import { parseMultipart } from "../telegram/fake-api.js";
import { BOT, HOA, LAN, TOKEN } from "../telegram/fixtures.js";

const plan = loadPlanFile(DEFAULT_PLAN_PATH);
/** 10 May 2024, 09:00 local: the May 2024 monthly report (due 20/5) is being collected. */
const NOW = localInstant(2024, 5, 10, 9, 0);
const DATE = Math.floor(NOW.getTime() / 1000);

/** The answers of a full monthly branch report, typed the way people type (as in test/app/report-flow). */
const MONTHLY_ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua"];

type TgUser = { id: number; is_bot: boolean; first_name: string; last_name?: string; username?: string };
const ADMIN: TgUser = { id: 5000000001, is_bot: false, first_name: "Quản trị", last_name: "Tỉnh" };
const LAN_NAME = `${LAN.first_name} ${LAN.last_name}`; // how decideUpdate names her
const BOT_USER = { id: BOT.id, is_bot: true, first_name: BOT.first_name, username: BOT.username };
const BRANCH = { id: -1001555000111, title: "Chi hội điểm Yên Phương", type: "supergroup" } as const;
const DISTRICT = { id: -1001987654321, title: "Hội LHPN huyện Ý Yên", type: "supergroup" } as const;
const privateChat = (u: TgUser) => ({ id: u.id, first_name: u.first_name, ...(u.last_name ? { last_name: u.last_name } : {}), type: "private" });

// ── A fake fetch for the Bot API that keeps file bytes (multipart read as latin1) ─────────────────

interface Call {
  method: string;
  payload: Record<string, unknown>;
  /** The message the fake Bot API answered with (send methods). */
  messageId?: number;
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function botApi(): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  let nextMessageId = 2000;
  const impl = async (input: unknown, init?: { body?: unknown; headers?: unknown }): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : String((input as Request).url);
    const method = url.split("/").pop()!;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const type = headers["content-type"] ?? headers["Content-Type"] ?? "";
    const raw = await readBody(init?.body);
    const payload = raw.length === 0 ? {} : type.includes("multipart/form-data") ? parseMultipart(raw.toString("latin1")) : (JSON.parse(raw.toString("utf8")) as Record<string, unknown>);
    const call: Call = { method, payload };
    calls.push(call);
    let result: unknown = true;
    if (method === "sendMessage" || method === "sendDocument" || method === "sendPhoto") {
      call.messageId = nextMessageId++;
      const chatId = Number(payload.chat_id);
      result = { message_id: call.messageId, date: DATE, from: BOT_USER, chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup" }, text: payload.text };
    }
    return new Response(JSON.stringify({ ok: true, result }), { status: 200, headers: { "content-type": "application/json" } });
  };
  return { fetch: impl as unknown as typeof fetch, calls };
}

// ── Real-shaped updates ─────────────────────────────────────────────────────────────────────────

let nextUpdateId = 730_000_000;
let nextUserMessageId = 300;

interface Sent {
  update: Update;
  messageId: number;
}

function textUpdate(
  from: TgUser,
  chat: typeof BRANCH | typeof DISTRICT | ReturnType<typeof privateChat>,
  text: string,
  replyTo?: { messageId: number; text: string },
): Sent {
  const messageId = nextUserMessageId++;
  const command = /^\/\S+/.exec(text);
  const message: Record<string, unknown> = { message_id: messageId, from, chat, date: DATE, text };
  if (command) message.entities = [{ offset: 0, length: command[0].length, type: "bot_command" }];
  if (replyTo) message.reply_to_message = { message_id: replyTo.messageId, from: BOT_USER, chat, date: DATE - 5, text: replyTo.text };
  return { update: { update_id: nextUpdateId++, message } as unknown as Update, messageId };
}

/** A group message that addresses the bot by @mention (how she can answer in privacy mode without replying). */
function mentionUpdate(from: TgUser, chat: typeof BRANCH, text: string): Sent {
  const messageId = nextUserMessageId++;
  const handle = `@${BOT.username}`;
  const message = { message_id: messageId, from, chat, date: DATE, text, entities: [{ offset: text.indexOf(handle), length: handle.length, type: "mention" }] };
  return { update: { update_id: nextUpdateId++, message } as unknown as Update, messageId };
}

const me: UserFromGetMe = BOT;

describe.each(FLAVOURS)("Telegram end to end on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: App;
  let telegram: TelegramChannel;
  let worker: OutboxWorker;
  let api: ReturnType<typeof botApi>;
  let firstUpdateId = 0;
  const nextUpdateIdsUsed = () => nextUpdateId - firstUpdateId;

  beforeEach(async () => {
    firstUpdateId = nextUpdateId;
    ({ store, cleanup } = await freshStore(flavour));
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    const tree = await loadUnitTree(store);
    // As main.ts does for ADMIN_TELEGRAM_IDS: admin of the root (Nam Định).
    await ensureEnvAdmins(store, "telegram", [String(ADMIN.id)], tree.roots.map((r) => r.id));
    const log = createLogger("silent");
    app = new App({ store, plan, log, now: () => NOW });
    await app.init();
    api = botApi();
    telegram = createTelegramChannel({ token: TOKEN, botInfo: me, fetch: api.fetch, store, log, onInbound: (msg) => app.handleInbound(msg) });
    worker = new OutboxWorker({ store, senders: { telegram: telegram.channel }, clock: new VirtualClock(NOW), log });
  });
  afterEach(async () => {
    await telegram.stop();
    await cleanup();
  });

  /** Deliver one update as polling/webhook would, then let the outbox deliver; returns the Bot API calls it caused. */
  async function deliver(u: Sent | Update): Promise<Call[]> {
    const before = api.calls.length;
    await telegram.handleUpdate("update" in u ? u.update : u);
    await worker.drain();
    return api.calls.slice(before);
  }
  const say = (from: TgUser, chat: Parameters<typeof textUpdate>[1], text: string, replyTo?: { messageId: number; text: string }) =>
    textUpdate(from, chat, text, replyTo);
  const textOf = (calls: Call[]) => calls.map((c) => String(c.payload.text ?? c.payload.caption ?? "")).join("\n---\n");
  /** The bot's last message in a chat: what she replies to. */
  function lastBotMessage(chatId: number): { messageId: number; text: string; call: Call } {
    const call = api.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === chatId).at(-1);
    if (!call?.messageId) throw new Error(`no bot message in ${chatId}`);
    return { messageId: call.messageId, text: String(call.payload.text), call };
  }
  async function conversationState(): Promise<unknown> {
    const row = await store.prisma.conversation.findFirst({ where: { channel: "telegram", chatId: String(BRANCH.id) } });
    return row?.state ?? null;
  }

  async function inviteCode(unitCode: string, role = ""): Promise<string> {
    const calls = await deliver(say(ADMIN, privateChat(ADMIN), `/moi ${unitCode}${role ? ` ${role}` : ""}`));
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(calls[0]!.payload.chat_id).toBe(ADMIN.id);
    const code = /\/dangky ([A-Z0-9]{8})/.exec(String(calls[0]!.payload.text))?.[1];
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    return code!;
  }

  it("links, invites, registers, takes a full monthly report by replies, and shows it in /tiendo with a chart", async () => {
    // 1. The admin links the branch supergroup (command addressed to the bot by name).
    const linked = await deliver(say(ADMIN, BRANCH, "/lienket@VunDapBot NDI-YYE-YPHUONG-CH01"));
    expect(linked).toHaveLength(1);
    expect(linked[0]!.payload.chat_id).toBe(BRANCH.id);
    expect(textOf(linked)).toContain("Chi hội điểm (xã Yên Phương)");
    const link = await store.prisma.chatLink.findFirstOrThrow({ where: { channel: "telegram", chatId: String(BRANCH.id) }, include: { unit: true } });
    expect(link.unit.code).toBe("NDI-YYE-YPHUONG-CH01");

    // 2. The admin invites the branch leader; 3. she registers in a private chat with the bot.
    const code = await inviteCode("NDI-YYE-YPHUONG-CH01");
    const registered = await deliver(say(LAN, privateChat(LAN), `/dangky ${code}`));
    expect(registered.map((c) => c.payload.chat_id)).toEqual([LAN.id]);
    expect(textOf(registered)).toContain("chi hội trưởng");

    // 4. /baocao in the group: the question is put to her only (selective force_reply on a reply to her message).
    const start = say(LAN, BRANCH, "/baocao@VunDapBot");
    const opened = await deliver(start);
    expect(textOf(opened)).toMatch(/tháng 5\/2024/);
    const question = opened.at(-1)!;
    expect(question.method).toBe("sendMessage");
    expect(question.payload.chat_id).toBe(BRANCH.id);
    // A yes/no question: buttons she may tap (their data names her), or she replies by typing.
    expect(question.payload.reply_markup).toEqual({
      inline_keyboard: [[{ text: "Có", callback_data: expect.stringMatching(new RegExp(`^r${LAN.id}\\.\\d+\\.\\d+\\.y$`)) }, { text: "Không", callback_data: expect.stringMatching(/\.n$/) }]],
    });
    // Selective force_reply reaches the people mentioned in the message or the sender of the message it
    // replies to: here the question replies to her /baocao (so no text_mention is needed).
    expect(question.payload.reply_parameters).toEqual({ message_id: start.messageId, allow_sending_without_reply: true });

    // 5. She answers each question by replying to the bot's last message.
    let lastAnswer: Sent | undefined;
    for (const [i, answer] of MONTHLY_ANSWERS.entries()) {
      const asked = lastBotMessage(BRANCH.id);
      // A question to type: force_reply (selective); one to choose: buttons (typing still works).
      const markup = asked.call.payload.reply_markup as Record<string, unknown>;
      if ("force_reply" in markup) expect(markup).toEqual({ force_reply: true, selective: true });
      else expect(markup.inline_keyboard).toEqual(expect.arrayContaining([expect.any(Array)]));
      lastAnswer = say(LAN, BRANCH, answer, asked);
      const reply = await deliver(lastAnswer);
      expect(reply.length).toBeGreaterThan(0);
      expect(reply.every((c) => c.payload.chat_id === BRANCH.id)).toBe(true);
      // Each next question (and the summary) replies to her answer, so it reaches her.
      expect(reply.at(-1)!.payload.reply_parameters).toMatchObject({ message_id: lastAnswer.messageId });

      if (i === 1) {
        // Chatter of hers in the group while the question is open (a bot that is admin sees it): ignored.
        const state = await conversationState();
        expect(await deliver(say(LAN, BRANCH, "Các chị ơi 3 giờ chiều nay họp nhé"))).toEqual([]);
        // Another member replying to the bot's question is not answering for her either.
        expect(await deliver(say(HOA, BRANCH, "12", lastBotMessage(BRANCH.id)))).toEqual([]);
        // Telegram redelivers the update of her answer: nothing happens a second time.
        expect(await deliver(lastAnswer.update)).toEqual([]);
        expect(await conversationState()).toEqual(state);
      }
    }
    const summary = textOf([lastBotMessage(BRANCH.id).call]);
    expect(summary).toContain("45");

    // 6. "gui" sends it: a receipt, and the report row with her answers.
    const sent = await deliver(say(LAN, BRANCH, "gui", lastBotMessage(BRANCH.id)));
    expect(textOf(sent)).toMatch(/đúng hạn/);
    const row = await store.prisma.report.findFirstOrThrow({
      where: { formKey: "chi_hoi_thang", periodKey: "2024-05" },
      include: { unit: true, submittedBy: true },
    });
    expect(row.unit.code).toBe("NDI-YYE-YPHUONG-CH01");
    expect(row.submittedBy).toMatchObject({ channel: "telegram", externalId: String(LAN.id) });
    expect(row.answers).toMatchObject({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45, ho_dat_moi: 2, phat_hien_blgd: false });
    expect(await store.prisma.conversation.count()).toBe(0);

    // 7. An officer of Ý Yên (invited and registered the same way) asks /tiendo in the district group.
    expect(textOf(await deliver(say(ADMIN, DISTRICT, "/lienket@VunDapBot NDI-YYE")))).toContain("Ý Yên");
    const officerCode = await inviteCode("NDI-YYE", "canbo");
    expect(textOf(await deliver(say(HOA, privateChat(HOA), `/dangky ${officerCode}`)))).toMatch(/cán bộ/);
    const progress = await deliver(say(HOA, DISTRICT, "/tiendo"));
    expect(progress.every((c) => c.payload.chat_id === DISTRICT.id || c.payload.chat_id === String(DISTRICT.id))).toBe(true);
    const progressText = progress.find((c) => c.method === "sendMessage");
    expect(String(progressText?.payload.text)).toContain("Hội LHPN huyện Ý Yên");
    expect(String(progressText?.payload.text)).toMatch(/1\/1/);
    const chart = progress.find((c) => c.method === "sendDocument" || c.method === "sendPhoto");
    expect(chart).toBeDefined();
    const field = chart!.method === "sendDocument" ? "document" : "photo";
    expect(String(chart!.payload[`${field}.filename`])).toMatch(/\.png$/);
    const png = PNG.sync.read(Buffer.from(String(chart!.payload[`${field}.content`]), "latin1"));
    expect(png.width).toBeGreaterThan(100);
    expect(png.height).toBeGreaterThan(100);

    // Everything went through the outbox and was delivered exactly once; every update was claimed once.
    const counts = await outboxCounts(store);
    expect(counts).toMatchObject({ pending: 0, sending: 0, dead: 0 });
    expect(counts.sent).toBe(await store.prisma.outboxMessage.count());
    const sendCalls = api.calls.filter((c) => c.messageId !== undefined);
    expect(sendCalls.length).toBeGreaterThanOrEqual(counts.sent);
    const stored = await store.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
    const returnedIds = new Set(sendCalls.map((c) => String(c.messageId)));
    expect(stored.every((r) => r.channelMessageId !== null && returnedIds.has(r.channelMessageId))).toBe(true);
    expect(await store.prisma.processedUpdate.count({ where: { channel: "telegram" } })).toBe(nextUpdateIdsUsed());
  });

  // KNOWN BUG (src/channels/telegram/inbound.ts decideUpdate): App.isAddressedToBot accepts a group
  // message that mentions the bot as an answer, but the Telegram adapter keeps "@VunDapBot" in the
  // text (the Zalo adapter strips its bot mentions), so "@VunDapBot co" is refused as not a yes/no.
  // it.fails documents it; turn it into it(...) once the mention is stripped.
  it("takes an answer that mentions the bot instead of replying to it", async () => {
    await deliver(say(ADMIN, BRANCH, "/lienket@VunDapBot NDI-YYE-YPHUONG-CH01"));
    const code = await inviteCode("NDI-YYE-YPHUONG-CH01");
    await deliver(say(LAN, privateChat(LAN), `/dangky ${code}`));
    expect(textOf(await deliver(say(LAN, BRANCH, "/baocao@VunDapBot")))).toMatch(/Câu 1\//);
    const reply = await deliver(mentionUpdate(LAN, BRANCH, "@VunDapBot co"));
    expect(textOf(reply)).toMatch(/Câu 2\//);
  });
});
