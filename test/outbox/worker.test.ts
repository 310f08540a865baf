import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ChannelName,
  type OutboundMessage,
  PermanentSendError,
  RetryAfterError,
  TransientSendError,
} from "../../src/channels/types.js";
import {
  enqueue,
  enqueueMany,
  listSetAside,
  outboxCounts,
  OutboxWorker,
  retrySetAside,
  VirtualClock,
} from "../../src/outbox/index.js";
import { openStore, type Store } from "../../src/store/database.js";
import { createPgDatabase, FLAVOURS, freshStore } from "../helpers/db.js";
import { type Delivery, FakeSender, maxInWindow, minGap, prng } from "./fakes.js";

const T0 = Date.UTC(2024, 4, 17, 1, 0); // 08:00 in Vietnam

function msg(chatId: string, text: string, channel: ChannelName = "telegram"): OutboundMessage {
  return { channel, chatId, text };
}

/** n chats × k messages, interleaved as a broadcast would queue them. */
async function broadcast(store: Store, chats: number, perChat: number, channel: ChannelName = "telegram"): Promise<Map<string, string[]>> {
  const expected = new Map<string, string[]>();
  const items = [];
  for (let k = 0; k < perChat; k++)
    for (let c = 0; c < chats; c++) {
      const chatId = `-100${c}`;
      const text = `chat ${chatId} message ${k}`;
      items.push({ msg: msg(chatId, text, channel) });
      if (!expected.has(chatId)) expected.set(chatId, []);
      expected.get(chatId)!.push(text);
    }
  await enqueueMany(store, items);
  return expected;
}

function byChat(deliveries: readonly Delivery[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of deliveries) {
    if (!out.has(d.chatId)) out.set(d.chatId, []);
    out.get(d.chatId)!.push(d.text);
  }
  return out;
}

