/**
 * npm run bench:footprint — start to ready and idle memory of `npm start`, as an operator runs it,
 * in the local chat mode (no Telegram or Zalo token: nothing leaves the machine):
 *   1. PGlite, a fresh data folder (the store is created, migrated and seeded);
 *   2. PGlite, the same folder reopened;
 *   3. PostgreSQL (a throw-away database on the local server, created empty).
 * Ready = the local chat's first prompt on stdout (everything before it is start-up work).
 * Idle RSS = the bot process's resident memory (VmRSS of `node dist/main.js`) after IDLE_MS of
 * quiet; the npm and shell wrappers (and tsx's, on an older checkout) are reported apart (wrapperRssMb).
 * Then, to check that the prompt meant ready, `/trogiup` is typed and the time to its answer (through
 * the app, the store and the outbox) is reported as answerMs; a start without that answer is not ok.
 * Each start is its own process tree, one after the other. Last line: one JSON object.
 * Targets (issue 13): ready ≤ 3 s; idle RSS ≤ 300 MB on PGlite, ≤ 150 MB on PostgreSQL.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5_000);
const READY_TIMEOUT_MS = 180_000;
/** The checkout whose `npm start` is measured: this one, or BENCH_ROOT (e.g. an older commit, to compare). */
const ROOT = process.env.BENCH_ROOT ?? join(import.meta.dirname, "..");

interface Figure {
  case: string;
  readyMs: number;
  idleRssMb: number;
  wrapperRssMb: number;
  answerMs: number;
  ok: boolean;
}

/** Resident memory in MB of a pid (0 once it is gone). */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of every descendant of `pid`, with their command lines. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${c}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      } catch {
        // gone
      }
      out.push({ pid: c, cmd });
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Runs `npm start` in `env` until its first prompt, idles, measures, then ends it (stdin closed, then SIGTERM). */
async function measure(label: string, env: Record<string, string>): Promise<Figure> {
  const started = performance.now();
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LANGUAGE: "vi", LOG_LEVEL: "info", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no prompt within ${READY_TIMEOUT_MS} ms; stderr: ${err}`)), READY_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (/> $/.test(out)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
    void exited.then((code) => reject(new Error(`${label}: exited ${code} before its prompt; stderr: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const tree = descendants(child.pid!);
  // The bot: the innermost process running main (npm → sh → node dist/main.js; under tsx, tsx's own child).
  const bot = tree.filter((p) => /\bmain\.(js|ts)\b/.test(p.cmd) && !/\bsh -c\b/.test(p.cmd)).at(-1);
  const idleRssMb = bot ? rssMb(bot.pid) : 0;
  const wrapperRssMb = rssMb(child.pid!) + tree.filter((p) => p !== bot).reduce((s, p) => s + rssMb(p.pid), 0);
  // Ready means able to answer: the help answer (it names /trogiup itself) comes back with the next prompt.
  const asked = performance.now();
  const seen = out.length;
  const answerMs = await new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(-1), READY_TIMEOUT_MS);
    const check = (): void => {
      const fresh = out.slice(seen);
      if (fresh.includes("/trogiup") && /> $/.test(fresh)) {
        clearTimeout(timer);
        child.stdout.off("data", check);
        resolve(performance.now() - asked);
      }
    };
    child.stdout.on("data", check);
    child.stdin.write("/trogiup\n");
  });
  child.stdin.end(); // the local chat ends with its input, after the outbox printed the last answers
  const timer = setTimeout(() => {
    for (const p of [...tree].reverse()) {
      try {
        process.kill(p.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }, 15_000);
  const code = await exited;
  clearTimeout(timer);
  const figure = {
    case: label,
    readyMs: Math.round(readyMs),
    idleRssMb: Math.round(idleRssMb),
    wrapperRssMb: Math.round(wrapperRssMb),
    answerMs: Math.round(answerMs),
    ok: bot !== undefined && code === 0 && answerMs >= 0,
  };
  console.log(
    `${label.padEnd(22)} ready ${String(figure.readyMs).padStart(6)} ms   idle RSS ${String(figure.idleRssMb).padStart(4)} MB   (npm + sh ${figure.wrapperRssMb} MB)   first answer ${figure.answerMs} ms${figure.ok ? "" : `   NOT OK (exit ${code}${answerMs < 0 ? ", no answer" : ""})`}`,
  );
  return figure;
}

async function admin(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), "vundap-footprint-"));
  try {
    const pglite = { DATA_DIR: dir, PGLITE_DIR: join(dir, "pglite"), BACKUP_DIR: join(dir, "backups") };
    figures.push(await measure("pglite fresh folder", pglite));
    figures.push(await measure("pglite reopened", pglite));
    const name = `vundap_footprint_${process.pid}`;
    await admin(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      figures.push(await measure("postgres", { DATA_DIR: join(dir, "pg-data"), DATABASE_URL: url.toString() }));
    } finally {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = figures.every((f) => f.ok);
  // The machine's load (1-minute average) at the end: start times stretch with it.
  console.log(JSON.stringify({ bench: "footprint", idleMs: IDLE_MS, loadAverage: Number(loadavg()[0]!.toFixed(2)), figures, ok }));
  if (!ok) process.exitCode = 1;
}

await main();
