/**
 * No chat waits for another: long polling hands each chat's updates out in order, chats
 * concurrently, against a local Bot API server that behaves like Telegram (getUpdates returns the
 * unconfirmed updates until an offset confirms them). Pinned here:
 * - a slow /xuat in one chat (the real app and command, held at its start) does not delay the
 *   answers in other chats; the offset stays before it until it is handled;
 * - per-chat order under concurrency, never two updates of one chat at once;
 * - no getUpdates offset ever confirms an update that was not handled (slow chats, a store outage
 *   in one chat, a stop in the middle of the traffic followed by another poller);
 * - webhook mode: a slow update does not hold another chat's response.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/index.js";
import type { InboundMessage } from "../../src/channels/types.js";
import { COMMANDS } from "../../src/commands/index.js";
import type { Command } from "../../src/commands/types.js";
import { localInstant } from "../../src/domain/periods.js";
import { StoreUnavailableError } from "../../src/store/unavailable.js";
import { App } from "../../src/app/app.js";
import { createLogger } from "../../src/log.js";
import { localBotApiBed } from "./bed.js";
import { makeHarness, plan } from "../app/harness.js";
import { LocalBotApi, waitFor } from "./fake-api.js";
import { claimingHandler, privateText, TOKEN } from "./fixtures.js";

const bed = localBotApiBed();
let api: LocalBotApi;

/** A private text from person `chat` in her chat with the bot, with its own update id. */
let nextId = 930_000;
function inChat(chat: number, text: string): Update {
  const u = privateText(nextId++, text);
  const m = u.message!;
  return { ...u, message: { ...m, chat: { ...m.chat, id: chat }, from: { ...m.from!, id: chat } } } as Update;
}

/** A promise held until open() is called. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every getUpdates the server saw confirmed only handled updates: each id below its offset had
 * finished handling before the call arrived.
 */
function expectOffsetsHonest(handledAt: Map<number, number>, all: readonly Update[]): number {
  let checked = 0;
  for (const call of api.callsOf("getUpdates")) {
    const offset = typeof call.payload.offset === "number" ? call.payload.offset : 0;
    for (const u of all) {
      if (u.update_id >= offset) continue;
      const at = handledAt.get(u.update_id);
      expect(at, `update ${u.update_id} confirmed by offset ${offset} before it was handled`).toBeDefined();
      expect(at!).toBeLessThanOrEqual(call.at!);
      checked++;
    }
  }
  return checked;
}

function polling(onInbound: (m: InboundMessage) => Promise<void>, extra: Partial<Parameters<typeof createTelegramChannel>[0]> = {}): TelegramChannel {
  const tg = createTelegramChannel({ token: TOKEN, apiRoot: api.apiRoot, store: bed.store, onInbound, pollingBackoffMs: { first: 20, max: 100 }, ...extra });
  bed.open.push(tg);
  return tg;
}

