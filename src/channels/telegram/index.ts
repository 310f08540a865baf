/**
 * The Telegram channel (grammY): long polling by default, webhooks when deployed behind HTTPS.
 * Inbound: an update is confirmed to Telegram only once it is durable. The app claims its update_id
 * in the transaction that writes its effects (Telegram may redeliver; a claimed update is skipped);
 * when the store is unreachable the update is not confirmed — polling holds its offset
 * (polling.ts), a webhook call answers 503 — and Telegram delivers it again. One log line marks
 * the start and one the end of an outage. Outbound: no retries here (the outbox retries and
 * paces); errors are mapped to RetryAfterError / TransientSendError / PermanentSendError.
 * Taps on inline keyboard buttons (callback queries) go to the app like messages (kind "tap");
 * afterwards the query is answered and the tapped keyboard removed or replaced (taps.ts).
 */
import { currentLanguage } from "../../i18n.js";
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, InputFile, type Transformer } from "grammy";
import type { BotCommand, Message, Update, UserFromGetMe } from "grammy/types";
import { pino } from "pino";
import { hasKey, t, type Language } from "../../i18n.js";
import type { Logger } from "../../log.js";
import type { Store } from "../../store/database.js";
import { isUpdateClaimed, markUpdateProcessed } from "../../store/processed-updates.js";
import { sharedStoreOutage } from "../../store/outage.js";
import { isStoreUnavailable, StoreUnavailableError } from "../../store/unavailable.js";
import { UpdatePoller } from "./polling.js";
import type { ChannelSender, InboundHandler, OutboundMessage, SendOptions, SendResult, TapOutcome } from "../types.js";
import { moveChatLink } from "./chat-link.js";
import { mapSendError, migratedTo } from "./errors.js";
import { decideUpdate } from "./inbound.js";
import { planSend, type SendStep } from "./send-plan.js";
import { answerTap, editKeyboard } from "./taps.js";

import { COMMAND_NAMES } from "../../commands/names.js";
export { moveChatLink } from "./chat-link.js";
export { mapSendError, migratedTo } from "./errors.js";
export { decideTap, decideUpdate, mentionsBot, normalizeCommand, type InboundDecision } from "./inbound.js";
export { askPrefix, inlineKeyboard, isPrivateChatId, planSend, type SendStep } from "./send-plan.js";
export { answerTap, editKeyboard } from "./taps.js";
export { splitText, splitWithEntities, withMentions, TEXT_LIMIT, CAPTION_LIMIT } from "./text.js";

export { COMMAND_NAMES };

/** The advisory-lock key of the one instance that polls ("TGPL" in ASCII; see src/store/leadership.ts). */
export const TELEGRAM_POLL_LOCK = 0x5447504c;

/**
 * "message" updates (text, commands, media, service messages such as migrate_to_chat_id),
 * "edited_message" (the app answers an edit during an open question with a note) and
 * "callback_query" (taps on the buttons under questions).
 */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query"] as const;

/**
 * Setup methods, where automatic retries (429 retry_after, 5xx, network) are safe; never the send
 * path (the outbox retries and paces). getUpdates is left to the polling loop (polling.ts), which
 * retries it itself, so that stop() stays prompt.
 */
const RETRIED_METHODS = new Set(["getMe", "deleteWebhook", "setWebhook", "setMyCommands", "deleteMyCommands"]);

const WEBHOOK_BODY_LIMIT = 1 << 20;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export interface TelegramChannelOptions {
  token: string;
  /** Bot API server root (default https://api.telegram.org); tests use a local server. */
  apiRoot?: string;
  /** A fetch implementation (tests). */
  fetch?: typeof fetch;
  /** Known bot info; skips getMe (tests). */
  botInfo?: UserFromGetMe;
  store: Store;
  onInbound: InboundHandler;
  /** A group became a supergroup. Default: moveChatLink(store, "telegram", old, new). */
  onChatMigrated?: (oldChatId: string, newChatId: string) => Promise<void>;
  log?: Logger;
  /** The command menu; default COMMAND_NAMES with descriptions from locales (telegram:commands.*). */
  commands?: { command: string; description: string }[];
  /** Language of sentences the adapter adds itself (the askPerson address); default "vi". */
  language?: Language;
  /** Called when long polling stops for good after it started (401/404: the token is not accepted). */
  onPollingStopped?: (err: unknown) => void;
  /** Pauses of the polling loop after a failure (default 500 ms doubling up to 10 s); tests shorten them. */
  pollingBackoffMs?: { first: number; max: number };
  /** Long-poll timeout in seconds (default 30). */
  pollingTimeoutSeconds?: number;
}

