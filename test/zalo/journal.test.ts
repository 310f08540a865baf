/**
 * The inbound journal: Zalo does not redeliver, so a message the handler could not finish (store
 * down) waits in an owner-only local file and is replayed — later in the same run and at the next
 * start — until it is handled, once.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/channels/types.js";
import { InboundJournal, journalPath } from "../../src/channels/zalo/journal.js";
import { ZaloSession } from "../../src/channels/zalo/session.js";
import { fakeFactory, flush } from "./fake-zca.js";
import { captureLog, ManualClock, tempDir } from "./helpers.js";
import { startSession } from "./session-helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const message = (id: string, text = "tiendo"): InboundMessage => ({
  channel: "zalo",
  chatId: "g-1",
  chatType: "group",
  sender: { id: "u-lan", name: "Chị Lan" },
  text,
  messageId: id,
  updateId: id,
  receivedAt: new Date(Date.UTC(2025, 4, 10, 2, 0, 0)),
});

describe("InboundJournal", () => {
  it("keeps messages not done across a reopen, in order, in an owner-only file", () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const path = journalPath(tmp.dir);
    const j = new InboundJournal({ path });
    j.open();
    j.add(message("1"));
    j.add(message("2", "baocao"));
    j.add(message("3"));
    j.add(message("2", "baocao")); // already waiting: not written twice
    j.done("1");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // A torn last line (the process died mid-write) is skipped.
    writeFileSync(path, readFileSync(path, "utf8") + '{"a":{"chan', { flag: "w" });
    const again = new InboundJournal({ path }).open();
    expect(again.map((m) => m.messageId)).toEqual(["2", "3"]);
    expect(again[0]).toEqual(message("2", "baocao"));
    expect(again[0]!.receivedAt).toBeInstanceOf(Date);
  });

  it("is bounded: the oldest waiting messages are dropped past maxEntries, and done entries are compacted away", () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, "j.jsonl");
    const cap = captureLog();
    const j = new InboundJournal({ path, maxEntries: 3, compactEvery: 10, log: cap.log });
    j.open();
    for (let i = 1; i <= 5; i++) j.add(message(String(i)));
    expect(j.pending().map((m) => m.messageId)).toEqual(["3", "4", "5"]);
    expect(cap.messages().filter((m) => m.includes("journal full"))).toHaveLength(2);
    for (const id of ["3", "4", "5"]) j.done(id);
    for (let i = 6; i <= 8; i++) {
      j.add(message(String(i)));
      j.done(String(i));
    }
    // 14 lines appended in all; compaction after the 10th left only what was waiting then.
    const lines = readFileSync(path, "utf8").trim().split("\n").filter(Boolean);
    expect(lines.length).toBeLessThan(10);
    expect(new InboundJournal({ path }).open()).toEqual([]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe("the session with its journal", () => {
  it("a message the handler could not finish (store down) is replayed later and handled once", async () => {
    let storeUp = false;
    const handled: string[] = [];
    const s = await startSession({
      session: {
        journalRetryMs: 30_000,
        onInbound: async (m) => {
          if (!storeUp) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
          handled.push(m.messageId);
        },
      },
    });
    cleanups.push(s.remove, () => s.session.stop());
    const api = s.api();
    const m1 = api.groupMessage("g-1", { uidFrom: "u-lan", content: "tiendo" });
    const m2 = api.groupMessage("g-1", { uidFrom: "u-lan", content: "nhacnho" });
    api.listener.deliver(m1);
    api.listener.deliver(m2);
    await flush();
    expect(handled).toEqual([]);
    expect(new InboundJournal({ path: journalPath(s.dir) }).open().map((m) => m.messageId)).toEqual([m1.data.msgId, m2.data.msgId]);

    s.clock.advance(30_000); // still down: they stay
    await flush();
    expect(handled).toEqual([]);
    storeUp = true;
    s.clock.advance(30_000);
    await flush();
    expect(handled).toEqual([m1.data.msgId, m2.data.msgId]);
    // Zalo's missed-message batch brings them again: not handled twice.
    api.listener.drop(1006);
    s.clock.advance(s.clock.pendingTimeouts().filter((d) => d > 0)[0]!);
    await flush();
    expect(handled).toEqual([m1.data.msgId, m2.data.msgId]);
    expect(new InboundJournal({ path: journalPath(s.dir) }).open()).toEqual([]);
  });

  it("a chat whose message failed once waits for it: the next message of that chat is not handled before it (order kept)", async () => {
    let failFirst = true;
    const handled: string[] = [];
    const s = await startSession({
      session: {
        journalRetryMs: 30_000,
        onInbound: async (m) => {
          if (m.text === "một" && failFirst) {
            failFirst = false; // a blip: the store answers the next call
            throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
          }
          handled.push(m.text);
        },
      },
    });
    cleanups.push(s.remove, () => s.session.stop());
    const api = s.api();
    api.listener.deliver(api.groupMessage("g-1", { uidFrom: "u-lan", content: "một" }));
    api.listener.deliver(api.groupMessage("g-1", { uidFrom: "u-lan", content: "hai" }));
    api.listener.deliver(api.groupMessage("g-2", { uidFrom: "u-hoa", content: "khác" }));
    await flush();
    expect(handled).toEqual(["khác"]); // another chat goes on
    api.listener.deliver(api.groupMessage("g-1", { uidFrom: "u-lan", content: "ba" }));
    await flush();
    expect(handled).toEqual(["khác"]);
    s.clock.advance(30_000);
    await flush();
    expect(handled).toEqual(["khác", "một", "hai", "ba"]);
    expect(new InboundJournal({ path: journalPath(s.dir) }).open()).toEqual([]);
  });

  it("messages still waiting when the process stopped are replayed at the next start", async () => {
    const s = await startSession({
      session: {
        onInbound: async () => {
          throw new Error("store down");
        },
      },
    });
    cleanups.push(s.remove);
    const api = s.api();
    api.listener.deliver(api.userMessage({ uidFrom: "u-mai", content: "trogiup" }));
    await flush();
    await s.session.stop();

    const handled: InboundMessage[] = [];
    const f = fakeFactory();
    const next = new ZaloSession({
      dataDir: s.dir,
      log: captureLog().log,
      createZalo: f.create,
      clock: new ManualClock(),
      onInbound: async (m) => void handled.push(m),
    });
    cleanups.push(() => next.stop());
    await next.start();
    await flush();
    expect(handled.map((m) => [m.text, m.chatType])).toEqual([["/trogiup", "private"]]);
    expect(new InboundJournal({ path: journalPath(s.dir) }).open()).toEqual([]);
  });
});