describe("long polling: no chat waits for another", () => {
  it("a slow /xuat (the real app and command) holds only its own chat; the offset stays before it until it is handled", async () => {
    api = await bed.listen(50);
    const now = localInstant(2024, 5, 10, 9, 0);
    const h = await makeHarness(bed.store, now);
    const slow = gate();
    let exportStarted = false;
    const realExport = COMMANDS.find((c) => c.name === "xuat")!;
    const heldExport: Command = {
      ...realExport,
      async run(ctx) {
        exportStarted = true;
        await slow.wait; // the workbook of a large subtree: seconds of work
        return realExport.run(ctx);
      },
    };
    const app = new App({
      store: bed.store,
      plan,
      log: createLogger("silent"),
      now: () => now,
      commands: COMMANDS.map((c) => (c.name === "xuat" ? heldExport : c)),
      onCommitted: (replies) => void h.sent.push(...replies),
    });
    await app.init();
    const officer = 7_001;
    await h.grant({ id: String(officer), name: "Cán bộ", chatId: String(officer), channel: "telegram" }, "NDI", "admin");
    const branches = [...app.services.tree().all()].filter((u) => u.kind === "branch");
    const leaders = branches.map((_, i) => 7_101 + i);
    expect(leaders.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < leaders.length; i++)
      await h.grant({ id: String(leaders[i]), name: `Chi hội trưởng ${i}`, chatId: String(leaders[i]), channel: "telegram" }, branches[i]!.code, "leader");

    const tg = polling((m) => app.handleInbound(m) as Promise<void>);
    await tg.startPolling();
    const xuat = inChat(officer, "/xuat");
    api.push(xuat);
    await waitFor(() => exportStarted, 15_000);

    // The leaders start and answer while the export runs.
    const script = ["/baocao", "co", "3"];
    const pushed: Update[] = [];
    for (const text of script) for (const l of leaders) pushed.push(inChat(l, text));
    pushed.forEach((u) => api.push(u));
    const repliesTo = (chat: number) => h.sent.filter((r) => r.chatId === String(chat)).map((r) => r.text);
    await waitFor(() => leaders.every((l) => repliesTo(l).length === 3), 30_000);
    for (const l of leaders) {
      const got = repliesTo(l);
      expect(got[0]).toMatch(/Câu 1\/10/);
      expect(got[1]).toMatch(/Câu 2\/10/);
      expect(got[2]).toMatch(/Câu 3\/10/);
    }
    // Everything after the export is handled, and still nothing from the export on is confirmed.
    expect(repliesTo(officer)).toEqual([]);
    await sleep(150);
    expect(api.unconfirmed().map((u) => u.update_id)).toEqual([xuat.update_id, ...pushed.map((u) => u.update_id)]);

    slow.open();
    await waitFor(() => repliesTo(officer).length === 1, 60_000);
    expect(h.sent.find((r) => r.chatId === String(officer))!.file?.name).toMatch(/\.xlsx$/);
    await waitFor(() => api.unconfirmed().length === 0, 15_000);
  });

  it("keeps each chat's order, never runs two updates of one chat at once, and confirms only handled updates", async () => {
    api = await bed.listen(50);
    const received: InboundMessage[] = [];
    const handledAt = new Map<number, number>();
    const runningPerChat = new Map<string, number>();
    let running = 0;
    let maxRunning = 0;
    let overlapInChat = 0;
    const claiming = claimingHandler(bed.store, received);
    const tg = polling(async (m) => {
      const now = (runningPerChat.get(m.chatId) ?? 0) + 1;
      runningPerChat.set(m.chatId, now);
      if (now > 1) overlapInChat++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await sleep(Math.floor(Math.random() * 25));
        await claiming(m);
        handledAt.set(Number(m.updateId), Date.now());
      } finally {
        running--;
        runningPerChat.set(m.chatId, runningPerChat.get(m.chatId)! - 1);
      }
    });
    await tg.startPolling();
    const chats = [8_001, 8_002, 8_003, 8_004, 8_005, 8_006, 8_007, 8_008];
    const all: Update[] = [];
    for (let round = 0; round < 15; round++) {
      for (const c of chats) {
        const u = inChat(c, `${c}:${round}`);
        all.push(u);
        api.push(u);
      }
      if (round % 5 === 4) await sleep(20);
    }
    await waitFor(() => received.length === all.length, 30_000);
    await waitFor(() => api.unconfirmed().length === 0, 15_000);
    for (const c of chats) {
      expect(received.filter((m) => m.chatId === String(c)).map((m) => m.text)).toEqual(Array.from({ length: 15 }, (_, r) => `${c}:${r}`));
    }
    expect(overlapInChat).toBe(0);
    expect(maxRunning).toBeGreaterThan(1); // chats really ran concurrently
    expect(expectOffsetsHonest(handledAt, all)).toBeGreaterThan(0);
  });

  it("a store outage in one chat: the others go on, the failed update stays unconfirmed and its chat resumes in order", async () => {
    api = await bed.listen(50);
    const received: InboundMessage[] = [];
    const handledAt = new Map<number, number>();
    let failures = 0;
    const claiming = claimingHandler(bed.store, received);
    const down = () => new StoreUnavailableError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
    const handledText = (text: string) => received.some((m) => m.text === text);
    const tg = polling(async (m) => {
      // A2 fails at least once, and until the other chats are done: a poller that held them
      // behind it would never end.
      if (m.text === "A2" && (failures === 0 || !(handledText("B2") && handledText("C1")))) {
        failures++;
        throw down();
      }
      await claiming(m);
      handledAt.set(Number(m.updateId), Date.now());
    });
    await tg.startPolling();
    const all = [inChat(9_001, "A1"), inChat(9_001, "A2"), inChat(9_002, "B1"), inChat(9_001, "A3"), inChat(9_002, "B2"), inChat(9_003, "C1")];
    all.forEach((u) => api.push(u));
    await waitFor(() => received.length === all.length, 30_000);
    expect(failures).toBeGreaterThan(0);
    expect(received.filter((m) => m.chatId === "9001").map((m) => m.text)).toEqual(["A1", "A2", "A3"]);
    expect(received.filter((m) => m.chatId === "9002").map((m) => m.text)).toEqual(["B1", "B2"]);
    await waitFor(() => api.unconfirmed().length === 0, 15_000);
    expect(expectOffsetsHonest(handledAt, all)).toBeGreaterThan(0);
  });

  it("stop() in the middle: the update running finishes, the handled prefix is confirmed, another poller handles the rest once", async () => {
    api = await bed.listen(50);
    const received: InboundMessage[] = [];
    const handledAt = new Map<number, number>();
    const slow = gate();
    let slowStarted = false;
    const claiming = claimingHandler(bed.store, received);
    const first = polling(async (m) => {
      if (m.text === "slow") {
        slowStarted = true;
        await slow.wait;
      }
      await claiming(m);
      handledAt.set(Number(m.updateId), Date.now());
    });
    await first.startPolling();
    const before = [inChat(9_101, "x1"), inChat(9_101, "slow")];
    const after = [inChat(9_101, "x2"), inChat(9_102, "y1"), inChat(9_102, "y2")];
    [...before, ...after].forEach((u) => api.push(u));
    await waitFor(() => slowStarted && received.some((m) => m.text === "y2"), 15_000);
    const stopping = first.stop();
    await sleep(50);
    slow.open();
    await stopping;
    // x1 and slow are confirmed; x2 never started; y1, y2 were handled but lie after it.
    expect(received.map((m) => m.text).sort()).toEqual(["slow", "x1", "y1", "y2"]);
    expect(api.unconfirmed().map((u) => u.update_id)).toEqual(after.map((u) => u.update_id));

    const second = polling(async (m) => {
      await claiming(m);
      handledAt.set(Number(m.updateId), Date.now());
    });
    await second.startPolling();
    await waitFor(() => received.length === 5 && api.unconfirmed().length === 0, 15_000);
    expect(received.filter((m) => m.chatId === "9101").map((m) => m.text)).toEqual(["x1", "slow", "x2"]);
    expect(received.filter((m) => m.chatId === "9102").map((m) => m.text)).toEqual(["y1", "y2"]);
    expect(expectOffsetsHonest(handledAt, [...before, ...after])).toBeGreaterThan(0);
  });
});

