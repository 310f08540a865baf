/**
 * Zalo send outcomes through the real outbox worker (PGlite store, virtual time for the worker's
 * pacing and retries; the sender's time limits are short and real): what a hang, a missing message
 * id, 221 and 123 end as in the outbox table and in admin alerts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZaloApiError } from "zca-js";
import type { OutboundMessage } from "../../src/channels/types.js";
import { realClock, type Clock } from "../../src/channels/zalo/clock.js";
import { ZaloChatTypes } from "../../src/channels/zalo/chat-types.js";
import { ZaloSender, type ZaloSenderOptions } from "../../src/channels/zalo/sender.js";
import type { ZaloSenderSession } from "../../src/channels/zalo/session.js";
import { enqueue, OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { FakeApi } from "./fake-zca.js";

const MIN = 60_000;
const START = Date.UTC(2025, 4, 10, 2, 0, 0);

let store: Store;
let cleanup: () => Promise<void>;
// One store for the file (opening PGlite is the slow part); each test starts with an empty outbox.
beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
});
afterAll(async () => {
  await cleanup();
});
beforeEach(async () => {
  await store.prisma.outboxMessage.deleteMany();
});

function setup(opts: Partial<ZaloSenderOptions> = {}) {
  const api = new FakeApi("100200300", { imei: "i", userAgent: "ua", language: "vi", cookies: [] });
  const vclock = new VirtualClock(START);
  // The sender's pauses and caps read the worker's virtual time; its time limits run on real timers.
  const clock: Clock = { ...realClock, now: () => vclock.now() };
  const alerts: string[] = [];
  const session: ZaloSenderSession = {
    api: () => api,
    recentMessage: () => undefined,
    knownChatType: () => "group",
  };
  const sender = new ZaloSender({
    session,
    clock,
    partDelayMs: 0,
    sendTimeoutMs: 100,
    fileTimeoutMs: 100,
    onAlert: (t) => void alerts.push(t),
    ...opts,
  });
  const worker = new OutboxWorker({ store, senders: { zalo: sender }, clock: vclock, random: () => 0.5, pollMs: 10 * MIN });
  return { api, vclock, alerts, sender, worker };
}

const msg = (chatId: string, text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  channel: "zalo",
  chatId,
  chatType: "group",
  text,
  ...extra,
});

async function rows() {
  return store.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
}

describe("Zalo sends that hang", () => {
  it("a file whose upload-done event never comes fails at the time limit, is retried, and goes out once", async () => {
    const { api, worker } = setup();
    api.uploadDoneEvent = false;
    await enqueue(store, msg("g-1", "", { file: { name: "bao-cao.xlsx", data: new Uint8Array([1, 2, 3]), mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } }));
    worker.start();
    // The first attempt waits for the event, times out and hands the row back for a retry.
    await waitUntil(async () => (await rows())[0]!.attempts === 1);
    expect(api.uploadCallbacks.size).toBe(0); // the waiting callback was removed
    await worker.stop();
    let [row] = await rows();
    expect(row).toMatchObject({ status: "pending", sentAt: null });
    expect(row!.lastError).toMatch(/file upload did not finish within 100 ms/);
    const failed = row!.attempts; // 1, or 2 if a retry started before stop()
    expect(api.uploadsStarted).toBe(failed);
    // The upload-done event arrives late: zca-js finds no callback, so nothing is sent behind the outbox's back.
    api.finishUploads();
    await new Promise((r) => setImmediate(r));
    expect(api.sent).toHaveLength(0);
    // Later the upload works: the file goes out exactly once.
    api.uploadDoneEvent = true;
    await worker.drain();
    [row] = await rows();
    // Sent once; on a loaded machine a retry may also have timed out before, never sent twice.
    expect(row!.status).toBe("sent");
    expect(row!.attempts).toBeGreaterThanOrEqual(failed);
    expect(api.sent).toHaveLength(1);
    expect(api.uploadsStarted).toBe(row!.attempts + 1);
  });

  it("a text send that never answers is given up at the time limit; stop() does not wait for it", async () => {
    const { api, worker } = setup();
    api.hangNext = 1;
    await enqueue(store, msg("g-1", "Nhắc báo cáo tháng"));
    worker.start();
    await waitUntil(async () => api.hung === 1);
    await worker.stop(); // resolves: the hung call is bounded by sendTimeoutMs
    let [row] = await rows();
    expect(row!.status).toBe("pending");
    expect(row!.lastError).toMatch(/send did not finish within 100 ms/);
    await worker.drain();
    [row] = await rows();
    expect(row!.status).toBe("sent");
    expect(row!.attempts).toBeGreaterThanOrEqual(1);
    expect(api.sent.map((s) => s.message.msg)).toEqual(["Nhắc báo cáo tháng"]);
  });
});

describe("a send without a message id", () => {
  it("is not recorded as sent: retried, then set aside with the reason after the cap", async () => {
    const { api, worker } = setup();
    api.noIdReplies = [true, false];
    await enqueue(store, msg("g-1", "Một"));
    await worker.drain();
    api.noIdReplies = [true, true];
    await enqueue(store, msg("g-2", "Hai"));
    await worker.drain();
    const [one, two] = await rows();
    // g-1: no id once, then a real id → sent with that id.
    expect(one).toMatchObject({ status: "sent", attempts: 1 });
    expect(one!.channelMessageId).toMatch(/^\d+$/);
    // g-2: no id twice → set aside for /tinloi, never "sent".
    expect(two).toMatchObject({ status: "dead", sentAt: null, channelMessageId: null });
    expect(two!.lastError).toMatch(/no message id 2 times/);
  });
});

describe("221: too many requests", () => {
  it("pauses ALL Zalo sending with escalating pauses, alerts the admins, and delivers afterwards", async () => {
    const { api, vclock, alerts, worker, sender } = setup();
    api.failures = [new ZaloApiError("Vượt quá số request cho phép", 221), new ZaloApiError("Vượt quá số request cho phép", 221)];
    await enqueue(store, msg("g-1", "Một"));
    await enqueue(store, msg("g-2", "Hai"));
    await worker.drain();
    const [one, two] = await rows();
    expect(one).toMatchObject({ status: "sent", attempts: 0 });
    expect(two).toMatchObject({ status: "sent", attempts: 0 });
    // 5 min after the first 221, 15 min after the second: nothing (no chat) went out before 20 min.
    expect(Math.min(one!.sentAt!.getTime(), two!.sentAt!.getTime()) - START).toBeGreaterThanOrEqual(20 * MIN);
    expect(vclock.now() - START).toBeGreaterThanOrEqual(20 * MIN);
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toContain("5 phút");
    expect(alerts[1]).toContain("15 phút");
    // Success resets the escalation.
    expect(sender.policy.pausedUntilMs).toBeLessThanOrEqual(vclock.now());
  });
});

describe("123: the recipient cannot receive", () => {
  it("is retried a few times for that chat only, then set aside and reported; the chat does not block", async () => {
    const { api, alerts, worker } = setup();
    const e123 = () => new ZaloApiError("Không thể nhận tin nhắn từ bạn.", 123);
    // g-1 answers 123 every time; g-2 is fine.
    const real = api.sendMessage.bind(api);
    api.sendMessage = async (m, threadId, type) => {
      if (threadId === "g-1") {
        api.sent.push({ message: typeof m === "string" ? { msg: m } : m, threadId, type: type! });
        throw e123();
      }
      return real(m, threadId, type);
    };
    await enqueue(store, msg("g-1", "Một"));
    await enqueue(store, msg("g-1", "Một nữa"));
    await enqueue(store, msg("g-2", "Hai"));
    await worker.drain();
    const [first, second, other] = await rows();
    expect(first).toMatchObject({ status: "dead" });
    expect(first!.lastError).toMatch(/code 123.*3 times/);
    // The next message to that chat is set aside at once, without another try.
    expect(second).toMatchObject({ status: "dead" });
    expect(second!.lastError).toMatch(/cannot receive/);
    expect(api.sent.filter((s) => s.threadId === "g-1")).toHaveLength(3);
    expect(other).toMatchObject({ status: "sent" });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain("g-1");
    expect(alerts[0]).toContain("123");
  });
});

describe("chat type", () => {
  it("a chat of unknown type is set aside with the reason, never sent as a group by guess", async () => {
    const api = new FakeApi("1", { imei: "i", userAgent: "ua", language: "vi", cookies: [] });
    const sender = new ZaloSender({
      session: { api: () => api, recentMessage: () => undefined, knownChatType: () => undefined },
      resolveChatType: () => undefined,
      partDelayMs: 0,
    });
    const worker = new OutboxWorker({ store, senders: { zalo: sender }, clock: new VirtualClock(START) });
    await enqueue(store, { channel: "zalo", chatId: "x-1", text: "Chào" });
    await worker.drain();
    const [row] = await rows();
    expect(row).toMatchObject({ status: "dead" });
    expect(row!.lastError).toMatch(/group or private chat is not known/);
    expect(api.sent).toHaveLength(0);
  });
});

describe("ZaloChatTypes", () => {
  it("remembers chats seen, counts linked chats as groups, and knows nothing of the rest", async () => {
    const unit = await store.prisma.unit.create({ data: { code: "T-1", name: "Chi hội thử", kind: "chi_hoi", path: "T-1" } });
    await store.prisma.chatLink.create({ data: { channel: "zalo", chatId: "linked-group", unitId: unit.id } });
    const types = new ZaloChatTypes(store);
    await types.remember("u-lan", "private");
    const fresh = new ZaloChatTypes(store); // another process: from the store
    expect(await fresh.resolve("u-lan")).toBe("private");
    expect(await fresh.resolve("linked-group")).toBe("group");
    expect(await fresh.resolve("never-seen")).toBeUndefined();
    await store.prisma.chatLink.deleteMany();
    await store.prisma.unit.deleteMany();
  });
});

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
