/**
 * `npm start`: the bot. Telegram when TELEGRAM_BOT_TOKEN is set, Zalo when ZALO_ENABLED=true,
 * otherwise a local chat in this terminal — always on the embedded store (or PostgreSQL by
 * DATABASE_URL), with the default plan and the Nam Định unit tree loaded.
 */
import "dotenv/config";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { App } from "./app/app.js";
import { DemoClock, demoStart, setUpDemo } from "./app/demo.js";
import { createServer } from "node:http";
import { TerminalChat, TerminalSender } from "./channels/local/terminal.js";
import { createTelegramChannel, TELEGRAM_POLL_LOCK } from "./channels/telegram/index.js";
import { acquireLeadership } from "./store/leadership.js";
import { acquireZaloLeadership, isForBot, ZaloSender, ZaloSession } from "./channels/zalo/index.js";
import { conversationKey } from "./app/conversation-runner.js";
import { hasOpenConversation } from "./store/conversations.js";
import { enqueue, outboxCounts, OutboxWorker } from "./outbox/index.js";
import { Scheduler } from "./scheduler/index.js";
import type { ChannelName, ChannelSender, OutboundMessage } from "./channels/types.js";
import { ConfigError, loadEnv, type Env } from "./config/env.js";
import { setProcessLanguage } from "./i18n.js";
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
  setProcessLanguage(env.LANGUAGE);
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

  // Everything the bot says goes through the durable outbox; workers deliver it, paced per channel.
  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  const dispatch = async (msg: OutboundMessage): Promise<void> => {
    await enqueue(store, msg);
  };

  // The local chat runs on a simulated clock inside the plan's years; the real channels on the real clock.
  const clock = new DemoClock();
  if (local) clock.set(demoStart(plan, new Date()));
  const app = new App({
    store,
    plan,
    log,
    now: clock.now,
    conversationTtlHours: env.CONVERSATION_TTL_HOURS,
  });
  await app.init();
  log.info({ store: store.kind, units: tree.size, plan: plan.id, local }, "Vun Đắp started");

  const stops: (() => Promise<void> | void)[] = [];
  const expiry = setInterval(() => void app.expireConversations().catch((err) => log.error({ err }, "expiry failed")), 60_000);
  stops.push(() => clearInterval(expiry));

  const scheduler = new Scheduler({
    store,
    plan,
    tree: () => app.services.tree(),
    log,
    lng: env.LANGUAGE,
    clock: { now: () => clock.now().getTime() },
  });
  await scheduler.start();
  stops.push(() => scheduler.stop());

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

  if (env.TELEGRAM_BOT_TOKEN) {
    const telegram = createTelegramChannel({
      token: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT,
      store,
      log,
      language: env.LANGUAGE,
      onInbound: (msg) => app.handleInbound(msg),
      onPollingStopped: (err) => {
        log.fatal({ err: (err as Error)?.message }, "Telegram polling stopped: the bot token is not accepted (check TELEGRAM_BOT_TOKEN)");
        void shutdown(1);
      },
    });
    senders.telegram = telegram.channel;
    stops.push(() => telegram.stop());
    // Command menu in the background: it retries for a while when Telegram is unreachable.
    void telegram.setCommands().catch((err) => log.warn({ err: (err as Error).message }, "setMyCommands failed"));
    if (env.TELEGRAM_MODE === "webhook") {
      const handler = telegram.webhookCallback(env.TELEGRAM_WEBHOOK_SECRET!);
      const server = createServer((req, res) => void handler(req, res));
      await new Promise<void>((resolve) => server.listen(env.PORT, resolve));
      stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      await telegram.setWebhook(env.TELEGRAM_WEBHOOK_URL!, env.TELEGRAM_WEBHOOK_SECRET!);
      log.info({ port: env.PORT }, "Telegram webhook listening");
    } else {
      // Exactly one instance polls: the holder of a PostgreSQL advisory lock (on PGlite, this
      // process). When it dies another one takes over within the lock's retry interval (10 s).
      const leadership = await acquireLeadership(store, {
        name: "Telegram polling",
        lockKey: TELEGRAM_POLL_LOCK,
        databaseUrl: env.DATABASE_URL,
        log,
        onAcquired: async () => {
          try {
            await telegram.startPolling();
          } catch (err) {
            log.fatal({ err: (err as Error)?.message }, "Telegram polling could not start (check TELEGRAM_BOT_TOKEN and the network to Telegram)");
            void shutdown(1);
          }
        },
        onLost: () => telegram.stopPolling(),
      });
      stops.push(() => leadership.release());
      if (!leadership.isLeader()) log.info("another instance polls Telegram; this one takes over if it stops");
    }
  }

  if (env.ZALO_ENABLED) {
    // Alerts about the Zalo session go to the admins on Telegram (private chats), when configured.
    const alertAdmins = async (text: string): Promise<void> => {
      if (!senders.telegram) return;
      for (const id of env.ADMIN_TELEGRAM_IDS) await dispatch({ channel: "telegram", chatId: id, chatType: "private", text });
    };
    const session = new ZaloSession({
      dataDir: env.DATA_DIR,
      log,
      language: env.LANGUAGE,
      onInbound: async (msg) => {
        // A personal account sees all group chatter: only commands, replies, mentions and open answers go on.
        const open = await hasOpenConversation(store, conversationKey(msg));
        if (!isForBot(msg, { hasOpenQuestion: open })) return;
        // The app claims msg.updateId in the transaction that handles it.
        await app.handleInbound(msg);
      },
      onSessionProblem: alertAdmins,
      onSessionRestored: alertAdmins,
    });
    // Only the instance holding the Zalo session delivers Zalo messages; the others only enqueue them.
    const zaloWorker = new OutboxWorker({ store, senders: { zalo: new ZaloSender({ session }) }, log });
    const leadership = await acquireZaloLeadership(store, {
      databaseUrl: env.DATABASE_URL,
      log,
      onAcquired: async () => {
        log.info("this instance holds the Zalo session");
        await session.start();
        zaloWorker.start();
      },
      onLost: async () => {
        log.warn("this instance lost the Zalo session lock; stopping the listener");
        await zaloWorker.stop();
        await session.stop();
      },
    });
    stops.push(() => session.stop(), () => leadership.release(), () => zaloWorker.stop());
  }

  if (local) {
    const demo = await setUpDemo(store, tree);
    const chat = new TerminalChat({
      chats: demo.chats,
      people: demo.people,
      onInbound: (msg) => app.handleInbound(msg),
      ...(clock.simulated ? { clock } : {}),
      // When the input ends (e.g. piped), let the outbox print the last answers first (at most 10 s).
      onExit: async () => {
        for (let i = 0; i < 100; i++) {
          const c = await outboxCounts(store);
          if (c.pending + c.sending === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await shutdown();
      },
    });
    senders.local = new TerminalSender(
      (line) => process.stdout.write(`${line}\n${chat.prompt()}`),
      chat.chatTitle,
      join(env.DATA_DIR, "out"),
    );
    chat.start();
  }

  const worker = new OutboxWorker({ store, senders, log });
  worker.start();
  stops.push(() => worker.stop());
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
