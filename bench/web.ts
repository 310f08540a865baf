/**
 * Web dashboard benchmark (`npm run bench:web`; `BENCH_SCALE=small` for a quick run).
 *
 * Province scale (provinceScale: ≈2,500 units) on PGlite in a temp folder, every monthly branch
 * report of the default plan's form chi_hoi_thang (30 months; small: the last 12), ~85% reporting,
 * ~10% late. The dashboard runs on a real node:http server; a signed-in province admin asks for a
 * district's progress page and for the province's, over HTTP, after warm-up, taking turns — the whole request:
 * session, scope check, progress, indicators, missing units with their groups, HTML.
 * Targets (p95): district ≤ 300 ms, province ≤ 1 s. Each page's reporting and on-time counts are
 * checked against the store (SQL over the reports). The last line is one JSON object.
 */
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { App } from "../src/app/app.js";
import { dueDate, formPeriods, type Period } from "../src/domain/periods.js";
import { provinceScale } from "../src/domain/units/generate.js";
import { createLogger } from "../src/log.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../src/plan/load.js";
import { openStore } from "../src/store/database.js";
import { grantRole, upsertPerson } from "../src/store/people.js";
import { importUnits } from "../src/store/units.js";
import { SESSION_COOKIE } from "../src/web/session-cookie.js";
import { startSessionIn } from "../src/web/sessions.js";
import { createWebApp, webAndWebhook, webRequestListener } from "../src/web/server.js";
import { tempDir } from "../test/helpers/db.js";
import { generateReports } from "./data.js";

const SMALL = process.env.BENCH_SCALE === "small";
const RUNS = SMALL ? 10 : 30;
const WARMUP = SMALL ? 5 : 20;
const NOW = new Date("2025-12-28T03:00:00Z"); // 10:00 in Việt Nam; December's deadline has passed
const TARGETS = { districtP95Ms: 300, provinceP95Ms: 1000 };

