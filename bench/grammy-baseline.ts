/**
 * npm run bench:baseline — the usual grammY build of the same monthly report flow, for issue 13's
 * side-by-side comparison with bench:pipeline: grammY 1.46 + @grammyjs/conversations (the report as
 * one conversation function, replayed on every update) + @grammyjs/storage-prisma (the
 * conversation's state in a Session row), on the same Prisma 6.19 over PGlite and PostgreSQL.
 * What a usual build does and no more: the leader's branch looked up once at /baocao, each answer
 * read with the same parsers as the bot (src/domain/vi parseAnswer, askIf from the plan), the
 * report written with one Prisma create at "gui", replies sent directly with ctx.reply (no outbox).
 *
 * The same drive as bench/pipeline.ts: BENCH_LEADERS (default 200) branch leaders, each in her own
 * group, all at once; each sends /baocao then the same ANSWERS, one after another, each update
 * handed to bot.handleUpdate (the same fake Bot API transport: every call answers at once).
 * Statements are counted at the drivers as bench:pipeline counts them (pg's Client.query; PGlite's
 * query/exec/sql and a transaction's BEGIN, statements and COMMIT). One child process per store.
 * Checks: every leader's report stored with the answers given, every leader got 10 messages (the
 * questions, the summary, the receipt); any mismatch: exit status 1.
 * Last line: { pglite: {...}, postgres: {...}, ok } with updatesPerSecond, statementsPerUpdate,
 * p95Ms and peakRssMb per store.
 * The Prisma client of its own schema (bench/grammy-baseline/schema.prisma) is generated into
 * bench/grammy-baseline/generated when missing or older than the schema (prisma generate, offline).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { conversations, createConversation, type Conversation, type ConversationFlavor } from "@grammyjs/conversations";
import { PrismaAdapter } from "@grammyjs/storage-prisma";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { Bot, type Context } from "grammy";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { localInstant } from "../src/domain/periods.js";
import { parseAnswer } from "../src/domain/vi/index.js";
import { conditionHolds } from "../src/conversation/flow.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../src/plan/load.js";
import type { AnswerValue, Question } from "../src/plan/schema.js";
import { BOT } from "../test/telegram/fixtures.js";
import { driveLeaders, fakeBotApi, leaderUpdates, percentile, round1 } from "./report-flow.js";
import { hookDriverStatements } from "../test/helpers/driver-hook.js";
import { benchChild, runAsChild } from "./child.js";

const LEADERS = Number(process.env.BENCH_LEADERS ?? 200);
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** The same answers as bench/pipeline.ts. */
const HERE = dirname(fileURLToPath(import.meta.url));
const SCHEMA = join(HERE, "grammy-baseline", "schema.prisma");
const CLIENT = join(HERE, "grammy-baseline", "generated", "client.ts");

/** The tables of bench/grammy-baseline/schema.prisma (prisma migrate diff --from-empty --script). */
const SCHEMA_SQL = `
CREATE TABLE "Session" ("id" SERIAL NOT NULL, "key" TEXT NOT NULL, "value" TEXT NOT NULL, CONSTRAINT "Session_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Leader" ("id" SERIAL NOT NULL, "telegramId" TEXT NOT NULL, "unitCode" TEXT NOT NULL, CONSTRAINT "Leader_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Report" ("id" SERIAL NOT NULL, "unitCode" TEXT NOT NULL, "periodKey" TEXT NOT NULL, "answers" JSONB NOT NULL,
  "submittedBy" TEXT NOT NULL, "submittedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT "Report_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Session_key_key" ON "Session"("key");
CREATE UNIQUE INDEX "Leader_telegramId_key" ON "Leader"("telegramId");
CREATE UNIQUE INDEX "Report_unitCode_periodKey_key" ON "Report"("unitCode", "periodKey");
`;

/** The part of the generated client this bench uses (typed here: the client is generated at run time). */
interface BaselinePrisma {
  session: ConstructorParameters<typeof PrismaAdapter>[0];
  leader: {
    findUnique(a: { where: { telegramId: string } }): Promise<{ unitCode: string } | null>;
    createMany(a: { data: { telegramId: string; unitCode: string }[] }): Promise<unknown>;
  };
  report: {
    create(a: { data: { unitCode: string; periodKey: string; answers: object; submittedBy: string } }): Promise<unknown>;
    findMany(): Promise<{ unitCode: string; answers: unknown }[]>;
  };
  $disconnect(): Promise<void>;
}

