/**
 * Several instances for real: three bot processes on one PostgreSQL database in webhook mode behind
 * a real nginx (Debian's package, started by the test), with Telegram's side on loopback — updates
 * POSTed through nginx with the secret header, delivered again on a non-2xx answer or a timeout
 * (test/telegram/webhook-delivery.ts), replies received by a local Bot API. One instance is killed
 * with SIGKILL in the middle of the traffic.
 *
 * Checked: every update handled exactly once (one claim, one queued reply), every reply delivered,
 * twice only for a send in flight in the killed process; Telegram's limits held by the three
 * instances together: at most 30 sends in any second, at most 20 in any minute per group (each
 * group starts with 15 sends 40 s old in its history, as from an instance gone since, so its window
 * fills within seconds instead of a minute).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { WebhookDelivery } from "../telegram/webhook-delivery.js";
import type { BotProcess } from "./bot-process.js";
import { busiestWindow, claimedReplies, deliveries, faultHarness, freePort, huy, sleep, storeView, withDb } from "./harness.js";
import { findNginx, Nginx } from "./nginx.js";

const PATH = "/telegram";
const SECRET = "cluster_fault_suite_secret";
const LISTENING = "Telegram webhook listening";
const GROUPS = [-1_002_000_000_001, -1_002_000_000_002];
/** Sends already in each group's history, 40 s before the traffic. */
const SEEDED_PER_GROUP = 15;
const SEEDED_AGE_MS = 40_000;
/** Messages in each group: more than the 5 its window still allows. */
const PER_GROUP = 8;
/** The outbox's default concurrency: sends one process has in flight at most. */
const MAX_IN_FLIGHT = 32;

const h = faultHarness();
const nginxBinary = findNginx();
// Outside CI a machine without nginx skips this test, loudly; in CI it runs (and fails without nginx).
const canRun = Boolean(nginxBinary) || Boolean(process.env.CI);
if (!canRun) {
  console.warn(
    "\n*** SKIPPED: the multi-instance webhook test needs nginx (apt-get install nginx-light); .ci/run installs it. ***\n",
  );
}

