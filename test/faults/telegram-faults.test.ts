/**
 * Nothing lost, nothing twice, under real faults: the bot runs as a real process (src/main.ts)
 * against a local Bot API server that behaves like Telegram (updates come again until an offset
 * confirms them; 409 when two pollers wait at once) and the local PostgreSQL — directly, or
 * through a TCP proxy the test cuts to simulate a database outage.
 *
 * Each update is a "/huy" in a private chat: its unit of work deletes (nothing), claims the update
 * and queues one reply quoting the message, so "handled exactly once" is visible in the store
 * (one claim, one outbox row per message) and at the Bot API (one delivered reply per message).
 *
 * The four tests run at the same time (most of their time is waiting: for a lease, a leadership
 * retry, a restart), each in its own world: its own Bot API, database, data folder and processes.
 */
import type { Update } from "grammy/types";
import { describe, it } from "vitest";
import { PG_ADMIN_URL } from "../helpers/db.js";
import { claimedReplies, deliveries, deliveryOrderByChat, freePort, huy, sleep, storeView, testHarness, withDb } from "./harness.js";
import { TcpProxy } from "./tcp-proxy.js";

const STARTED = "telegram long polling started";
const OUTAGE_START = "store unreachable";
const OUTAGE_END = "store reachable again";
const LEADERSHIP_LOST = "Telegram polling: leadership lost";

