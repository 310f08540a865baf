import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { acquireZaloLeadership, ZALO_LEADER_LOCK, type ZaloLeadership } from "../../src/channels/zalo/leadership.js";
import type { Store } from "../../src/store/database.js";
import { createPgDatabase, freshStore } from "../helpers/db.js";

describe("Zalo leadership on PGlite", () => {
  it("is always acquired (one process by construction)", async () => {
    const { store, cleanup } = await freshStore("pglite");
    try {
      const onAcquired = vi.fn();
      const onLost = vi.fn();
      const l = await acquireZaloLeadership(store, { onAcquired, onLost });
      expect(l.isLeader()).toBe(true);
      expect(onAcquired).toHaveBeenCalledTimes(1);
      await l.release();
      expect(l.isLeader()).toBe(false);
      expect(onLost).not.toHaveBeenCalled();
    } finally {
      await cleanup();
    }
  });
});

describe("Zalo leadership on PostgreSQL", () => {
  let db: { url: string; drop: () => Promise<void> };
  // Leadership only needs store.kind; the lock lives on its own connection to databaseUrl.
  const store = { kind: "postgres" } as Store;
  const admin = () => new pg.Client({ connectionString: db.url });

  beforeAll(async () => {
    db = await createPgDatabase("vundap_zalo_lead");
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function holderPid(): Promise<number | undefined> {
    const c = admin();
    await c.connect();
    try {
      const r = await c.query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = $1 AND granted",
        [ZALO_LEADER_LOCK],
      );
      return r.rows[0]?.pid;
    } finally {
      await c.end();
    }
  }

  it("exactly one of two contenders leads; when the leader's connection dies the other takes over", async () => {
    const events: string[] = [];
    const contenders: ZaloLeadership[] = [];
    try {
      for (const name of ["A", "B"]) {
        contenders.push(
          await acquireZaloLeadership(store, {
            databaseUrl: db.url,
            retryMs: 150,
            onAcquired: () => void events.push(`${name}+`),
            onLost: () => void events.push(`${name}-`),
          }),
        );
      }
      const [a, b] = contenders as [ZaloLeadership, ZaloLeadership];
      expect(a.isLeader()).toBe(true);
      expect(b.isLeader()).toBe(false);
      // B keeps trying but never gets it while A holds it.
      await new Promise((r) => setTimeout(r, 500));
      expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
      expect(events).toEqual(["A+"]);
      const pidA = await holderPid();
      expect(pidA).toBeTypeOf("number");

      // A's connection is killed (as when its process dies): PostgreSQL frees the lock, B takes over.
      const c = admin();
      await c.connect();
      await c.query("SELECT pg_terminate_backend($1)", [pidA]);
      await c.end();
      await vi.waitFor(() => expect(b.isLeader()).toBe(true), { timeout: 30_000, interval: 20 });
      await vi.waitFor(() => expect(events).toContain("A-"), { timeout: 30_000, interval: 20 });
      expect(a.isLeader()).toBe(false);
      expect(events.filter((e) => e.endsWith("+"))).toEqual(["A+", "B+"]);
      expect(await holderPid()).not.toBe(pidA);

      // A comes back as a contender and stays a follower.
      await new Promise((r) => setTimeout(r, 500));
      expect([a.isLeader(), b.isLeader()]).toEqual([false, true]);

      // B releases: A takes over at its next try.
      await b.release();
      await vi.waitFor(() => expect(a.isLeader()).toBe(true), { timeout: 30_000, interval: 20 });
      expect(events).toHaveLength(4);
      expect([...events.slice(0, 3)].sort()).toEqual(["A+", "A-", "B+"]);
      expect(events[3]).toBe("A+");
    } finally {
      for (const l of contenders) await l.release();
    }
    expect(await holderPid()).toBeUndefined();
  });

  it("needs a database URL", async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      await expect(acquireZaloLeadership(store, { onAcquired: () => {}, onLost: () => {} })).rejects.toThrow(/databaseUrl/);
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });
});