/** Generates the baseline's Prisma client when it is missing or older than its schema. */
function ensureClient(): void {
  if (existsSync(CLIENT) && statSync(CLIENT).mtimeMs >= statSync(SCHEMA).mtimeMs) return;
  execFileSync(process.execPath, [join(HERE, "..", "node_modules", "prisma", "build", "index.js"), "generate", "--schema", SCHEMA], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
  });
}


/** Statements counted at the drivers, exactly as bench/pipeline.ts counts them. */
let statements = 0;
function countStatements(): void {
  hookDriverStatements(() => void statements++);
}

type BotContext = ConversationFlavor<Context>;

/** The bot as a usual grammY build writes it: /baocao enters one conversation that asks the form's questions. */
function buildBot(prisma: BaselinePrisma, transport: typeof fetch, periodKey: string): Bot<BotContext> {
  const plan = loadPlanFile(DEFAULT_PLAN_PATH);
  const form = plan.forms.find((f) => f.key === "chi_hoi_thang")!;
  const bot = new Bot<BotContext>("7000000001:AAH-bench-token-not-a-real-one", { botInfo: BOT, client: { fetch: transport } });

  async function report(conversation: Conversation<BotContext, Context>, ctx: Context): Promise<void> {
    const userId = String(ctx.from!.id);
    const leader = await conversation.external(() => prisma.leader.findUnique({ where: { telegramId: userId } }));
    if (!leader) {
      await ctx.reply("Dạ, chị chưa được đăng ký làm chi hội trưởng ạ.");
      return;
    }
    const answers: Record<string, AnswerValue> = {};
    const asked = (q: Question) => !q.askIf || (answers[q.askIf.question] !== undefined && conditionHolds(q.askIf, answers[q.askIf.question]!));
    let n = 0;
    for (const q of form.questions) {
      if (!asked(q)) continue;
      n++;
      const intro = n === 1 ? `Dạ, em gửi chị “${form.title}” tháng ${periodKey}.\n\n` : "";
      await ctx.reply(`${intro}Câu ${n}: ${q.text}${q.hint ? `\n${q.hint}` : ""}`, {
        reply_markup: { force_reply: true, selective: true },
      });
      for (;;) {
        const answer = await conversation.waitFor("message:text");
        const parsed = parseAnswer(q, answer.message.text, { today: "2024-05-10" });
        if (parsed.ok && parsed.skipped && !q.optional) {
          await answer.reply("Dạ, câu này cần chị trả lời ạ.");
          continue;
        }
        if (parsed.ok) {
          if (!parsed.skipped) answers[q.key] = parsed.value;
          break;
        }
        await answer.reply(`Dạ, em chưa đọc được câu trả lời (${parsed.error.code}); chị trả lời lại giúp em ạ.`);
      }
    }
    const lines = form.questions.filter((q) => answers[q.key] !== undefined).map((q, i) => `${i + 1}. ${q.text}: ${JSON.stringify(answers[q.key])}`);
    await ctx.reply(`Dạ, chị xem lại báo cáo giúp em:\n${lines.join("\n")}\nĐúng rồi thì chị gõ “Gửi” ạ.`);
    for (;;) {
      const confirm = await conversation.waitFor("message:text");
      if (/^g(u|ử)i$/i.test(confirm.message.text.trim())) break;
      await confirm.reply("Dạ, chị gõ “Gửi” để gửi báo cáo ạ.");
    }
    await conversation.external(() => prisma.report.create({ data: { unitCode: leader.unitCode, periodKey, answers, submittedBy: userId } }));
    await ctx.reply(`Dạ, em đã nhận “${form.title}” tháng ${periodKey} của chi hội ${leader.unitCode}. Em cảm ơn chị ạ.`);
  }

  bot.use(conversations<BotContext, Context>({ storage: { type: "key", version: 0, adapter: new PrismaAdapter(prisma.session) } }));
  bot.use(createConversation<BotContext, Context>(report, "report"));
  bot.command("baocao", (ctx) => ctx.conversation.enter("report"));
  bot.catch((err) => {
    throw err.error;
  });
  return bot;
}


