/**
 * Broadcast bench: messages to Telegram groups (by default one to each of 2,000) through the outbox and the real
 * Telegram adapter (src/channels/telegram, grammY), against a local HTTP server that speaks the
 * Bot API's sendMessage and ENFORCES Telegram's limits — 1 message/s per chat, 20/min per group,
 * 30/s overall — answering 429 with parameters.retry_after when a request exceeds them.
 *
 * Store: a fresh PostgreSQL database on the local server (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, used to create and drop it); PGlite in memory
 * when PostgreSQL is not reachable (one instance only). Real clock. Prints human lines, then one
 * JSON line:
 *   { messages, groups, perGroup, instances, totalSeconds, idealSeconds, overheadPct, got429,
 *     busiestSecond, busiestGroupMinute, duplicates, losses, outOfOrder, ok, store, sender }
 * and exits non-zero when the counts do not check out (delivered ≠ queued, duplicates, 429s,
 * a chat's messages out of order) or the workers asked for more than Telegram allows: every
 * request is timed at the server, 429 or not, and the busiest second overall (≤ 30) and each
 * group's busiest minute (≤ 20) are checked.
 *
 *   npm run bench:broadcast     BENCH_MESSAGES (default 2000), BENCH_PER_GROUP messages per group
 *                               (default 1), BENCH_INSTANCES workers with their own store
 *                               connections sharing the limits through PostgreSQL (default 1);
 *                               BENCH_GAPS=1 prints the spacing of accepted requests;
 *                               BENCH_LOG=info shows the workers' log
 *   npm run bench:broadcast -- all   the three runs of issue 13, one process each: one message to
 *                               each of 2,000 groups; 25 to each of 40 groups (the 20/minute limit
 *                               applies); the same with three instances; last line: all three
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createTelegramChannel } from "../src/channels/telegram/index.js";
import { createLogger } from "../src/log.js";
import { enqueueMany, outboxCounts, OutboxWorker } from "../src/outbox/index.js";
import { openStore, type Store } from "../src/store/database.js";

const PER_GROUP = Math.max(1, Number(process.env.BENCH_PER_GROUP ?? 1));
const GROUPS = Math.max(1, Math.ceil(Number(process.env.BENCH_MESSAGES ?? 2000) / PER_GROUP));
const MESSAGES = GROUPS * PER_GROUP;
const INSTANCES = Math.max(1, Number(process.env.BENCH_INSTANCES ?? 1));
const GLOBAL_PER_S = 30;
const TOKEN = "123456789:BENCH-broadcast-token-abcdefghijk";
/** The least time Telegram's limits allow: 30/s overall, 1/s per chat, 20/min per group. */
const IDEAL_SECONDS = Math.max(MESSAGES / GLOBAL_PER_S, PER_GROUP - 1, Math.floor((PER_GROUP - 1) / 20) * 60);
const TIMEOUT_MS = Math.max(60_000, IDEAL_SECONDS * 3000);

// ---------------------------------------------------------------------------------------------
// A Bot API server that enforces Telegram's limits

interface ServerStats {
  accepted: number;
  got429: number;
  /** (chat|text) → times accepted */
  deliveries: Map<string, number>;
  /** chat → texts accepted, in order */
  byChat: Map<string, string[]>;
  firstAt: number;
  lastAt: number;
}

/** Accepted request times (BENCH_GAPS=1 prints their spacing). */
const arrivals: number[] = [];
/**
 * Every sendMessage request as it arrived, answered 429 or not: what the bot asked of Telegram.
 * The limits are checked on these (accepted ones cannot exceed them: the server refuses the excess).
 */
const requests: number[] = [];
const groupRequests = new Map<string, number[]>();

/** The most times in any window of `ms` (times ascending). */
function busiest(times: readonly number[], ms: number): number {
  let most = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= ms) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}
