/**
 * /lienket, /moi, /tamdung, /tieptuc and /dangky act inside the update's unit of work: the link,
 * the invite, the pause, the resumption or the registration commits with the update's claim and
 * the reply saying so. A
 * redelivered update neither acts nor replies twice; a store failure at the end of the transaction
 * (the reply's outbox row) leaves neither the effect nor the claim, and the redelivery then acts once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { App } from "../../src/app/app.js";
import type { InboundMessage, OutboundMessage } from "../../src/channels/types.js";
import { localInstant } from "../../src/domain/periods.js";
import { createLogger } from "../../src/log.js";
import { listPaused, pauseRule } from "../../src/scheduler/index.js";
import type { Store } from "../../src/store/database.js";
import { createInvite, linkedUnitOf } from "../../src/store/people.js";
import { StoreUnavailableError } from "../../src/store/unavailable.js";
import { freshStore } from "../helpers/db.js";
import { faulty } from "./faulty-store.js";
import { makeHarness, plan } from "./harness.js";

const NOW = localInstant(2024, 5, 10, 9, 0);
const ADMIN = { id: "u-admin", name: "Chị Hạnh", chatId: "u-admin", channel: "telegram" as const };
const BRANCH = "NDI-YYE-YPHUONG-CH01";
const RULE = "nhac_chi_hoi_thang";

let store: Store;
let cleanup: () => Promise<void>;
let nextUpdate = 1;

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  const h = await makeHarness(store, NOW);
  await h.grant(ADMIN, "NDI", "admin");
});
afterAll(async () => cleanup?.());

const isPaused = async () => (await listPaused(store)).some((p) => p.key === RULE);

/** One command per row: where it is typed, the state it changes, and that state before and after. */
interface Case {
  command: string;
  chatType: "private" | "group";
  chatId: string;
  /** Brings the store to the "before" state. */
  arrange?: () => Promise<void>;
  /** The state the command changes. */
  state: () => Promise<unknown>;
  /** What the reply says, for `state` after the command. */
  reply: RegExp;
}

const CASES: Case[] = [
  {
    command: `/lienket ${BRANCH}`,
    chatType: "group",
    chatId: "g-to-link",
    state: async () => {
      const unitId = await linkedUnitOf(store, "telegram", "g-to-link");
      return unitId === null ? null : (await store.prisma.unit.findUnique({ where: { id: unitId } }))?.code;
    },
    reply: new RegExp(BRANCH),
  },
  {
    command: `/moi ${BRANCH}`,
    chatType: "private",
    chatId: ADMIN.chatId,
    state: () => store.prisma.invite.count({ where: { createdById: { not: null } } }),
    reply: /\b[A-HJ-KM-NP-Z2-9]{8}\b/,
  },
  { command: `/tamdung ${RULE}`, chatType: "private", chatId: ADMIN.chatId, arrange: async () => void (await store.prisma.pausedRule.deleteMany()), state: isPaused, reply: new RegExp(RULE) },
  { command: `/tieptuc ${RULE}`, chatType: "private", chatId: ADMIN.chatId, arrange: () => pauseRule(store, RULE), state: isPaused, reply: new RegExp(RULE) },
];

function message(c: Case, updateId: string): InboundMessage {
  return {
    channel: "telegram",
    chatId: c.chatId,
    chatType: c.chatType,
    sender: { id: ADMIN.id, name: ADMIN.name },
    text: c.command,
    messageId: `m-${updateId}`,
    updateId,
    receivedAt: NOW,
  };
}

async function appOver(s: Store, sent: OutboundMessage[]): Promise<App> {
  const app = new App({ store: s, plan, log: createLogger("silent"), now: () => NOW, onCommitted: (r) => void sent.push(...r) });
  await app.init();
  return app;
}