describe.concurrent("the bot under real faults (real processes, PostgreSQL)", () => {
  it("kill -9 at random points under traffic: every update handled once, every reply queued once and delivered", async ({ expect, onTestFinished }) => {
    const h = testHarness({ onTestFinished });
    const until = h.until.bind(h);
    const start = h.start.bind(h);
    const { api, db, env } = await h.setUp();
    let bot = start(env, "bot#1");
    await bot.waitForLog(STARTED, 120_000);

    // Traffic: 40 people in turn, one message every 100 ms (at most 200), until the bot has been
    // killed twice — each time at a random moment 0.2–1.5 s after it started polling — and restarted.
    const CHATS = 40;
    const sent: Update[] = [];
    let trafficOn = true;
    const traffic = (async () => {
      for (let i = 0; trafficOn && i < 200; i++) {
        const u = huy(i % CHATS);
        sent.push(u);
        api.push(u);
        await sleep(100);
      }
    })();
    const kills: number[] = [];
    for (let k = 0; k < 2; k++) {
      await sleep(200 + Math.random() * 1300);
      kills.push(Date.now());
      await bot.kill();
      bot = start(env, `bot#${k + 2}`);
      await bot.waitForLog(STARTED, 120_000);
    }
    await sleep(500);
    trafficOn = false;
    await traffic;

    const ids = sent.map((u) => u.update_id);
    // Handled and queued exactly once, whatever the kills interrupted.
    await until(async () => (await storeView(db.url, ids)).claims.size === ids.length, 90_000, "every update handled");
    const view = await storeView(db.url, ids);
    // A killed worker's claimed outbox rows come back when their lease ends (20 s; outbox-kill.test.ts
    // waits for that): here the leases claimed before the last kill are ended at once.
    await withDb(db.url, (c) =>
      c.query(`UPDATE "OutboxMessage" SET "lockedUntil" = now() WHERE status = 'sending' AND "updatedAt" <= $1::timestamptz`, [
        new Date(kills.at(-1)!).toISOString(),
      ]),
    );
    await until(() => ids.every((id) => (deliveries(api).get(id)?.length ?? 0) >= 1), 90_000, "a reply to every update");
    // Exactly once in the store: one claim and one queued reply per update, none missing.
    expect(ids.filter((id) => view.claims.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => view.queued.get(id) !== 1)).toEqual([]);
    // Delivered: every reply; a second delivery only for a send the process was killed in the middle of
    // (the Bot API has no idempotency key: a send that reached Telegram before the kill was not marked sent).
    const twice = [...deliveries(api)].filter(([id, calls]) => ids.includes(id) && calls.length > 1);
    for (const [, calls] of twice) {
      expect(calls).toHaveLength(2);
      expect(kills.some((k) => calls[0]!.at! <= k && k - calls[0]!.at! < 5_000)).toBe(true);
    }
    // All of it confirmed to "Telegram" in the end.
    await until(() => api.unconfirmed().length === 0, 30_000, "every update confirmed");
    console.log(
      `kill -9 ×${kills.length}: ${ids.length} updates in, ${view.claims.size} handled once, ${[...view.queued.values()].reduce((a, b) => a + b, 0)} replies queued, ${twice.length} delivered twice (in flight at a kill)`,
    );
  }, 400_000);

  it("a PostgreSQL outage while polling: updates are held unconfirmed, all handled in order once it is back, one log line each way", async ({ expect, onTestFinished }) => {
    const h = testHarness({ onTestFinished });
    const until = h.until.bind(h);
    const start = h.start.bind(h);
    const { api, db, env } = await h.setUp();
    const target = new URL(PG_ADMIN_URL);
    const proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).listen();
    h.onCleanup(() => proxy.close());
    const bot = start({ ...env, DATABASE_URL: proxy.urlFor(db.url) }, "bot");
    await bot.waitForLog(STARTED, 120_000);

    const before = [0, 1, 2, 3, 4].map((chat) => huy(chat));
    before.forEach((u) => api.push(u));
    await until(() => before.every((u) => deliveries(api).has(u.update_id)), 60_000, "replies before the outage");

    await proxy.cut();
    const during: Update[] = [];
    for (let round = 0; round < 3; round++) for (let chat = 0; chat < 5; chat++) during.push(huy(chat));
    during.forEach((u) => api.push(u));
    // The poller's lock connection is gone: it stops polling (another instance could take over),
    // with one line; an update in flight at that moment adds the inbound path's one line.
    await bot.waitForLog(LEADERSHIP_LOST, 30_000);
    await sleep(3_000);
    // Held: nothing handled, nothing confirmed.
    expect(during.filter((u) => deliveries(api).has(u.update_id))).toEqual([]);
    expect(api.unconfirmed().map((u) => u.update_id)).toEqual(during.map((u) => u.update_id));

    await proxy.restore();
    await until(() => during.every((u) => deliveries(api).has(u.update_id)), 90_000, "replies after the outage");
    const ids = during.map((u) => u.update_id);
    const view = await storeView(db.url, ids);
    expect(ids.filter((id) => view.claims.get(id) !== 1 || view.queued.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => deliveries(api).get(id)!.length !== 1)).toEqual([]);
    // In order per chat.
    for (const [chat, order] of deliveryOrderByChat(api)) {
      const expected = [...before, ...during].filter((u) => u.message!.chat.id === chat).map((u) => u.update_id);
      expect(order).toEqual(expected);
    }
    // One line when it went (the lock connection; at most one more from an update in flight),
    // none per held update, one when polling resumed.
    const lines = {
      lost: bot.logged(LEADERSHIP_LOST).length,
      connectFailed: bot.logged("leadership connection failed").length,
      unreachable: bot.logged(OUTAGE_START).length,
      reachable: bot.logged(OUTAGE_END).length,
      acquired: bot.logged("Telegram polling: leadership acquired").length,
      started: bot.logged(STARTED).length,
    };
    expect(lines.lost).toBe(1);
    expect(lines.connectFailed).toBeLessThanOrEqual(1);
    expect(lines.unreachable).toBeLessThanOrEqual(1);
    expect(lines.reachable).toBe(lines.unreachable);
    expect([lines.acquired, lines.started]).toEqual([2, 2]);
    console.log(`outage while polling: ${during.length} updates held, ${view.claims.size} handled once after it; log lines ${JSON.stringify(lines)}`);
  }, 300_000);

  it("webhook mode answers 5xx while PostgreSQL is down, and handles the redelivered update once when it is back", async ({ expect, onTestFinished }) => {
    const h = testHarness({ onTestFinished });
    const until = h.until.bind(h);
    const start = h.start.bind(h);
    const { api, db, env } = await h.setUp();
    const target = new URL(PG_ADMIN_URL);
    const proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).listen();
    h.onCleanup(() => proxy.close());
    const port = await freePort();
    const secret = "fault_suite_webhook_secret";
    const bot = start(
      {
        ...env,
        DATABASE_URL: proxy.urlFor(db.url),
        TELEGRAM_MODE: "webhook",
        TELEGRAM_WEBHOOK_URL: "https://bot.example.vn/telegram",
        TELEGRAM_WEBHOOK_SECRET: secret,
        PORT: String(port),
      },
      "webhook bot",
    );
    await bot.waitForLog("Telegram webhook listening", 120_000);
    const post = (u: Update) =>
      fetch(`http://127.0.0.1:${port}/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
        body: JSON.stringify(u),
      }).then((r) => r.status);

    const first = huy(0);
    expect(await post(first)).toBe(200);
    await proxy.cut();
    const held = [huy(0), huy(1), huy(0)];
    const statuses: number[] = [];
    for (const u of held) statuses.push(await post(u));
    expect(statuses.every((s) => s >= 500)).toBe(true);

    await proxy.restore();
    // Telegram retries each undelivered update until it gets a 2xx; then it delivers one twice more.
    for (const u of held) await until(async () => (await post(u)) === 200, 60_000, "a 200 after the outage");
    for (const u of held) expect(await post(u)).toBe(200);
    const ids = [first, ...held].map((u) => u.update_id);
    await until(() => ids.every((id) => deliveries(api).has(id)), 60_000, "every reply delivered");
    const view = await storeView(db.url, ids);
    expect(ids.filter((id) => view.claims.get(id) !== 1 || view.queued.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => deliveries(api).get(id)!.length !== 1)).toEqual([]);
    expect([bot.logged(OUTAGE_START).length, bot.logged(OUTAGE_END).length]).toEqual([1, 1]);
    console.log(`webhook outage: statuses during it ${statuses.join(",")}; ${ids.length} updates handled once`);
  }, 300_000);

  it("two polling instances: only one polls; the other takes over within 30 s after the first is killed", async ({ expect, onTestFinished }) => {
    const h = testHarness({ onTestFinished });
    const until = h.until.bind(h);
    const start = h.start.bind(h);
    const { api, db, env } = await h.setUp();
    const a = start(env, "instance A");
    await a.waitForLog(STARTED, 120_000);
    const b = start(env, "instance B");
    await b.waitForLog("another instance polls Telegram", 120_000);

    const early = [0, 1, 2, 3].map((chat) => huy(chat));
    early.forEach((u) => api.push(u));
    await until(() => early.every((u) => deliveries(api).has(u.update_id)), 60_000, "replies from the polling instance");
    expect(b.logged(STARTED)).toEqual([]);
    expect(api.conflicts).toBe(0);

    await a.kill();
    const killedAt = Date.now();
    // A reply A had sent but not yet marked sent when it was killed (claimed, "sending") is sent
    // again by B after the lease: the Bot API has no idempotency key. Only those may come twice.
    const claimedAtKill = await claimedReplies(db.url);
    await b.waitForLog(STARTED, 30_000);
    const tookOverMs = Date.now() - killedAt;
    const late = [0, 1, 2, 3].map((chat) => huy(chat));
    late.forEach((u) => api.push(u));
    const ids = [...early, ...late].map((u) => u.update_id);
    await until(() => ids.every((id) => deliveries(api).has(id)), 90_000, "replies after the takeover");
    const view = await storeView(db.url, ids);
    expect(ids.filter((id) => view.claims.get(id) !== 1 || view.queued.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => deliveries(api).get(id)!.length !== 1 && !(claimedAtKill.has(id) && deliveries(api).get(id)!.length === 2))).toEqual([]);
    console.log(`takeover: instance B polled ${tookOverMs} ms after instance A was killed; 409s: ${api.conflicts}`);
  }, 300_000);
});