describe("three instances behind nginx in webhook mode", () => {
  it.runIf(canRun)("one killed mid-traffic: every update handled once, every reply delivered, limits held across instances", async () => {
    if (!nginxBinary) throw new Error("nginx is not installed (CI is set): .ci/run installs it with apt-get install nginx-light");
    const { api, db, env } = await h.setUp();
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const bots: BotProcess[] = ports.map((port, i) =>
      h.start(
        {
          ...env,
          TELEGRAM_MODE: "webhook",
          TELEGRAM_WEBHOOK_URL: `https://bot.example.vn${PATH}`,
          TELEGRAM_WEBHOOK_SECRET: SECRET,
          PORT: String(port),
        },
        `instance ${"ABC"[i]}`,
      ),
    );
    await Promise.all(bots.map((b) => b.waitForLog(LISTENING, 120_000)));

    const dir = mkdtempSync(join(tmpdir(), "vundap-nginx-"));
    h.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const nginx = await Nginx.start(nginxBinary, { dir, port: await freePort(), upstreams: ports, path: PATH });
    h.onCleanup(() => nginx.stop());
    h.extraDiagnosis = () => `--- nginx error log:\n${nginx.errorLog(10)}`;
    const telegram = new WebhookDelivery({ url: `http://127.0.0.1:${nginx.port}${PATH}`, secret: SECRET });
    h.onCleanup(() => telegram.close());

    // Each group's history: 15 sends 40 s ago. Within the next 20 s only 5 more may go there.
    const seededAt = Date.now() - SEEDED_AGE_MS;
    await withDb(db.url, async (c) => {
      for (const group of GROUPS)
        for (let i = 0; i < SEEDED_PER_GROUP; i++)
          await c.query(
            `INSERT INTO "OutboxMessage" (channel, "chatId", payload, status, "sentAt", "updatedAt")
             VALUES ('telegram', $1, '{"text":"earlier"}'::jsonb, 'sent', $2::timestamptz, now())`,
            [String(group), new Date(seededAt).toISOString()],
          );
    });

    // Traffic: 8 messages in each group, a burst of 60 private chats (more than 30 replies a second
    // are wanted), then one private message every 50 ms; instance B is killed after 40 of those.
    const sent: Update[] = [];
    const push = (u: Update) => {
      sent.push(u);
      telegram.push(u);
    };
    GROUPS.forEach((g, gi) => {
      for (let p = 0; p < PER_GROUP; p++) push(huy(200 + gi * PER_GROUP + p, g));
    });
    for (let p = 0; p < 60; p++) push(huy(p));
    let killedAt = 0;
    let claimedAtKill = new Set<number>();
    for (let i = 0; i < 100; i++) {
      push(huy(100 + (i % 40)));
      if (i === 40) {
        killedAt = Date.now();
        await bots[1]!.kill();
        // Replies claimed at that moment (by any instance): a repeat can only be one of these.
        claimedAtKill = await claimedReplies(db.url);
      }
      await sleep(50);
    }

    const ids = sent.map((u) => u.update_id);
    await h.until(() => telegram.allAcknowledged(), 120_000, "every update acknowledged with a 2xx");
    const view = await storeView(db.url, ids);
    // The killed instance's claims come back when their lease (20 s) ends.
    await h.until(() => ids.every((id) => (deliveries(api).get(id)?.length ?? 0) >= 1), 120_000, "a reply to every update");

    // Exactly once in the store.
    expect(ids.filter((id) => view.claims.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => view.queued.get(id) !== 1)).toEqual([]);
    // Delivered; twice only for a send the killed process had in flight.
    const twice = [...deliveries(api)].filter(([id, calls]) => ids.includes(id) && calls.length > 1);
    for (const [id, calls] of twice) {
      expect(calls).toHaveLength(2);
      expect(claimedAtKill.has(id)).toBe(true);
      expect(calls[0]!.at!).toBeLessThanOrEqual(killedAt + 1_000);
    }
    expect(twice.length).toBeLessThanOrEqual(MAX_IN_FLIGHT);

    // Telegram's limits, by the three instances together, at the Bot API.
    const sends = api.callsOf("sendMessage");
    const busiestSecond = busiestWindow(sends.map((c) => c.at!), 1_000);
    expect(busiestSecond).toBeLessThanOrEqual(30);
    const busiestGroupMinute: number[] = [];
    for (const group of GROUPS) {
      const times = sends.filter((c) => Number(c.payload.chat_id) === group).map((c) => c.at!);
      expect(times).toHaveLength(PER_GROUP);
      const minute = busiestWindow([...Array<number>(SEEDED_PER_GROUP).fill(seededAt), ...times], 60_000);
      expect(minute).toBeLessThanOrEqual(20);
      busiestGroupMinute.push(minute);
    }

    // What Telegram saw: non-2xx answers (502: a request the killed instance had taken), each delivered again.
    const failures = telegram.failures();
    const redelivered = new Set(failures.map((f) => f.updateId));
    expect([...redelivered].every((id) => telegram.attempts.some((a) => a.updateId === id && a.status === 200))).toBe(true);
    const lastFailureMs = failures.length ? Math.max(...failures.map((f) => f.endedAt)) - killedAt : 0;
    // Until every update that failed had been handled by another instance.
    const rerouteMs = Math.max(
      0,
      ...[...redelivered].map((id) => telegram.attempts.find((a) => a.updateId === id && a.status === 200)!.endedAt - killedAt),
    );
    // nginx's side: requests per instance, and those it passed to another instance itself.
    const tried = nginx.accessLog().map((l) => l.split(" ").filter((w) => /^127\.0\.0\.1:\d+,?$/.test(w)).map((w) => w.replace(",", "")));
    const perInstance = ports.map((p) => tried.filter((addrs) => addrs.at(-1) === `127.0.0.1:${p}`).length);
    const passedOn = tried.filter((addrs) => addrs.length > 1).length;
    expect(perInstance.every((n) => n > 0)).toBe(true);

    const statuses = failures.reduce<Record<number, number>>((acc, f) => ({ ...acc, [f.status]: (acc[f.status] ?? 0) + 1 }), {});
    console.log(
      `3 instances behind nginx, B killed: ${ids.length} updates in, ${view.claims.size} handled once, ` +
        `${[...view.queued.values()].reduce((a, b) => a + b, 0)} replies queued and delivered, ${twice.length} delivered twice ` +
        `(${claimedAtKill.size} claimed at the kill); Telegram saw ${failures.length} non-2xx ${JSON.stringify(statuses)} ` +
        `for ${redelivered.size} updates, all redelivered; last failure ${lastFailureMs} ms, last of them handled elsewhere ${rerouteMs} ms after the kill; nginx: requests per ` +
        `instance ${perInstance.join("/")}, ${passedOn} passed on to another instance; busiest second ${busiestSecond} sends, ` +
        `busiest group minute ${busiestGroupMinute.join("/")} (15 of them earlier)`,
    );
  }, 240_000);
});
