/**
 * npm run bench:pipeline — N simulated branch leaders complete the monthly report at the same
 * time, each in her own group chat, through the Telegram adapter (grammY with a fake transport:
 * no network), the app core, the conversation engine and the store. Measures updates per second
 * and per-update latency (handleUpdate from arrival to the last reply handed to the transport).
 * Runs on PGlite (temp folder) and on the local PostgreSQL (throw-away database).
 * Last line: one JSON object. Targets on a 2-core machine: ≥ 100 updates/s on PGlite, ≥ 300 on PostgreSQL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { BOT } from "../test/telegram/fixtures.js";
import pg from "pg";
import { App } from "../src/app/app.js";
import { createTelegramChannel } from "../src/channels/telegram/index.js";
import { localInstant } from "../src/domain/periods.js";
import { generateProvince } from "../src/domain/units/generate.js";
import { createLogger } from "../src/log.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../src/plan/load.js";
import { openStore, type Store } from "../src/store/database.js";
import { grantRole, linkChat, upsertPerson } from "../src/store/people.js";
import { importUnits, loadUnitTree } from "../src/store/units.js";

const LEADERS = Number(process.env.BENCH_LEADERS ?? 200);
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "gui"];



/** A fake Bot API transport: every call succeeds at once, with a fresh message id. */
function fakeFetch(): { fetch: typeof fetch; calls: () => number } {
  let n = 0;
  const f = async (_url: unknown, init?: { body?: unknown }) => {
    n++;
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : {};
    const result = { message_id: 100000 + n, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: "supergroup" }, text: body.text };
    return new Response(JSON.stringify({ ok: true, result }), { headers: { "content-type": "application/json" } });
  };
  return { fetch: f as unknown as typeof fetch, calls: () => n };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function run(kind: "pglite" | "postgres", store: Store) {
  const plan = loadPlanFile(DEFAULT_PLAN_PATH);
  const communes = Math.ceil(LEADERS / 10);
  const rows = generateProvince({
    code: "B",
    name: "Tỉnh thử",
    districts: Math.max(1, Math.ceil(communes / 10)),
    communesPerDistrict: [10, 10],
    branchesPerCommune: [10, 10],
    specials: 0,
    seed: 7,
  });
  await importUnits(store, rows);
  const tree = await loadUnitTree(store);
  const branches = [...tree.all()].filter((u) => u.kind === "branch").slice(0, LEADERS);
  const leaders = [];
  for (let i = 0; i < branches.length; i++) {
    const userId = 6_000_000_000 + i;
    const chatId = -1_001_000_000_000 - i;
    const person = await upsertPerson(store, "telegram", String(userId), `Chi hoi truong ${i}`);
    await grantRole(store, person.id, branches[i]!.id, "leader");
    await linkChat(store, "telegram", String(chatId), branches[i]!.id, null);
    leaders.push({ userId, chatId });
  }

  const transport = fakeFetch();
  const log = createLogger("silent");
  const now = localInstant(2024, 5, 10, 9, 0);
  let sendChannel: { send: (m: never) => Promise<unknown> } | null = null;
  // Replies are written to the outbox in each update's transaction; the bench also hands them to
  // the channel at once (as an idle outbox worker would), so that the Bot API calls are counted.
  const sends: Promise<unknown>[] = [];
  const app = new App({ store, plan, log, now: () => now, onCommitted: (replies) => void replies.forEach((m) => sends.push(sendChannel!.send(m as never))) });
  await app.init();
  const telegram = createTelegramChannel({
    token: "7000000001:AAH-bench-token-not-a-real-one",
    botInfo: BOT,
    fetch: transport.fetch,
    store,
    log,
    onInbound: (msg) => app.handleInbound(msg),
  });
  sendChannel = telegram.channel as never;

  let updateId = 1;
  let messageId = 1;
  const latencies: number[] = [];
  const update = (l: { userId: number; chatId: number }, text: string, reply: boolean): Update =>
    ({
      update_id: updateId++,
      message: {
        message_id: messageId++,
        date: Math.floor(now.getTime() / 1000),
        chat: { id: l.chatId, type: "supergroup", title: "Chi hội" },
        from: { id: l.userId, is_bot: false, first_name: "Chị", last_name: String(l.userId) },
        text,
        ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}),
        ...(reply
          ? { reply_to_message: { message_id: 1, date: 0, chat: { id: l.chatId, type: "supergroup", title: "Chi hội" }, from: { id: BOT.id, is_bot: true, first_name: "Vun Đắp", username: BOT.username }, text: "?" } }
          : {}),
      },
    }) as Update;

  const started = performance.now();
  await Promise.all(
    leaders.map(async (l) => {
      const script = ["/baocao", ...ANSWERS];
      for (let i = 0; i < script.length; i++) {
        const t0 = performance.now();
        await telegram.handleUpdate(update(l, script[i]!, i > 0));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  await Promise.all(sends);
  const seconds = (performance.now() - started) / 1000;
  const reports = await store.prisma.report.count();
  latencies.sort((a, b) => a - b);
  const result = {
    store: kind,
    leaders: leaders.length,
    updates: latencies.length,
    reportsStored: reports,
    botApiCalls: transport.calls(),
    seconds: round1(seconds),
    updatesPerSecond: round1(latencies.length / seconds),
    p50Ms: round1(percentile(latencies, 50)),
    p95Ms: round1(percentile(latencies, 95)),
  };
  console.log(`${kind}: ${result.updates} updates from ${result.leaders} leaders in ${result.seconds}s → ${result.updatesPerSecond}/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${reports} reports stored`);
  if (reports !== leaders.length) console.log(`  WARNING: expected ${leaders.length} reports, found ${reports}`);
  return result;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "vundap-bench-"));
  const lite = await openStore({ pgliteDir: join(dir, "pg") });
  const pglite = await run("pglite", lite);
  await lite.close();
  rmSync(dir, { recursive: true, force: true });

  const name = `vundap_bench_pipeline_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let postgres;
  try {
    const store = await openStore({ databaseUrl: url.toString(), poolSize: 10 });
    postgres = await run("postgres", store);
    await store.close();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  console.log(JSON.stringify({ pglite, postgres, targets: { pgliteUpdatesPerSecond: 100, postgresUpdatesPerSecond: 300 } }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
