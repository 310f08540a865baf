/**
 * `npm start`: the bot. Telegram when TELEGRAM_BOT_TOKEN is set, Zalo when ZALO_ENABLED=true,
 * otherwise a local chat in this terminal — always on the embedded store (or PostgreSQL by
 * DATABASE_URL), with the default plan and the Nam Định unit tree loaded.
 */
import "dotenv/config";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { App } from "./app/app.js";
import { setUpDemo } from "./app/demo.js";
import { TerminalChat, TerminalSender } from "./channels/local/terminal.js";
import type { ChannelName, ChannelSender, OutboundMessage } from "./channels/types.js";
import { ConfigError, loadEnv, type Env } from "./config/env.js";
import { createLogger, type Logger } from "./log.js";
import { DEFAULT_PLAN_PATH, loadPlanFile, PlanError } from "./plan/load.js";
import { openStore, type Store } from "./store/database.js";
import { StoreLockedError } from "./store/lock.js";
import { ensureEnvAdmins } from "./store/people.js";
import { DEFAULT_UNITS_PATH } from "./domain/units/import.js";
import { loadUnitTree, seedUnitsIfEmpty } from "./store/units.js";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const local = !env.TELEGRAM_BOT_TOKEN && !env.ZALO_ENABLED;
  mkdirSync(env.DATA_DIR, { recursive: true });
  // In the local chat the terminal is the conversation: logs go to a file there.
  const log: Logger = local
    ? createLogger(env.LOG_LEVEL, join(env.DATA_DIR, "vun-dap.log"))
    : createLogger(env.LOG_LEVEL);

  let plan;
  try {
    plan = loadPlanFile(env.PLAN_FILE ?? DEFAULT_PLAN_PATH);
  } catch (err) {
    if (err instanceof PlanError) fail(err.message);
    throw err;
  }

  let store: Store;
  try {
    store = await openStore({ databaseUrl: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, log });
  } catch (err) {
    if (err instanceof StoreLockedError) fail(err.message);
    throw err;
  }
  await seedUnitsIfEmpty(store, env.UNITS_FILE ?? DEFAULT_UNITS_PATH);
  const tree = await loadUnitTree(store);
  const rootIds = tree.roots.map((r) => r.id);
  await ensureEnvAdmins(store, "telegram", env.ADMIN_TELEGRAM_IDS, rootIds);
  await ensureEnvAdmins(store, "zalo", env.ADMIN_ZALO_IDS, rootIds);

  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  const dispatch = async (msg: OutboundMessage): Promise<void> => {
    const sender = senders[msg.channel];
    if (!sender) {
      log.warn({ channel: msg.channel }, "no sender for channel; message dropped");
      return;
    }
    await sender.send(msg);
  };

  const app = new App({
    store,
    plan,
    log,
    dispatch,
    conversationTtlHours: env.CONVERSATION_TTL_HOURS,
  });
  await app.init();
  log.info({ store: store.kind, units: tree.size, plan: plan.id, local }, "Vun Đắp started");

  const stops: (() => Promise<void> | void)[] = [];
  const expiry = setInterval(() => void app.expireConversations().catch((err) => log.error({ err }, "expiry failed")), 60_000);
  stops.push(() => clearInterval(expiry));

  let stopping = false;
  const shutdown = async (code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop();
    await store.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());

  if (local) {
    const demo = await setUpDemo(store, tree);
    const chat = new TerminalChat({
      chats: demo.chats,
      people: demo.people,
      onInbound: (msg) => app.handleInbound(msg),
      onExit: () => void shutdown(),
    });
    senders.local = new TerminalSender((line) => process.stdout.write(`${line}\n`), chat.chatTitle);
    chat.start();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