async function claimed(updateId: string): Promise<number> {
  return store.prisma.processedUpdate.count({ where: { channel: "telegram", updateId } });
}
async function queuedFor(updateId: string): Promise<number> {
  const rows = await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "OutboxMessage" WHERE payload->>'replyToMessageId' = $1`, [`m-${updateId}`]);
  return Number(rows[0]!.n);
}

describe("officer and admin commands commit with their update", () => {
  it.each(CASES)("$command: a failed commit leaves nothing; the redelivery acts and replies once", async (c) => {
    await c.arrange?.();
    const before = await c.state();
    const id = `officer-${nextUpdate++}`;

    // The reply's outbox row is the transaction's last statement: the command's write ran before it.
    const sent: OutboundMessage[] = [];
    const broken = await appOver(faulty(store, { on: true, when: /INSERT INTO "OutboxMessage"/ }), sent);
    await expect(broken.handleInbound(message(c, id))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect([await c.state(), await claimed(id), await queuedFor(id), sent.length]).toEqual([before, 0, 0, 0]);

    // Telegram delivers it again, and again (twice at once on two instances).
    const app = await appOver(store, sent);
    await app.handleInbound(message(c, id));
    const after = await c.state();
    expect(after).not.toEqual(before);
    await app.handleInbound(message(c, id));
    await Promise.all([app.handleInbound(message(c, id)), (await appOver(store, sent)).handleInbound(message(c, id))]);
    expect([await c.state(), await claimed(id), await queuedFor(id)]).toEqual([after, 1, 1]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(c.reply);
  });

  it("/dangky: the role, the used code and the reply commit together; a wrong code counts once", async () => {
    const branch = (await store.prisma.unit.findUniqueOrThrow({ where: { code: BRANCH } })).id;
    const { code } = await createInvite(store, { unitId: branch, role: "leader", createdById: null, now: NOW, validForHours: 72 });
    const newcomer = (text: string, updateId: string): InboundMessage => ({
      channel: "telegram",
      chatId: "u-newcomer",
      chatType: "private",
      sender: { id: "u-newcomer", name: "Chị Mai" },
      text,
      messageId: `m-${updateId}`,
      updateId,
      receivedAt: NOW,
    });
    const roles = () => store.prisma.role.count({ where: { person: { externalId: "u-newcomer" }, unitId: branch } });
    const used = async () => (await store.prisma.invite.findUniqueOrThrow({ where: { code } })).usedAt !== null;

    const id = `officer-${nextUpdate++}`;
    const sent: OutboundMessage[] = [];
    const broken = await appOver(faulty(store, { on: true, when: /INSERT INTO "OutboxMessage"/ }), sent);
    await expect(broken.handleInbound(newcomer(`/dangky ${code}`, id))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect([await roles(), await used(), await claimed(id), sent.length]).toEqual([0, false, 0, 0]);

    const app = await appOver(store, sent);
    await app.handleInbound(newcomer(`/dangky ${code}`, id));
    await Promise.all([app.handleInbound(newcomer(`/dangky ${code}`, id)), (await appOver(store, sent)).handleInbound(newcomer(`/dangky ${code}`, id))]);
    expect([await roles(), await used(), await claimed(id), await queuedFor(id)]).toEqual([1, true, 1, 1]);
    expect(sent).toHaveLength(1);

    // A wrong code: one failure row however often the update comes, none when the commit fails.
    const failures = () => store.prisma.inviteFailure.count();
    const wrong = `officer-${nextUpdate++}`;
    const before = await failures();
    await expect(broken.handleInbound(newcomer("/dangky ZZZZ2222", wrong))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await failures()).toBe(before);
    await app.handleInbound(newcomer("/dangky ZZZZ2222", wrong));
    await app.handleInbound(newcomer("/dangky ZZZZ2222", wrong));
    expect(await failures()).toBe(before + 1);
  });

  it("/moi: the code in the reply is the one stored", async () => {
    const sent: OutboundMessage[] = [];
    const app = await appOver(store, sent);
    await app.handleInbound(message(CASES[1]!, `officer-${nextUpdate++}`));
    const code = /\b[A-HJ-KM-NP-Z2-9]{8}\b/.exec(sent[0]!.text)?.[0];
    const invite = await store.prisma.invite.findUnique({ where: { code: code ?? "" } });
    expect(invite?.expiresAt.getTime()).toBe(NOW.getTime() + 72 * 3600_000);
    expect(invite?.createdAt.getTime()).toBe(NOW.getTime());
  });
});
