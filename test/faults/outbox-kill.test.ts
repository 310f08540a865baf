/**
 * kill -9 of a real process while its outbox sends: a bot process with hundreds of queued replies
 * (Telegram answers each send after a second, so many are in flight at once) is killed with SIGKILL
 * in the middle of sending; a new process takes over polling and the outbox, and delivers the rest.
 *
 * Checked: every update handled once and its reply queued once; every reply delivered; a reply
 * delivered twice only if the killed process had it claimed — and every send Telegram had received
 * but not yet answered at the kill is delivered exactly twice (the Bot API has no idempotency key:
 * nobody can know it arrived), so the repeats are bounded by the sends in flight (at most the
 * outbox's concurrency, 32).
 */
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { defaultAnswer } from "../telegram/fake-api.js";
import { BOT } from "../telegram/fixtures.js";
import { claimedReplies, deliveries, faultHarness, huy, quoted, sleep, storeView } from "./harness.js";

const STARTED = "telegram long polling started";
/** How long "Telegram" takes to answer a send. */
const SEND_LATENCY_MS = 1_000;
const MAX_IN_FLIGHT = 32;

const h = faultHarness();

describe("kill -9 of a process while its outbox sends", () => {
  it("a new process delivers the rest; repeats only for the sends in flight at the kill", async () => {
    const { api, db, env } = await h.setUp();
    // Sends Telegram has received and not yet answered (by quoted message id).
    const unanswered = new Set<number>();
    api.responders.set("sendMessage", async (call) => {
      const id = quoted(call);
      unanswered.add(id);
      await sleep(SEND_LATENCY_MS);
      unanswered.delete(id);
      return defaultAnswer(call, BOT);
    });

    const first = h.start(env, "bot#1");
    await first.waitForLog(STARTED, 120_000);
    const sent: Update[] = [];
    for (let p = 0; p < 240; p++) {
      const u = huy(p);
      sent.push(u);
      api.push(u);
    }
    // Killed once it has delivered a good part and has sends under way.
    await h.until(() => deliveries(api).size >= 40 && unanswered.size >= 5, 120_000, "sends under way");
    const killedAt = Date.now();
    await first.kill();
    const inFlightAtKill = new Set(unanswered);
    const claimedAtKill = await claimedReplies(db.url);
    const deliveredBeforeKill = deliveries(api).size;

    const second = h.start(env, "bot#2");
    await second.waitForLog(STARTED, 120_000);
    const ids = sent.map((u) => u.update_id);
    await h.until(() => ids.every((id) => deliveries(api).has(id)), 120_000, "a reply to every update");
    const doneMs = Date.now() - killedAt;
    await h.until(() => unanswered.size === 0, 30_000, "the last sends answered");

    const view = await storeView(db.url, ids);
    expect(ids.filter((id) => view.claims.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => view.queued.get(id) !== 1)).toEqual([]);
    const counts = new Map([...deliveries(api)].map(([id, calls]) => [id, calls.length]));
    const twice = ids.filter((id) => counts.get(id)! > 1);
    // Every send Telegram had but had not answered went out again, exactly once more ...
    expect([...inFlightAtKill].filter((id) => counts.get(id) !== 2)).toEqual([]);
    // ... and nothing else but claims of the killed process, at most its concurrency.
    expect(twice.filter((id) => counts.get(id) !== 2 || !claimedAtKill.has(id))).toEqual([]);
    expect(twice.length).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    console.log(
      `outbox kill -9: ${ids.length} replies queued once; ${deliveredBeforeKill} had reached Telegram before the kill, ` +
        `${inFlightAtKill.size} of them not yet answered; ${claimedAtKill.size} claimed at the kill; ${twice.length} delivered twice; ` +
        `every reply delivered ${doneMs} ms after the kill`,
    );
  }, 240_000);
});
