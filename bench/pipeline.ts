/**
 * npm run bench:pipeline — N simulated branch leaders complete the monthly report at the same
 * time, each in her own group chat, through the Telegram adapter (grammY with a fake transport:
 * no network), the app core, the conversation engine and the store; every reply goes through the
 * outbox exactly as in production (written in the update's transaction, delivered by an
 * OutboxWorker with the default Telegram limits, running alongside).
 *
 * Figures per store: updates per second and per-update latency (handleUpdate, arrival to commit);
 * the handlers' own round trips to the database per update (mean and most; issue 13: at most two);
 * this process's CPU per update (with PGlite the database's too: a figure that depends less than
 * updates/s on what else the machine runs) and the load average at start and end;
 * SQL statements per update, counted at the driver (every query, BEGIN and COMMIT of the handlers
 * and of the outbox worker until everything is delivered); the time until the outbox has delivered
 * everything; the process's peak RSS. Each store runs in its own child process (this file with
 * BENCH_STORE=pglite|postgres), so RSS is per store.
 * Checks: every leader's report stored, every reply queued was delivered exactly once (Bot API
 * sends = outbox rows sent; nothing pending, dead or set aside), each leader's group got her
 * receipt. Any mismatch: a line saying so and exit status 1.
 * Last line: one JSON object. Targets (issue 13): ≥ 300 updates/s on PGlite, ≥ 1,000 on PostgreSQL.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import { hookDriverStatements } from "../test/helpers/driver-hook.js";
import { benchChild, runAsChild } from "./child.js";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BOT } from "../test/telegram/fixtures.js";
import { driveLeaders, fakeBotApi, leaderUpdates, percentile, round1 } from "./report-flow.js";
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
import { outboxCounts, OutboxWorker } from "../src/outbox/index.js";
import { BENCH_EXPORTS, compareExports, exportsMix } from "./exports-mix.js";

const LEADERS = Number(process.env.BENCH_LEADERS ?? 200);
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";




/**
 * Who issued a statement: an update's handling or the outbox worker (together: the figure), or
 * anything else (set-up, the bench's own polling of the outbox, left out). The split between the
 * first two is not reported: a worker woken by an enqueue runs in the enqueuer's async context.
 */
type Issuer = "update" | "worker" | "other";
/** The context a statement runs in; an update's own counts its round trips. */
interface IssuerContext {
  kind: Issuer;
  roundTrips: number;
}
const issuer = new AsyncLocalStorage<IssuerContext>();
const statements: Record<Issuer, number> = { update: 0, worker: 0, other: 0 };
/** The hot path's statements (src/store/inbound.ts, lean-commit.ts): sent by a coalescer for one message or several. */
const HOT = /vundap_(?:inbound|commit)/;
const count = (sql: unknown): void => {
  const ctx = issuer.getStore();
  if (typeof sql === "string" && HOT.test(sql)) {
    // Whichever message's context sends a coalesced statement, it is the handlers' (the worker never
    // sends one); each message's share is counted by CALL_CHANNEL below, not here.
    statements.update++;
    return;
  }
  statements[ctx?.kind ?? "other"]++;
  if (ctx) ctx.roundTrips++;
};
/** Each coalesced call: the statements its message waited for, in the message's own context. */
subscribe("vundap:store:call", (m) => {
  const ctx = issuer.getStore();
  if (ctx) ctx.roundTrips += (m as { roundTrips: number }).roundTrips;
});
/** Statements sent by the coalescers and the messages they carried (for the mean batch). */
const batches = { statements: 0, calls: 0 };
subscribe("vundap:store:batch", (m) => {
  batches.statements++;
  batches.calls += (m as { calls: number }).calls;
});
const workerContext = (): IssuerContext => ({ kind: "worker", roundTrips: 0 });

/**
 * Counts every statement sent to the database, at the drivers: pg's Client.query (the pool, Prisma's
 * adapter and raw SQL all go through it) and PGlite's query / exec / transaction (BEGIN and COMMIT
 * counted as the two statements they are, and every statement inside).
 */
