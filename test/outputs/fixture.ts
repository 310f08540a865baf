/**
 * A small known data set for the output tests: the Nam Định seed tree plus a few branches, and
 * the monthly branch reports of May 2024 (and one of April) with answers chosen by hand.
 *
 * Ý Yên (NDI-YYE) → xã Yên Phương (3 branches), xã Yên Thọ (2 branches);
 * Xuân Trường (NDI-XTR) → xã Xuân Kiên (2 branches), outside Ý Yên's subtree.
 * May 2024 (due 20/05/2024 20:00): YPHUONG-CH01 on time, CH02 late, CH03 missing; YTHO-CH01 and
 * CH02 on time; XKIEN-CH01 on time, CH02 missing.
 */
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import type { Answers } from "../../src/plan/schema.js";
import type { Store } from "../../src/store/database.js";
import { importUnits, loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";

export const plan = loadPlanFile(DEFAULT_PLAN_PATH);
/** 28/05/2024 10:00 in Việt Nam. */
export const NOW = new Date("2024-05-28T03:00:00Z");

export const EXTRA_UNITS = [
  { code: "NDI-YYE-YPHUONG-CH02", name: "Chi hội xóm Đông Thịnh", kind: "branch", parentCode: "NDI-YYE-YPHUONG" },
  { code: "NDI-YYE-YPHUONG-CH03", name: "Chi hội thôn Phú Thứ", kind: "branch", parentCode: "NDI-YYE-YPHUONG" },
  { code: "NDI-YYE-YTHO", name: "Hội LHPN xã Yên Thọ", kind: "commune", parentCode: "NDI-YYE" },
  { code: "NDI-YYE-YTHO-CH01", name: "Chi hội xóm Bắc Sơn", kind: "branch", parentCode: "NDI-YYE-YTHO" },
  { code: "NDI-YYE-YTHO-CH02", name: "Chi hội thôn Ngọc Chử", kind: "branch", parentCode: "NDI-YYE-YTHO" },
  { code: "NDI-XTR-XKIEN-CH02", name: "Chi hội xóm Hải Điền", kind: "branch", parentCode: "NDI-XTR-XKIEN" },
] as const;

export interface SeedReport {
  code: string;
  periodKey: string;
  submittedAt: string;
  answers: Answers;
}

export const REPORTS: SeedReport[] = [
  {
    code: "NDI-YYE-YPHUONG-CH01",
    periodKey: "2024-05",
    submittedAt: "2024-05-15T02:00:00Z",
    answers: {
      tuyen_truyen: true,
      so_buoi: 2,
      so_nguoi: 40,
      gia_tri: ["an_toan", "binh_dang"],
      ho_dat_moi: 1,
      phat_hien_blgd: true,
      nan_nhan_blgd: { part: 1, total: 2 },
    },
  },
  {
    code: "NDI-YYE-YPHUONG-CH02",
    periodKey: "2024-05",
    submittedAt: "2024-05-22T08:30:00Z", // 15:30 on the 22nd: late
    answers: { tuyen_truyen: true, so_buoi: 3, so_nguoi: 55, gia_tri: ["trach_nhiem"], ho_dat_moi: 0, phat_hien_blgd: false, ghi_chu: "Xóm đông, họp ở nhà văn hóa" },
  },
  {
    code: "NDI-YYE-YTHO-CH01",
    periodKey: "2024-05",
    submittedAt: "2024-05-19T12:59:00Z", // 19:59 on the 19th
    answers: { tuyen_truyen: false, ho_dat_moi: 2, phat_hien_blgd: false },
  },
  {
    code: "NDI-YYE-YTHO-CH02",
    periodKey: "2024-05",
    submittedAt: "2024-05-20T12:59:00Z", // 19:59 on the 20th: just on time
    answers: { tuyen_truyen: true, so_buoi: 1, so_nguoi: 25, gia_tri: ["an_toan"], ho_dat_moi: 0, phat_hien_blgd: true, nan_nhan_blgd: { part: 2, total: 2 } },
  },
  {
    code: "NDI-XTR-XKIEN-CH01",
    periodKey: "2024-05",
    submittedAt: "2024-05-10T02:00:00Z",
    answers: { tuyen_truyen: true, so_buoi: 4, so_nguoi: 100, gia_tri: ["an_toan"], ho_dat_moi: 3, phat_hien_blgd: false },
  },
  {
    code: "NDI-YYE-YPHUONG-CH01",
    periodKey: "2024-04",
    submittedAt: "2024-04-12T02:00:00Z",
    answers: { tuyen_truyen: true, so_buoi: 7, so_nguoi: 300, gia_tri: ["an_toan"], ho_dat_moi: 4, phat_hien_blgd: false },
  },
];

/** Seeds the units and the reports; returns the loaded tree. */
export async function seedOutputs(store: Store): Promise<UnitTree> {
  await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
  await importUnits(store, EXTRA_UNITS.map((u, i) => ({ ...u, line: i + 1 })));
  const tree = await loadUnitTree(store);
  for (const r of REPORTS) {
    const unit = tree.byCode(r.code)!;
    await store.prisma.report.create({
      data: { planKey: plan.id, formKey: "chi_hoi_thang", periodKey: r.periodKey, unitId: unit.id, answers: r.answers, submittedAt: new Date(r.submittedAt) },
    });
  }
  return tree;
}