async function run(kind: "pglite" | "postgres", prisma: BaselinePrisma) {
  const leaders = Array.from({ length: LEADERS }, (_, i) => ({ userId: 6_000_000_000 + i, chatId: -1_001_000_000_000 - i, unitCode: `B-${i}` }));
  await prisma.leader.createMany({ data: leaders.map((l) => ({ telegramId: String(l.userId), unitCode: l.unitCode })) });
  const now = localInstant(2024, 5, 10, 9, 0);
  const transport = fakeBotApi();
  const bot = buildBot(prisma, transport.fetch, "5/2024");

  const update = leaderUpdates(now);

  const before = statements;
  const started = performance.now();
  const latencies = await driveLeaders(leaders, update, (u) => bot.handleUpdate(u));
  const seconds = (performance.now() - started) / 1000;
  const used = statements - before;

  const stored = await prisma.report.findMany();
  // jsonb keeps its own key order: compare with sorted keys.
  const canonical = (v: unknown) => JSON.stringify(Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))));
  const expectedAnswers = canonical({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45, gia_tri: ["an_toan", "trach_nhiem"], ho_dat_moi: 2, phat_hien_blgd: false });
  const mismatches: string[] = [];
  if (stored.length !== leaders.length) mismatches.push(`reports stored: ${stored.length}, expected ${leaders.length}`);
  const wrong = stored.filter((r) => canonical(r.answers) !== expectedAnswers);
  if (wrong.length > 0) mismatches.push(`${wrong.length} reports with other answers, e.g. ${JSON.stringify(wrong[0]!.answers)}`);
  let receipts = 0;
  for (const l of leaders) {
    const got = transport.byChat.get(String(l.chatId)) ?? [];
    if (got.length !== 11) mismatches.push(`chat ${l.chatId}: ${got.length} messages, expected 11 (9 questions, the summary, the receipt)`);
    if (got.some((t) => /em đã nhận “/.test(t))) receipts++;
  }
  if (receipts !== leaders.length) mismatches.push(`receipts: ${receipts}, expected ${leaders.length}`);
  latencies.sort((a, b) => a - b);
  const result = {
    store: kind,
    leaders: leaders.length,
    updates: latencies.length,
    reportsStored: stored.length,
    botApiSends: transport.sends(),
    seconds: round1(seconds),
    updatesPerSecond: round1(latencies.length / seconds),
    p50Ms: round1(percentile(latencies, 50)),
    p95Ms: round1(percentile(latencies, 95)),
    statementsPerUpdate: round1(used / latencies.length),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ok: mismatches.length === 0,
    mismatches: mismatches.slice(0, 5),
  };
  console.log(
    `${kind} (usual grammY build): ${result.updates} updates from ${result.leaders} leaders in ${result.seconds}s → ${result.updatesPerSecond}/s, ` +
      `p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${result.statementsPerUpdate} statements/update, peak RSS ${result.peakRssMb} MB`,
  );
  for (const m of result.mismatches) console.log(`  MISMATCH (${kind}): ${m}`);
  return result;
}

async function loadClient(): Promise<new (opts: { adapter: unknown }) => BaselinePrisma> {
  const mod = (await import(pathToFileURL(CLIENT).href)) as { PrismaClient: new (opts: { adapter: unknown }) => BaselinePrisma };
  return mod.PrismaClient;
}

/** One store in this process (the child's part). */
async function runOne(kind: "pglite" | "postgres") {
  countStatements();
  const PrismaClient = await loadClient();
  if (kind === "pglite") {
    // The folder was created (initdb and the tables) by the parent process, as a deployed bot
    // reopens its folder: creating one in-process leaves about 450 MB resident (STACK notes).
    const db = new PGlite(process.env.BENCH_PGLITE_DIR!);
    try {
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
      try {
        return await run("pglite", prisma);
      } finally {
        await prisma.$disconnect();
      }
    } finally {
      await db.close();
    }
  }
  const name = `vundap_bench_baseline_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  pool.on("error", () => undefined); // the drop below ends idle connections
  try {
    await pool.query(SCHEMA_SQL);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      return await run("postgres", prisma);
    } finally {
      await prisma.$disconnect();
    }
  } finally {
    await pool.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** Runs this file again with BENCH_STORE=kind; resolves with its last JSON line. */
function child(kind: "pglite" | "postgres", env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return benchChild(fileURLToPath(import.meta.url), kind, env);
}

async function main() {
  if (await runAsChild(runOne)) return;
  ensureClient();
  const dir = mkdtempSync(join(tmpdir(), "vundap-baseline-"));
  let pglite: Record<string, unknown>;
  try {
    const db = new PGlite(join(dir, "pg"));
    await db.exec(SCHEMA_SQL);
    await db.close();
    pglite = await child("pglite", { BENCH_PGLITE_DIR: join(dir, "pg") });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const postgres = await child("postgres");
  const ok = pglite.ok === true && postgres.ok === true;
  console.log(JSON.stringify({ build: "grammY + @grammyjs/conversations + @grammyjs/storage-prisma", pglite, postgres, ok }));
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
