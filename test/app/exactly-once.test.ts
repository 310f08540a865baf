/**
 * One inbound message, one unit of work: its claim (the channel's update id), its conversation and
 * report writes and its replies (outbox rows) commit together. A redelivery does nothing; a store
 * outage records nothing and is thrown (the channel must not confirm); a bug is apologised for and
 * recorded as handled (a poison update must not come back forever).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { App } from "../../src/app/app.js";
import type { Command } from "../../src/commands/types.js";
import { COMMANDS } from "../../src/commands/index.js";
import type { InboundMessage, OutboundMessage } from "../../src/channels/types.js";
import { localInstant } from "../../src/domain/periods.js";
import { t } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import type { Store } from "../../src/store/database.js";
import { StoreUnavailableError } from "../../src/store/unavailable.js";
import { freshStore } from "../helpers/db.js";
import { faulty } from "./faulty-store.js";
import { makeHarness, plan, type Harness } from "./harness.js";

const NOW = localInstant(2024, 5, 10, 9, 0);
const LAN = { id: "u-lan", name: "Chị Lan", chatId: "g-yp" };

let store: Store;
let cleanup: () => Promise<void>;
let h: Harness;
let nextUpdate = 1;

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  h = await makeHarness(store, NOW);
  await h.grant({ ...LAN, channel: "telegram" }, "NDI-YYE-YPHUONG-CH01", "leader");
});
afterAll(async () => cleanup?.());

function message(text: string, updateId: string, who = LAN): InboundMessage {
  return {
    channel: "telegram",
    chatId: who.chatId,
    chatType: "private",
    sender: { id: who.id, name: who.name },
    text,
    messageId: `m-${updateId}`,
    updateId,
    receivedAt: NOW,
  };
}

function appOver(s: Store, sent: OutboundMessage[], commands?: readonly Command[]): Promise<App> {
  const app = new App({ store: s, plan, log: createLogger("silent"), now: () => NOW, onCommitted: (r) => void sent.push(...r), ...(commands ? { commands } : {}) });
  return app.init().then(() => app);
}

async function claimed(updateId: string): Promise<boolean> {
  return (await store.prisma.processedUpdate.count({ where: { channel: "telegram", updateId } })) === 1;
}
async function queuedFor(updateId: string): Promise<number> {
  const rows = await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "OutboxMessage" WHERE payload->>'replyToMessageId' = $1`, [`m-${updateId}`]);
  return Number(rows[0]!.n);
}
const conversationOf = (who = LAN) => store.prisma.conversation.findFirst({ where: { channel: "telegram", chatId: who.chatId, personKey: who.id } });

describe("exactly once per update", () => {
  it("handles a redelivered update once: one claim, one queued reply", async () => {
    const sent: OutboundMessage[] = [];
    const app = await appOver(store, sent);
    const id = `u${nextUpdate++}`;
    await app.handleInbound(message("/huy", id));
    await app.handleInbound(message("/huy", id));
    await Promise.all([app.handleInbound(message("/huy", id)), (await appOver(store, sent)).handleInbound(message("/huy", id))]);
    expect(await claimed(id)).toBe(true);
    expect(await queuedFor(id)).toBe(1);
    expect(sent.map((m) => m.text)).toEqual([t("bot:cancel.nothing")]);
  });

  it("a store outage before the claim: thrown as StoreUnavailableError, nothing recorded; the redelivery is handled", async () => {
    const fault = { on: true, when: /ProcessedUpdate/ };
    const sent: OutboundMessage[] = [];
    const app = await appOver(faulty(store, fault), sent);
    const id = `u${nextUpdate++}`;
    await expect(app.handleInbound(message("/baocao", id))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect([await claimed(id), await queuedFor(id), await conversationOf()]).toEqual([false, 0, null]);
    fault.on = false;
    await app.handleInbound(message("/baocao", id));
    expect([await claimed(id), await queuedFor(id) > 0, (await conversationOf()) !== null]).toEqual([true, true, true]);
    expect(sent.at(-1)?.askPerson).toEqual({ id: LAN.id, name: LAN.name });
  });

  it("a connection lost in the middle of the transaction rolls back the claim and the conversation with the replies", async () => {
    const fault = { on: true, when: /INSERT INTO "OutboxMessage"/ };
    const sent: OutboundMessage[] = [];
    const app = await appOver(faulty(store, fault), sent);
    const before = await conversationOf();
    const id = `u${nextUpdate++}`;
    // Her first answer: the conversation moves on only if the reply is queued with it.
    await expect(app.handleInbound(message("co", id))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await claimed(id)).toBe(false);
    expect((await conversationOf())?.version).toBe(before?.version);
    expect(sent).toEqual([]);
    fault.on = false;
    await app.handleInbound(message("co", id));
    await app.handleInbound(message("co", id));
    expect([await claimed(id), await queuedFor(id)]).toEqual([true, 1]);
    expect((await conversationOf())?.version).toBe(before!.version + 1);
  });

  it("a bug in a command is apologised for once and recorded as handled; its writes are dropped", async () => {
    const sent: OutboundMessage[] = [];
    const broken: Command = {
      name: "hong",
      async run(ctx) {
        ctx.write(async (tx) => void (await tx.query(`DELETE FROM "Conversation"`)));
        throw new Error("a bug in the command");
      },
    };
    const app = await appOver(store, sent, [...COMMANDS, broken]);
    const conversations = await store.prisma.conversation.count();
    const id = `u${nextUpdate++}`;
    await app.handleInbound(message("/hong", id));
    await app.handleInbound(message("/hong", id));
    expect(sent.map((m) => m.text)).toEqual([t("bot:error.internal")]);
    expect([await claimed(id), await queuedFor(id), await store.prisma.conversation.count()]).toEqual([true, 1, conversations]);
  });
});

describe("exactly once across instances on PostgreSQL", () => {
  it("two apps handling the same update at once write one claim and one reply", async () => {
    const pgStore = await freshStore("postgres");
    try {
      await makeHarness(pgStore.store, NOW); // seeds the unit tree
      const sent: OutboundMessage[] = [];
      const apps = await Promise.all([appOver(pgStore.store, sent), appOver(pgStore.store, sent)]);
      await Promise.all(apps.flatMap((a) => [a.handleInbound(message("/huy", "race-1")), a.handleInbound(message("/huy", "race-1"))]));
      const rows = await pgStore.store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "OutboxMessage" WHERE payload->>'replyToMessageId' = 'm-race-1'`);
      expect([Number(rows[0]!.n), sent.length]).toEqual([1, 1]);
    } finally {
      await pgStore.cleanup();
    }
  });
});
