/**
 * The hot path (issue 13): an answered message — a /baocao start, a typed answer, a tap, the final
 * "gửi" — takes at most two round trips to the store, counted at the driver: one statement reads
 * (the claim, the sender, her roles, the chat's unit, her open conversation) and one statement
 * commits (claim, conversation, report, outbox rows), with no BEGIN/COMMIT around it. Nothing about
 * the sender is cached between messages, so a role removed or a link moved by any writer — another
 * connection, another instance, psql — counts from her very next message. When the commit finds
 * something else than what the handling read (a report sent meanwhile, a conversation changed), the
 * message is handled again on the general path and answered as before.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundMessage, OutboundMessage } from "../../src/channels/types.js";
import { localInstant } from "../../src/domain/periods.js";
import { t } from "../../src/i18n.js";
import type { Store } from "../../src/store/database.js";
import { linkChat } from "../../src/store/people.js";
import { FLAVOURS, freshStore, PG_ADMIN_URL } from "../helpers/db.js";
import { countRoundTrips } from "../helpers/round-trips.js";
import { App } from "../../src/app/app.js";
import { createLogger } from "../../src/log.js";
import { makeHarness, plan, type Harness } from "./harness.js";

const NOW = localInstant(2024, 5, 10, 9, 0);
const ANSWERS_AFTER_FIRST = ["3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua", "gui"];
const LAN = { id: "501", name: "Chị Lan", chatId: "-1001", channel: "telegram" as const, chatType: "group" as const };
const HOA = { id: "502", name: "Chị Hoà", chatId: "-1002", channel: "telegram" as const, chatType: "group" as const };

describe.each(FLAVOURS)("the hot path on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;
  let update = 1000;
  /** A statement from elsewhere: on PostgreSQL another connection (another instance, psql); on PGlite the one connection there is. */
  let elsewhere: (sql: string, params?: unknown[]) => Promise<void>;
  let closeElsewhere = async () => undefined as void;

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    h = await makeHarness(store, NOW);
    for (const [who, unit] of [[LAN, "NDI-YYE-YPHUONG-CH01"], [HOA, "NDI-XTR-XKIEN-CH01"]] as const) {
      await h.grant(who, unit, "leader");
      const [u] = await store.sql.query<{ id: number }>(`SELECT id FROM "Unit" WHERE code = $1`, [unit]);
      await linkChat(store, "telegram", who.chatId, u!.id, null);
    }
    if (flavour === "postgres") {
      const [row] = await store.sql.query<{ db: string }>(`SELECT current_database() AS db`);
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${row!.db}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      elsewhere = async (sql, params) => void (await client.query(sql, params));
      closeElsewhere = async () => void (await client.end());
    } else {
      elsewhere = async (sql, params) => void (await store.sql.query(sql, params));
    }
  });
  afterAll(async () => {
    await closeElsewhere();
    await cleanup?.();
  });

  /** Her message as Telegram delivers it (an answer replies to the bot's question), with its round trips. */
  async function send(who: typeof LAN, text: string, extra: Partial<InboundMessage> = {}) {
    const before = h.sent.length;
    const trips = await countRoundTrips(() =>
      h.say(who, text, {
        updateId: String(update++),
        ...(text.startsWith("/") ? {} : { replyTo: { messageId: "1", fromBot: true } }),
        ...extra,
      }),
    );
    return { trips, replies: h.sent.slice(before) };
  }

  const lastChoices = (replies: OutboundMessage[]) => replies.at(-1)?.choices?.rows.flat() ?? [];

  it("every answered message of a whole report: at most two round trips, no explicit transaction", async () => {
    const start = await send(LAN, "/baocao");
    expect(start.replies).toHaveLength(1);
    // Question 1 (Có/Không) has buttons whose data names the saved conversation.
    const yes = lastChoices(start.replies).find((c) => c.data.endsWith(".y"));
    expect(yes?.data).toMatch(/^r501\.\d+\.\d+\.y$/);
    const [conv] = await store.sql.query<{ id: number; version: number }>(`SELECT id, version FROM "Conversation" WHERE "personKey" = '501'`);
    expect(yes!.data).toBe(`r501.${conv!.id}.${conv!.version}.y`);
    const steps = [start];
    steps.push(await send(LAN, "", { kind: "tap", tap: { data: yes!.data, id: "q1" }, messageId: "777" }));
    for (const answer of ANSWERS_AFTER_FIRST) steps.push(await send(LAN, answer));
    for (const s of steps) {
      // The read and the commit: exactly two (a count that lost statements would show fewer).
      expect(s.trips.statements, s.trips.sql.join("\n")).toBe(2);
      expect(s.trips.transactions, s.trips.sql.join("\n")).toBe(0);
      expect(s.replies.length).toBeGreaterThanOrEqual(1);
    }
    const [report] = await store.sql.query<{ answers: Record<string, unknown> }>(`SELECT answers FROM "Report"`);
    expect(report?.answers).toBeTruthy();
    expect(steps.at(-1)!.replies.at(-1)!.text).toMatch(/em đã nhận “/);
    // Every reply is in the outbox once, with the buttons' data as the app was told.
    const rows = await store.sql.query<{ payload: OutboundMessage }>(`SELECT payload FROM "OutboxMessage" WHERE "chatId" = $1 ORDER BY id`, [LAN.chatId]);
    expect(rows.map((r) => r.payload.text)).toEqual(steps.flatMap((s) => s.replies.map((r) => r.text)));
    expect(rows[0]!.payload.choices).toEqual(start.replies[0]!.choices);
  });

  it("a role removed from elsewhere stops her report at her very next answer", async () => {
    await send(HOA, "/baocao");
    expect((await send(HOA, "co")).replies[0]!.text).toMatch(/Câu 2/);
    await elsewhere(`DELETE FROM "Role" WHERE "personId" = (SELECT id FROM "Person" WHERE "externalId" = $1)`, [HOA.id]);
    const next = await send(HOA, "3");
    const unit = h.app.services.tree().byCode("NDI-XTR-XKIEN-CH01")!.name;
    expect(next.replies.map((r) => r.text)).toEqual([t("bot:report.no_longer_leader", { unit })]);
    expect(await store.sql.query(`SELECT 1 FROM "Conversation" WHERE "personKey" = $1`, [HOA.id])).toHaveLength(0);
    expect((await send(HOA, "/baocao")).replies.map((r) => r.text)).toEqual([t("bot:denied.unregistered")]);
    // Given back from elsewhere: it counts at once too.
    await elsewhere(
      `INSERT INTO "Role" ("personId", "unitId", role) SELECT p.id, u.id, 'leader' FROM "Person" p, "Unit" u WHERE p."externalId" = $1 AND u.code = 'NDI-XTR-XKIEN-CH01'`,
      [HOA.id],
    );
    expect((await send(HOA, "/baocao")).replies[0]!.text).toMatch(/Câu 1/);
  });

  it("a group linked to another unit from elsewhere counts at the next message", async () => {
    await elsewhere(`UPDATE "ChatLink" SET "unitId" = (SELECT id FROM "Unit" WHERE code = 'NDI-YYE') WHERE "chatId" = $1`, [HOA.chatId]);
    await send(HOA, "/huy");
    const refused = await send(HOA, "/baocao");
    expect(refused.replies[0]!.text).not.toMatch(/Câu 1/);
    await elsewhere(`UPDATE "ChatLink" SET "unitId" = (SELECT id FROM "Unit" WHERE code = 'NDI-XTR-XKIEN-CH01') WHERE "chatId" = $1`, [HOA.chatId]);
    expect((await send(HOA, "/baocao")).replies[0]!.text).toMatch(/Câu 1/);
  });

  it("not as read: a report sent meanwhile, a conversation changed meanwhile — handled again, answered as before", async () => {
    // Lan's report for May was sent above: /baocao assumes none, the commit finds it, the general path says so.
    const again = await send(LAN, "/baocao");
    expect(again.replies.map((r) => r.text)).toEqual([expect.stringMatching(/đã gửi .* rồi ạ/)]);
    expect(again.trips.transactions).toBe(1);
    // Hoà's conversation is moved on by another answer between her read and her commit.
    expect((await send(HOA, "co")).replies[0]!.text).toMatch(/Câu 2/);
    let bump = true;
    const racing: Store = {
      ...store,
      sql: {
        ...store.sql,
        query: async <T,>(text: string, params?: unknown[]) => {
          if (bump && /vundap_commit/.test(text)) {
            bump = false;
            await elsewhere(`UPDATE "Conversation" SET version = version + 1 WHERE "personKey" = $1`, [HOA.id]);
          }
          return store.sql.query<T>(text, params);
        },
      },
    };
    const sent: OutboundMessage[] = [];
    const app = new App({ store: racing, plan, log: createLogger("silent"), now: () => NOW, onCommitted: (r) => void sent.push(...r) });
    await app.init();
    const id = String(update++);
    const msg: InboundMessage = {
      channel: "telegram", chatId: HOA.chatId, chatType: "group", sender: { id: HOA.id, name: HOA.name }, text: "3",
      messageId: "race", updateId: id, receivedAt: NOW, replyTo: { messageId: "1", fromBot: true },
    };
    const trips = await countRoundTrips(() => app.handleInbound(msg));
    expect(bump).toBe(false);
    // Handled again on the general path, which reads the new version: her answer is applied, once.
    expect(trips.transactions).toBe(1);
    expect(sent.map((r) => r.text)).toEqual([expect.stringMatching(/Câu 3/)]);
    await app.handleInbound(msg);
    expect(sent).toHaveLength(1);
    expect(await store.sql.query(`SELECT 1 FROM "ProcessedUpdate" WHERE "updateId" = $1`, [id])).toHaveLength(1);
  });
});
