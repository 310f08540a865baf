/**
 * The Telegram channel (grammY): long polling by default, webhooks when deployed behind HTTPS.
 * Inbound: every update is claimed in ProcessedUpdate before the app sees it (Telegram may redeliver;
 * grammY does not de-duplicate). Outbound: no retries here (the outbox retries and paces); errors
 * are mapped to RetryAfterError / TransientSendError / PermanentSendError.
 */
import { currentLanguage } from "../../i18n.js";
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, BotError, InputFile, type Transformer } from "grammy";
import type { BotCommand, Message, Update, UserFromGetMe } from "grammy/types";
import { pino } from "pino";
import { hasKey, t, type Language } from "../../i18n.js";
import type { Logger } from "../../log.js";
import type { Store } from "../../store/database.js";
import { markUpdateProcessed } from "../../store/processed-updates.js";
import type { ChannelSender, InboundHandler, OutboundMessage, SendOptions, SendResult } from "../types.js";
import { moveChatLink } from "./chat-link.js";
import { mapSendError, migratedTo } from "./errors.js";
import { decideUpdate } from "./inbound.js";
import { planSend, type SendStep } from "./send-plan.js";

import { COMMAND_NAMES } from "../../commands/names.js";
export { moveChatLink } from "./chat-link.js";
export { mapSendError, migratedTo } from "./errors.js";
export { decideUpdate, mentionsBot, normalizeCommand, type InboundDecision } from "./inbound.js";
export { askPrefix, isPrivateChatId, planSend, type SendStep } from "./send-plan.js";
export { splitText, splitWithEntities, withMentions, TEXT_LIMIT, CAPTION_LIMIT } from "./text.js";

export { COMMAND_NAMES };

/**
 * "message" updates (text, commands, media, service messages such as migrate_to_chat_id) and
 * "edited_message" (the app answers an edit during an open question with a note).
 */
export const ALLOWED_UPDATES = ["message", "edited_message"] as const;

/**
 * Setup methods, where automatic retries (429 retry_after, 5xx, network) are safe; never the send
 * path (the outbox retries and paces). getUpdates is left to grammY's polling loop, which already
 * retries it (and honours 429), so that stop() stays prompt.
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
  /** Called when long polling stops on its own after it started (401 bad token, 409 another instance polling). */
  onPollingStopped?: (err: unknown) => void;
}

export interface TelegramChannel {
  bot: Bot;
  channel: ChannelSender;
  /** Processes one update. Errors of the app's handler are logged, never thrown; store failures are thrown. */
  handleUpdate(update: Update): Promise<void>;
  /** Starts long polling; resolves once polling runs. */
  startPolling(): Promise<void>;
  /** A node:http request handler for webhook mode; checks X-Telegram-Bot-Api-Secret-Token. */
  webhookCallback(secret: string): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  setWebhook(url: string, secret: string): Promise<void>;
  setCommands(): Promise<void>;
  stop(): Promise<void>;
}

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
      log.error({ err, oldChatId, newChatId }, "moving a migrated telegram chat failed");
    }
  }

  async function processUpdate(update: Update): Promise<void> {
    const decision = decideUpdate(update, bot.botInfo);
    if (decision.kind === "ignore") {
      log.debug({ updateId: update.update_id, reason: decision.reason }, "telegram update ignored");
      return;
    }
    // Claim before acting: a redelivered update does nothing (at most once).
    if (!(await markUpdateProcessed(opts.store, "telegram", String(update.update_id)))) {
      log.info({ updateId: update.update_id }, "telegram update already processed; skipped");
      return;
    }
    if (decision.kind === "migrate") {
      await migrate(decision.oldChatId, decision.newChatId);
      return;
    }
    const msg = decision.message;
    try {
      await opts.onInbound(msg);
    } catch (err) {
      log.error({ err, updateId: update.update_id, chatId: msg.chatId, messageId: msg.messageId }, "inbound handler failed");
    }
  }

  bot.use(async (ctx) => {
    await processUpdate(ctx.update);
  });
  bot.catch((err) => {
    log.error({ err: err.error, updateId: err.ctx.update.update_id }, "telegram update failed");
  });

  async function handleUpdate(update: Update): Promise<void> {
    if (!bot.isInited()) await bot.init();
    try {
      await bot.handleUpdate(update);
    } catch (err) {
      throw err instanceof BotError ? err.error : err;
    }
  }

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

  let polling: Promise<void> | undefined;
  let webhookMode = false;

  return {
    bot,
    channel,
    handleUpdate,
    async startPolling() {
      if (webhookMode) throw new Error("telegram: webhook mode is set up; polling would receive nothing");
      if (polling) return;
      await new Promise<void>((resolve, reject) => {
        let started = false;
        polling = bot
          .start({
            drop_pending_updates: false,
            allowed_updates: [...ALLOWED_UPDATES],
            onStart: (me) => {
              started = true;
              log.info({ bot: me.username }, "telegram long polling started");
              resolve();
            },
          })
          .catch((err: unknown) => {
            log.error({ err }, "telegram long polling stopped");
            if (!started) reject(err);
            else opts.onPollingStopped?.(err);
          })
          .finally(() => {
            polling = undefined;
          });
      });
    },
    webhookCallback(secret: string) {
      if (!SECRET_TOKEN.test(secret)) throw new Error("telegram: webhook secret must be 1-256 characters A-Z a-z 0-9 _ -");
      if (bot.isRunning()) throw new Error("telegram: long polling is running; stop it before using a webhook");
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
          // The update was not claimed or not handled: Telegram redelivers it later.
          log.error({ err, updateId: update.update_id }, "telegram webhook update failed");
          reply(500);
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
      const running = polling;
      if (bot.isRunning()) await bot.stop();
      await running;
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
