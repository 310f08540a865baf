/**
 * The outbox keeps moving: hung and failing Bot API calls, long messages sent as parts, a worker
 * that dies mid-send, enqueues waking an idle worker (in this process and across processes), and
 * three workers sharing Telegram's limits. Through the real Telegram adapter (grammY) against a
 * local Bot API stand-in where the channel matters; on PGlite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTelegramChannel } from "../../src/channels/telegram/index.js";
import type { ChannelSender, OutboundMessage } from "../../src/channels/types.js";
import { enqueue, enqueueIn, enqueueMany, outboxCounts, OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import { listenForEnqueues } from "../../src/outbox/listen.js";
import { openStore, type Store } from "../../src/store/database.js";
import { createPgDatabase, FLAVOURS, freshStore } from "../helpers/db.js";
import { acceptedCounts, BOT_INFO, startBotApi, TOKEN, type BotApiStandIn } from "./bot-api.js";
import { type Delivery, FakeSender } from "./fakes.js";

function tg(chatId: string, text: string): OutboundMessage {
  return { channel: "telegram", chatId, text };
}

function telegramSender(store: Store, api: BotApiStandIn): ChannelSender {
  return createTelegramChannel({ token: TOKEN, apiRoot: api.url, botInfo: BOT_INFO, store, onInbound: async () => undefined }).channel;
}

function textsByChat(accepted: readonly { chatId: string; text: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of accepted) {
    if (!out.has(a.chatId)) out.set(a.chatId, []);
    out.get(a.chatId)!.push(a.text);
  }
  return out;
}

describe.each(FLAVOURS)("outbox keeps moving on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let api: BotApiStandIn | undefined;
  let worker: OutboxWorker | undefined;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
  });
  afterEach(async () => {
    await worker?.stop({ wait: false });
    worker = undefined;
    await api?.close();
    api = undefined;
    await cleanup();
  });

  it("a hung Bot API call times out; other chats keep flowing; the message is retried and delivered once", async () => {
    api = await startBotApi({ misbehave: (_chat, text, attempt) => (text === "A0" && attempt === 1 ? "hang" : undefined) });
    await enqueue(store, tg("-1", "A0"));
    await enqueue(store, tg("-1", "A1"));
    for (let c = 2; c <= 6; c++) for (let k = 0; k < 2; k++) await enqueue(store, tg(`-${c}`, `B${c}.${k}`));
    worker = new OutboxWorker({ store, senders: { telegram: telegramSender(store, api) }, sendTimeoutMs: 3000, backoffBaseMs: 100, pollMs: 600_000 });
    worker.start();
    await vi.waitFor(() => expect(api!.accepted).toHaveLength(12), { timeout: 30_000, interval: 50 });

    expect(api.hung).toBe(1);
    expect(worker.stats.timedOut).toBe(1);
    expect([...acceptedCounts(api.accepted).values()].every((n) => n === 1)).toBe(true);
    expect(textsByChat(api.accepted).get("-1")).toEqual(["A0", "A1"]);
    // The other chats' first messages did not wait for the hung one.
    const a0 = api.accepted.findIndex((a) => a.text === "A0");
    for (let c = 2; c <= 6; c++) expect(api.accepted.findIndex((a) => a.text === `B${c}.0`)).toBeLessThan(a0);
    await vi.waitFor(async () => expect((await outboxCounts(store)).sent).toBe(12), { timeout: 10_000 });
  });

  it("a failing Bot API (502, 502, then OK): retried, delivered once", async () => {
    api = await startBotApi({
      misbehave: (_chat, text, attempt) => (text === "X" && attempt <= 2 ? { status: 502, description: "Bad Gateway" } : undefined),
    });
    const { id } = await enqueue(store, tg("-7", "X"));
    await enqueue(store, tg("-8", "Y"));
    worker = new OutboxWorker({ store, senders: { telegram: telegramSender(store, api) }, backoffBaseMs: 50, pollMs: 600_000 });
    worker.start();
    await vi.waitFor(() => expect(api!.accepted).toHaveLength(2), { timeout: 30_000, interval: 50 });
    expect(api.attempts.get("X")).toBe(3);
    expect(acceptedCounts(api.accepted)).toEqual(new Map([["X", 1], ["Y", 1]]));
    expect(worker.stats.failed).toBe(2);
    await vi.waitFor(async () => {
      const [row] = await store.sql.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM "OutboxMessage" WHERE id = $1`, [id]);
      expect(row).toEqual({ status: "sent", attempts: 2 });
    });
  });

  it("a long message is queued as parts; part 2 failing once sends part 1 once and part 2 once, in order", async () => {
    const p1 = "Phần một của báo cáo. ".repeat(150).trim();
    const p2 = "Phần hai của báo cáo. ".repeat(150).trim();
    const text = `${p1}\n\n${p2}`;
    expect(text.length).toBeGreaterThan(4096);
    api = await startBotApi({
      misbehave: (_chat, t, attempt) => (t.startsWith("Phần hai") && attempt === 1 ? { status: 500, description: "Internal Server Error" } : undefined),
    });
    await enqueue(store, tg("-9", text));
    expect((await outboxCounts(store)).pending).toBe(2);
    worker = new OutboxWorker({ store, senders: { telegram: telegramSender(store, api) }, backoffBaseMs: 50, pollMs: 600_000 });
    worker.start();
    await vi.waitFor(() => expect(api!.accepted).toHaveLength(2), { timeout: 30_000, interval: 50 });
    expect(api.accepted.map((a) => a.text).join("")).toBe(text);
    expect(api.accepted[0]!.text.startsWith("Phần một")).toBe(true);
    expect(api.attempts.get(api.accepted[0]!.text)).toBe(1); // part 1 was not sent again
    expect(api.attempts.get(api.accepted[1]!.text)).toBe(2);
    expect(worker.stats.failed).toBe(1);
  });

  it("a worker that dies mid-send: another takes its claim within the (default) lease, not minutes", async () => {
    const clock = new VirtualClock(Date.UTC(2024, 4, 17, 1, 0));
    await enqueue(store, tg("-1", "stuck"));
    await enqueue(store, tg("-1", "after"));
    await enqueue(store, tg("-2", "other"));
    const delivered: Delivery[] = [];
    let dead!: OutboxWorker;
    const hung = new Promise<void>((resolve) => {
      const s1 = new FakeSender("telegram", clock, (m) => {
        if (m.text === "stuck") {
          resolve();
          return "hang"; // and ignores the abort signal
        }
      }, delivered);
      dead = new OutboxWorker({ store, senders: { telegram: s1 }, clock, sendTimeoutMs: 3_600_000 });
    });
    dead.start();
    await hung;
    await dead.stop({ wait: false }); // no more renewals, claim not handed back: a crash
    expect((await outboxCounts(store)).sending).toBe(1);
    const crashAt = clock.now();
    const s2 = new FakeSender("telegram", clock, undefined, delivered);
    const w2 = new OutboxWorker({ store, senders: { telegram: s2 }, clock, pollMs: 3_600_000 });
    await w2.drain();
    expect(delivered.map((d) => d.text).sort()).toEqual(["after", "other", "stuck"]);
    const stuck = delivered.find((d) => d.text === "stuck")!;
    expect(stuck.at - crashAt).toBeLessThanOrEqual(20_000 + 1000);
    expect(delivered.findIndex((d) => d.text === "after")).toBeGreaterThan(delivered.indexOf(stuck));
  });

  it("an enqueue wakes an idle worker at once (the poll interval is an hour)", async () => {
    const sender = new FakeSender("telegram", new VirtualClock());
    await enqueue(store, tg("-1", "first"));
    worker = new OutboxWorker({ store, senders: { telegram: sender }, pollMs: 3_600_000 });
    worker.start();
    await vi.waitFor(() => expect(sender.delivered).toHaveLength(1), { timeout: 10_000, interval: 20 });
    await vi.waitFor(async () => expect((await outboxCounts(store)).sent).toBe(1), { timeout: 10_000, interval: 20 });
    // Idle now, until the next poll in an hour — unless woken.
    await store.sql.transaction((tx) => enqueueIn(tx, [{ msg: tg("-2", "second") }]));
    await enqueueMany(store, [{ msg: tg("-3", "third") }]);
    await vi.waitFor(() => expect(sender.delivered.map((d) => d.text)).toEqual(["first", "second", "third"]), { timeout: 10_000, interval: 20 });
  });
});

describe("outbox workers on one PostgreSQL, several instances", () => {
  let url: string;
  let drop: () => Promise<void>;
  const stores: Store[] = [];
  beforeEach(async () => ({ url, drop } = await createPgDatabase()));
  afterEach(async () => {
    for (const s of stores.splice(0).reverse()) await s.close();
    await drop();
  });

  it("an enqueue on another instance wakes an idle worker through LISTEN/NOTIFY at commit", async () => {
    const a = await openStore({ databaseUrl: url, poolSize: 2 });
    stores.push(a);
    const b = await openStore({ databaseUrl: url, poolSize: 2, migrate: false });
    stores.push(b);
    const wakeups = listenForEnqueues(url);
    await wakeups.ready;
    const sender = new FakeSender("telegram", new VirtualClock());
    // Instance B: does not hear this process's in-memory wake-ups, only NOTIFY.
    const w = new OutboxWorker({ store: b, senders: { telegram: sender }, pollMs: 3_600_000, wakeups, wakeOnLocalEnqueue: false });
    w.start();
    try {
      await enqueue(a, tg("-1", "first"));
      await vi.waitFor(() => expect(sender.delivered).toHaveLength(1), { timeout: 10_000, interval: 20 });
      await vi.waitFor(async () => expect((await outboxCounts(a)).sent).toBe(1), { timeout: 10_000, interval: 20 });
      await a.sql.transaction(async (tx) => {
        await enqueueIn(tx, [{ msg: tg("-2", "in a transaction") }]);
      });
      await vi.waitFor(() => expect(sender.delivered.map((d) => d.text)).toEqual(["first", "in a transaction"]), { timeout: 10_000, interval: 20 });
    } finally {
      await w.stop();
      await wakeups.close();
    }
  });

  it("three workers share Telegram's limits: a stand-in enforcing 1/s per chat and 30/s overall sees no 429, each message once", async () => {
    const api = await startBotApi();
    const workers: OutboxWorker[] = [];
    try {
      for (let i = 0; i < 3; i++) stores.push(await openStore({ databaseUrl: url, poolSize: 4, migrate: i === 0 }));
      const items = [];
      const expected = new Map<string, string[]>();
      for (let k = 0; k < 3; k++)
        for (let c = 0; c < 50; c++) {
          const chatId = `-100${c}`;
          const text = `group ${c} message ${k}`;
          items.push({ msg: tg(chatId, text) });
          if (!expected.has(chatId)) expected.set(chatId, []);
          expected.get(chatId)!.push(text);
        }
      await enqueueMany(stores[0]!, items);
      for (const [i, s] of stores.entries()) {
        const w = new OutboxWorker({ store: s, senders: { telegram: telegramSender(s, api) }, workerId: `W${i}` });
        workers.push(w);
        w.start();
      }
      await vi.waitFor(async () => expect((await outboxCounts(stores[0]!)).sent).toBe(150), { timeout: 50_000, interval: 200 });
      expect(api.why429).toEqual({});
      expect(api.got429).toBe(0);
      expect(api.accepted).toHaveLength(150);
      expect(textsByChat(api.accepted)).toEqual(expected);
      // every instance did part of the work
      for (const w of workers) expect(w.stats.sent).toBeGreaterThan(0);
    } finally {
      for (const w of workers) await w.stop();
      await api.close();
    }
  });
});
