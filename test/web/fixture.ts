/**
 * A running web dashboard over a known data set (test/outputs/fixture.ts: Ý Yên's branches and
 * Xuân Trường's, May 2024), on a real node:http server on 127.0.0.1, with the app core answering
 * /web in private chats (its replies captured as they leave the outbox transaction).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { App } from "../../src/app/app.js";
import type { OutboundMessage } from "../../src/channels/types.js";
import { createLogger } from "../../src/log.js";
import { openStore, type Store } from "../../src/store/database.js";
import { grantRole, upsertPerson, type RoleName } from "../../src/store/people.js";
import { createWebApp, webAndWebhook, webRequestListener } from "../../src/web/server.js";
import { NOW, plan, seedOutputs } from "../outputs/fixture.js";

export { NOW, plan };

/** A person of the fixture (a Telegram user). */
export interface WebPerson {
  id: string;
  name: string;
}

export const OFFICER_YYE: WebPerson = { id: "501", name: "Chị Hoa (Ý Yên)" };
export const ADMIN: WebPerson = { id: "502", name: "Chị Mai (tỉnh)" };
export const OFFICER_XTR: WebPerson = { id: "503", name: "Chị Thu (Xuân Trường)" };

export interface WebFixture {
  store: Store;
  app: App;
  baseUrl: string;
  clock: { now: Date };
  sent: OutboundMessage[];
  /** What the non-/web paths received (a stand-in for the webhook). */
  webhookCalls: string[];
  /** Sends /web as this person in her private chat; the link in the reply (or the reply itself when there is none). */
  signInLink(who: WebPerson): Promise<string>;
  close(): Promise<void>;
}

/** Starts the dashboard; `signInLimit` as in WebOptions. */
export async function startWebFixture(opts: { signInLimit?: number; baseUrl?: string | null; dataDir?: string } = {}): Promise<WebFixture> {
  const store = await openStore({ pgliteDir: "memory://" });
  await seedOutputs(store);
  const webhookCalls: string[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = { now: NOW };
  const sent: OutboundMessage[] = [];
  const log = createLogger("silent");
  const app = new App({
    store,
    plan,
    log,
    now: () => clock.now,
    onCommitted: (replies) => void sent.push(...replies),
    ...(opts.baseUrl === null ? {} : { webBaseUrl: opts.baseUrl ?? baseUrl }),
  });
  await app.init();
  const web = webRequestListener(createWebApp({ app: app.services, baseUrl, ...(opts.signInLimit ? { signInLimit: opts.signInLimit } : {}), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) }));
  handler = webAndWebhook(web, (req, res) => {
    webhookCalls.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });

  const tree = app.services.tree();
  const grant = async (who: WebPerson, code: string, role: RoleName) => {
    const person = await upsertPerson(store, "telegram", who.id, who.name);
    await grantRole(store, person.id, tree.byCode(code)!.id, role);
  };
  await grant(OFFICER_YYE, "NDI-YYE", "officer");
  await grant(ADMIN, tree.roots[0]!.code, "admin");
  await grant(OFFICER_XTR, "NDI-XTR", "officer");
  // One corrected report (Ngọc Chử's May report: 20 people, corrected to 25 the next day).
  const leader = await upsertPerson(store, "telegram", "601", "Chị Lan (Ngọc Chử)");
  const [corrected] = await store.sql.query<{ id: number }>(
    `UPDATE "Report" SET version = 2, "submittedById" = $2 WHERE "unitId" = $1 AND "periodKey" = '2024-05' RETURNING id`,
    [tree.byCode("NDI-YYE-YTHO-CH02")!.id, leader.id],
  );
  await store.sql.query(
    `INSERT INTO "ReportChange" ("reportId", "personId", "changedAt", "questionKey", "oldValue", "newValue") VALUES ($1, $2, $3, 'so_nguoi', '20'::jsonb, '25'::jsonb)`,
    [corrected!.id, leader.id, new Date("2024-05-21T02:00:00Z")],
  );

  let counter = 0;
  return {
    store,
    app,
    baseUrl,
    clock,
    sent,
    webhookCalls,
    async signInLink(who) {
      const before = sent.length;
      counter++;
      await app.handleInbound({
        channel: "telegram",
        chatId: who.id,
        chatType: "private",
        sender: { id: who.id, name: who.name },
        text: "/web",
        messageId: `w${counter}`,
        updateId: `web-${counter}-${who.id}`,
        receivedAt: clock.now,
      });
      const text = sent.slice(before).map((m) => m.text).join("\n");
      return /https?:\/\/\S+/.exec(text)?.[0] ?? text;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}
