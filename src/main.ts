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
import { acquireLeadership } from "./store/leadership.js";
import type { Deleters } from "./app/delete-message.js";
import { enqueue, listenForEnqueues, outboxCounts, OutboxWorker, type OutboxWorkerOptions } from "./outbox/index.js";
import { Scheduler } from "./scheduler/index.js";
import type { ChannelName, ChannelSender, OutboundMessage } from "./channels/types.js";
import { loadEnv } from "./config/env.js";
import { setProcessLanguage } from "./i18n.js";
import { createLogger, type Logger } from "./log.js";
import { DEFAULT_PLANS_DIR } from "./plan/load.js";
import { loadPlanSet } from "./plan/set.js";
import { defaultPlan } from "./plan/calendar.js";
import { notifyItemFailure, warnIfNoCurrentPlan } from "./app/plan-notices.js";
import { vietnamToday } from "./domain/vi/index.js";
import { describeStartupError, wantsStack } from "./startup-error.js";
import { DailyBackup } from "./store/daily-backup.js";
import { openStore } from "./store/database.js";
import { makeOwnerOnly, OWNER_ONLY_UMASK } from "./store/file-modes.js";
import { ensureEnvAdmins } from "./store/people.js";
import { DEFAULT_UNITS_PATH } from "./domain/units/import.js";
import { loadUnitTree, seedUnitsIfEmpty } from "./store/units.js";
import type { NodeHandler } from "./web/server.js";
import { followUnitChanges } from "./store/unit-changes.js";

