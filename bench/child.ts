/**
 * Runs a benchmark file again as a child process with BENCH_STORE=<store> (one store per process, so
 * each store's RSS is its own): the child's human lines pass through, its last line is its result.
 */
import { spawn } from "node:child_process";

/** Runs `file` with BENCH_STORE=kind (and `env`); resolves with its last JSON line plus its exit code. */
export function benchChild(file: string, kind: "pglite" | "postgres", env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return benchRun(file, { ...env, BENCH_STORE: kind }, kind);
}

/** Runs the bench `file` in a child process with `env` added; resolves with its last JSON line plus its exit code. */
export function benchRun(file: string, env: Record<string, string> = {}, label = file): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, file], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      process.stdout.write(d.split("\n").filter((l) => !l.startsWith("{")).join("\n"));
    });
    proc.on("close", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      try {
        resolve({ ...(JSON.parse(last) as Record<string, unknown>), exitCode: code });
      } catch {
        reject(new Error(`${label}: the bench process (${file}) ended with ${code} and no result`));
      }
    });
  });
}

/**
 * The child's part of a bench run by {@link benchChild}: when BENCH_STORE names a store, runs
 * `runOne` on it, prints its result as the last line and sets exit status 1 unless it is ok; true
 * then (the caller returns), false in the parent.
 */
export async function runAsChild(runOne: (kind: "pglite" | "postgres") => Promise<{ ok: boolean }>): Promise<boolean> {
  const only = process.env.BENCH_STORE as "pglite" | "postgres" | undefined;
  if (!only) return false;
  const result = await runOne(only);
  console.log(JSON.stringify(result));
  if (!result.ok) process.exitCode = 1;
  return true;
}
