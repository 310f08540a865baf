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
    else answer = defaultAnswer(call, this.me);
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

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}
