/**
 * npm run bench:compare — issue 13's side-by-side figure in one run: bench:baseline (the usual
 * grammY build of the same report flow) and bench:pipeline (this bot, replies through the outbox),
 * alternated for BENCH_ROUNDS rounds (default 2) so that both meet the same machine, each store in
 * its own child process as those benches do. Prints each round, then per store the best
 * updates/s of each build and their ratio (target: at least 2).
 * Checks: every round of both benches checked its own results (reports stored, replies delivered);
 * any failure: exit status 1. Last line: one JSON object.
 */
import { fileURLToPath } from "node:url";
import { benchRun } from "./child.js";
import { round1 } from "./report-flow.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const STORES = ["pglite", "postgres"] as const;

type StoreResult = { updatesPerSecond?: number; p95Ms?: number; ok?: boolean };

async function main() {
  const rounds: { baseline: Record<string, unknown>; pipeline: Record<string, unknown> }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const baseline = await benchRun(here("grammy-baseline.ts"));
    const pipeline = await benchRun(here("pipeline.ts"));
    rounds.push({ baseline, pipeline });
    for (const store of STORES) {
      const b = baseline[store] as StoreResult;
      const p = pipeline[store] as StoreResult;
      console.log(`round ${r + 1}, ${store}: grammY build ${b?.updatesPerSecond}/s, this bot ${p?.updatesPerSecond}/s`);
    }
  }
  const ok = rounds.every((r) => r.baseline.ok === true && r.pipeline.ok === true);
  const figures: Record<string, { grammyBuild: number; thisBot: number; ratio: number }> = {};
  for (const store of STORES) {
    const best = (which: "baseline" | "pipeline") => Math.max(...rounds.map((r) => Number((r[which][store] as StoreResult)?.updatesPerSecond ?? 0)));
    const grammyBuild = best("baseline");
    const thisBot = best("pipeline");
    figures[store] = { grammyBuild, thisBot, ratio: round1(thisBot / grammyBuild) };
    console.log(`${store}: this bot ${thisBot}/s against the grammY build's ${grammyBuild}/s → ×${figures[store]!.ratio} (target ×2)`);
  }
  if (!ok) console.log("MISMATCH: a round did not check out (see its lines above)");
  console.log(JSON.stringify({ rounds: ROUNDS, ...figures, ok, target: { ratio: 2 } }));
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
