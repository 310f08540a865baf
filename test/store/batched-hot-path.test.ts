/**
 * The hot path's statements shared by messages arriving together (src/store/coalesce.ts,
 * vundap_inbound_many and vundap_commit_many), on both stores: each message gets its own answer;
 * one message's "retry" or duplicate claim leaves the others committed; a statement the database
 * refuses is committed again message by message so that only the bad one fails; an outage fails
 * them all with nothing kept.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { loadInbound } from "../../src/store/inbound.js";
import { leanCommit, type LeanCommitInput } from "../../src/store/lean-commit.js";
import { grantRole, linkChat, upsertPerson } from "../../src/store/people.js";
import { importUnits, loadUnitTree } from "../../src/store/units.js";
import { generateProvince } from "../../src/domain/units/generate.js";
import { faulty } from "../app/faulty-store.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

const N = 12;
const later = new Date("2030-01-01T00:00:00Z");

/** Records how many messages each hot-path statement carried while `fn` runs. */
async function batchSizes<T>(fn: () => Promise<T>): Promise<{ result: T; sizes: number[] }> {
  const sizes: number[] = [];
  const listener = (m: unknown) => sizes.push((m as { calls: number }).calls);
  subscribe("vundap:store:batch", listener);
  try {
    return { result: await fn(), sizes };
  } finally {
    unsubscribe("vundap:store:batch", listener);
  }
}

/** A message's commit: its claim, a new conversation in its own chat, one reply. */
function commitOf(i: number, over: Partial<LeanCommitInput> = {}): LeanCommitInput {
  return {
    claim: { channel: "telegram", updateId: `u${i}` },
    noReport: null,
    report: null,
    conv: { op: "save", channel: "telegram", chatId: `-100${i}`, personKey: `${i}`, state: { step: i }, expiresAt: later, expectedVersion: null },
    person: null,
    outbox: [{ channel: "telegram", chatId: `-100${i}`, payload: JSON.stringify({ chatId: `-100${i}`, text: `reply ${i}` }) }],
    template: null,
    ...over,
  };
}

async function count(store: Store, sql: string): Promise<number> {
  const [row] = await store.sql.query<{ n: number }>(sql);
  return Number(row!.n);
}

