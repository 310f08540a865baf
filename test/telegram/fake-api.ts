/** Test doubles for the Bot API: a recording fake fetch, and a local HTTP Bot API server. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update, UserFromGetMe } from "grammy/types";

export interface ApiCall {
  method: string;
  /** When the call arrived (Date.now(); the local server sets it). */
  at?: number;
  /** JSON payload, or for multipart uploads the form fields (strings) plus `rawBody`. */
  payload: Record<string, unknown>;
}

export type ApiAnswer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> };
export type Responder = (call: ApiCall) => ApiAnswer | Response | Promise<ApiAnswer | Response>;

async function readAll(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Parses grammY's multipart/form-data body: text fields as strings; a field sent as
 * "attach://<part>" also gets `<field>.filename` and `<field>.content` from that part.
 */
export function parseMultipart(raw: string): Record<string, unknown> {
  const out: Record<string, unknown> = { rawBody: raw };
  const files = new Map<string, { filename: string; content: string }>();
  const re = /content-disposition:\s*form-data;\s*name="([^"]+)"(?:;\s*filename="?([^"\r\n]*)"?)?\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/gi;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    if (m[2] !== undefined) files.set(m[1]!, { filename: m[2], content: m[3]! });
    else out[m[1]!] = m[3];
  }
  for (const [field, value] of Object.entries(out)) {
    const file = typeof value === "string" && value.startsWith("attach://") ? files.get(value.slice(9)) : undefined;
    if (file) {
      out[`${field}.filename`] = file.filename;
      out[`${field}.content`] = file.content;
    }
  }
  return out;
}

function decode(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes("multipart/form-data")) return parseMultipart(raw);
  return JSON.parse(raw) as Record<string, unknown>;
}

let nextMessageId = 1000;
/** The default answer: a plausible result per method. */
export function defaultAnswer(call: ApiCall, me?: UserFromGetMe): ApiAnswer {
  switch (call.method) {
    case "getMe":
      return { ok: true, result: me };
    case "sendMessage":
    case "sendDocument": {
      const chatId = Number(call.payload.chat_id);
      return {
        ok: true,
        result: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup", title: "x" },
          text: call.payload.text,
        },
      };
    }
    default:
      return { ok: true, result: true };
  }
}

/** A user as Telegram names one in updates. */
export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

interface KeptMessage {
  chatId: number;
  messageId: number;
  text: string;
  /** The inline keyboard it shows now ("" when none), as JSON. */
  keyboard: string;
  /** The inline keyboard it was sent with, as JSON. */
  sent: string;
}

/**
 * The bot's messages and the taps on them, answered as Telegram answers:
 * - sendMessage / sendDocument keep the message and its inline keyboard;
 * - tap() makes a callback_query update for a button of a kept message, with a fresh query id
 *   (the same tap delivered again is the same update, with the same id);
 * - answerCallbackQuery: a query can be answered once; an unknown or already answered one gets
 *   400 "query is too old and response timeout expired or query ID is invalid"; text ≤ 200;
 * - editMessageReplyMarkup: 400 "message to edit not found" for an unknown message, 400
 *   "message is not modified: ..." when the keyboard is the one it has, otherwise the edited
 *   message; no reply_markup or an empty inline_keyboard removes the keyboard.
 */
export class FakeTelegram {
  readonly messages = new Map<string, KeptMessage>();
  private readonly openQueries = new Set<string>();
  private nextQuery = 1;
  private nextUpdate = 880_000_000;

  constructor(private readonly me?: UserFromGetMe) {}