interface Timing {
  p50: number;
  p95: number;
  max: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Times the pages taking turns (a pause of the process then falls on both, not on whichever ran first). */
async function timeEach(runs: (() => Promise<unknown>)[]): Promise<Timing[]> {
  for (let i = 0; i < WARMUP; i++) for (const run of runs) await run();
  const ts: number[][] = runs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now();
      await run();
      ts[k]!.push(performance.now() - t0);
    }
  }
  return ts.map((t) => {
    t.sort((a, b) => a - b);
    return { p50: round1(percentile(t, 0.5)), p95: round1(percentile(t, 0.95)), max: round1(t[t.length - 1]!) };
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const plan = loadPlanFile(DEFAULT_PLAN_PATH);
  const form = plan.forms.find((f) => f.key === "chi_hoi_thang")!;
  const dir = tempDir("vundap-bench-web-");
  const store = await openStore({ pgliteDir: `${dir.dir}/pglite` });
  const server = createServer();
  try {
    const counts = await importUnits(store, provinceScale(2023));
    const periods: Period[] = SMALL ? formPeriods(form, plan).slice(-12) : formPeriods(form, plan);
    const reports = await generateReports(store, { form, periods, periodsPerBatch: 1 });
    const loadSeconds = round1((performance.now() - started) / 1000);
    console.log(`province: ${counts.total} units, ${reports} reports loaded in ${loadSeconds} s (PGlite)`);

    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = new App({ store, plan, log: createLogger("silent"), now: () => NOW, webBaseUrl: baseUrl });
    await app.init();
    server.on("request", webAndWebhook(webRequestListener(createWebApp({ app: app.services, baseUrl }))));
    const tree = app.services.tree();
    const root = tree.roots[0]!;
    const district = tree.children(root.id).find((u) => u.kind === "district")!;
    const admin = await upsertPerson(store, "telegram", "bench-admin", "Quản trị (bench)");
    await grantRole(store, admin.id, root.id, "admin");
    const { token } = await store.sql.transaction((tx) => startSessionIn(tx, admin.id, NOW));
    const cookie = `${SESSION_COOKIE}=${token}`;
    const period = periods[periods.length - 1]!;
    const query = `?kh=${encodeURIComponent(plan.id)}&ky=${period.key}`;

    const fetchPage = async (code: string): Promise<string> => {
      const res = await fetch(`${baseUrl}/web/donvi/${encodeURIComponent(code)}${query}`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`GET ${code}: ${res.status}`);
      return res.text();
    };

    // The page's counts against the store's reports.
    const due = dueDate(form, period);
    const check = async (unitId: number): Promise<{ received: number; expected: number; onTime: number; ok: boolean }> => {
      const unit = tree.byId(unitId)!;
      const html = await fetchPage(unit.code);
      const shown = (id: string) => {
        const m = new RegExp(`id="${id}">[\\s\\S]*?([\\d.]+)/([\\d.]+)`).exec(html);
        if (!m) throw new Error(`no #${id} on ${unit.code}'s page`);
        return [Number(m[1]!.replace(/\./g, "")), Number(m[2]!.replace(/\./g, ""))] as const;
      };
      const ids = tree.subtreeOfKinds(unitId, form.unitKinds).map((u) => u.id);
      const rows = await store.sql.query<{ received: string; on_time: string }>(
        `SELECT count(*) AS received, count(*) FILTER (WHERE "submittedAt" <= $5) AS on_time
           FROM "Report" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3 AND "unitId" = ANY($4::int[])`,
        [plan.id, form.key, period.key, ids, due],
      );
      const received = Number(rows[0]!.received);
      const onTime = Number(rows[0]!.on_time);
      const [r, e] = shown("reporting-rate");
      const [o, e2] = shown("on-time-rate");
      const ok = r === received && e === ids.length && o === onTime && e2 === ids.length;
      console.log(`  check ${unit.code}: page ${r}/${e} reported, ${o} on time; store ${received}/${ids.length}, ${onTime} on time — ${ok ? "same" : "DIFFERENT"}`);
      return { received, expected: ids.length, onTime, ok };
    };

    // The first call fills the progress cache (the bot warms it at start, src/web/warm.ts; here it is timed cold).
    const coldStart = performance.now();
    await fetchPage(root.code);
    const coldProvince = round1(performance.now() - coldStart);
    const districtUnits = [...tree.subtree(district.id)].length;
    const [d, p] = (await timeEach([() => fetchPage(district.code), () => fetchPage(root.code)])) as [Timing, Timing];
    console.log(`  district page ${district.code} (${district.name}, ${districtUnits} units): p50 ${d.p50} ms, p95 ${d.p95} ms, max ${d.max} ms`);
    console.log(`  province page ${root.code} (${tree.size} units): p50 ${p.p50} ms, p95 ${p.p95} ms, max ${p.max} ms (first call ${coldProvince} ms)`);
    const checks = [await check(district.id), await check(root.id)];
    const met = d.p95 <= TARGETS.districtP95Ms && p.p95 <= TARGETS.provinceP95Ms;
    const same = checks.every((c) => c.ok);
    console.log(
      `targets: district p95 ≤ ${TARGETS.districtP95Ms} ms, province p95 ≤ ${TARGETS.provinceP95Ms} ms: ${met ? "met" : "MISSED"}; ` +
        `figures ${same ? "match the store" : "DO NOT match the store"}${SMALL ? " (BENCH_SCALE=small)" : ""}; total ${round1((performance.now() - started) / 1000)} s`,
    );
    console.log(JSON.stringify({ scale: SMALL ? "small" : "full", units: tree.size, reports, period: period.key, district: { code: district.code, units: districtUnits, ...d }, province: { ...p, first: coldProvince }, checks, targets: TARGETS }));
    if (!met || !same) process.exitCode = 1;
  } finally {
    server.closeAllConnections();
    server.close();
    await store.close();
    rmSync(dir.dir, { recursive: true, force: true });
  }
}

await main();
