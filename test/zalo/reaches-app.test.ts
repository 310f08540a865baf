/**
 * Which Zalo messages reach the app (src/channels/zalo/reaches-app.ts): what is for the bot goes on
 * without a read; other group chatter goes on only when its sender has a conversation in that chat,
 * read with one raw SQL statement. On PGlite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/channels/types.js";
import { reachesApp } from "../../src/channels/zalo/index.js";
import { hasOpenConversation } from "../../src/store/conversations.js";
import type { Store } from "../../src/store/database.js";
import { saveConversation } from "../../src/store/conversations.js";
import type { SqlConnection } from "../../src/store/sql.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

const GROUP = "5550001112223334";
const LAN = "8002000000000002";
const HOA = "8003000000000003";

function message(over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: "zalo",
    chatId: GROUP,
    chatType: "group",
    sender: { id: LAN, name: "Nguyễn Thị Lan" },
    text: "3",
    messageId: "m1",
    receivedAt: new Date("2024-05-10T02:00:00Z"),
    ...over,
  };
}

/** The store's connection, counting the statements sent through it. */
function counting(sql: SqlConnection): { sql: SqlConnection; count: () => number } {
  let n = 0;
  return {
    sql: {
      exec: (script) => (n++, sql.exec(script)),
      query: (text, params) => (n++, sql.query(text, params)),
    },
    count: () => n,
  };
}

describe.each(FLAVOURS)("reachesApp on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
  });
  afterEach(async () => {
    await cleanup();
  });

  it("group chatter without a conversation stays out, after one statement", async () => {
    const c = counting(store.sql);
    expect(await reachesApp(c.sql, message())).toBe(false);
    expect(c.count()).toBe(1);
  });

  it("an answer of the person with a conversation in that chat goes on; others' chatter and other chats stay out", async () => {
    await saveConversation(store, { channel: "zalo", chatId: GROUP, personKey: LAN }, { phase: "asking" }, new Date("2024-05-11T02:00:00Z"));
    expect(await reachesApp(store.sql, message())).toBe(true);
    expect(await reachesApp(store.sql, message({ sender: { id: HOA, name: "Trần Thị Hoa" } }))).toBe(false);
    expect(await reachesApp(store.sql, message({ chatId: "5550009998887776" }))).toBe(false);
    expect(await hasOpenConversation(store.sql, { channel: "telegram", chatId: GROUP, personKey: LAN })).toBe(false);
  });

  it("an expired conversation still counts (the app ends it with a note)", async () => {
    await saveConversation(store, { channel: "zalo", chatId: GROUP, personKey: LAN }, { phase: "asking" }, new Date("2020-01-01T00:00:00Z"));
    expect(await hasOpenConversation(store.sql, { channel: "zalo", chatId: GROUP, personKey: LAN })).toBe(true);
  });

  it("what is for the bot goes on without reading the store", async () => {
    const c = counting(store.sql);
    expect(await reachesApp(c.sql, message({ chatType: "private", chatId: LAN }))).toBe(true);
    expect(await reachesApp(c.sql, message({ text: "baocao" }))).toBe(true);
    expect(await reachesApp(c.sql, message({ replyTo: { messageId: "b1", fromBot: true } }))).toBe(true);
    expect(await reachesApp(c.sql, message({ mentionsBot: true }))).toBe(true);
    expect(c.count()).toBe(0);
  });
});
