/**
 * The Telegram side of taps, piece by piece: reading a callback_query, the keyboard a message
 * gets (and when force_reply wins), the keyboard on the last part of a long message, the data of
 * a button, and what the channel does when answering the query or editing the keyboard fails, or
 * the store is down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { choicesFor, parseTapData, TAP_DATA_LIMIT } from "../../src/app/tap-data.js";
import { createTelegramChannel, decideUpdate, planSend } from "../../src/channels/telegram/index.js";
import type { InboundMessage, OutboundChoices, OutboundMessage, TapOutcome } from "../../src/channels/types.js";
import { splitIntoParts } from "../../src/outbox/parts.js";
import type { Store } from "../../src/store/database.js";
import { StoreUnavailableError } from "../../src/store/unavailable.js";
import { freshStore } from "../helpers/db.js";
import { fakeFetch, FakeTelegram, type ApiAnswer } from "./fake-api.js";
import { BOT, GROUP, HOA, LAN, longVietnameseText, TOKEN } from "./fixtures.js";

const CHOICES: OutboundChoices = { rows: [[{ label: "Có", data: "r1.2.3.y" }, { label: "Không", data: "r1.2.3.n" }]] };
const LAN_ASKED = { id: String(LAN.id), name: "Lan" };

describe("a callback_query update", () => {
  const telegram = new FakeTelegram(BOT);
  it("becomes a tap on the bot's message, from the person who tapped", () => {
    const update = telegram.tapData(HOA, GROUP, 51, "r5123456789.1.0.y");
    const d = decideUpdate(update, BOT);
    expect(d.kind).toBe("tap");
    if (d.kind !== "tap") return;
    expect(d.queryId).toBe(update.callback_query!.id);
    expect(d.message).toMatchObject({
      channel: "telegram",
      chatId: String(GROUP.id),
      chatType: "group",
      sender: { id: String(HOA.id), name: "Hoa Trần" },
      messageId: "51",
      updateId: String(update.update_id),
      kind: "tap",
      text: "",
      tap: { data: "r5123456789.1.0.y", id: update.callback_query!.id },
    });
  });
  it("without data, or without its message, is ignored but its query is still to be answered", () => {
    const noData = telegram.tapData(LAN, GROUP, 51, "x") as Update & { callback_query: Record<string, unknown> };
    delete noData.callback_query.data;
    expect(decideUpdate(noData, BOT)).toMatchObject({ kind: "ignore", queryId: noData.callback_query.id });
    const noMessage = telegram.tapData(LAN, GROUP, 51, "x") as Update & { callback_query: Record<string, unknown> };
    delete noMessage.callback_query.message;
    expect(decideUpdate(noMessage, BOT)).toMatchObject({ kind: "ignore", queryId: noMessage.callback_query.id });
  });
});

describe("the keyboard a message gets", () => {
  const base: OutboundMessage = { channel: "telegram", chatId: String(LAN.id), text: "Câu 1/9: …", askPerson: LAN_ASKED, choices: CHOICES };
  const cases: { name: string; msg: OutboundMessage; markup: unknown }[] = [
    { name: "private: the buttons", msg: base, markup: { inline_keyboard: [[{ text: "Có", callback_data: "r1.2.3.y" }, { text: "Không", callback_data: "r1.2.3.n" }]] } },
    { name: "group: the buttons", msg: { ...base, chatId: String(GROUP.id) }, markup: { inline_keyboard: expect.any(Array) } },
    { name: "group, only extras (Bỏ qua under a question to type): force_reply", msg: { ...base, chatId: String(GROUP.id), choices: { ...CHOICES, extra: true } }, markup: { force_reply: true, selective: true } },
    { name: "private, only extras: the buttons (every message reaches the bot)", msg: { ...base, choices: { ...CHOICES, extra: true } }, markup: { inline_keyboard: expect.any(Array) } },
    { name: "no choices: force_reply", msg: { ...base, choices: undefined }, markup: { force_reply: true } },
  ];
  it.each(cases)("$name", ({ msg, markup }) => {
    const steps = planSend(msg);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.reply_markup).toEqual(markup);
  });
  it("a long message has its keyboard on the last part only", () => {
    const long: OutboundMessage = { ...base, text: longVietnameseText(9000) };
    const parts = splitIntoParts(long);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.choices !== undefined)).toEqual(parts.map((_, i) => i === parts.length - 1));
    expect(planSend(parts.at(-1)!).at(-1)!.reply_markup).toMatchObject({ inline_keyboard: expect.any(Array) });
    expect(planSend(parts[0]!)[0]!.reply_markup).toBeUndefined();
  });
});

describe("a button's data", () => {
  it("fits 64 bytes with the longest ids and reads back", () => {
    const choices = choicesFor({ rows: [[{ label: "x", action: "t999" }]], extra: false }, { personId: "9".repeat(20), conversationId: 999_999_999_999, version: 2_147_483_647 })!;
    const data = choices.rows[0]![0]!.data;
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(TAP_DATA_LIMIT);
    expect(parseTapData(data)).toEqual({ personId: "9".repeat(20), conversationId: 999_999_999_999, version: 2_147_483_647, action: "t999" });
  });
  it("is not trusted: other shapes are refused", () => {
    for (const bad of ["", "y", "r1.2.y", "r1.2.3.Y", "r1.2.3.y.z", "r1.-2.3.y", `r${"1".repeat(60)}.2.3.y`, "r1.2.3.yy", "r1 .2.3.y"]) {
      expect(parseTapData(bad), bad).toBeNull();
    }
  });
  it("is not made for a person id that cannot carry it", () => {
    expect(choicesFor({ rows: [[{ label: "x", action: "y" }]], extra: false }, { personId: "a.b", conversationId: 1, version: 1 })).toBeUndefined();
  });
});

describe("finishing a tap when things fail", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
  });
  afterAll(async () => cleanup());

  /** A channel whose app answers every tap with `outcome` (or throws `error`), on a Bot API answering through `responder`. */
  function channel(responder: (method: string, telegram: FakeTelegram) => ApiAnswer | undefined, outcome: TapOutcome | Error) {
    const telegram = new FakeTelegram(BOT);
    telegram.messages.set(`${GROUP.id}/51`, { chatId: GROUP.id, messageId: 51, text: "Câu 1/9", keyboard: "[[1]]", sent: "[[1]]" });
    const fake = fakeFetch((call) => responder(call.method, telegram) ?? telegram.answer(call));
    const received: InboundMessage[] = [];
    const logged: string[] = [];
    const log = {
      level: "info",
      child: () => log,
      debug: () => undefined,
      info: (_o: unknown, m: string) => void logged.push(`info ${m}`),
      warn: (_o: unknown, m: string) => void logged.push(`warn ${m}`),
      error: (_o: unknown, m: string) => void logged.push(`error ${m}`),
    } as unknown as Parameters<typeof createTelegramChannel>[0]["log"];
    const tg = createTelegramChannel({
      token: TOKEN,
      botInfo: BOT,
      fetch: fake.fetch,
      store,
      log,
      onInbound: async (m) => {
        received.push(m);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    });
    return { tg, telegram, calls: fake.calls, received, logged };
  }

  it("answers the query even when removing the keyboard fails, and logs the failure", async () => {
    const c = channel((m) => (m === "editMessageReplyMarkup" ? { ok: false, error_code: 400, description: "Bad Request: MESSAGE_ID_INVALID" } : undefined), { choices: null });
    await c.tg.handleUpdate(c.telegram.tapData(LAN, GROUP, 51, "r1.2.3.y"));
    expect(c.calls.map((x) => x.method)).toEqual(["answerCallbackQuery", "editMessageReplyMarkup"]);
    expect(c.telegram.unansweredQueries).toBe(0);
    expect(c.logged).toEqual(["warn telegram editMessageReplyMarkup failed; the old keyboard stays (its taps are refused)"]);
  });

  it("counts 'message to edit not found' as done", async () => {
    const c = channel(() => undefined, { choices: null });
    await c.tg.handleUpdate(c.telegram.tapData(LAN, GROUP, 999, "r1.2.3.y"));
    expect(c.calls.map((x) => x.method)).toEqual(["answerCallbackQuery", "editMessageReplyMarkup"]);
    expect(c.logged).toEqual([]);
  });

  it("tries answerCallbackQuery once more after a network-like failure, then logs a warning, never throws", async () => {
    let failures = 0;
    const c = channel((m) => (m === "answerCallbackQuery" && ++failures <= 1 ? { ok: false, error_code: 502, description: "Bad Gateway" } : undefined), { notice: "x" });
    await c.tg.handleUpdate(c.telegram.tapData(LAN, GROUP, 51, "r1.2.3.y"));
    expect(c.calls.filter((x) => x.method === "answerCallbackQuery").map((x) => x.payload.text)).toEqual(["x", "x"]);
    expect(c.telegram.unansweredQueries).toBe(0);

    const d = channel((m) => (m === "answerCallbackQuery" ? { ok: false, error_code: 502, description: "Bad Gateway" } : undefined), {});
    await d.tg.handleUpdate(d.telegram.tapData(LAN, GROUP, 51, "r1.2.3.y"));
    expect(d.calls.filter((x) => x.method === "answerCallbackQuery")).toHaveLength(2);
    expect(d.logged).toEqual(["warn telegram answerCallbackQuery failed"]);
  });

  it("leaves the keyboard alone when the app says nothing of it (someone else's tap)", async () => {
    const c = channel(() => undefined, { notice: "not yours" });
    await c.tg.handleUpdate(c.telegram.tapData(HOA, GROUP, 51, "r1.2.3.y"));
    expect(c.calls.map((x) => [x.method, x.payload.text])).toEqual([["answerCallbackQuery", "not yours"]]);
  });

  it("when the store is down: answers with a 'later' note and throws, so that the update is delivered again", async () => {
    const c = channel(() => undefined, new StoreUnavailableError(new Error("ECONNREFUSED")));
    await expect(c.tg.handleUpdate(c.telegram.tapData(LAN, GROUP, 51, "r1.2.3.y"))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(c.calls.map((x) => x.method)).toEqual(["answerCallbackQuery"]);
    expect(String(c.calls[0]!.payload.text)).toMatch(/hệ thống sẵn sàng/);
  });

  it("answers an ignored callback query too", async () => {
    const c = channel(() => undefined, {});
    const update = c.telegram.tapData(LAN, GROUP, 51, "x") as Update & { callback_query: Record<string, unknown> };
    delete update.callback_query.data;
    await c.tg.handleUpdate(update);
    expect(c.received).toEqual([]);
    expect(c.calls.map((x) => x.method)).toEqual(["answerCallbackQuery"]);
  });
});
