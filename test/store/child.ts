/** A long-running child process (node itself, so its pid is the program's own) driven line by line. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { nodeArgs, REPO } from "./run.js";

/** A running child: wait for an output line, send a line, wait for its exit. */
export interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves with the next unread stdout line matching `re` (rejects after `ms` or when the child exits first). */
  line(re: RegExp, ms?: number): Promise<string>;
  send(text: string): void;
  exited(): Promise<number | null>;
  stderr(): string;
}

/** Starts `[file, ...args]` with node in the repository (src/ compiled, fixtures through tsx: see nodeArgs). */
export function startChild(args: string[], env: Record<string, string | undefined> = {}): Child {
  const proc = spawn(process.execPath, nodeArgs(args), { cwd: REPO, env: { ...process.env, ...env }, stdio: "pipe" });
  let out = "";
  let err = "";
  let read = 0; // lines already handed out (or skipped)
  const lines = (): string[] => out.split("\n").slice(0, -1);
  const take = (re: RegExp): string | undefined => {
    const all = lines();
    for (let i = read; i < all.length; i++)
      if (re.test(all[i]!)) {
        read = i + 1;
        return all[i];
      }
    return undefined;
  };
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  proc.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const w of [...waiters]) {
      const m = take(w.re);
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  return {
    proc,
    line(re, ms = 60_000) {
      const found = take(re);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line ${re} within ${ms} ms; stdout: ${out}; stderr: ${err}`)), ms);
        void exit.then((code) => reject(new Error(`exited ${code} before ${re}; stdout: ${out}; stderr: ${err}`)));
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    send(text) {
      proc.stdin.write(`${text}\n`);
    },
    exited: () => exit,
    stderr: () => err,
  };
}