async function main(): Promise<void> {
  process.umask(OWNER_ONLY_UMASK);
  setProcessLanguage(process.env.LANGUAGE?.trim() === "en" ? "en" : "vi"); // for a bad configuration's message
  const env = loadEnv();
  setProcessLanguage(env.LANGUAGE);
  const local = !env.TELEGRAM_BOT_TOKEN && !env.ZALO_ENABLED;
  mkdirSync(env.DATA_DIR, { recursive: true });
  makeOwnerOnly(env.DATA_DIR, ...(env.DATABASE_URL ? [] : [env.BACKUP_DIR]));
  // In the local chat the terminal is the conversation: logs go to a file there.
  const log: Logger = local
    ? createLogger(env.LOG_LEVEL, join(env.DATA_DIR, "vun-dap.log"))
    : createLogger(env.LOG_LEVEL);

  const plans = loadPlanSet(env.PLAN_FILE ?? DEFAULT_PLANS_DIR).plans;
  const store = await openStore({ databaseUrl: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, log });
  try {
    await seedUnitsIfEmpty(store, env.UNITS_FILE ?? DEFAULT_UNITS_PATH);
  } catch (err) {
    await store.close();
    throw err;
  }
  const tree = await loadUnitTree(store);
  const rootIds = tree.roots.map((r) => r.id);
  await ensureEnvAdmins(store, "telegram", env.ADMIN_TELEGRAM_IDS, rootIds);
  await ensureEnvAdmins(store, "zalo", env.ADMIN_ZALO_IDS, rootIds);

  // Everything the bot says goes through the durable outbox; workers deliver it, paced per channel.
  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  // On PostgreSQL, enqueues by other instances wake this one's workers (LISTEN/NOTIFY).
  const wakeups = store.kind === "postgres" && env.DATABASE_URL ? listenForEnqueues(env.DATABASE_URL, { log }) : undefined;
  const outboxOptions: Omit<OutboxWorkerOptions, "senders"> = {
    store,
    log,
    sendTimeoutMs: env.OUTBOX_SEND_TIMEOUT_MS,
    fileSendTimeoutMs: env.OUTBOX_FILE_SEND_TIMEOUT_MS,
    ...(wakeups ? { wakeups } : {}),
  };
  const dispatch = async (msg: OutboundMessage): Promise<void> => {
    await enqueue(store, msg);
  };

  // The local chat runs on the real clock when a plan covers today, else on a simulated clock
  // inside the nearest plan's years (`:gio` moves it); the real channels always on the real clock.
  const clock = new DemoClock();
  if (local) {
    // demoStart returns `now` itself when a plan covers today: then the clock stays real.
    const now = new Date();
    const start = demoStart(defaultPlan(plans, vietnamToday(now)), now);
    if (start !== now) clock.set(start);
  }
  // Channels that can delete a message (an invite code typed in a group); filled as they start.
  const deleters: Deleters = {};
  // The web dashboard (src/web) is served on PORT when it has an address (WEB_BASE_URL).
  const webBaseUrl = env.WEB_BASE_URL;
  const app = new App({
    store,
    plans,
    log,
    deleters,
    now: clock.now,
    conversationTtlHours: env.CONVERSATION_TTL_HOURS,
    ...(webBaseUrl ? { webBaseUrl } : {}),
  });
  await app.init();
  // grammY, Hono and the dashboard load only when their channel or the web is configured.
  const webServer = webBaseUrl ? await import("./web/server.js") : undefined;
  const web: NodeHandler | undefined =
    webServer && webBaseUrl ? webServer.webRequestListener(webServer.createWebApp({ app: app.services, baseUrl: webBaseUrl, dataDir: env.DATA_DIR })) : undefined;
  const listen = async (handler: NodeHandler): Promise<void> => {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(env.PORT, resolve));
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  };
  let serving = false;
  log.info({ store: store.kind, units: tree.size, plans: plans.map((p) => `${p.id} (${p.start}…${p.end})`), local }, "Vun Đắp started");
  // No plan covering today: say so in the log and to the admins (once per plan end); again every hour.
  const checkPlans = () => warnIfNoCurrentPlan(store, plans, clock.now(), log, env.LANGUAGE);
  await checkPlans();
  const planWatch = setInterval(() => void checkPlans().catch((err) => log.error({ err }, "plan check failed")), 3_600_000);

  const stops: (() => Promise<void> | void)[] = [];
  const expiry = setInterval(() => void app.expireConversations().catch((err) => log.error({ err }, "expiry failed")), 60_000);
  stops.push(() => clearInterval(expiry), () => clearInterval(planWatch));

  const scheduler = new Scheduler({
    store,
    plans,
    onItemFailure: (failure) => notifyItemFailure(store, failure, env.LANGUAGE).then(() => undefined),
    tree: () => app.services.tree(),
    log,
    lng: env.LANGUAGE,
    clock: { now: () => clock.now().getTime() },
  });
  await scheduler.start();
  stops.push(() => scheduler.stop());

  if (wakeups) stops.push(() => wakeups.close());
  // On PostgreSQL, `units import` / `units reorganise` run beside the bot: it reloads its tree when they commit.
  if (store.kind === "postgres" && env.DATABASE_URL) {
    const unitChanges = followUnitChanges(env.DATABASE_URL, () => app.reloadTree(), log);
    stops.push(() => unitChanges.close());
  }

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
    const [{ createTelegramChannel, TELEGRAM_POLL_LOCK }, { telegramDeleter }] = await Promise.all([
      import("./channels/telegram/index.js"),
      import("./channels/telegram/delete.js"),
    ]);
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
    deleters.telegram = telegramDeleter(telegram.bot.api);
    stops.push(() => telegram.stop());
    // Command menu in the background: it retries for a while when Telegram is unreachable.
    void telegram.setCommands().catch((err) => log.warn({ err: (err as Error).message }, "setMyCommands failed"));
    if (env.TELEGRAM_MODE === "webhook") {
      const handler = telegram.webhookCallback(env.TELEGRAM_WEBHOOK_SECRET!);
      // /web… goes to the dashboard (when served), every other path to the webhook as before.
      await listen(web && webServer ? webServer.webAndWebhook(web, handler) : (req, res) => void handler(req, res));
      serving = true;
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
    // zca-js loads only when Zalo is on.
    const { acquireZaloLeadership, reachesApp, ZaloChatTypes, ZaloSender, ZaloSession } = await import("./channels/zalo/index.js");
    const { zaloWorkerSendLimits } = await import("./channels/zalo/timeouts.js");
    // Alerts about the Zalo session go to the admins on Telegram (private chats), when configured.
    const alertAdmins = async (text: string): Promise<void> => {
      if (!senders.telegram) return;
      for (const id of env.ADMIN_TELEGRAM_IDS) await dispatch({ channel: "telegram", chatId: id, chatType: "private", text });
    };
    const chatTypes = new ZaloChatTypes(store);
    // Inbound messages are journaled in DATA_DIR until this handler finished (Zalo does not redeliver).
    const session = new ZaloSession({
      dataDir: env.DATA_DIR,
      log,
      language: env.LANGUAGE,
      onInbound: async (msg) => {
        await chatTypes.remember(msg.chatId, msg.chatType);
        // A personal account sees all group chatter: only commands, replies, mentions and open answers go on.
        if (!(await reachesApp(store.sql, msg))) return;
        // The app claims msg.updateId in the transaction that handles it.
        await app.handleInbound(msg);
      },
      onSessionProblem: alertAdmins,
      onSessionRestored: alertAdmins,
    });
    // Only the instance holding the Zalo session delivers Zalo messages; the others only enqueue them.
    const zaloSender = new ZaloSender({
      session,
      log,
      language: env.LANGUAGE,
      resolveChatType: (chatId) => chatTypes.resolve(chatId),
      onAlert: alertAdmins,
    });
    // The Zalo sender has its own, longer limits (it waits for the listener, and a file for Zalo's
    // upload-done event) and cleans up after them; the worker's limits sit just above them.
    const zaloWorker = new OutboxWorker({
      ...outboxOptions,
      ...zaloWorkerSendLimits(),
      senders: { zalo: zaloSender },
    });
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
      clock,
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

  if (web && webServer && !serving) {
    await listen(webServer.webAndWebhook(web));
    log.info({ port: env.PORT, url: webBaseUrl }, "web dashboard listening");
  }
  if (web) void (await import("./web/warm.js")).warmDashboard(app.services).catch((err) => log.warn({ err }, "web dashboard warm-up failed"));

  const worker = new OutboxWorker({ ...outboxOptions, senders });
  worker.start();
  stops.push(() => worker.stop());

  // Copies of answer photos into DATA_DIR/photos, in the background (src/photos/downloader.ts).
  const { PhotoDownloader } = await import("./photos/downloader.js");
  const { onPhotoRecorded } = await import("./photos/wake.js");
  const photos = new PhotoDownloader({
    store,
    log,
    dataDir: env.DATA_DIR,
    maxBytes: env.PHOTO_MAX_BYTES,
    totalMaxBytes: env.PHOTO_TOTAL_MAX_BYTES,
    timeoutMs: env.PHOTO_DOWNLOAD_TIMEOUT_MS,
    ...(env.TELEGRAM_BOT_TOKEN ? { telegram: { apiRoot: env.TELEGRAM_API_ROOT ?? "https://api.telegram.org", token: env.TELEGRAM_BOT_TOKEN } } : {}),
  });
  const unwake = onPhotoRecorded(() => photos.wake());
  photos.start();
  stops.push(() => unwake(), () => photos.stop());
  // The embedded store backs itself up daily (PostgreSQL: pg_dump, outside the bot). Started last:
  // a backup due now (a new folder's first) holds PGlite's query lock while it reads the folder,
  // which would otherwise hold up the start's own queries.
  if (store.backup) {
    const daily = new DailyBackup({ store, dir: env.BACKUP_DIR, keep: env.BACKUP_KEEP, hour: env.BACKUP_HOUR, log, secure: [env.PGLITE_DIR] });
    daily.start();
    stops.push(() => daily.stop());
  }
}

main().catch((err) => {
  process.stderr.write(`${describeStartupError(err, { stack: wantsStack() })}\n`);
  process.exit(1);
});