export interface TelegramChannel {
  bot: Bot;
  channel: ChannelSender;
  /**
   * Processes one update. Errors of the app's handler are logged, never thrown; a store outage is
   * thrown as StoreUnavailableError (the update must not be confirmed).
   */
  handleUpdate(update: Update): Promise<void>;
  /** Starts long polling (getMe, deleteWebhook, then the loop in the background); resolves once it runs. */
  startPolling(): Promise<void>;
  /** Stops long polling (and confirms what was handled); the channel can still send. */
  stopPolling(): Promise<void>;
  /** True while the long-polling loop runs. */
  isPolling(): boolean;
  /** A node:http request handler for webhook mode; checks X-Telegram-Bot-Api-Secret-Token. */
  webhookCallback(secret: string): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  setWebhook(url: string, secret: string): Promise<void>;
  setCommands(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the Telegram channel (see the file comment). */
export function createTelegramChannel(opts: TelegramChannelOptions): TelegramChannel {
  const log = opts.log ?? pino({ level: "silent" });
  const language = opts.language ?? currentLanguage();
  const client: NonNullable<ConstructorParameters<typeof Bot>[1]>["client"] = {};
  if (opts.apiRoot) client.apiRoot = opts.apiRoot.replace(/\/+$/, "");
  if (opts.fetch) client.fetch = opts.fetch;
  const bot = new Bot(opts.token, { client, ...(opts.botInfo ? { botInfo: opts.botInfo } : {}) });

  const retry = autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 120 });
  const setupRetries: Transformer = (prev, method, payload, signal) =>
    RETRIED_METHODS.has(method) ? retry(prev, method, payload, signal) : prev(method, payload, signal);
  bot.api.config.use(setupRetries);

  const onChatMigrated =
    opts.onChatMigrated ??
    (async (oldChatId: string, newChatId: string) => {
      await moveChatLink(opts.store, "telegram", oldChatId, newChatId);
    });

  async function migrate(oldChatId: string, newChatId: string): Promise<void> {
    log.info({ oldChatId, newChatId }, "telegram group upgraded to a supergroup");
    try {
      await onChatMigrated(oldChatId, newChatId);
    } catch (err) {
      if (isStoreUnavailable(err)) throw err;
      log.error({ err, oldChatId, newChatId }, "moving a migrated telegram chat failed");
    }
  }

  /** Acts on one update; resolves whether it went to the store (an ignored update does not). */
  async function processUpdate(update: Update): Promise<boolean> {
    const decision = decideUpdate(update, bot.botInfo);
    if (decision.kind === "ignore") {
      log.debug({ updateId: update.update_id, reason: decision.reason }, "telegram update ignored");
      if (decision.queryId !== undefined) await answerTap(bot.api, log, decision.queryId);
      return false;
    }
    if (decision.kind === "tap") {
      const msg = decision.message;
      let outcome: TapOutcome | void = undefined;
      try {
        outcome = await opts.onInbound(msg);
      } catch (err) {
        if (isStoreUnavailable(err)) {
          // Not claimed: Telegram delivers the update again and it is handled then.
          await answerTap(bot.api, log, decision.queryId, t("bot:tap.later", {}, language));
          throw err;
        }
        log.error({ err, updateId: update.update_id, chatId: msg.chatId, messageId: msg.messageId }, "inbound handler failed on a tap");
      }
      await answerTap(bot.api, log, decision.queryId, outcome?.notice);
      if (outcome && outcome.choices !== undefined) await editKeyboard(bot.api, log, msg, outcome.choices);
      return true;
    }
    if (decision.kind === "migrate") {
      // Moved first, claimed after: moving is idempotent, so a crash in between only repeats it.
      const updateId = String(update.update_id);
      if (await isUpdateClaimed(opts.store, "telegram", updateId)) return true;
      await migrate(decision.oldChatId, decision.newChatId);
      await markUpdateProcessed(opts.store, "telegram", updateId);
      return true;
    }
    const msg = decision.message;
    try {
      // The app claims the update id in the transaction that writes its effects.
      await opts.onInbound(msg);
    } catch (err) {
      if (isStoreUnavailable(err)) throw err;
      log.error({ err, updateId: update.update_id, chatId: msg.chatId, messageId: msg.messageId }, "inbound handler failed");
    }
    return true;
  }

  const outage = sharedStoreOutage(log);

  async function handleUpdate(update: Update): Promise<void> {
    if (!bot.isInited()) await bot.init();
    let usedStore: boolean;
    try {
      usedStore = await processUpdate(update);
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      outage.failed(err);
      throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError(err);
    }
    if (usedStore) outage.succeeded();
  }

  const poller = new UpdatePoller({
    api: bot.api,
    handle: handleUpdate,
    log,
    allowedUpdates: ALLOWED_UPDATES,
    ...(opts.pollingTimeoutSeconds !== undefined ? { timeoutSeconds: opts.pollingTimeoutSeconds } : {}),
    ...(opts.pollingBackoffMs ? { firstBackoffMs: opts.pollingBackoffMs.first, maxBackoffMs: opts.pollingBackoffMs.max } : {}),
    onFatal: (err) => opts.onPollingStopped?.(err),
  });

