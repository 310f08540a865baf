/** The real HTTP path: a local Bot API server on 127.0.0.1, long polling, and webhook POSTs. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/index.js";
import { RetryAfterError, TransientSendError, type InboundMessage } from "../../src/channels/types.js";
import { localBotApiBed } from "./bed.js";
import { LocalBotApi, waitFor } from "./fake-api.js";
import { BOT, claimingHandler, groupCommand, groupReplyToBot, LAN, privateText, TOKEN } from "./fixtures.js";

const bed = localBotApiBed();
let api: LocalBotApi;

async function startApi(): Promise<LocalBotApi> {
  api = await bed.listen();
  return api;
}

/** A channel talking to the local server; answers every inbound message through channel.send. */
function channel(received: InboundMessage[], apiRoot = api.apiRoot): TelegramChannel {
  const tg: TelegramChannel = createTelegramChannel({
    token: TOKEN,
    apiRoot,
    store: bed.store,
    onInbound: claimingHandler(bed.store, received, async (m) => {
      await tg.channel.send({ channel: "telegram", chatId: m.chatId, text: `Đã nhận: ${m.text}`, replyToMessageId: m.messageId });
    }),
  });
  bed.open.push(tg);
  return tg;
}

describe("long polling against a local Bot API server", () => {
  it("gets the bot from getMe, receives an update, answers it, and confirms the offset on stop", async () => {
    await startApi();
    const received: InboundMessage[] = [];
    const tg = channel(received);
    await tg.startPolling();
    expect(tg.bot.botInfo.username).toBe("VunDapBot");
    expect(api.callsOf("deleteWebhook")[0]!.payload.drop_pending_updates).toBe(false);

    api.push(groupCommand(900001, "/tiendo@VunDapBot thang 5", 17));
    await waitFor(() => api.callsOf("sendMessage").length === 1);
    const first = api.callsOf("getUpdates")[0]!.payload;
    expect(first).toMatchObject({ allowed_updates: ["message", "edited_message", "callback_query"], timeout: 30 });
    expect(received.map((m) => [m.updateId, m.text])).toEqual([["900001", "/tiendo thang 5"]]);
    expect(api.callsOf("sendMessage")[0]!.payload).toMatchObject({ text: "Đã nhận: /tiendo thang 5", reply_parameters: { message_id: 70 } });

    await tg.stop();
    const confirm = api.callsOf("getUpdates").at(-1)!.payload;
    expect(confirm.offset).toBe(900002);
    expect(tg.isPolling()).toBe(false);
  });

  it("does not handle an update again when Telegram redelivers it after a restart", async () => {
    await startApi();
    const received: InboundMessage[] = [];
    const a = channel(received);
    await a.startPolling();
    api.push(privateText(900101, "Báo cáo: 12 hộ"));
    await waitFor(() => received.length === 1);
    await a.stop();

    // the confirmation was lost: Telegram sends the same update to the restarted bot, then a new one
    api.push(privateText(900101, "Báo cáo: 12 hộ"));
    api.push(privateText(900102, "Cảm ơn"));
    const b = channel(received);
    await b.startPolling();
    await waitFor(() => received.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(received.map((m) => m.updateId)).toEqual(["900101", "900102"]);
    expect(api.callsOf("sendMessage")).toHaveLength(2);
  });

  it("keeps polling after a handler error and after an update it cannot use", async () => {
    await startApi();
    const received: string[] = [];
    const tg = createTelegramChannel({
      token: TOKEN,
      apiRoot: api.apiRoot,
      store: bed.store,
      onInbound: async (m) => {
        received.push(m.text);
        if (m.text === "hỏng") throw new Error("handler bug");
      },
    });
    bed.open.push(tg);
    await tg.startPolling();
    api.push(privateText(900301, "hỏng"));
    api.push({ update_id: 900302, message: { message_id: 1, date: 0, chat: { id: 5, type: "private" } } } as never); // no sender, no text
    api.push({ update_id: 900303, channel_post: { message_id: 2, date: 0, chat: { id: -100777, type: "channel", title: "Kênh" }, text: "x" } } as never);
    api.push(privateText(900304, "tiếp tục"));
    await waitFor(() => received.length === 2);
    expect(received).toEqual(["hỏng", "tiếp tục"]);
    expect(tg.isPolling()).toBe(true);
  });

  it("sets commands and the webhook with its secret, over HTTP", async () => {
    await startApi();
    const tg = channel([]);
    await tg.setCommands();
    await tg.setWebhook("https://bot.example.vn/telegram", "s3cret_token-1");
    expect(api.callsOf("setMyCommands").map((c) => c.payload.language_code)).toEqual([undefined, "en"]);
    expect(api.callsOf("setWebhook")[0]!.payload).toEqual({
      url: "https://bot.example.vn/telegram",
      secret_token: "s3cret_token-1",
      allowed_updates: ["message", "edited_message", "callback_query"],
      drop_pending_updates: false,
    });
    await expect(tg.setWebhook("https://bot.example.vn/telegram", "bad secret!")).rejects.toThrow(/secret/);
  });

  it("maps a 429 from the server and an unreachable server to the outbox's errors", async () => {
    await startApi();
    api.responders.set("sendMessage", () => ({ ok: false, error_code: 429, description: "Too Many Requests: retry after 5", parameters: { retry_after: 5 } }));
    const tg = channel([]);
    const err = await tg.channel.send({ channel: "telegram", chatId: String(LAN.id), text: "Nhắc hạn" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).retryAfterSeconds).toBe(5);

    // a port nobody listens on
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const offline = createTelegramChannel({ token: TOKEN, apiRoot: `http://127.0.0.1:${port}`, botInfo: BOT, store: bed.store, onInbound: async () => undefined });
    await expect(offline.channel.send({ channel: "telegram", chatId: "-1001", text: "x" })).rejects.toBeInstanceOf(TransientSendError);
  });
});

describe("webhook", () => {
  async function serve(tg: TelegramChannel, secret: string): Promise<string> {
    const server = createServer(tg.webhookCallback(secret));
    bed.servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
  }
  const post = (url: string, body: unknown, secret?: string) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("accepts updates with the right secret only, once per update_id", async () => {
    await startApi();
    const received: InboundMessage[] = [];
    const tg = channel(received);
    const url = await serve(tg, "webhook_secret_42");

    const wrong = await post(url, groupReplyToBot(900201, "15"), "not_the_secret");
    const none = await post(url, groupReplyToBot(900201, "15"));
    expect([wrong.status, none.status]).toEqual([401, 401]);
    expect(received).toEqual([]);

    const ok = await post(url, groupReplyToBot(900201, "15"), "webhook_secret_42");
    expect(ok.status).toBe(200);
    expect(received.map((m) => [m.text, m.replyTo?.fromBot])).toEqual([["15", true]]);
    expect(api.callsOf("getMe")).toHaveLength(1); // bot info fetched from the server

    const again = await post(url, groupReplyToBot(900201, "15"), "webhook_secret_42");
    expect(again.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(api.callsOf("sendMessage")).toHaveLength(1);

    expect((await post(url, "{not json", "webhook_secret_42")).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    await expect(tg.startPolling()).rejects.toThrow(/webhook/);
  });
});