function countStatements(): void {
  hookDriverStatements(count);
}



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

  const transport = fakeBotApi();
  const mix = BENCH_EXPORTS === null ? null : exportsMix(BENCH_EXPORTS); // BENCH_EXPORTS: through long polling, officers exporting
  const log = createLogger("silent");
  const now = localInstant(2024, 5, 10, 9, 0);
  // As in production (src/main.ts): replies are written to the outbox in each update's transaction
  // and an OutboxWorker with the default limits delivers them, on the real clock.
  const app = new App({ store, plan, log, now: () => now });
  await app.init();
  const telegram = createTelegramChannel({
    token: "7000000001:AAH-bench-token-not-a-real-one",
    botInfo: BOT,
    fetch: mix ? mix.fetch(transport.fetch) : transport.fetch,
    store,
    log,
    onInbound: mix ? mix.inbound((msg) => app.handleInbound(msg)) : (msg) => app.handleInbound(msg),
  });
  const worker = issuer.run(workerContext(), () => new OutboxWorker({ store, log, senders: { telegram: telegram.channel } }));
  issuer.run(workerContext(), () => worker.start());

  const update = leaderUpdates(now);

  if (mix) await issuer.run({ kind: "update", roundTrips: 0 }, () => mix.start(store, telegram, tree, Math.floor(now.getTime() / 1000)));
  const before = { ...statements };
  const batchesBefore = { ...batches };
  const roundTrips: number[] = [];
  const loadBefore = loadavg()[0]!;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const latencies = await driveLeaders(leaders, update, async (u) => {
    const own: IssuerContext = { kind: "update", roundTrips: 0 };
    await issuer.run(own, () => (mix ? mix.deliver(u) : telegram.handleUpdate(u)));
    roundTrips.push(own.roundTrips);
  });
  const seconds = (performance.now() - started) / 1000;
  const exportFigures = mix ? await mix.stop(telegram) : null;
  const cpu = process.cpuUsage(cpuBefore);
  const loadAfter = loadavg()[0]!;
  const handled = { update: statements.update - before.update, worker: statements.worker - before.worker };
  const hot = { statements: batches.statements - batchesBefore.statements, calls: batches.calls - batchesBefore.calls };
  // Wait for the outbox to deliver everything (the default Telegram limit is 30 messages/s).
  let counts = await outboxCounts(store);
  const drainDeadline = Date.now() + 600_000;
  while (counts.pending + counts.sending > 0 && Date.now() < drainDeadline) {
    await new Promise((r) => setTimeout(r, 200));
    counts = await outboxCounts(store);
  }
  const deliveredSeconds = (performance.now() - started) / 1000;
  await worker.stop();
  const worked = { update: statements.update - before.update, worker: statements.worker - before.worker };

  const reports = await store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Report"`);
  const receipts = transport.texts().filter((t) => /em đã nhận “/.test(t)).length;
  const mismatches: string[] = [];
  if (reports[0]!.n !== leaders.length) mismatches.push(`reports stored: ${reports[0]!.n}, expected ${leaders.length}`);
  if (counts.pending + counts.sending + counts.dead > 0) mismatches.push(`outbox not delivered: ${JSON.stringify(counts)}`);
  if (transport.sends() !== counts.sent) mismatches.push(`Bot API sends ${transport.sends()} ≠ outbox rows sent ${counts.sent}`);
  if (counts.sent < latencies.length) mismatches.push(`replies delivered ${counts.sent} < updates ${latencies.length} (every answer has a reply)`);
  if (receipts < leaders.length) mismatches.push(`receipts delivered: ${receipts}, expected ${leaders.length}`);
  latencies.sort((a, b) => a - b);
  const result = {
    store: kind,
    leaders: leaders.length,
    updates: latencies.length,
    reportsStored: reports[0]!.n,
    repliesDelivered: counts.sent,
    botApiSends: transport.sends(),
    seconds: round1(seconds),
    updatesPerSecond: round1(latencies.length / seconds),
    p50Ms: round1(percentile(latencies, 50)),
    p95Ms: round1(percentile(latencies, 95)),
    /** Every statement of the handlers and the outbox worker, until all was delivered, per update. */
    statementsPerUpdate: round1((worked.update + worked.worker) / latencies.length),
    /** The same, counted only while the updates were being handled (the worker delivers meanwhile). */
    statementsPerUpdateWhileHandling: round1((handled.update + handled.worker) / latencies.length),
    /**
     * The handlers' own statements per update (each one round trip to the database; BEGIN and COMMIT
     * count): mean and most. Null through long polling (BENCH_EXPORTS), where the poller, not the
     * bench, starts each handling, so its statements are not traced to one update.
     */
    roundTripsPerUpdate: mix ? null : round1(roundTrips.reduce((a, b) => a + b, 0) / roundTrips.length),
    maxRoundTripsPerUpdate: mix ? null : Math.max(...roundTrips),
    /**
     * The hot path's statements (the read and the commit of src/store/inbound.ts and lean-commit.ts)
     * per update, and the messages one of them carried on average: messages arriving together share
     * one statement (src/store/coalesce.ts).
     */
    hotStatementsPerUpdate: round1(hot.statements / latencies.length),
    messagesPerHotStatement: round1(hot.calls / Math.max(1, hot.statements)),
    /** This process's CPU (user + system) while handling, per update; with PGlite the database's too. Less sensitive to other load than updates/s. */
    cpuMsPerUpdate: round1((cpu.user + cpu.system) / 1000 / latencies.length),
    loadAverage: { atStart: round1(loadBefore), atEnd: round1(loadAfter) },
    deliveredAfterSeconds: round1(deliveredSeconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ok: mismatches.length === 0,
    mismatches,
    ...(exportFigures ? { exportsMode: exportFigures } : {}),
  };
  console.log(
    `${kind}: ${result.updates} updates from ${result.leaders} leaders in ${result.seconds}s → ${result.updatesPerSecond}/s, ` +
      `p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${result.statementsPerUpdate} statements/update with the ` +
      `outbox's (${result.statementsPerUpdateWhileHandling} while handling), all delivered after ` +
      `${result.deliveredAfterSeconds}s, peak RSS ${result.peakRssMb} MB; the handlers' round trips per update ` +
      (mix ? "not traced through long polling" : `${result.roundTripsPerUpdate} (at most ${result.maxRoundTripsPerUpdate})`) +
      `, ${result.hotStatementsPerUpdate} hot-path statements/update (${result.messagesPerHotStatement} messages each)` +
      `, CPU ${result.cpuMsPerUpdate} ms/update, ` +
      `load average ${result.loadAverage.atStart} → ${result.loadAverage.atEnd}`,
  );
  for (const m of mismatches) console.log(`  MISMATCH (${kind}): ${m}`);
  return result;
}

/** One store in this process (the child's part). */
async function runOne(kind: "pglite" | "postgres") {
  countStatements();
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "vundap-bench-"));
    try {
      const store = await openStore({ pgliteDir: join(dir, "pg") });
      try {
        return await run("pglite", store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const name = `vundap_bench_pipeline_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const store = await openStore({ databaseUrl: url.toString(), poolSize: 10 });
    try {
      return await run("postgres", store);
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** Runs this file again with BENCH_STORE=kind; resolves with its last JSON line. */
function child(kind: "pglite" | "postgres"): Promise<Record<string, unknown>> {
  return benchChild(import.meta.filename, kind);
}

async function main() {
  if (await runAsChild(runOne)) return;
  if (BENCH_EXPORTS) return compareExports(child, BENCH_EXPORTS);
  const pglite = await child("pglite");
  const postgres = await child("postgres");
  const ok = pglite.ok === true && postgres.ok === true;
  console.log(JSON.stringify({ pglite, postgres, ok, targets: { pgliteUpdatesPerSecond: 300, postgresUpdatesPerSecond: 1000 } }));
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
