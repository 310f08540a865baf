/** Reports: save once, correct with history, locked periods, who has reported. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import type { Store } from "../../src/store/database.js";
import {
  correctReport,
  getReport,
  getReportById,
  isPeriodLocked,
  lockPeriod,
  onReportWrite,
  PeriodLockedError,
  reportedUnitIds,
  ReportExistsError,
  reportHistory,
  ReportNotFoundError,
  ReportVersionConflictError,
  saveReport,
  unlockPeriod,
} from "../../src/store/reports.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

const FORM = "chi_hoi_thang";
const PLAN_KEY = "vun_dap_gia_dinh_2023_2025";

describe.each(FLAVOURS)("reports on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let tree: UnitTree;
  let personId: number;
  let branchA: number;
  let branchB: number;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    tree = await loadUnitTree(store);
    branchA = tree.byCode("NDI-YYE-YPHUONG-CH01")!.id;
    branchB = tree.byCode("NDI-XTR-XKIEN-CH01")!.id;
    personId = (await store.prisma.person.create({ data: { channel: "telegram", externalId: "42", displayName: "Chị Lan" } })).id;
  });
  afterAll(async () => cleanup());

  it("saves a report once; a second one for the same unit and period is refused with the first", async () => {
    const at = new Date("2024-05-18T03:15:00Z");
    const events: string[] = [];
    const off = onReportWrite(store, (e) => events.push(`${e.formKey}/${e.periodKey}/${e.unitId}`));
    const saved = await saveReport(store, {
      planKey: PLAN_KEY, formKey: FORM,
      periodKey: "2024-05",
      unitId: branchA,
      answers: { tuyen_truyen: true, so_buoi: 2, ho_dat_moi: 1, nan_nhan_blgd: { part: 1, total: 2 }, gia_tri: ["an_toan"] },
      personId,
      submittedAt: at,
    });
    off();
    expect(saved).toMatchObject({ planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-05", unitId: branchA, version: 1, submittedById: personId });
    expect(saved.submittedAt.toISOString()).toBe(at.toISOString());
    expect(events).toEqual([`${FORM}/2024-05/${branchA}`]);
    expect(await getReport(store, PLAN_KEY, FORM, "2024-05", branchA)).toEqual(saved);
    expect(await getReport(store, PLAN_KEY, FORM, "2024-04", branchA)).toBeNull();

    const again = await saveReport(store, { planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-05", unitId: branchA, answers: { tuyen_truyen: false }, personId, submittedAt: new Date() }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ReportExistsError);
    expect((again as ReportExistsError).existing.id).toBe(saved.id);
    expect((await getReport(store, PLAN_KEY, FORM, "2024-05", branchA))!.answers.tuyen_truyen).toBe(true);
  });

  it("corrects a report: new answers, version + 1, one history row per change, in order", async () => {
    const before = (await getReport(store, PLAN_KEY, FORM, "2024-05", branchA))!;
    const at1 = new Date("2024-05-19T01:00:00Z");
    const c1 = await correctReport(store, {
      planKey: PLAN_KEY, formKey: FORM,
      periodKey: "2024-05",
      unitId: branchA,
      personId,
      changes: [
        { key: "so_buoi", oldValue: 2, newValue: 3 },
        { key: "ghi_chu", oldValue: undefined, newValue: "Họp thôn" },
      ],
      answers: { ...before.answers, so_buoi: 3, ghi_chu: "Họp thôn" },
      at: at1,
    });
    expect(c1.version).toBe(2);
    expect(c1.answers).toMatchObject({ so_buoi: 3, ghi_chu: "Họp thôn", tuyen_truyen: true });
    expect(c1.submittedAt.toISOString()).toBe(before.submittedAt.toISOString());
    const c2 = await correctReport(store, {
      planKey: PLAN_KEY, formKey: FORM,
      periodKey: "2024-05",
      unitId: branchA,
      personId: null,
      changes: [{ key: "nan_nhan_blgd", oldValue: { part: 1, total: 2 }, newValue: { part: 2, total: 2 } }],
      answers: { ...c1.answers, nan_nhan_blgd: { part: 2, total: 2 } },
      at: new Date("2024-05-20T01:00:00Z"),
      expectedVersion: 2,
    });
    expect(c2.version).toBe(3);
    const history = await reportHistory(store, before.id);
    expect(history.map((h) => [h.questionKey, h.oldValue, h.newValue, h.personId])).toEqual([
      ["so_buoi", 2, 3, personId],
      ["ghi_chu", null, "Họp thôn", personId],
      ["nan_nhan_blgd", { part: 1, total: 2 }, { part: 2, total: 2 }, null],
    ]);
    expect(history[0]!.changedAt.toISOString()).toBe(at1.toISOString());
    expect((await getReportById(store, before.id))!.version).toBe(3);
  });

  it("refuses a correction made on an outdated version, and one of a missing report", async () => {
    const current = (await getReport(store, PLAN_KEY, FORM, "2024-05", branchA))!;
    const stale = await correctReport(store, {
      planKey: PLAN_KEY, formKey: FORM,
      periodKey: "2024-05",
      unitId: branchA,
      personId,
      changes: [{ key: "so_buoi", oldValue: 3, newValue: 4 }],
      answers: { ...current.answers, so_buoi: 4 },
      at: new Date(),
      expectedVersion: current.version - 1,
    }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ReportVersionConflictError);
    expect((stale as ReportVersionConflictError).current.version).toBe(current.version);
    expect(await reportHistory(store, current.id)).toHaveLength(3);
    await expect(
      correctReport(store, { planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-06", unitId: branchA, personId, changes: [], answers: {}, at: new Date() }),
    ).rejects.toBeInstanceOf(ReportNotFoundError);
  });

  it("takes no new report and no correction in a locked period, until it is unlocked", async () => {
    expect(await isPeriodLocked(store, PLAN_KEY, FORM, "2024-05")).toBe(false);
    await lockPeriod(store, PLAN_KEY, FORM, "2024-05", personId);
    await lockPeriod(store, PLAN_KEY, FORM, "2024-05", personId); // idempotent
    expect(await isPeriodLocked(store, PLAN_KEY, FORM, "2024-05")).toBe(true);
    expect(await isPeriodLocked(store, PLAN_KEY, FORM, "2024-06")).toBe(false);
    const current = (await getReport(store, PLAN_KEY, FORM, "2024-05", branchA))!;
    const err = await correctReport(store, {
      planKey: PLAN_KEY, formKey: FORM,
      periodKey: "2024-05",
      unitId: branchA,
      personId,
      changes: [{ key: "so_buoi", oldValue: 3, newValue: 5 }],
      answers: { ...current.answers, so_buoi: 5 },
      at: new Date(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeriodLockedError);
    expect(err).toMatchObject({ planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-05" });
    await expect(
      saveReport(store, { planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-05", unitId: branchB, answers: { tuyen_truyen: true }, personId, submittedAt: new Date() }),
    ).rejects.toBeInstanceOf(PeriodLockedError);
    expect(await getReport(store, PLAN_KEY, FORM, "2024-05", branchA)).toEqual(current);
    expect(await reportHistory(store, current.id)).toHaveLength(3);
    await unlockPeriod(store, PLAN_KEY, FORM, "2024-05");
    expect(await isPeriodLocked(store, PLAN_KEY, FORM, "2024-05")).toBe(false);
  });

  it("tells which units have reported, optionally among given units", async () => {
    await saveReport(store, { planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-05", unitId: branchB, answers: { tuyen_truyen: false }, personId, submittedAt: new Date("2024-05-21T00:00:00Z") });
    await saveReport(store, { planKey: PLAN_KEY, formKey: FORM, periodKey: "2024-04", unitId: branchB, answers: { tuyen_truyen: false }, personId, submittedAt: new Date("2024-04-21T00:00:00Z") });
    expect(await reportedUnitIds(store, PLAN_KEY, FORM, "2024-05")).toEqual(new Set([branchA, branchB]));
    expect(await reportedUnitIds(store, PLAN_KEY, FORM, "2024-04")).toEqual(new Set([branchB]));
    expect(await reportedUnitIds(store, PLAN_KEY, FORM, "2024-05", [branchA])).toEqual(new Set([branchA]));
    expect(await reportedUnitIds(store, PLAN_KEY, FORM, "2024-05", [tree.byCode("NDI")!.id])).toEqual(new Set());
    expect(await reportedUnitIds(store, PLAN_KEY, FORM, "2024-05", [])).toEqual(new Set());
    expect(await reportedUnitIds(store, PLAN_KEY, "co_so_6_thang", "2024-H1")).toEqual(new Set());
  });
});