describe.each(FLAVOURS)("the hot path's statements shared by messages arriving together, on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await freshStore(flavour)));
  afterEach(async () => cleanup());

  it("reads many messages in a few statements, each message its own sender, roles, chat and conversation", async () => {
    await importUnits(store, generateProvince({ code: "B", name: "Tỉnh thử", districts: 1, communesPerDistrict: [2, 2], branchesPerCommune: [6, 6], specials: 0, seed: 3 }));
    const branches = [...(await loadUnitTree(store)).all()].filter((u) => u.kind === "branch");
    const people = [];
    for (let i = 0; i < N; i++) {
      const p = await upsertPerson(store, "telegram", `${i}`, `Chị ${i}`);
      await grantRole(store, p.id, branches[i]!.id, "leader");
      await linkChat(store, "telegram", `-100${i}`, branches[i]!.id, null);
      people.push(p);
    }
    // Half of them have an open conversation and a claimed update.
    for (let i = 0; i < N; i += 2) expect((await leanCommit(store, commitOf(i))).kind).toBe("committed");

    const { result: views, sizes } = await batchSizes(() =>
      Promise.all(
        Array.from({ length: N + 1 }, (_, i) =>
          loadInbound<{ step: number }>(store, { channel: "telegram", updateId: `u${i}`, externalId: `${i}`, chatId: `-100${i}` }),
        ),
      ),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N + 1);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    for (let i = 0; i < N; i++) {
      const v = views[i]!;
      expect(v.person?.id).toBe(people[i]!.id);
      expect(v.person?.displayName).toBe(`Chị ${i}`);
      expect(v.grants).toEqual([{ role: "leader", unitId: branches[i]!.id }]);
      expect(v.chatUnitId).toBe(branches[i]!.id);
      expect(v.claimed).toBe(i % 2 === 0);
      expect(v.conversation?.state ?? null).toEqual(i % 2 === 0 ? { step: i } : null);
    }
    // A first-time sender in an unknown chat.
    expect(views[N]).toMatchObject({ claimed: false, person: null, grants: [], chatUnitId: null, conversation: null });
  });

  it("commits many messages in a few statements; a stale one and a duplicate claim change nothing of theirs", async () => {
    // Message 0 has a conversation at version v; the stale message below expects v - 1.
    expect((await leanCommit(store, commitOf(0, { claim: null, outbox: [] }))).kind).toBe("committed");
    // Messages 1..N-1, then (waiting behind them, so in a shared statement) message 0 on a stale
    // version and a second delivery of message 5's update.
    const inputs = Array.from({ length: N - 1 }, (_, i) => commitOf(i + 1));
    inputs.push(commitOf(0, { conv: { op: "save", channel: "telegram", chatId: "-1000", personKey: "0", state: { step: "stale" }, expiresAt: later, expectedVersion: 999 } }));
    inputs.push(commitOf(5, { conv: null, outbox: [] }));

    const { result, sizes } = await batchSizes(() => Promise.all(inputs.map((x) => leanCommit(store, x))));
    expect(Math.max(...sizes)).toBeGreaterThan(2);
    expect(result.map((r) => r.kind)).toEqual([...Array(N - 1).fill("committed"), "retry", "duplicate"]);

    // The stale message kept nothing, not even its claim; every other message is whole.
    expect(await count(store, `SELECT count(*)::int AS n FROM "ProcessedUpdate" WHERE "updateId" = 'u0'`)).toBe(0);
    expect(await count(store, `SELECT count(*)::int AS n FROM "ProcessedUpdate"`)).toBe(N - 1);
    expect(await count(store, `SELECT count(*)::int AS n FROM "OutboxMessage" WHERE payload->>'text' = 'reply 0'`)).toBe(0);
    expect(await count(store, `SELECT count(*)::int AS n FROM "OutboxMessage"`)).toBe(N - 1);
    const [c0] = await store.sql.query<{ state: unknown }>(`SELECT state FROM "Conversation" WHERE "chatId" = '-1000'`);
    expect(c0!.state).toEqual({ step: 0 });
    expect(await count(store, `SELECT count(*)::int AS n FROM "Conversation"`)).toBe(N);
  });

  it("commits message by message after the database refuses the shared statement: only the bad message fails", async () => {
    const inputs = Array.from({ length: N }, (_, i) => commitOf(i));
    // A report for a unit that does not exist: a foreign-key violation, which fails the whole statement.
    inputs[N - 1] = commitOf(N - 1, {
      report: { planKey: "p", formKey: "f", periodKey: "2024-05", unitId: 987_654, answers: {}, personId: null, at: new Date() },
    });
    const { result, sizes } = await batchSizes(() => Promise.allSettled(inputs.map((x) => leanCommit(store, x))));
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    const bad = result[N - 1]!;
    expect(bad.status).toBe("rejected");
    expect((bad as PromiseRejectedResult).reason).toMatchObject({ code: "23503" });
    expect(result.slice(0, N - 1).map((r) => (r.status === "fulfilled" ? r.value.kind : r.status))).toEqual(Array(N - 1).fill("committed"));
    expect(await count(store, `SELECT count(*)::int AS n FROM "ProcessedUpdate"`)).toBe(N - 1);
    expect(await count(store, `SELECT count(*)::int AS n FROM "OutboxMessage"`)).toBe(N - 1);
    expect(await count(store, `SELECT count(*)::int AS n FROM "ProcessedUpdate" WHERE "updateId" = 'u${N - 1}'`)).toBe(0);
  });

  it("fails every message of a shared statement cut by an outage, with nothing of it kept", async () => {
    const fault = { on: true, when: /INSERT INTO "OutboxMessage"/ };
    const broken = faulty(store, fault);
    // Only the shared statement breaks: the single one of the first message goes through.
    const real = broken.sql.query.bind(broken.sql);
    broken.sql.query = <T,>(text: string, params?: unknown[]) =>
      /vundap_commit\(/.test(text) ? store.sql.query<T>(text, params) : real<T>(text, params);
    const inputs = Array.from({ length: N }, (_, i) => commitOf(i));
    const result = await Promise.allSettled(inputs.map((x) => leanCommit(broken, x)));
    const failed = result.filter((r) => r.status === "rejected");
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(String((f as PromiseRejectedResult).reason)).toMatch(/Connection terminated/);
    const committed = result.length - failed.length;
    expect(await count(store, `SELECT count(*)::int AS n FROM "ProcessedUpdate"`)).toBe(committed);
    expect(await count(store, `SELECT count(*)::int AS n FROM "OutboxMessage"`)).toBe(committed);
  });
});