describe.each(FLAVOURS)("outbox on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let clock: VirtualClock;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    clock = new VirtualClock(T0);
  });
  afterEach(async () => {
    await cleanup();
  });

  it("enqueue with the same dedupeKey twice is a no-op", async () => {
    const a = await enqueue(store, msg("-1", "nhắc"), { dedupeKey: "k1" });
    const b = await enqueue(store, msg("-1", "nhắc"), { dedupeKey: "k1" });
    const c = await enqueue(store, msg("-1", "nhắc"));
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(c.created).toBe(true);
    expect((await outboxCounts(store)).pending).toBe(2);
  });

  it("keeps order per chat and paces: ≥ 1 s per chat, ≤ 20/min per group, ≤ 30/s overall", async () => {
    const expected = await broadcast(store, 35, 22);
    const tg = new FakeSender("telegram", clock);
    await new OutboxWorker({ store, senders: { telegram: tg }, clock }).drain();
    expect(byChat(tg.delivered)).toEqual(expected);
    const times = tg.delivered.map((d) => d.at);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(30);
    for (const chatId of expected.keys()) {
      const at = tg.delivered.filter((d) => d.chatId === chatId).map((d) => d.at);
      expect(minGap(at)).toBeGreaterThanOrEqual(1000);
      expect(maxInWindow(at, 60_000)).toBeLessThanOrEqual(20);
    }
    // 22 messages to one group: 20 in the first minute, the last two after it.
    const first = tg.delivered.filter((d) => d.chatId === "-1000").map((d) => d.at - T0);
    expect(first[20]!).toBeGreaterThanOrEqual(60_000);
    expect(await outboxCounts(store)).toMatchObject({ pending: 0, sending: 0, sent: 35 * 22 });
  });

  it("notBefore holds a message back", async () => {
    await enqueue(store, msg("-1", "later"), { notBefore: new Date(T0 + 3_600_000) });
    await enqueue(store, msg("-2", "now"));
    const tg = new FakeSender("telegram", clock);
    await new OutboxWorker({ store, senders: { telegram: tg }, clock, pollMs: 600_000 }).drain();
    expect(tg.delivered.map((d) => [d.text, d.at - T0])).toEqual([
      ["now", 0],
      ["later", 3_600_000],
    ]);
  });

  it("429 retry_after pauses that chat; 429s from several chats pause the channel", async () => {
    await broadcast(store, 5, 2);
    const tg = new FakeSender("telegram", clock, (m, call) => {
      if (m.chatId === "-1000" && m.text.endsWith("message 0") && call === 1) return new RetryAfterError(7);
    });
    await new OutboxWorker({ store, senders: { telegram: tg }, clock }).drain();
    const chat0 = tg.delivered.filter((d) => d.chatId === "-1000");
    expect(chat0.map((d) => d.text)).toEqual(["chat -1000 message 0", "chat -1000 message 1"]);
    expect(chat0[0]!.at - T0).toBeGreaterThanOrEqual(7000);
    // other chats were not held up
    expect(tg.delivered.find((d) => d.chatId === "-1001")!.at - T0).toBeLessThan(1000);

    // A channel-wide limit: every call in the next 20 s answers 429. After 429s from three chats
    // within a second the worker pauses the whole channel instead of trying all 40 chats.
    await broadcast(store, 40, 1);
    const t1 = clock.now();
    const tg2 = new FakeSender("telegram", clock, () => {
      const left = t1 + 20_000 - clock.now();
      if (left > 0) return new RetryAfterError(Math.ceil(left / 1000));
    });
    const w = new OutboxWorker({ store, senders: { telegram: tg2 }, clock });
    await w.drain();
    expect(tg2.delivered).toHaveLength(40);
    for (const d of tg2.delivered) expect(d.at - t1).toBeGreaterThanOrEqual(20_000);
    expect(w.stats.retried429).toBeGreaterThanOrEqual(3);
    expect(w.stats.retried429).toBeLessThan(15);
  });

  it("a storm of 429s and 5xx ends with every message delivered exactly once, in order per chat", async () => {
    const expected = await broadcast(store, 20, 8);
    const rnd = prng(42);
    const plan = new Map<string, { r429: number; r5xx: number }>();
    const tg = new FakeSender("telegram", clock, (m) => {
      let p = plan.get(m.text);
      if (!p) plan.set(m.text, (p = { r429: Math.floor(rnd() * 3), r5xx: Math.floor(rnd() * 4) }));
      if (p.r429 > 0 && rnd() < 0.5) {
        p.r429--;
        return new RetryAfterError(1 + Math.floor(rnd() * 5));
      }
      if (p.r5xx > 0) {
        p.r5xx--;
        return new TransientSendError(rnd() < 0.5 ? "502 Bad Gateway" : "ECONNRESET");
      }
    });
    const w = new OutboxWorker({ store, senders: { telegram: tg }, clock, random: prng(7) });
    await w.drain();
    expect(byChat(tg.delivered)).toEqual(expected);
    expect(new Set(tg.delivered.map((d) => d.text)).size).toBe(tg.delivered.length);
    expect(w.stats.retried429).toBeGreaterThan(10);
    expect(w.stats.failed).toBeGreaterThan(10);
    expect(await outboxCounts(store)).toMatchObject({ sent: 160, dead: 0, pending: 0, sending: 0 });
    for (const chatId of expected.keys())
      expect(minGap(tg.delivered.filter((d) => d.chatId === chatId).map((d) => d.at))).toBeGreaterThanOrEqual(1000);
  });

  it("backs off exponentially with jitter, and sets a message aside after N failures", async () => {
    await enqueue(store, msg("-1", "always fails"));
    await enqueue(store, msg("-1", "next in that chat"));
    await enqueue(store, msg("-2", "forbidden"));
    const calls: { text: string; at: number }[] = [];
    const tg = new FakeSender("telegram", clock, (m) => {
      calls.push({ text: m.text, at: clock.now() - T0 });
      if (m.text === "always fails") return new TransientSendError("503 Service Unavailable");
      if (m.text === "forbidden") return new PermanentSendError("403 Forbidden: bot was kicked from the group");
    });
    const w = new OutboxWorker({ store, senders: { telegram: tg }, clock, maxAttempts: 4, random: () => 1 });
    await w.drain();
    const fails = calls.filter((c) => c.text === "always fails").map((c) => c.at);
    expect(fails).toHaveLength(4);
    const gaps = fails.slice(1).map((t, i) => t - fails[i]!);
    [2000, 4000, 8000].forEach((base, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(base);
      expect(gaps[i]).toBeLessThan(base + 200); // random() = 1: the full delay, no less
    });
    // the chat's next message waited until the failing one was set aside, then went
    expect(tg.delivered.map((d) => d.text)).toEqual(["next in that chat"]);
    expect(tg.delivered[0]!.at - T0).toBeGreaterThanOrEqual(fails[3]!);
    const aside = await listSetAside(store);
    expect(aside.map((a) => [a.text, a.attempts])).toEqual([
      ["forbidden", 1],
      ["always fails", 4],
    ]);
    expect(aside[0]!.lastError).toContain("403");
    expect(aside[1]!.lastError).toContain("503");

    // an admin retries one; it goes out once the channel works again
    tg.behaviour = undefined;
    expect(await retrySetAside(store, aside[0]!.id)).toBe(true);
    await new OutboxWorker({ store, senders: { telegram: tg }, clock }).drain();
    expect(tg.delivered.map((d) => d.text)).toEqual(["next in that chat", "forbidden"]);
    expect(await listSetAside(store)).toHaveLength(1);
  });

  it("restart in the middle of a broadcast: nothing twice, nothing lost", async () => {
    const expected = await broadcast(store, 30, 3);
    const delivered: Delivery[] = [];
    let w1!: OutboxWorker;
    let stopped!: Promise<void>;
    const reached = new Promise<void>((resolve) => {
      const s1 = new FakeSender("telegram", clock, (_m, call) => {
        if (call === 37) {
          stopped = w1.stop();
          resolve();
        }
      }, delivered);
      w1 = new OutboxWorker({ store, senders: { telegram: s1 }, clock });
    });
    w1.start();
    await reached;
    await stopped;
    const firstRun = delivered.length;
    expect(firstRun).toBeGreaterThanOrEqual(37);
    expect(firstRun).toBeLessThan(90);
    const c = await outboxCounts(store);
    expect(c.sending).toBe(0); // unsent claims were handed back
    expect(c.sent).toBe(firstRun);

    const s2 = new FakeSender("telegram", clock, undefined, delivered);
    await new OutboxWorker({ store, senders: { telegram: s2 }, clock }).drain();
    expect(byChat(delivered)).toEqual(expected);
    expect(delivered).toHaveLength(90);
  });

  it("crash: a claimed message comes back after the lease; a crash after the send repeats only that one", async () => {
    const expected = await broadcast(store, 3, 3);
    const delivered: Delivery[] = [];
    // 1) the process dies while the 2nd send is in flight, before the channel got it
    let w1!: OutboxWorker;
    let stuckText = "";
    const hung = new Promise<void>((resolve) => {
      const s1 = new FakeSender("telegram", clock, (m, call) => {
        if (call === 2) {
          stuckText = m.text;
          void w1.stop({ wait: false });
          resolve();
          return "hang";
        }
      }, delivered);
      w1 = new OutboxWorker({ store, senders: { telegram: s1 }, clock, concurrency: 1, leaseMs: 60_000 });
    });
    w1.start();
    await hung;
    await w1.stop({ wait: false });
    expect((await outboxCounts(store)).sending).toBe(1);
    const crashAt = clock.now();
    const s2 = new FakeSender("telegram", clock, undefined, delivered);
    await new OutboxWorker({ store, senders: { telegram: s2 }, clock }).drain();
    expect(byChat(delivered)).toEqual(expected); // nothing lost, nothing twice
    const again = delivered.filter((d) => d.text === stuckText);
    expect(again).toHaveLength(1);
    expect(again[0]!.at - crashAt).toBeGreaterThanOrEqual(60_000 - 1000);

    // 2) the channel accepted the message, then the process died before recording it:
    //    that single message goes out twice, after the lease; every other one once.
    await broadcast(store, 2, 2);
    const d2: Delivery[] = [];
    let w3!: OutboxWorker;
    const hung2 = new Promise<void>((resolve) => {
      const s3 = new FakeSender("telegram", clock, (_m, call) => {
        if (call === 1) {
          void w3.stop({ wait: false });
          resolve();
          return "deliver-then-hang";
        }
      }, d2);
      w3 = new OutboxWorker({ store, senders: { telegram: s3 }, clock, concurrency: 1, leaseMs: 60_000 });
    });
    w3.start();
    await hung2;
    await w3.stop({ wait: false });
    await new OutboxWorker({ store, senders: { telegram: new FakeSender("telegram", clock, undefined, d2) }, clock }).drain();
    const counts = new Map<string, number>();
    for (const d of d2) counts.set(d.text, (counts.get(d.text) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([1, 1, 1, 2]);
    expect(counts.get(d2[0]!.text)).toBe(2);
  });

  it("Zalo: cautious pacing, and no identical text twice in a row", async () => {
    const zalo = new FakeSender("zalo", clock);
    await enqueue(store, msg("g1", "Dạ, chị nhập lại số giúp em ạ.", "zalo"));
    await enqueue(store, msg("g1", "Dạ, chị nhập lại số giúp em ạ.", "zalo"));
    await enqueue(store, msg("g1", "Nhắc báo cáo tháng", "zalo"), { dedupeKey: "a" });
    await enqueue(store, msg("g1", "Nhắc báo cáo tháng", "zalo"), { dedupeKey: "b" });
    for (let i = 0; i < 8; i++) await enqueue(store, msg(`g${i + 2}`, `tin ${i}`, "zalo"));
    const w = new OutboxWorker({ store, senders: { zalo }, clock });
    await w.drain();
    const g1 = zalo.delivered.filter((d) => d.chatId === "g1");
    expect(g1.map((d) => d.text)).toEqual([
      "Dạ, chị nhập lại số giúp em ạ.",
      "Dạ, chị nhập lại số giúp em ạ.\u200B", // a reply: varied invisibly
      "Nhắc báo cáo tháng", // the repeated broadcast was skipped
    ]);
    expect(w.stats.skipped).toBe(1);
    expect(minGap(g1.map((d) => d.at))).toBeGreaterThanOrEqual(3000);
    expect(maxInWindow(zalo.delivered.map((d) => d.at), 1000)).toBeLessThanOrEqual(2);
    expect(await outboxCounts(store)).toMatchObject({ sent: 11, skipped: 1 });
  });
});

