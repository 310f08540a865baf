/** The coalescer's invariants (coalesce.ts), with statements that answer when the test says so. */
import { describe, expect, it } from "vitest";
import { Coalescer, isStatementRefused } from "./coalesce.js";

/** A statement the test finishes by hand: each call of `one` or `many` waits in `sent`. */
function fakeStatements(opts: { maxInFlight: number; maxBatch?: number; slowMs?: number; retryAlone?: (err: unknown) => boolean }) {
  const sent: { inputs: number[]; alone: boolean; finish: (fail?: unknown) => void }[] = [];
  const send = (inputs: number[], alone: boolean) =>
    new Promise<number[]>((resolve, reject) => {
      sent.push({ inputs, alone, finish: (fail) => (fail === undefined ? resolve(inputs.map((x) => x * 10)) : reject(fail)) });
    });
  const c = new Coalescer<number, number>({
    name: "test",
    one: async (x) => (await send([x], true))[0]!,
    many: (xs) => send(xs, false),
    maxInFlight: opts.maxInFlight,
    maxBatch: opts.maxBatch ?? 100,
    retryAlone: opts.retryAlone ?? (() => false),
    ...(opts.slowMs !== undefined ? { slowMs: opts.slowMs } : {}),
  });
  return { c, sent };
}

const tick = () => new Promise((r) => setImmediate(r));
/** A server error of class `code` as pg and PGlite raise it. */
const serverError = (code: string) => Object.assign(new Error(`error ${code}`), { severity: "ERROR", code });

describe("Coalescer", () => {
  it("sends a call at once while fewer statements run than allowed, alone", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 2 });
    const a = c.run(1);
    const b = c.run(2);
    await tick();
    expect(sent.map((s) => [s.inputs, s.alone])).toEqual([
      [[1], true],
      [[2], true],
    ]);
    sent[0]!.finish();
    sent[1]!.finish();
    expect(await Promise.all([a, b])).toEqual([10, 20]);
  });

  it("sends the calls that waited behind running statements as one, each answered at its position", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1 });
    const first = c.run(1);
    const rest = [2, 3, 4, 5].map((x) => c.run(x));
    await tick();
    expect(sent).toHaveLength(1);
    sent[0]!.finish();
    await tick();
    expect(sent[1]!.inputs).toEqual([2, 3, 4, 5]);
    expect(sent[1]!.alone).toBe(false);
    sent[1]!.finish();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50]);
  });

  it("never puts more than maxBatch calls in one statement", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1, maxBatch: 3 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((x) => c.run(x));
    await tick();
    for (let i = 0; i < 3; i++) {
      sent[i]!.finish();
      await tick();
    }
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it("on an outage fails every call of the batch with it, and sends nothing again", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1, retryAlone: () => true });
    const first = c.run(1);
    const rest = [2, 3].map((x) => c.run(x).catch((e: Error) => e.message));
    await tick();
    sent[0]!.finish();
    await tick();
    sent[1]!.finish(new Error("Connection terminated unexpectedly"));
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual(["Connection terminated unexpectedly", "Connection terminated unexpectedly"]);
    expect(sent).toHaveLength(2);
  });

  it("after a refused batch sends each call alone, so that only a bad one fails", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1, retryAlone: isStatementRefused });
    const first = c.run(1);
    const rest = [2, 3, 4].map((x) => c.run(x).catch((e: Error) => e.message));
    await tick();
    sent[0]!.finish();
    await tick();
    sent[1]!.finish(serverError("40P01"));
    await tick();
    const alone = sent.slice(2);
    expect(alone.map((s) => [s.inputs, s.alone])).toEqual([
      [[2], true],
      [[3], true],
      [[4], true],
    ]);
    alone[0]!.finish();
    alone[1]!.finish(serverError("23503"));
    alone[2]!.finish();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, "error 23503", 40]);
  });

  it("fails every call when a batch fails in a way that may have kept it (not retried alone)", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1, retryAlone: isStatementRefused });
    const first = c.run(1);
    const rest = [2, 3].map((x) => c.run(x).catch((e: Error) => e.message));
    await tick();
    sent[0]!.finish();
    await tick();
    sent[1]!.finish(new Error("unexpected answer"));
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual(["unexpected answer", "unexpected answer"]);
    expect(sent).toHaveLength(2);
  });

  it("does not let a hung statement hold back every call after it: past slowMs the next one goes", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1, slowMs: 50 });
    const hung = c.run(1);
    const next = [2, 3].map((x) => c.run(x));
    await tick();
    expect(sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2, 3]]);
    sent[1]!.finish();
    expect(await Promise.all(next)).toEqual([20, 30]);
    // The hung one still gets its own answer when it comes, and frees nothing twice.
    sent[0]!.finish();
    expect(await hung).toBe(10);
    const later = [4, 5].map((x) => c.run(x));
    await tick();
    expect(sent.slice(2).map((s) => s.inputs)).toEqual([[4]]);
    sent[2]!.finish();
    await tick();
    sent[3]!.finish();
    expect(await Promise.all(later)).toEqual([40, 50]);
  });

  it("goes on sending after failures: the running count is released", async () => {
    const { c, sent } = fakeStatements({ maxInFlight: 1 });
    const a = c.run(1).catch(() => "failed");
    await tick();
    sent[0]!.finish(new Error("boom"));
    expect(await a).toBe("failed");
    const b = c.run(2);
    await tick();
    sent[1]!.finish();
    expect(await b).toBe(20);
  });
});

describe("isStatementRefused", () => {
  it.each([
    ["a deadlock", serverError("40P01"), true],
    ["a serialization failure", serverError("40001"), true],
    ["a foreign key violation", serverError("23503"), true],
    ["a plpgsql RAISE", serverError("P0001"), true],
    ["a cancelled statement", serverError("57014"), true],
    ["an administrator shutdown", serverError("57P01"), false],
    ["a connection failure (class 08)", serverError("08006"), false],
    ["an internal error", serverError("XX000"), false],
    ["a dropped connection", new Error("Connection terminated unexpectedly"), false],
    ["a socket error", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), false],
    ["an error of this process", new TypeError("x is undefined"), false],
  ])("%s → %s", (_what, err, refused) => {
    expect(isStatementRefused(err)).toBe(refused);
  });
});