describe("webhook: no chat waits for another", () => {
  it("a slow update holds only its own response; another chat's update is answered meanwhile", async () => {
    api = await bed.listen(50);
    const received: InboundMessage[] = [];
    const slow = gate();
    const claiming = claimingHandler(bed.store, received);
    const tg = createTelegramChannel({
      token: TOKEN,
      apiRoot: api.apiRoot,
      store: bed.store,
      onInbound: async (m) => {
        if (m.text === "/xuat") await slow.wait;
        await claiming(m);
      },
    });
    bed.open.push(tg);
    const secret = "webhook_secret_13";
    const server = createServer(tg.webhookCallback(secret));
    bed.servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
    const post = (u: Update) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body: JSON.stringify(u) });

    let slowAnswered = false;
    const slowResponse = post(inChat(9_201, "/xuat")).then((r) => {
      slowAnswered = true;
      return r.status;
    });
    await sleep(50);
    // Answered while the slow one is held at its gate: the responses are independent.
    const other = await post(inChat(9_202, "co"));
    expect(other.status).toBe(200);
    expect(received.map((m) => m.text)).toEqual(["co"]);
    expect(slowAnswered).toBe(false); // still not durable: not answered
    slow.open();
    expect(await slowResponse).toBe(200);
    expect(received.map((m) => m.text)).toEqual(["co", "/xuat"]);
  });
});