describe("two outbox workers on one PostgreSQL", () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeEach(async () => ({ url, drop } = await createPgDatabase()));
  afterEach(async () => drop());

  it("share the work: every message once, in order per chat, paced per chat", async () => {
    const a = await openStore({ databaseUrl: url, poolSize: 4 });
    const b = await openStore({ databaseUrl: url, poolSize: 4, migrate: false });
    try {
      const expected = await broadcast(a, 40, 5);
      const clock = new VirtualClock(T0);
      const delivered: Delivery[] = [];
      const sa = new FakeSender("telegram", clock, undefined, delivered);
      const sb = new FakeSender("telegram", clock, undefined, delivered);
      // Both workers share one virtual clock: while one waits on a slow database call (a loaded CI
      // machine), the other's sleeps move virtual time on, and a 20 s lease could end in virtual time
      // though only milliseconds passed for real. Takeover is pinned by its own tests; here the lease
      // is long enough that virtual time cannot outrun it.
      const leaseMs = 24 * 3600_000;
      const wa = new OutboxWorker({ store: a, senders: { telegram: sa }, clock, workerId: "A", leaseMs, limits: { telegram: { global: { count: 15, perMs: 1000 } } } });
      const wb = new OutboxWorker({ store: b, senders: { telegram: sb }, clock, workerId: "B", leaseMs, limits: { telegram: { global: { count: 15, perMs: 1000 } } } });
      await Promise.all([wa.drain(), wb.drain()]);
      expect(byChat(delivered)).toEqual(expected);
      expect(delivered).toHaveLength(200);
      expect(wa.stats.leaseLost + wb.stats.leaseLost).toBe(0);
      expect(sa.calls).toBeGreaterThan(20);
      expect(sb.calls).toBeGreaterThan(20);
      for (const chatId of expected.keys())
        expect(minGap(delivered.filter((d) => d.chatId === chatId).map((d) => d.at))).toBeGreaterThanOrEqual(1000);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
