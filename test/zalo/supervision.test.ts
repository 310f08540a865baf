import { describe, expect, it, vi } from "vitest";
import { CloseReason } from "zca-js";
import { backoffDelay } from "../../src/channels/zalo/clock.js";
import { ZALO_LOGIN_COMMAND } from "../../src/channels/zalo/session.js";
import { FakeListener, flush } from "./fake-zca.js";
import { connectedSessions, WAIT } from "./session-helpers.js";

const connected = connectedSessions();

describe("backoff", () => {
  it("doubles from the base up to the cap, with jitter in [50%, 100%]", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, 2000, 60_000, () => 0.999999))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffDelay(1, 2000, 60_000, () => 0)).toBe(1000);
    expect(backoffDelay(10, 2000, 60_000, () => 0.999999)).toBe(60_000);
  });
});

describe("listener supervision", () => {
  it("reconnects after close 1006 with exponential backoff, and resets after connecting", async () => {
    const s = await connected({ session: { reconnectBaseMs: 2000, reconnectMaxMs: 60_000 } });
    const l = s.api().listener;
    l.autoConnect = false;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      l.drop(CloseReason.AbnormalClosure);
      expect(s.session.getState()).toBe("reconnecting");
      const [delay] = s.clock.pendingTimeouts();
      delays.push(delay!);
      s.clock.advance(delay! - 1);
      expect(l.starts).toHaveLength(1 + i); // not yet
      s.clock.advance(1);
      expect(l.starts).toHaveLength(2 + i);
    }
    // random() = 0.5 → 75% of 2 s, 4 s, 8 s, 16 s
    expect(delays).toEqual([1500, 3000, 6000, 12000]);
    expect(s.session.health().reconnectAttempts).toBe(4);
    l.emit("connected");
    expect(s.session.getState()).toBe("connected");
    expect(s.session.health().reconnectAttempts).toBe(0);
    s.clock.advance(20_000); // the connection held: the backoff starts over
    l.drop(CloseReason.AbnormalClosure);
    expect(s.clock.pendingTimeouts()).toEqual([1500]);
    expect(s.problems).toHaveLength(0);
  });

  it("logs in again after reloginAfterAttempts failed reconnects, and alerts after alertAfterAttempts", async () => {
    const s = await connected({ session: { reloginAfterAttempts: 2, alertAfterAttempts: 3, reconnectBaseMs: 100, reconnectMaxMs: 1000 } });
    const first = s.api();
    first.listener.autoConnect = false;
    for (let i = 0; i < 2; i++) {
      first.listener.drop(1006);
      s.clock.advance(s.clock.pendingTimeouts()[0]!);
    }
    expect(s.f.last().logins).toHaveLength(1);
    first.listener.drop(1006); // attempt 3: alert, then a new login instead of a socket restart
    await flush();
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain("3 lần");
    s.clock.advance(s.clock.pendingTimeouts()[0]!);
    await vi.waitFor(() => expect(s.session.getState()).toBe("connected"), WAIT);
    expect(s.f.last().logins).toHaveLength(2);
    expect(first.listener.starts).toHaveLength(3);
    expect(s.api()).not.toBe(first);
    expect(s.api().listener.starts).toHaveLength(1);
    expect(s.session.getState()).toBe("connected");
    s.clock.advance(20_000);
    await flush();
    expect(s.restored).toHaveLength(1);
    // The old listener's late events are ignored.
    first.listener.drop(1006);
    expect(s.clock.pendingTimeouts()).toEqual([]);
  });

  it("cools down and alerts (once) when another web session takes over (3000), then logs in again", async () => {
    const s = await connected({ session: { duplicateCooldownMs: 10 * 60_000 } });
    const l = s.api().listener;
    l.drop(CloseReason.DuplicateConnection);
    expect(s.session.getState()).toBe("cooldown");
    await flush();
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain("3000");
    expect(s.problems[0]).toContain("10 phút");
    expect(s.problems[0]).toContain(ZALO_LOGIN_COMMAND);
    expect(s.clock.pendingTimeouts()).toEqual([600_000]);
    s.clock.advance(599_999);
    await flush();
    expect(l.starts).toHaveLength(1);
    expect(s.f.last().logins).toHaveLength(1);
    s.clock.advance(1);
    await vi.waitFor(() => expect(s.session.getState()).toBe("connected"), WAIT);
    expect(s.f.last().logins).toHaveLength(2);
    s.clock.advance(20_000);
    await flush();
    expect(s.restored).toHaveLength(1);
    // A second take-over soon after: cool down again, but no second alert.
    s.api().listener.drop(CloseReason.DuplicateConnection);
    expect(s.session.getState()).toBe("cooldown");
    await flush();
    expect(s.problems).toHaveLength(1);
  });

  it("cools down and alerts on 3003 (kicked) too", async () => {
    const s = await connected();
    s.api().listener.drop(CloseReason.KickConnection);
    expect(s.session.getState()).toBe("cooldown");
    await flush();
    expect(s.problems[0]).toContain("3003");
  });

  it("handles every 'error' event (an unhandled one would throw), also from dropped listeners", async () => {
    const bare = new FakeListener();
    expect(() => bare.emit("error", new Error("boom"))).toThrow("boom");
    const s = await connected();
    const l = s.api().listener;
    expect(() => l.emit("error", new Error("socket hang up"))).not.toThrow();
    expect(() => l.emit("error", { type: "error", message: "ws error event" })).not.toThrow();
    expect(s.cap.lines.filter((x) => x.msg === "Zalo listener error").map((x) => x.err)).toEqual(["socket hang up", "ws error event"]);
    await s.session.stop();
    expect(() => l.emit("error", new Error("late"))).not.toThrow();
  });

  it("stop() closes the listener (1000) without reconnecting and clears timers", async () => {
    const s = await connected();
    const l = s.api().listener;
    await s.session.stop();
    expect(l.stops).toBe(1);
    await flush(); // the 1000 close arrives after stop
    expect(s.clock.timerCount()).toBe(0);
    expect(s.session.getState()).toBe("stopped");
    expect(s.session.api()).toBeUndefined();
  });
});

describe("inbound through the session", () => {
  it("delivers text messages in order, remembers them for quotes, skips own messages, survives handler errors", async () => {
    const handled: string[] = [];
    const s = await connected({
      session: {
        onInbound: async (m) => {
          if (m.text === "boom") throw new Error("handler failed");
          await new Promise((r) => setTimeout(r, m.text === "1" ? 20 : 0));
          handled.push(m.text);
        },
      },
    });
    const api = s.api();
    const m1 = api.groupMessage("g-1", { uidFrom: "u-lan", content: "1" });
    const l = api.listener;
    l.emit("message", m1);
    l.emit("message", api.groupMessage("g-1", { uidFrom: "u-lan", content: "boom" }));
    l.emit("message", api.groupMessage("g-1", { uidFrom: "0", content: "self" }));
    l.emit("message", api.groupMessage("g-1", { uidFrom: "u-lan", content: "tiendo" }));
    await vi.waitFor(() => expect(handled).toEqual(["1", "/tiendo"]), WAIT);
    expect(s.cap.lines.some((x) => x.msg === "Zalo inbound handler failed")).toBe(true);
    expect(s.session.recentMessage(m1.data.msgId)).toMatchObject({ msgId: m1.data.msgId, uidFrom: "u-lan", content: "1", cliMsgId: m1.data.cliMsgId });
    expect(s.session.knownChatType("g-1")).toBe("group");
    expect(s.session.health().lastMessageAt).toBe(new Date(s.clock.now()).toISOString());
  });
});
