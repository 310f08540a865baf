/** Ending a child process the tests started: SIGTERM, then SIGKILL if it is still there after 10 s. */
import type { ChildProcess } from "node:child_process";

/** Sends SIGTERM (unless the child already ended) and waits for `exited`; SIGKILL after 10 s. */
export async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