  /** The answer to one call (the fake fetch's responder, or the local server's). */
  answer(call: ApiCall): ApiAnswer {
    switch (call.method) {
      case "sendMessage":
      case "sendDocument": {
        const a = defaultAnswer(call, this.me);
        if (a.ok) {
          const r = a.result as { message_id: number; chat: { id: number } };
          const markup = call.payload.reply_markup as { inline_keyboard?: unknown[] } | undefined;
          const keyboard = markup?.inline_keyboard && markup.inline_keyboard.length > 0 ? JSON.stringify(markup.inline_keyboard) : "";
          this.messages.set(`${r.chat.id}/${r.message_id}`, { chatId: r.chat.id, messageId: r.message_id, text: String(call.payload.text ?? ""), keyboard, sent: keyboard });
        }
        return a;
      }
      case "answerCallbackQuery": {
        const id = String(call.payload.callback_query_id);
        const text = call.payload.text;
        if (!this.openQueries.delete(id)) {
          return { ok: false, error_code: 400, description: "Bad Request: query is too old and response timeout expired or query ID is invalid" };
        }
        if (typeof text === "string" && text.length > 200) return { ok: false, error_code: 400, description: "Bad Request: MESSAGE_TOO_LONG" };
        return { ok: true, result: true };
      }
      case "editMessageReplyMarkup": {
        const kept = this.messages.get(`${Number(call.payload.chat_id)}/${Number(call.payload.message_id)}`);
        if (!kept) return { ok: false, error_code: 400, description: "Bad Request: message to edit not found" };
        const markup = call.payload.reply_markup as { inline_keyboard?: unknown[] } | undefined;
        const keyboard = markup?.inline_keyboard && markup.inline_keyboard.length > 0 ? JSON.stringify(markup.inline_keyboard) : "";
        if (keyboard === kept.keyboard) {
          return {
            ok: false,
            error_code: 400,
            description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          };
        }
        kept.keyboard = keyboard;
        return { ok: true, result: { message_id: kept.messageId, date: DATE_NOW(), chat: { id: kept.chatId, type: kept.chatId > 0 ? "private" : "supergroup" }, text: kept.text } };
      }
      default:
        return defaultAnswer(call, this.me);
    }
  }

  /** The inline keyboard a kept message shows now (empty when none). */
  keyboardOf(chatId: number, messageId: number): { text: string; callback_data: string }[][] {
    const kept = this.messages.get(`${chatId}/${messageId}`);
    return kept?.keyboard ? (JSON.parse(kept.keyboard) as { text: string; callback_data: string }[][]) : [];
  }

  /** The data of a button as the message was sent with it (its keyboard may be gone since). */
  sentData(chatId: number, messageId: number, label: string): string {
    const kept = this.messages.get(`${chatId}/${messageId}`);
    const rows = kept?.sent ? (JSON.parse(kept.sent) as { text: string; callback_data: string }[][]) : [];
    const button = rows.flat().find((b) => b.text === label);
    if (!button) throw new Error(`message ${messageId} was not sent with a button ${JSON.stringify(label)}`);
    return button.callback_data;
  }

  /**
   * A tap by `from` on the button labelled `label` (or whose data is `label`) of a kept message:
   * the callback_query update Telegram sends. Throws when the message has no such button (a
   * person cannot tap a button that is not shown).
   */
  tap(from: TgUser, chat: { id: number; type: string; title?: string; first_name?: string }, messageId: number, label: string): Update {
    const button = this.keyboardOf(chat.id, messageId)
      .flat()
      .find((b) => b.text === label || b.callback_data === label);
    if (!button) throw new Error(`no button ${JSON.stringify(label)} on message ${messageId}`);
    return this.tapData(from, chat, messageId, button.callback_data);
  }

  /** A callback_query update with any data (what a forged or outdated client could send). */
  tapData(from: TgUser, chat: { id: number; type: string; title?: string; first_name?: string }, messageId: number, data: string): Update {
    const id = String(4_700_000_000_000 + this.nextQuery++);
    this.openQueries.add(id);
    const kept = this.messages.get(`${chat.id}/${messageId}`);
    return {
      update_id: this.nextUpdate++,
      callback_query: {
        id,
        from,
        chat_instance: `-${Math.abs(chat.id)}77`,
        data,
        message: {
          message_id: messageId,
          date: DATE_NOW(),
          chat,
          from: this.me ? { id: this.me.id, is_bot: true, first_name: this.me.first_name, username: this.me.username } : undefined,
          text: kept?.text ?? "",
        },
      },
    } as unknown as Update;
  }

  /** Callback queries not answered yet. */
  get unansweredQueries(): number {
    return this.openQueries.size;
  }
}

const DATE_NOW = () => Math.floor(Date.now() / 1000);

