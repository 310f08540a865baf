/**
 * bench:pipeline with exports mixed in (BENCH_EXPORTS=n, issue 13 item 5): the updates reach the
 * bot through long polling, as in production — an in-process Bot API answers getUpdates like
 * Telegram (the unconfirmed updates from the offset, long-polling while there are none) — and n
 * officers of the province send /xuat (the real command: the workbook of the whole generated
 * province) again and again while the leaders report, each one a second after her last export was
 * handled. The leaders' latency is from the update's arrival at the Bot API to the end of its
 * handling. BENCH_EXPORTS=0 drives the same path without exports; with n > 0 the bench runs each
 * store twice (0, then n) and prints both p95s side by side.
 * Also reported: the event loop's longest stall during the run (the workbook is built on the main
 * thread, so a stall holds every chat) and the exports' own latencies.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Update } from "grammy/types";
import type { TelegramChannel } from "../src/channels/telegram/index.js";
import type { InboundHandler } from "../src/channels/types.js";
import type { UnitTree } from "../src/domain/units/tree.js";
import type { Store } from "../src/store/database.js";
import { grantRole, upsertPerson } from "../src/store/people.js";

/** The number of officers exporting (BENCH_EXPORTS), or null when the mode is off. */
export const BENCH_EXPORTS = process.env.BENCH_EXPORTS === undefined ? null : Math.max(0, Number(process.env.BENCH_EXPORTS));

/** Telegram's getUpdates, in process: unconfirmed updates from the offset; a long poll waits for a push. */
class FakeUpdates {
  private queue: Update[] = [];
  private waiters: Array<() => void> = [];

  push(u: Update): void {
    this.queue.push(u);
    this.waiters.splice(0).forEach((w) => w());
  }

  async get(payload: { offset?: number; limit?: number; timeout?: number }, signal?: AbortSignal): Promise<Update[]> {
    const offset = payload.offset ?? 0;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    if (this.queue.length === 0 && (payload.timeout ?? 0) > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(done, (payload.timeout ?? 0) * 1000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
        });
      });
    }
    return this.queue.slice(0, payload.limit ?? 100);
  }
}

/** The exports mode's parts, wired into bench/pipeline.ts (see the file comment). */
export function exportsMix(officers: number) {
  const updates = new FakeUpdates();
  const handled = new Map<string, () => void>();
  const exportLatencies: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let running = false;
  let officerRuns: Promise<void>[] = [];
  let nextUpdateId = 1;
  let documents = 0;

  return {
    /** The transport with getUpdates answered here and every other method by `inner`. */
    fetch(inner: typeof fetch): typeof fetch {
      return (async (url: unknown, init?: { body?: unknown; signal?: AbortSignal }) => {
        if (/\/sendDocument$/.test(String(url))) documents++;
        if (!/\/getUpdates$/.test(String(url))) return inner(url as string, init as RequestInit);
        const payload = typeof init?.body === "string" ? JSON.parse(init.body) : {};
        const result = await updates.get(payload, init?.signal ?? undefined);
        return new Response(JSON.stringify({ ok: true, result }), { headers: { "content-type": "application/json" } });
      }) as unknown as typeof fetch;
    },
    /** The app's handler, telling deliver() when an update's handling ended. */
    inbound(handler: InboundHandler): InboundHandler {
      return async (msg) => {
        try {
          return await handler(msg);
        } finally {
          if (msg.updateId) handled.get(msg.updateId)?.();
        }
      };
    },
    /**
     * Puts an update on the Bot API (with the next update id of one sequence, as Telegram numbers
     * them); resolves when the bot has handled it.
     */
    deliver(update: Update): Promise<void> {
      return new Promise((resolve) => {
        const numbered = { ...update, update_id: nextUpdateId++ };
        const id = String(numbered.update_id);
        handled.set(id, () => {
          handled.delete(id);
          resolve();
        });
        updates.push(numbered);
      });
    },
    /** Starts polling and the officers' exports (officers: admins of the tree's root, in private chats). */
    async start(store: Store, telegram: TelegramChannel, tree: UnitTree, date: number): Promise<void> {
      await telegram.startPolling();
      loop.enable();
      running = true;
      const root = tree.roots[0]!;
      for (let i = 0; i < officers; i++) {
        const userId = 5_000_000_000 + i;
        const person = await upsertPerson(store, "telegram", String(userId), `Can bo ${i}`);
        await grantRole(store, person.id, root.id, "admin");
        officerRuns.push(
          (async () => {
            while (running) {
              const t0 = performance.now();
              await this.deliver({
                update_id: 0,
                message: {
                  message_id: 800_000_000 + exportLatencies.length * officers + i,
                  date,
                  chat: { id: userId, type: "private", first_name: "Cán bộ" },
                  from: { id: userId, is_bot: false, first_name: "Cán bộ" },
                  text: "/xuat",
                  entities: [{ type: "bot_command", offset: 0, length: 5 }],
                },
              } as Update);
              exportLatencies.push(performance.now() - t0);
              await new Promise((r) => setTimeout(r, 1000));
            }
          })(),
        );
      }
    },
    /** Ends the exports and polling; resolves the figures for the result line. */
    async stop(telegram: TelegramChannel) {
      running = false;
      await Promise.all(officerRuns);
      officerRuns = [];
      await telegram.stopPolling();
      loop.disable();
      const sorted = [...exportLatencies].sort((a, b) => a - b);
      const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
      return {
        via: "long polling",
        exportingOfficers: officers,
        exports: sorted.length,
        exportP50Ms: at(50),
        exportMaxMs: Math.round(sorted.at(-1) ?? 0),
        eventLoopMaxStallMs: Math.round(loop.max / 1e6),
        eventLoopP99StallMs: Math.round(loop.percentile(99) / 1e6),
        /** Workbooks that reached the Bot API (read when the result is printed, after the outbox drained). */
        get documentsSent() {
          return documents;
        },
      };
    },
  };
}

/** Runs each store without and with exports (child processes) and prints both side by side. */
export async function compareExports(
  child: (kind: "pglite" | "postgres") => Promise<Record<string, unknown>>,
  officers: number,
): Promise<void> {
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const kind of ["pglite", "postgres"] as const) {
    process.env.BENCH_EXPORTS = "0";
    const without = await child(kind);
    process.env.BENCH_EXPORTS = String(officers);
    const withExports = await child(kind);
    // Every export handled must have sent its workbook (a refused /xuat would measure nothing).
    const figures = withExports.exportsMode as { exports?: number; documentsSent?: number } | undefined;
    const exported = (figures?.exports ?? 0) > 0 && figures?.documentsSent === figures?.exports;
    if (!exported) console.log(`  MISMATCH (${kind}): exports ${figures?.exports}, workbooks sent ${figures?.documentsSent}`);
    ok &&= without.ok === true && withExports.ok === true && exported;
    out[kind] = { p95MsWithout: without.p95Ms, p95MsWith: withExports.p95Ms, without, with: withExports };
    console.log(`${kind}: leaders' p95 ${String(without.p95Ms)} ms without exports, ${String(withExports.p95Ms)} ms with ${officers} officers exporting`);
  }
  console.log(JSON.stringify({ exportingOfficers: officers, ...out, ok }));
  if (!ok) process.exitCode = 1;
}
