/**
 * /tiendo's cache is exact across writers: a report inserted, corrected, moved or deleted by raw
 * SQL, by another connection or by another instance of the bot shows in the very next
 * loadProgress, with no time window — also when transactions commit out of id order, and
 * whatever their delay (src/progress/feed.ts and its migration).
 */
import pg from "pg";
import { MAY, monthly, NOW, plan, UNITS } from "./progress-fixture.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePeriod } from "../../src/domain/periods.js";
import { computeProgress, type Progress } from "../../src/domain/progress.js";
import type { Answers } from "../../src/domain/types.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { FEED_MAX_ROWS } from "../../src/progress/feed.js";
import { loadProgress, progressCache } from "../../src/progress/index.js";
import { openStore, type Store } from "../../src/store/database.js";
import { saveReport } from "../../src/store/reports.js";
import { importUnits, loadUnitTree } from "../../src/store/units.js";
import { createPgDatabase, FLAVOURS, freshStore } from "../helpers/db.js";

const INSERT = `INSERT INTO "Report" ("planKey", "formKey", "periodKey", "unitId", "answers", "submittedAt", "updatedAt")
                VALUES ($1, $2, $3, $4, $5::jsonb, $6, now())`;

/** computeProgress over every raw row of the store: the reference. */
async function reference(store: Store, tree: UnitTree, rootId: number): Promise<Progress> {
  const rows = await store.prisma.report.findMany();
  const raw = rows.map((r) => ({ unitId: r.unitId, formKey: r.formKey, periodKey: r.periodKey, submittedAt: r.submittedAt, answers: r.answers as Answers }));
  return computeProgress({ tree, plan, form: monthly, period: MAY, rootId, now: NOW, reports: raw.filter((r) => r.formKey === monthly.key && r.periodKey === MAY.key), windowReports: raw });
}

describe.each(FLAVOURS)("the progress cache on %s sees every writer at once", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let tree: UnitTree;
  const id = (code: string) => tree.byCode(code)!.id;
  const progress = (code = "P") => loadProgress(store, { plan, tree, rootId: id(code), now: NOW });
  /** The cached answer equals the reference over the raw rows; returns it. */
  const exact = async (code = "P"): Promise<Progress> => {
    const got = await progress(code);
    expect(got).toEqual(await reference(store, tree, id(code)));
    return got;
  };

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    await importUnits(store, UNITS);
    tree = await loadUnitTree(store);
    await saveReport(store, { planKey: plan.id, formKey: monthly.key, periodKey: "2024-05", unitId: id("B1"), answers: { tuyen_truyen: true, ho_dat_moi: 3 }, personId: null, submittedAt: new Date("2024-05-18T03:00:00Z") });
    await saveReport(store, { planKey: plan.id, formKey: monthly.key, periodKey: "2024-03", unitId: id("B3"), answers: { tuyen_truyen: false, ho_dat_moi: 6 }, personId: null, submittedAt: new Date("2024-03-18T03:00:00Z") });
  });
  afterAll(async () => cleanup());

  it("a raw SQL insert, correction, move and delete each show in the next call", async () => {
    const first = await exact();
    expect(progressCache(store).size).toBeGreaterThan(0); // the answers below come from the cache
    expect([first.received, first.indicators[1]!.detail.part]).toEqual([1, 9]);

    await store.sql.query(INSERT, [plan.id, monthly.key, "2024-05", id("B2"), JSON.stringify({ tuyen_truyen: true, ho_dat_moi: 4 }), new Date("2024-05-24T03:00:00Z")]);
    const inserted = await exact();
    expect([inserted.received, inserted.late, inserted.indicators[1]!.detail.part]).toEqual([2, 1, 13]);

    await store.sql.query(`UPDATE "Report" SET "answers" = '{"tuyen_truyen": false, "ho_dat_moi": 10}'::jsonb WHERE "unitId" = $1 AND "periodKey" = '2024-05'`, [id("B2")]);
    const corrected = await exact();
    expect([corrected.received, corrected.indicators[0]!.detail.part, corrected.indicators[1]!.detail.part]).toEqual([2, 1, 19]);

    // B3's March report moved to May (a wrong period fixed by hand): March loses it, May gains it.
    await store.sql.query(`UPDATE "Report" SET "periodKey" = '2024-05' WHERE "unitId" = $1 AND "periodKey" = '2024-03'`, [id("B3")]);
    const moved = await exact();
    expect([moved.received, moved.missing.length]).toEqual([3, 0]);
    const march = await loadProgress(store, { plan, tree, rootId: id("P"), now: NOW, period: makePeriod("monthly", 2024, 3) });
    expect(march.received).toBe(0);

    await store.sql.query(`DELETE FROM "Report" WHERE "unitId" = $1 AND "periodKey" = '2024-05'`, [id("B1")]);
    const deleted = await exact();
    expect([deleted.received, deleted.missing.map((u) => u.code)]).toEqual([2, ["B1"]]);
    expect(await exact("D1")).toMatchObject({ received: 1, expected: 2 });

    await store.sql.exec(`TRUNCATE "Report" CASCADE`);
    expect(await exact()).toMatchObject({ received: 0, expected: 3 });
    await saveReport(store, { planKey: plan.id, formKey: monthly.key, periodKey: "2024-05", unitId: id("B1"), answers: { tuyen_truyen: true, ho_dat_moi: 1 }, personId: null, submittedAt: new Date("2024-05-18T03:00:00Z") });
    expect(await exact()).toMatchObject({ received: 1 });
  });

  it("a mass change beyond what one feed read returns reloads the cache", async () => {
    await exact(); // cached
    // One statement: more reports than FEED_MAX_ROWS (odd period keys no call reads), and B2's May report.
    await store.sql.query(
      `INSERT INTO "Report" ("planKey", "formKey", "periodKey", "unitId", "answers", "submittedAt", "updatedAt")
       SELECT $1::text, $2::text, 'x-' || n, $3::int, '{}'::jsonb, now(), now() FROM generate_series(1, $4::int) n
       UNION ALL SELECT $1::text, $2::text, '2024-05', $5::int, '{"ho_dat_moi": 2}'::jsonb, $6::timestamptz, now()`,
      [plan.id, monthly.key, id("B3"), FEED_MAX_ROWS + 10, id("B2"), new Date("2024-05-19T03:00:00Z")],
    );
    expect(await exact()).toMatchObject({ received: 2, onTime: 2 });
  });
});