function startBotApi(): Promise<{ url: string; stats: ServerStats; close: () => Promise<void> }> {
  const stats: ServerStats = { accepted: 0, got429: 0, deliveries: new Map(), byChat: new Map(), firstAt: 0, lastAt: 0 };
  const global: number[] = []; // accepted times, last second
  const perChatLast = new Map<string, number>();
  const perGroup = new Map<string, number[]>(); // accepted times, last minute
  let messageId = 0;

  const tooMany = (res: ServerResponse, waitMs: number) => {
    stats.got429++;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    res.writeHead(429, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      }),
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    if (!m || m[1] !== TOKEN) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
      return;
    }
    if (m[2] !== "sendMessage") {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: 400, description: `Bad Request: ${m[2]} is not served here` }));
      return;
    }
    const payload = JSON.parse(body || "{}") as { chat_id: number | string; text: string };
    const chat = String(payload.chat_id);
    const now = performance.now();
    requests.push(now);
    if (chat.startsWith("-")) {
      const times = groupRequests.get(chat) ?? [];
      times.push(now);
      groupRequests.set(chat, times);
    }
    while (global.length && global[0]! <= now - 1000) global.shift();
    if (global.length >= GLOBAL_PER_S) return tooMany(res, global[0]! + 1000 - now);
    const last = perChatLast.get(chat);
    if (last !== undefined && now - last < 1000) return tooMany(res, last + 1000 - now);
    if (chat.startsWith("-")) {
      const g = perGroup.get(chat) ?? [];
      while (g.length && g[0]! <= now - 60_000) g.shift();
      if (g.length >= 20) return tooMany(res, g[0]! + 60_000 - now);
      g.push(now);
      perGroup.set(chat, g);
    }
    global.push(now);
    perChatLast.set(chat, now);
    stats.accepted++;
    arrivals.push(now);
    if (!stats.firstAt) stats.firstAt = now;
    stats.lastAt = now;
    const key = `${chat}|${payload.text}`;
    stats.deliveries.set(key, (stats.deliveries.get(key) ?? 0) + 1);
    const list = stats.byChat.get(chat) ?? [];
    list.push(payload.text);
    stats.byChat.set(chat, list);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ok: true,
        result: {
          message_id: ++messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(chat), type: "supergroup", title: `Nhóm ${chat}` },
          text: payload.text,
        },
      }),
    );
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        stats,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Store: a throw-away PostgreSQL database, else PGlite