  async function call(step: SendStep, chatId: string, abort?: AbortSignal): Promise<Message> {
    // grammY types its signal as the abort-controller shim's; a native AbortSignal works at run time.
    const signal = abort as Parameters<typeof bot.api.sendMessage>[3];
    const chat = /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
    const common = {
      ...(step.reply_parameters ? { reply_parameters: step.reply_parameters } : {}),
      ...(step.reply_markup ? { reply_markup: step.reply_markup } : {}),
    };
    if (step.method === "sendMessage") {
      return bot.api.sendMessage(chat, step.text, { ...common, ...(step.entities.length ? { entities: step.entities } : {}) }, signal);
    }
    return bot.api.sendDocument(chat, new InputFile(step.file.data, step.file.name), {
      ...common,
      ...(step.caption ? { caption: step.caption } : {}),
      ...(step.caption_entities ? { caption_entities: step.caption_entities } : {}),
    }, signal);
  }

  const channel: ChannelSender = {
    channel: "telegram",
    // The outbox's signal aborts a request that hangs (grammY's own timeout, 500 s, is longer
    // than a claim should live); the aborted call fails as a network error → TransientSendError.
    async send(msg: OutboundMessage, sendOpts?: SendOptions): Promise<SendResult> {
      const steps = planSend(msg, language);
      let chatId = msg.chatId;
      let migrated = false;
      let last: Message | undefined;
      for (const step of steps) {
        for (;;) {
          try {
            last = await call(step, chatId, sendOpts?.signal);
            break;
          } catch (err) {
            const newChatId = migratedTo(err);
            if (newChatId !== undefined && !migrated) {
              migrated = true;
              await migrate(chatId, newChatId);
              chatId = newChatId;
              continue;
            }
            throw mapSendError(err);
          }
        }
      }
      return { messageId: String(last!.message_id) };
    },
  };

  function commandsFor(lng: Language): BotCommand[] {
    const base = opts.commands ?? COMMAND_NAMES.map((command) => ({ command, description: "" }));
    return base.map(({ command, description }) => {
      const key = `telegram:commands.${command}`;
      const text = (lng === language && description) || (hasKey(key, lng) ? t(key, {}, lng) : description || command);
      return { command, description: text.slice(0, 256) };
    });
  }

  let webhookMode = false;

  return {
    bot,
    channel,
    handleUpdate,
    async startPolling() {
      if (webhookMode) throw new Error("telegram: webhook mode is set up; polling would receive nothing");
      if (poller.isRunning()) return;
      if (!bot.isInited()) await bot.init();
      // Updates that arrived while a webhook was set stay queued (never dropped).
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      poller.start();
      log.info({ bot: bot.botInfo.username }, "telegram long polling started");
    },
    stopPolling: () => poller.stop(),
    isPolling: () => poller.isRunning(),
    webhookCallback(secret: string) {
      if (!SECRET_TOKEN.test(secret)) throw new Error("telegram: webhook secret must be 1-256 characters A-Z a-z 0-9 _ -");
      if (poller.isRunning()) throw new Error("telegram: long polling is running; stop it before using a webhook");
      webhookMode = true;
      const expected = Buffer.from(secret);
      return async (req: IncomingMessage, res: ServerResponse) => {
        const reply = (status: number, body = "") => {
          if (res.headersSent) return;
          res.writeHead(status, { "content-type": "application/json" }).end(body);
        };
        if (req.method !== "POST") return reply(405);
        const header = req.headers["x-telegram-bot-api-secret-token"];
        const given = Buffer.from(typeof header === "string" ? header : "");
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          log.warn({ remote: req.socket.remoteAddress }, "telegram webhook call with a wrong secret");
          req.resume();
          return reply(401);
        }
        let update: Update;
        try {
          update = JSON.parse(await readBody(req, WEBHOOK_BODY_LIMIT)) as Update;
          if (typeof update?.update_id !== "number") throw new Error("no update_id");
        } catch (err) {
          log.warn({ err }, "telegram webhook body rejected");
          return reply(400);
        }
        try {
          await handleUpdate(update);
          reply(200, "{}");
        } catch (err) {
          // Not handled, not claimed: Telegram delivers it again later. A store outage is logged
          // once by the outage tracker, not once per update.
          if (!isStoreUnavailable(err)) log.error({ err, updateId: update.update_id }, "telegram webhook update failed");
          reply(isStoreUnavailable(err) ? 503 : 500);
        }
      };
    },
    async setWebhook(url: string, secret: string) {
      if (!SECRET_TOKEN.test(secret)) throw new Error("telegram: webhook secret must be 1-256 characters A-Z a-z 0-9 _ -");
      await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
    },
    async setCommands() {
      await bot.api.setMyCommands(commandsFor(language));
      const other: Language = language === "vi" ? "en" : "vi";
      await bot.api.setMyCommands(commandsFor(other), { language_code: other });
    },
    async stop() {
      await poller.stop();
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}
