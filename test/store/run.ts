/**
 * Running a program in a child process with node, asynchronously (the parent keeps running): a file
 * of src/ runs compiled, from dist/ (built once per test run by test/global-setup.ts), as `npm start`
 * and `npm run cli` run it; a test fixture (test/…) runs through tsx's loader.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** node's arguments for `[file, ...args]`: src/x.ts becomes dist/x.js, other files load through tsx. */
export function nodeArgs([file, ...rest]: string[]): string[] {
  if (file === undefined) throw new Error("no file to run");
  const compiled = /^src\/(.+)\.ts$/.exec(file);
  return compiled ? [`dist/${compiled[1]}.js`, ...rest] : ["--import", "tsx", file, ...rest];
}

/** Runs `[file, ...args]` (see nodeArgs) to its end; SIGKILL after `timeoutMs`. */
export function runProgram(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 180_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs(args), {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