async function openBenchStore(): Promise<{ store: Store; url?: string; label: string; drop: () => Promise<void> }> {
  const admin = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `vundap_bench_${process.pid}`;
  try {
    const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
    await c.query(`CREATE DATABASE "${name}"`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    const store = await openStore({ databaseUrl: url.toString(), poolSize: 8 });
    return {
      store,
      url: url.toString(),
      label: `PostgreSQL (${url.host}, database ${name})`,
      async drop() {
        await store.close();
        const d = new pg.Client({ connectionString: admin });
        await d.connect();
        await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await d.end();
      },
    };
  } catch (err) {
    console.log(`PostgreSQL not reachable (${(err as Error).message}); using PGlite in memory`);
    const store = await openStore({ pgliteDir: "memory://" });
    return { store, label: "PGlite (in memory)", drop: () => store.close() };
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const api = await startBotApi();
  const { store, url, label, drop } = await openBenchStore();
  const log = createLogger(process.env.BENCH_LOG ?? "silent");
  console.log(`Bot API server on ${api.url}: 1 msg/s per chat, 20/min per group, ${GLOBAL_PER_S}/s overall (429 + retry_after)`);
  console.log(`store: ${label}`);
  console.log("sender: the Telegram adapter (src/channels/telegram createTelegramChannel().channel, grammY) with apiRoot → local server");
  const stores: Store[] = [store];
  let ok = false;
  try {
    if (INSTANCES > 1 && !url) throw new Error("BENCH_INSTANCES > 1 needs PostgreSQL");
    for (let i = 1; i < INSTANCES; i++) stores.push(await openStore({ databaseUrl: url!, poolSize: 8, migrate: false }));
    const senders = stores.map(
      (s) =>
        createTelegramChannel({
          token: TOKEN,
          apiRoot: api.url,
          botInfo: {
            id: 123456789,
            is_bot: true,
            first_name: "Vun Đắp",
            username: "vundap_bench_bot",
            can_join_groups: true,
            can_read_all_group_messages: false,
            supports_inline_queries: false,
            can_connect_to_business: false,
            has_main_web_app: false,
          } as never,
          store: s,
          onInbound: async () => undefined,
          log,
        }),
    );

    // Interleaved as a broadcast queues them: message k of every group, then k + 1.
    const items = [];
    const expected = new Map<string, string[]>();
    for (let k = 0; k < PER_GROUP; k++)
      for (let g = 0; g < GROUPS; g++) {
        const chatId = String(-1_000_000_000_000 - g);
        const text = `Dạ, em nhắc các chị: báo cáo tháng 5/2024 hạn 20:00 ngày 20/05/2024. (#${g}.${k})`;
        items.push({ msg: { channel: "telegram" as const, chatId, text }, dedupeKey: `bench|${g}|${k}` });
        const list = expected.get(chatId) ?? [];
        list.push(text);
        expected.set(chatId, list);
      }
    const t0 = performance.now();
    await enqueueMany(store, items);
    console.log(
      `queued ${MESSAGES} messages (${PER_GROUP} to each of ${GROUPS} groups) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${INSTANCES} worker instance(s)`,
    );

    const workers = stores.map((s, i) => new OutboxWorker({ store: s, senders: { telegram: senders[i]!.channel }, log, workerId: `bench-${i}` }));
    const start = performance.now();
    for (const w of workers) w.start();
    let lastReport = start;
    while (performance.now() - start < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 250));
      const c = await outboxCounts(store);
      if (performance.now() - lastReport >= 10_000) {
        lastReport = performance.now();
        console.log(
          `  ${((lastReport - start) / 1000).toFixed(0)} s: sent ${c.sent}, pending ${c.pending}, sending ${c.sending}, set aside ${c.dead}; server 429s ${api.stats.got429}`,
        );
      }
      if (c.sent + c.dead >= MESSAGES) break;
    }
    const end = performance.now();
    for (const w of workers) await w.stop();
    for (const t of senders) await t.stop().catch(() => undefined);
    const counts = await outboxCounts(store);

    let duplicates = 0;
    for (const n of api.stats.deliveries.values()) if (n > 1) duplicates += n - 1;
    const delivered = api.stats.deliveries.size;
    const losses = MESSAGES - delivered;
    let outOfOrder = 0;
    for (const [chat, texts] of expected) {
      const got = (api.stats.byChat.get(chat) ?? []).filter((t, i, all) => all.indexOf(t) === i);
      if (got.join("\n") !== texts.join("\n") && got.length === texts.length) outOfOrder++;
    }
    const totalSeconds = (end - start) / 1000;
    const sendSeconds = (api.stats.lastAt - start) / 1000;
    const overheadPct = ((totalSeconds - IDEAL_SECONDS) / IDEAL_SECONDS) * 100;
    console.log(
      `delivered ${delivered}/${MESSAGES} (store: sent ${counts.sent}, set aside ${counts.dead}, pending ${counts.pending}) ` +
        `in ${totalSeconds.toFixed(1)} s (last message accepted at ${sendSeconds.toFixed(1)} s); ideal under Telegram's limits ${IDEAL_SECONDS.toFixed(1)} s`,
    );
    console.log(`per instance sent: ${workers.map((w) => w.stats.sent).join(", ")}`);
    if (process.env.BENCH_GAPS) {
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!).sort((a, b) => a - b);
      const pct = (p: number) => gaps[Math.floor((gaps.length - 1) * p)]!.toFixed(1);
      console.log(`gaps ms: p10 ${pct(0.1)} p50 ${pct(0.5)} p90 ${pct(0.9)} p99 ${pct(0.99)} max ${pct(1)}; sum>40ms ${gaps.filter((g) => g > 40).reduce((a, b) => a + b - 33.3, 0).toFixed(0)}`);
    }
    // Measured at the Bot API on every request the workers made: the busiest second overall, and
    // each group's busiest minute.
    const busiestSecond = busiest(requests, 1000);
    let busiestGroupMinute = 0;
    for (const times of groupRequests.values()) busiestGroupMinute = Math.max(busiestGroupMinute, busiest(times, 60_000));
    console.log(
      `busiest second at the Bot API: ${busiestSecond} requests (limit ${GLOBAL_PER_S}); busiest group minute: ${busiestGroupMinute} (limit 20)`,
    );
    ok =
      losses === 0 &&
      duplicates === 0 &&
      api.stats.got429 === 0 &&
      outOfOrder === 0 &&
      counts.sent === MESSAGES &&
      busiestSecond <= GLOBAL_PER_S &&
      busiestGroupMinute <= 20;
    console.log(
      `overhead ${overheadPct.toFixed(1)} %, 429 answers ${api.stats.got429}, duplicates ${duplicates}, losses ${losses}, chats out of order ${outOfOrder}: ${ok ? "OK" : "MISMATCH"}`,
    );
    console.log(
      JSON.stringify({
        messages: MESSAGES,
        groups: GROUPS,
        perGroup: PER_GROUP,
        instances: INSTANCES,
        totalSeconds: round(totalSeconds),
        idealSeconds: round(IDEAL_SECONDS),
        overheadPct: round(overheadPct),
        got429: api.stats.got429,
        busiestSecond,
        busiestGroupMinute,
        duplicates,
        losses,
        outOfOrder,
        ok,
        store: label.startsWith("PostgreSQL") ? "postgres" : "pglite",
        sender: "src/channels/telegram",
      }),
    );
  } finally {
    for (const s of stores.slice(1)) await s.close().catch(() => undefined);
    await drop().catch(() => undefined);
    await api.close();
  }
  if (!ok) process.exitCode = 1;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** `-- all`: the three scenarios, each in its own process (this file with its settings). */
