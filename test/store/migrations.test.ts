/** Migrations at open: Prisma's bookkeeping, idempotence, concurrent PostgreSQL starts (the folder lock: lock.test.ts). */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { MIGRATIONS_DIR } from "../../src/store/migrate.js";
import { createPgDatabase, FLAVOURS, tempDir, type StoreFlavour } from "../helpers/db.js";

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

/** name → sha256 of migration.sql, read independently of the runner. */
function expectedMigrations(): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of readdirSync(MIGRATIONS_DIR, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const sql = readFileSync(join(MIGRATIONS_DIR, d.name, "migration.sql"));
    out.set(d.name, createHash("sha256").update(sql).digest("hex"));
  }
  return out;
}

async function migrationRows(store: Store): Promise<MigrationRow[]> {
  return store.sql.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
  );
}

/** Opens a store of the flavour that can be opened again (a PGlite folder, a PostgreSQL database). */
async function reopenable(flavour: StoreFlavour): Promise<{ open: () => Promise<Store>; drop: () => Promise<void> }> {
  if (flavour === "pglite") {
    const dir = tempDir();
    return { open: () => openStore({ pgliteDir: join(dir.dir, "pglite") }), drop: async () => dir.remove() };
  }
  const db = await createPgDatabase();
  return { open: () => openStore({ databaseUrl: db.url, poolSize: 2 }), drop: db.drop };
}

describe.each(FLAVOURS)("migrations on %s", (flavour) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("applies every migration with Prisma's bookkeeping, and nothing on re-open", async () => {
    const target = await reopenable(flavour);
    cleanups.push(target.drop);
    const expected = expectedMigrations();
    expect(expected.size).toBeGreaterThan(0);

    const first = await target.open();
    const rows = await migrationRows(first);
    await first.close();
    expect(rows.map((r) => r.migration_name)).toEqual([...expected.keys()].sort());
    for (const r of rows) {
      expect(r.checksum).toBe(expected.get(r.migration_name));
      expect(r.finished_at).not.toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }

    const second = await target.open();
    try {
      expect(await migrationRows(second)).toEqual(rows);
      // The schema is there and usable.
      expect(await second.prisma.unit.count()).toBe(0);
    } finally {
      await second.close();
    }
  });
});

describe("PostgreSQL", () => {
  it("applies each migration exactly once when two stores open a fresh database at the same time", async () => {
    const db = await createPgDatabase();
    try {
      const [a, b] = await Promise.all([
        openStore({ databaseUrl: db.url, poolSize: 2 }),
        openStore({ databaseUrl: db.url, poolSize: 2 }),
      ]);
      try {
        const counts = await a.sql.query<{ migration_name: string; n: number }>(
          `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`,
        );
        expect(counts).toEqual([...expectedMigrations().keys()].sort().map((name) => ({ migration_name: name, n: 1 })));
        await a.prisma.person.create({ data: { channel: "local", externalId: "a", displayName: "A" } });
        await b.prisma.person.create({ data: { channel: "local", externalId: "b", displayName: "B" } });
        expect(await a.prisma.person.count()).toBe(2);
        expect(await b.prisma.person.count()).toBe(2);
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await db.drop();
    }
  });
});
