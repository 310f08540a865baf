/**
 * The bot as a real process (`node dist/main.js`, compiled by test/global-setup.ts), as an operator runs it: its JSON log
 * lines collected, killed with SIGKILL or stopped with SIGTERM by the test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { terminate } from "./terminate.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** One bot process. */
export class BotProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stderr: string[] = [];
  private child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>, readonly label = "bot") {
    this.child = spawn(process.execPath, ["dist/main.js"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", LANGUAGE: "vi", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffered = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ msg: line });
        }
      }
    });
    this.child.stderr!.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Log lines whose message contains `text`. */
  logged(text: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => typeof l.msg === "string" && l.msg.includes(text));
  }

  /** Waits until a line containing `text` is logged (or the process ends, or `timeoutMs`). */
  async waitForLog(text: string, timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    let dead = false;
    void this.exited.then(() => (dead = true));
    while (this.logged(text).length === 0) {
      if (dead) throw new Error(`${this.label} exited before logging "${text}": ${this.stderr.join("").slice(-2000)}`);
      if (Date.now() - start > timeoutMs) {
        throw new Error(`${this.label} did not log "${text}" within ${timeoutMs} ms; last lines:\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The last log lines (level, message, error), for failure messages. */
  tail(n = 25): string {
    return this.lines
      .slice(-n)
      .map((l) => `${String(l.level)} ${String(l.msg)} ${l.err ? JSON.stringify(l.err).slice(0, 300) : ""}`)
      .join("\n");
  }

  /** kill -9: no shutdown code runs. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM: the bot's own shutdown. */
  async stop(): Promise<void> {
    await terminate(this.child, this.exited);
  }
}
