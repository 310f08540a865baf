/**
 * A local Bot API stand-in for outbox tests, reached over HTTP by the real Telegram adapter
 * (grammY): it serves sendMessage, ENFORCES Telegram's limits (1/s per chat, 20/min per group,
 * 30/s overall: 429 with parameters.retry_after, like Telegram), and can misbehave per request the
 * way the real one does: never answer (a hung connection), answer 5xx.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UserFromGetMe } from "grammy/types";

export const TOKEN = "123456789:TEST-outbox-token-abcdefghijk";

export const BOT_INFO = {
  id: 123456789,
  is_bot: true,
  first_name: "Vun Đắp",
  username: "vundap_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as unknown as UserFromGetMe;

/** What to do with one request: nothing special (enforce limits, accept), hang, or an error status. */
export type Misbehaviour = "hang" | { status: number; description: string } | undefined;

export interface Accepted {
  chatId: string;
  text: string;
  at: number;
}

export interface BotApiStandIn {
  url: string;
  /** Every accepted message, in order of arrival. */
  accepted: Accepted[];
  /** 429 answers given. */
  got429: number;
  /** 429 answers by the limit hit ("chat", "group", "global"). */
  why429: Record<string, number>;
  /** Requests left hanging. */
  hung: number;
  /** Requests seen per text (accepted or not). */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Decides per request (attempt counts from 1 per text). */
  misbehave?: (chatId: string, text: string, attempt: number) => Misbehaviour;
  /** Default 1000 ms between two messages to one chat. */
  perChatMs?: number;
  /** Default 20 per 60 s per group (negative chat id). */
  perGroup?: { count: number; perMs: number };
  /** Default 30 per 1000 ms overall. */
  global?: { count: number; perMs: number };
}

/** Starts the stand-in on a free local port. */
export function startBotApi(opts: StandInOptions = {}): Promise<BotApiStandIn> {
  const perChatMs = opts.perChatMs ?? 1000;
  const perGroup = opts.perGroup ?? { count: 20, perMs: 60_000 };
  const global = opts.global ?? { count: 30, perMs: 1000 };
  const globalTimes: number[] = [];
  const chatLast = new Map<string, number>();
  const groupTimes = new Map<string, number[]>();
  const hanging = new Set<ServerResponse>();
  let messageId = 0;
  const state: BotApiStandIn = {
    url: "",
    accepted: [],
    got429: 0,
    why429: {},
    hung: 0,
    attempts: new Map(),
    close: async () => undefined,
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const tooMany = (res: ServerResponse, waitMs: number, why: string) => {
    state.got429++;
    state.why429[why] = (state.why429[why] ?? 0) + 1;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    json(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    if (!m || m[1] !== TOKEN) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    if (m[2] !== "sendMessage") return json(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${m[2]} is not served here` });
    const payload = JSON.parse(body || "{}") as { chat_id: number | string; text: string };
    const chatId = String(payload.chat_id);
    const attempt = (state.attempts.get(payload.text) ?? 0) + 1;
    state.attempts.set(payload.text, attempt);
    const bad = opts.misbehave?.(chatId, payload.text, attempt);
    if (bad === "hang") {
      state.hung++;
      hanging.add(res);
      return;
    }
    if (bad) return json(res, bad.status, { ok: false, error_code: bad.status, description: bad.description });
    const now = performance.now();
    while (globalTimes.length && globalTimes[0]! <= now - global.perMs) globalTimes.shift();
    if (globalTimes.length >= global.count) return tooMany(res, globalTimes[0]! + global.perMs - now, "global");
    const last = chatLast.get(chatId);
    if (last !== undefined && now - last < perChatMs) return tooMany(res, last + perChatMs - now, "chat");
    if (chatId.startsWith("-")) {
      const g = groupTimes.get(chatId) ?? [];
      while (g.length && g[0]! <= now - perGroup.perMs) g.shift();
      if (g.length >= perGroup.count) return tooMany(res, g[0]! + perGroup.perMs - now, "group");
      g.push(now);
      groupTimes.set(chatId, g);
    }
    globalTimes.push(now);
    chatLast.set(chatId, now);
    state.accepted.push({ chatId, text: payload.text, at: now });
    json(res, 200, {
      ok: true,
      result: {
        message_id: ++messageId,
        date: Math.floor(Date.now() / 1000),
        chat: chatId.startsWith("-") ? { id: Number(chatId), type: "supergroup", title: `Nhóm ${chatId}` } : { id: Number(chatId), type: "private", first_name: "Chị" },
        text: payload.text,
      },
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      state.url = `http://127.0.0.1:${port}`;
      state.close = () =>
        new Promise<void>((r) => {
          for (const res of hanging) res.destroy();
          server.closeAllConnections();
          server.close(() => r());
        });
      resolve(state);
    });
  });
}

/** How many times each text was accepted. */
export function acceptedCounts(accepted: readonly Accepted[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of accepted) out.set(a.text, (out.get(a.text) ?? 0) + 1);
  return out;
}
