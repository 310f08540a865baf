/**
 * The session across socket drops, with the zca-js stand-in behaving like the real one: messages
 * sent while the socket is down are not delivered until requestOldMessages; the API is not handed
 * out while the listener is down; 102 leads to a new login; a server that accepts and closes at
 * once is met with a growing backoff and an alert.
 */
import { describe, expect, it, vi } from "vitest";
import { CloseReason, ThreadType, ZaloApiError } from "zca-js";
import { ZaloSender } from "../../src/channels/zalo/sender.js";
import { flush } from "./fake-zca.js";
import { connectedSessions, WAIT } from "./session-helpers.js";

const connected = connectedSessions();

/** Runs the pending reconnect timer and lets the stand-in's socket open. */
async function reconnect(s: Awaited<ReturnType<typeof connected>>): Promise<void> {
  const [delay] = s.clock.pendingTimeouts().filter((d) => d > 0);
  s.clock.advance(delay!);
  await flush();
}

describe("messages missed while the socket was down", () => {
  it("are asked for on every reconnect and handled once; messages seen live are not handled again", async () => {
    const s = await connected({ session: { stableAfterMs: 1000 } });
    const api = s.api();
    const l = api.listener;
    expect(l.oldRequests.map((r) => r.type)).toEqual([ThreadType.User, ThreadType.Group]); // at the first connect too
    const live = api.groupMessage("g-1", { uidFrom: "u-lan", content: "tiendo", ts: String(s.clock.now()) });
    l.deliver(live);
    await flush();
    expect(s.inbound.map((m) => m.text)).toEqual(["/tiendo"]);

    l.drop(CloseReason.AbnormalClosure);
    const missedGroup = api.groupMessage("g-1", { uidFrom: "u-hoa", content: "baocao", ts: String(s.clock.now()) });
    const missedUser = api.userMessage({ uidFrom: "u-mai", content: "trogiup", ts: String(s.clock.now()) });
    l.deliver(missedGroup);
    l.deliver(missedUser);
    await flush();
    expect(s.inbound).toHaveLength(1); // nothing arrives while the socket is down

    await reconnect(s);
    expect(s.session.getState()).toBe("connected");
    expect(l.oldRequests).toHaveLength(4);
    expect(s.inbound.map((m) => m.messageId).sort()).toEqual([live.data.msgId, missedGroup.data.msgId, missedUser.data.msgId].sort());
    expect(s.inbound.find((m) => m.messageId === missedUser.data.msgId)).toMatchObject({ chatType: "private", text: "/trogiup" });

    // Another drop and reconnect: the same batch comes back; nothing is handled twice.
    s.clock.advance(1000);
    l.drop(CloseReason.AbnormalClosure);
    await reconnect(s);
    expect(l.oldRequests).toHaveLength(6);
    expect(s.inbound).toHaveLength(3);
  });

  it("skips missed messages older than oldMessagesMaxAgeMs", async () => {
    const s = await connected({ session: { oldMessagesMaxAgeMs: 60 * 60_000 } });
    const api = s.api();
    const l = api.listener;
    l.drop(CloseReason.AbnormalClosure);
    l.deliver(api.groupMessage("g-1", { uidFrom: "u-lan", content: "tiendo", ts: String(s.clock.now() - 2 * 60 * 60_000) }));
    l.deliver(api.groupMessage("g-1", { uidFrom: "u-lan", content: "nhacnho", ts: String(s.clock.now()) }));
    await reconnect(s);
    expect(s.inbound.map((m) => m.text)).toEqual(["/nhacnho"]);
  });
});

describe("the API while the listener is down", () => {
  it("is not handed out; ready() waits a bounded time, and gets it when the listener comes back", async () => {
    const s = await connected();
    const api = s.api();
    api.listener.autoConnect = false;
    api.listener.drop(CloseReason.AbnormalClosure);
    expect(s.session.api()).toBeUndefined();

    const late = s.session.ready(5000);
    s.clock.advance(5000); // the reconnect timer (1.5 s) restarts the socket, which does not open
    await expect(late).resolves.toBeUndefined();
    expect(api.listener.starts).toHaveLength(2);

    const inTime = s.session.ready(60_000);
    api.listener.connect();
    await expect(inTime).resolves.toBe(api);
    expect(s.session.api()).toBe(api);
  });

  it("is not handed out during a cool-down (3000): ready() answers at once with nothing", async () => {
    const s = await connected();
    s.api().listener.drop(CloseReason.DuplicateConnection);
    expect(s.session.getState()).toBe("cooldown");
    await expect(s.session.ready(60_000)).resolves.toBeUndefined();
  });
});

describe("102: session expired", () => {
  it("a send answered with 102 makes the session log in again from the saved credentials", async () => {
    const s = await connected();
    const first = s.api();
    first.failures = [new ZaloApiError("The session key was improperly submitted or has reached its timeout.", 102)];
    const sender = new ZaloSender({ session: s.session, partDelayMs: 0, clock: s.clock });
    const err = await sender.send({ channel: "zalo", chatId: "g-1", chatType: "group", text: "Chào" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "RetryAfterError", scope: "global" });
    await vi.waitFor(() => expect(s.session.getState()).toBe("connected"), WAIT);
    expect(s.f.last().logins).toHaveLength(2);
    expect(s.session.api()).not.toBe(first);
    expect(s.problems).toHaveLength(0);
  });

  it("when Zalo refuses the new login: needs_login and an alert to the admins with the QR login command", async () => {
    const s = await connected();
    s.f.last().onLogin = (_c, n) => (n >= 2 ? new ZaloApiError("Đăng nhập thất bại") : undefined);
    s.session.sessionExpired("code 102");
    await vi.waitFor(() => expect(s.session.getState()).toBe("needs_login"), WAIT);
    await flush();
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain("npm run cli -- zalo login");
    expect(s.session.api()).toBeUndefined();
  });
});

describe("reconnect storm", () => {
  it("connections that close right after opening keep the backoff growing, and alert the admins once", async () => {
    const s = await connected({ session: { reconnectBaseMs: 1000, reconnectMaxMs: 10 * 60_000, stormAlertAfter: 4, alertAfterAttempts: 100, reloginAfterAttempts: 100 } });
    const l = s.api().listener;
    l.closeRightAfterOpen = 6;
    s.clock.advance(20_000); // the first connection held
    l.drop(CloseReason.AbnormalClosure);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [delay] = s.clock.pendingTimeouts().filter((d) => d > 0);
      delays.push(delay!);
      s.clock.advance(delay!);
      await flush(); // opens, and the server closes it at once
    }
    // random() = 0.5 → 75 % of 1 s, 2 s, 4 s…: it doubles although every attempt "connected".
    expect(delays).toEqual([750, 1500, 3000, 6000, 12000, 24000]);
    await flush();
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain("4 lần");
    // Then a connection holds: the backoff starts over.
    await reconnect(s);
    expect(s.session.getState()).toBe("connected");
    s.clock.advance(20_000);
    l.drop(CloseReason.AbnormalClosure);
    expect(s.clock.pendingTimeouts().filter((d) => d > 0)).toEqual([750]);
  });
});