async function all(): Promise<void> {
  const { spawn } = await import("node:child_process");
  const scenarios: Record<string, Record<string, string>> = {
    oneEach: { BENCH_MESSAGES: "2000", BENCH_PER_GROUP: "1", BENCH_INSTANCES: "1" },
    perGroup: { BENCH_MESSAGES: "1000", BENCH_PER_GROUP: "25", BENCH_INSTANCES: "1" },
    threeInstances: { BENCH_MESSAGES: "1000", BENCH_PER_GROUP: "25", BENCH_INSTANCES: "3" },
  };
  const results: Record<string, unknown> = {};
  let ok = true;
  for (const [name, env] of Object.entries(scenarios)) {
    console.log(`--- ${name}: ${JSON.stringify(env)}`);
    const out = await new Promise<string>((resolve) => {
      const proc = spawn(process.execPath, [...process.execArgv, import.meta.filename], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      proc.stdout.setEncoding("utf8").on("data", (d: string) => {
        text += d;
        process.stdout.write(d);
      });
      proc.on("close", () => resolve(text));
    });
    try {
      const result = JSON.parse(out.trim().split("\n").at(-1) ?? "") as { ok?: boolean };
      results[name] = result;
      ok &&= result.ok === true;
    } catch {
      results[name] = { ok: false, error: "no result line" };
      ok = false;
    }
  }
  console.log(JSON.stringify({ ...results, ok }));
  if (!ok) process.exitCode = 1;
}

(process.argv.includes("all") ? all() : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
