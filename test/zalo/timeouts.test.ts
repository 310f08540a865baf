/**
 * The time limits under every Zalo call: the fetch handed to zca-js aborts a request that does not
 * answer, and withTimeout gives up on a call (and cleans up) at its limit on an injected clock.
 */
import { describe, expect, it } from "vitest";
import { Zalo } from "zca-js";
import { fetchWithTimeout, withTimeout, ZALO_TIMEOUTS, zaloWorkerSendLimits, ZaloTimeoutError } from "../../src/channels/zalo/timeouts.js";
import { createRealZalo, ZALO_OPTIONS } from "../../src/channels/zalo/zca.js";
import { ManualClock } from "./helpers.js";

/** A fetch that never answers unless its signal aborts (a server that accepted and went silent). */
const silentFetch = ((_url: unknown, init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
  })) as typeof fetch;

describe("fetchWithTimeout", () => {
  it("aborts a request that does not answer within its limit", async () => {
    const f = fetchWithTimeout(20, silentFetch);
    await expect(f("https://chat.zalo.me/api/x")).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("keeps the caller's own signal working too", async () => {
    const f = fetchWithTimeout(60_000, silentFetch);
    const ctl = new AbortController();
    const p = f("https://chat.zalo.me/api/x", { signal: ctl.signal });
    ctl.abort(new Error("caller gave up"));
    await expect(p).rejects.toThrow("caller gave up");
  });

  it("is what the real zca-js client is made with; the sender's limits end before the worker's", () => {
    const zalo = createRealZalo(ZALO_OPTIONS) as unknown as { options: { polyfill?: unknown; checkUpdate: boolean } };
    expect(zalo).toBeInstanceOf(Zalo);
    expect(typeof zalo.options.polyfill).toBe("function");
    expect(zalo.options.checkUpdate).toBe(false);
    // A text send waits for the listener, then its call; a file likewise. The worker (whose lease is
    // renewed while a send is in flight) waits longer, so the sender's own clean-up always runs first.
    const worker = zaloWorkerSendLimits();
    expect(ZALO_TIMEOUTS.readyMs + ZALO_TIMEOUTS.sendMs).toBeLessThan(worker.sendTimeoutMs);
    expect(ZALO_TIMEOUTS.readyMs + ZALO_TIMEOUTS.fileMs).toBeLessThan(worker.fileSendTimeoutMs);
    for (const ms of Object.values(ZALO_TIMEOUTS)) expect(Number.isFinite(ms)).toBe(true);
  });
});

describe("withTimeout", () => {
  it("rejects with ZaloTimeoutError at the limit and runs the clean-up; a late answer is ignored", async () => {
    const clock = new ManualClock();
    let cleaned = 0;
    let answer!: (v: string) => void;
    const p = withTimeout(new Promise<string>((r) => (answer = r)), 1000, "file upload", clock, () => cleaned++);
    clock.advance(999);
    expect(cleaned).toBe(0);
    clock.advance(1);
    await expect(p).rejects.toBeInstanceOf(ZaloTimeoutError);
    await expect(p).rejects.toThrow("Zalo file upload did not finish within 1000 ms");
    answer("late");
    expect(cleaned).toBe(1);
  });

  it("passes an answer in time through and clears its timer", async () => {
    const clock = new ManualClock();
    await expect(withTimeout(Promise.resolve(42), 1000, "send", clock)).resolves.toBe(42);
    expect(clock.timerCount()).toBe(0);
  });
});
