/**
 * The long-polling loop against a local Bot API server that behaves like Telegram: an update is
 * confirmed (the offset moves past it) only once it is handled; while the store is unreachable the
 * same updates come again and nothing is confirmed; two pollers at once get 409s and keep going.
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import type { Logger } from "../../src/log.js";
import { describe, expect, it } from "vitest";
import { createTelegramChannel } from "../../src/channels/telegram/index.js";
import type { InboundMessage } from "../../src/channels/types.js";
import { StoreUnavailableError } from "../../src/store/unavailable.js";
import { localBotApiBed } from "./bed.js";
import { LocalBotApi, waitFor } from "./fake-api.js";
import { claimingHandler, privateText, TOKEN } from "./fixtures.js";

const bed = localBotApiBed();
let api: LocalBotApi;

function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { log, lines };
}

const said = (lines: Array<Record<string, unknown>>, text: string) => lines.filter((l) => String(l.msg).includes(text)).length;

/** A private text in chat `chat` (a person's id), with its own update id. */
let nextId = 910_000;
function inChat(chat: number, text: string) {
  const u = privateText(nextId++, text);
  const m = u.message!;
  return { ...u, message: { ...m, chat: { ...m.chat, id: chat }, from: { ...m.from!, id: chat } } } as typeof u;
}

describe("long polling and the store", () => {
  it("holds the offset while the store is unreachable and handles every update, in order per chat, when it is back", async () => {
    api = await bed.listen(50);
    const { log, lines } = capture();
    const received: InboundMessage[] = [];
    let down = false;
    const claiming = claimingHandler(bed.store, received);
    const tg = createTelegramChannel({
      token: TOKEN,
      apiRoot: api.apiRoot,
      store: bed.store,
      log,
      pollingBackoffMs: { first: 20, max: 100 },
      onInbound: async (m) => {
        if (down) throw new StoreUnavailableError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
        await claiming(m);
      },
    });
    bed.open.push(tg);
    await tg.startPolling();

    const first = inChat(401, "một");
    api.push(first);
    await waitFor(() => received.length === 1);

    down = true;
    const held = [inChat(401, "hai"), inChat(402, "ba"), inChat(401, "bốn"), inChat(402, "năm"), inChat(401, "sáu")];
    held.forEach((u) => api.push(u));
    await waitFor(() => said(lines, "store unreachable") === 1);
    // Several rounds of getUpdates while down: the same updates, none confirmed, one log line.
    const polls = api.callsOf("getUpdates").length;
    await waitFor(() => api.callsOf("getUpdates").length >= polls + 3);
    expect(api.unconfirmed().map((u) => u.update_id)).toEqual(held.map((u) => u.update_id));
    expect(received).toHaveLength(1);
    expect(said(lines, "store unreachable")).toBe(1);

    down = false;
    await waitFor(() => received.length === 6);
    const order = (chat: string) => received.filter((m) => m.chatId === chat).map((m) => m.text);
    expect(order("401")).toEqual(["một", "hai", "bốn", "sáu"]);
    expect(order("402")).toEqual(["ba", "năm"]);
    expect(said(lines, "store reachable again")).toBe(1);
    await waitFor(() => api.unconfirmed().length === 0);
  });

  it("two pollers at once: the Bot API answers 409, both retry (one log line each), every update is handled once", async () => {
    api = await bed.listen(100);
    const received: InboundMessage[] = [];
    const logs = [capture(), capture()];
    for (const { log } of logs) {
      const tg = createTelegramChannel({
        token: TOKEN,
        apiRoot: api.apiRoot,
        store: bed.store,
        log,
        pollingBackoffMs: { first: 20, max: 40 },
        onInbound: claimingHandler(bed.store, received),
      });
      bed.open.push(tg);
      await tg.startPolling();
    }
    const updates = [inChat(501, "a"), inChat(502, "b"), inChat(503, "c"), inChat(501, "d")];
    updates.forEach((u) => api.push(u));
    await waitFor(() => received.length === 4 && api.conflicts >= 2);
    expect(received.map((m) => m.updateId).sort()).toEqual(updates.map((u) => String(u.update_id)).sort());
    expect(bed.open.every((tg) => tg.isPolling())).toBe(true);
    for (const { lines } of logs) expect(said(lines, "getUpdates refused (409)")).toBeLessThanOrEqual(1);
    expect(logs.reduce((n, { lines }) => n + said(lines, "getUpdates refused (409)"), 0)).toBeGreaterThanOrEqual(1);
  });
});