/** A fake fetch that records Bot API calls and answers through `responder` (default: success). */
export function fakeFetch(responder?: Responder): { fetch: typeof fetch; calls: ApiCall[] } {
  const calls: ApiCall[] = [];
  const impl = async (input: unknown, init?: { body?: unknown; headers?: unknown }): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : String((input as Request).url);
    const method = url.split("/").pop()!;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const contentType = headers["content-type"] ?? headers["Content-Type"];
    const call: ApiCall = { method, payload: decode(await readAll(init?.body), contentType) };
    calls.push(call);
    const answer = responder ? await responder(call) : defaultAnswer(call);
    if (answer instanceof Response) return answer;
    const status = answer.ok ? 200 : answer.error_code;
    return new Response(JSON.stringify(answer), { status, headers: { "content-type": "application/json" } });
  };
  return { fetch: impl as unknown as typeof fetch, calls };
}

/**
 * A local Bot API server: getMe, getUpdates, sendMessage, setMyCommands, setWebhook, ... getUpdates
 * behaves like Telegram's: it returns the unconfirmed updates again and again until a call with a
 * higher `offset` confirms them, long-polls while there are none, and when a second getUpdates
 * arrives while one is waiting, the waiting one is ended with 409 Conflict ("terminated by other
 * getUpdates request").
 */
export class LocalBotApi {
  readonly calls: ApiCall[] = [];
  /** How many getUpdates calls were ended with 409 because another one arrived. */
  conflicts = 0;
  /** Updates not yet confirmed by an offset. */
  private queue: Update[] = [];
  private waiters: Array<() => void> = [];
  /** The getUpdates call now waiting, and how to end it with a 409. */
  private polling: { terminate: () => void } | null = null;
  private server: Server;
  /** Per-method overrides. */
  responders = new Map<string, Responder>();
  /** When set, answers every method but getUpdates (messages, taps, keyboard edits as Telegram does). */
  telegram: FakeTelegram | null = null;
  apiRoot = "";

  constructor(
    private readonly me: UserFromGetMe,
    private readonly pollWaitMs = 150,
  ) {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => res.writeHead(status, { "content-type": "application/json" }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.waiters.splice(0).forEach((w) => w());
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  push(update: Update): void {
    this.queue.push(update);
    this.waiters.splice(0).forEach((w) => w());
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const method = (req.url ?? "").split("/").pop()!;
    const call: ApiCall = { method, payload: decode(await readAll(req), req.headers["content-type"]), at: Date.now() };
    this.calls.push(call);
    const override = this.responders.get(method);
    let answer: ApiAnswer | Response;
    if (override) answer = await override(call);
    else if (method === "getUpdates") answer = await this.getUpdates(call.payload, req);
    else answer = this.telegram ? this.telegram.answer(call) : defaultAnswer(call, this.me);
    if (answer instanceof Response) return { status: answer.status, body: await answer.text() };
    return { status: answer.ok ? 200 : answer.error_code, body: JSON.stringify(answer) };
  }

  /** Confirms updates below `offset`, returns pending ones; waits a little when there are none. */
  private async getUpdates(payload: Record<string, unknown>, req: IncomingMessage): Promise<ApiAnswer> {
    // Another poller waiting: Telegram ends its request with 409.
    this.polling?.terminate();
    this.polling = null;
    const offset = typeof payload.offset === "number" ? payload.offset : 0;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    let terminated = false;
    if (this.queue.length === 0 && Number(payload.timeout ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== done);
          if (this.polling === me) this.polling = null;
          req.socket.off("close", gone);
          resolve();
        };
        const gone = () => done(); // the poller went away (stopped, killed)
        const me = {
          terminate: () => {
            terminated = true;
            done();
          },
        };
        const timer = setTimeout(done, this.pollWaitMs);
        this.waiters.push(done);
        this.polling = me;
        req.socket.once("close", gone);
      });
    }
    if (terminated) {
      this.conflicts++;
      return { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" };
    }
    const limit = typeof payload.limit === "number" ? payload.limit : 100;
    return { ok: true, result: this.queue.slice(0, limit) };
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  unconfirmed(): Update[] {
    return [...this.queue];
  }
}

/** Waits until `check` holds (polled every 10 ms); the default deadline is generous for a loaded machine. */
export async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}