describe("the progress cache on postgres, with other connections and instances", () => {
  let url: string;
  let drop: () => Promise<void>;
  let a: Store;
  let b: Store;
  let other: pg.Client;
  let tree: UnitTree;
  const id = (code: string) => tree.byCode(code)!.id;

  beforeAll(async () => {
    ({ url, drop } = await createPgDatabase("vundap_test", { migrated: true }));
    a = await openStore({ databaseUrl: url, poolSize: 2 });
    b = await openStore({ databaseUrl: url, poolSize: 2 });
    other = new pg.Client({ connectionString: url });
    await other.connect();
    await importUnits(a, UNITS);
    tree = await loadUnitTree(a);
  });
  afterAll(async () => {
    await other?.end();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it("sees another instance's report in its very next call, and a transaction that commits after a later one", async () => {
    const onA = async () => {
      const got = await loadProgress(a, { plan, tree, rootId: id("P"), now: NOW });
      expect(got).toEqual(await reference(a, tree, id("P")));
      return got;
    };
    expect((await onA()).received).toBe(0); // A's cache is filled

    // Instance B saves a report through the app's own path: A knows nothing of it in memory.
    await saveReport(b, { planKey: plan.id, formKey: monthly.key, periodKey: "2024-05", unitId: id("B1"), answers: { tuyen_truyen: true, ho_dat_moi: 3 }, personId: null, submittedAt: new Date("2024-05-18T03:00:00Z") });
    expect((await onA()).received).toBe(1);

    // A slow transaction takes its id and inserts first; a later one commits before it.
    await other.query("BEGIN");
    await other.query(INSERT, [plan.id, monthly.key, "2024-05", id("B2"), JSON.stringify({ ho_dat_moi: 4 }), new Date("2024-05-19T03:00:00Z")]);
    await saveReport(b, { planKey: plan.id, formKey: monthly.key, periodKey: "2024-05", unitId: id("B3"), answers: { ho_dat_moi: 5 }, personId: null, submittedAt: new Date("2024-05-19T04:00:00Z") });
    const between = await onA();
    expect([between.received, between.missing.map((u) => u.code)]).toEqual([2, ["B2"]]);
    // Several more calls while it stays open: the feed keeps its place before the open transaction.
    for (let i = 0; i < 3; i++) expect((await onA()).received).toBe(2);
    await other.query("COMMIT");
    const after = await onA();
    expect([after.received, after.onTime, after.indicators[1]!.detail.part]).toEqual([3, 3, 12]);

    // A delete from the other connection, inside a transaction with an update of another report.
    await other.query("BEGIN");
    await other.query(`DELETE FROM "Report" WHERE "unitId" = $1`, [id("B3")]);
    await other.query(`UPDATE "Report" SET "answers" = '{"ho_dat_moi": 40}'::jsonb WHERE "unitId" = $1`, [id("B2")]);
    await other.query("COMMIT");
    const fixed = await onA();
    expect([fixed.received, fixed.indicators[1]!.detail.part]).toEqual([2, 43]);
  });
});
