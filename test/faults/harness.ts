/**
 * What the fault suites share: the "/huy" traffic whose replies quote their message (so "handled
 * exactly once" shows in the store and at the Bot API), counting helpers over the store and the
 * fake Bot API, and a harness that starts real bot processes and cleans up after each test.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import pg from "pg";
import { afterEach, type TestContext } from "vitest";
import { LocalBotApi, type ApiCall } from "../telegram/fake-api.js";
import { BOT, TOKEN } from "../telegram/fixtures.js";
import { createPgDatabase, tempDir } from "../helpers/db.js";
import { BotProcess } from "./bot-process.js";

let nextUpdateId = 880_000_000;

/**
 * A "/huy" from person `person`: in her private chat (one chat per person), or in group `group`
 * (a supergroup id, negative) when given. message_id = update_id, unique. Its unit of work deletes
 * (nothing), claims the update and queues one reply quoting the message.
 */
export function huy(person: number, group?: number): Update {
  const id = nextUpdateId++;
  const user = { id: 7_100_000_000 + person, is_bot: false, first_name: "Chị", last_name: `Số ${person}` };
  const chat =
    group === undefined
      ? { id: user.id, type: "private", first_name: user.first_name, last_name: user.last_name }
      : { id: group, type: "supergroup", title: `Chi hội ${-group}` };
  return {
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: user,
      text: "/huy",
      entities: [{ type: "bot_command", offset: 0, length: 4 }],
    },
  } as Update;
}

/** The message a delivered reply quotes (NaN for other sends). */
export function quoted(call: ApiCall): number {
  return Number((call.payload.reply_parameters as { message_id?: number } | undefined)?.message_id);
}

/** Delivered replies per quoted message id, with when each was delivered. */
export function deliveries(api: LocalBotApi): Map<number, ApiCall[]> {
  const out = new Map<number, ApiCall[]>();
  for (const c of api.callsOf("sendMessage")) {
    const id = quoted(c);
    if (!Number.isFinite(id)) continue;
    out.set(id, [...(out.get(id) ?? []), c]);
  }
  return out;
}

/** Per chat, the quoted message ids in the order their first reply was delivered. */
export function deliveryOrderByChat(api: LocalBotApi): Map<number, number[]> {
  const seen = new Set<number>();
  const out = new Map<number, number[]>();
  for (const c of api.callsOf("sendMessage")) {
    const id = quoted(c);
    if (!Number.isFinite(id) || seen.has(id)) continue;
    seen.add(id);
    const chat = Number(c.payload.chat_id);
    out.set(chat, [...(out.get(chat) ?? []), id]);
  }
  return out;
}

/** The largest number of instants inside any window of `windowMs` (a window [t, t + windowMs)). */
export function busiestWindow(instants: number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** What the store says about a set of updates: claims, and outbox rows per quoted message. */
export async function storeView(url: string, ids: number[]): Promise<{ claims: Map<number, number>; queued: Map<number, number> }> {
  return withDb(url, async (c) => {
    const claims = await c.query<{ id: string; n: string }>(
      `SELECT "updateId" AS id, count(*) AS n FROM "ProcessedUpdate" WHERE channel = 'telegram' AND "updateId" = ANY($1) GROUP BY 1`,
      [ids.map(String)],
    );
    const queued = await c.query<{ id: string; n: string }>(
      `SELECT payload->>'replyToMessageId' AS id, count(*) AS n FROM "OutboxMessage"
        WHERE channel = 'telegram' AND payload->>'replyToMessageId' = ANY($1) GROUP BY 1`,
      [ids.map(String)],
    );
    return {
      claims: new Map(claims.rows.map((r) => [Number(r.id), Number(r.n)])),
      queued: new Map(queued.rows.map((r) => [Number(r.id), Number(r.n)])),
    };
  });
}

/** Outbox rows claimed ("sending") when a process died: their quoted message ids. */
export async function claimedReplies(url: string): Promise<Set<number>> {
  return withDb(url, async (c) => {
    const rows = await c.query<{ id: string }>(
      `SELECT payload->>'replyToMessageId' AS id FROM "OutboxMessage" WHERE channel = 'telegram' AND status = 'sending'`,
    );
    return new Set(rows.rows.map((r) => Number(r.id)));
  });
}

/**
 * One test's world: a local Bot API, a fresh PostgreSQL database, a data folder, the bot processes
 * it started — all ended after the test (registered with vitest's afterEach by `faultHarness()`).
 */
export class FaultHarness {
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private readonly running: BotProcess[] = [];
  /** Extra lines for a failure message (e.g. the reverse proxy's error log). */
  extraDiagnosis: () => string = () => "";

  /** Runs `fn` after the test (in reverse order of registration). */
  onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.splice(0).reverse()) await fn();
  }

  /** A Bot API on loopback, a database and a data folder; the bot's environment for them. */
  async setUp(): Promise<{ api: LocalBotApi; db: { url: string }; env: Record<string, string> }> {
    const api = await new LocalBotApi(BOT).listen();
    this.onCleanup(() => api.close());
    const db = await createPgDatabase("vundap_fault");
    this.onCleanup(() => db.drop());
    const data = tempDir("vundap-fault-");
    this.onCleanup(() => data.remove());
    return { api, db, env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.apiRoot, DATA_DIR: data.dir, DATABASE_URL: db.url } };
  }

  /** Starts a bot process (killed after the test if still running). */
  start(env: Record<string, string>, label: string): BotProcess {
    const bot = new BotProcess(env, label);
    this.running.push(bot);
    this.onCleanup(async () => {
      await bot.kill();
      this.running.splice(this.running.indexOf(bot), 1);
    });
    return bot;
  }

  /** What the processes last logged. */
  diagnose(): string {
    return [...this.running.map((b) => `--- ${b.label}:\n${b.tail(15)}`), this.extraDiagnosis()].join("\n");
  }

  /** Waits for `check` (polled every 100 ms); on timeout, fails with what the processes logged. */
  async until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.diagnose()}`);
      await sleep(100);
    }
  }
}

/** A FaultHarness cleaned up after every test of the calling file. */
export function faultHarness(): FaultHarness {
  const h = new FaultHarness();
  afterEach(() => h.cleanup());
  return h;
}

/**
 * A FaultHarness of one test alone, cleaned up when that test ends: for tests of one file that run
 * at the same time (`it.concurrent`), each with its own Bot API, database, data folder and processes.
 */
export function testHarness(context: Pick<TestContext, "onTestFinished">): FaultHarness {
  const h = new FaultHarness();
  context.onTestFinished(() => h.cleanup());
  return h;
}
