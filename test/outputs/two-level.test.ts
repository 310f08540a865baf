/**
 * Workbook, draft periodic report and chart on a two-level tree: the output fixture's tree has its
 * district level removed from 1/6/2024 (communes under the province). June 2024 is read on the new
 * tree (subtotals by commune); May 2024 still on the old one (subtotals by district).
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePeriod } from "../../src/domain/periods.js";
import type { UnitRow } from "../../src/domain/units/import.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { progressChartOption, renderProgressChart } from "../../src/outputs/chart.js";
import { draftPeriodicReport, draftReminder, loadDraftData } from "../../src/outputs/periodic-report.js";
import { exportWorkbook } from "../../src/outputs/workbook.js";
import { loadProgress } from "../../src/progress/index.js";
import { treeForPeriod } from "../../src/progress/tree.js";
import type { Store } from "../../src/store/database.js";
import { reorganiseUnits } from "../../src/store/reorganise.js";
import { saveReport } from "../../src/store/reports.js";
import { loadUnitTree } from "../../src/store/units.js";
import { freshStore } from "../helpers/db.js";
import { NOW, plan, seedOutputs } from "./fixture.js";

let store: Store;
let cleanup: () => Promise<void>;
let latest: UnitTree;
const MAY = makePeriod("monthly", 2024, 5);
const JUNE = makePeriod("monthly", 2024, 6);
const JUNE_NOW = new Date("2024-06-28T03:00:00Z");

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  const old = await seedOutputs(store);
  // The new tree: the same units without the districts, every commune under the province.
  const province = old.roots[0]!;
  const rows: UnitRow[] = [];
  const map = [];
  for (const u of old.subtree(province.id)) {
    if (u.kind === "district") {
      map.push({ from: u.code, to: province.code, line: map.length + 1 });
      continue;
    }
    const parent = u.parentId === null ? null : old.byId(u.parentId)!;
    const parentCode = parent === null ? null : parent.kind === "district" ? province.code : parent.code;
    rows.push({ code: u.code, name: u.name, kind: u.kind, parentCode, line: rows.length + 1 });
  }
  const res = await reorganiseUnits(store, { from: "2024-06-01", rows, treeFile: "new.yaml", map, mapFile: "map.txt" });
  expect(res.kind).toBe("applied");
  latest = await loadUnitTree(store);
  const june: [string, number][] = [
    ["NDI-YYE-YPHUONG-CH01", 2],
    ["NDI-YYE-YTHO-CH01", 1],
    ["NDI-XTR-XKIEN-CH02", 5],
  ];
  for (const [code, sessions] of june) {
    await saveReport(store, {
      planKey: plan.id,
      formKey: "chi_hoi_thang",
      periodKey: "2024-06",
      unitId: latest.byCode(code)!.id,
      answers: { tuyen_truyen: true, so_buoi: sessions, so_nguoi: 10 * sessions, ho_dat_moi: 0, phat_hien_blgd: false },
      personId: null,
      submittedAt: new Date("2024-06-15T02:00:00Z"),
    });
  }
});
afterAll(() => cleanup());

/** The labels of column C (names and subtotal labels) of the branches' monthly sheet. */
async function sheetLabels(data: Uint8Array): Promise<{ labels: string[]; total: ExcelJS.Row; header: Map<string, number> }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(data) as never);
  const ws = wb.getWorksheet("Báo cáo tháng chi hội")!;
  const labels: string[] = [];
  for (let r = 7; r <= ws.rowCount; r++) labels.push(String(ws.getRow(r).getCell(3).value));
  const header = new Map<string, number>();
  ws.getRow(6).eachCell((cell, col) => header.set(String(cell.value), col));
  return { labels, total: ws.getRow(ws.rowCount), header };
}

const resultOf = (cell: ExcelJS.Cell) => (cell.value as ExcelJS.CellFormulaValue).result;

describe("outputs on a tree without the district level", () => {
  it("the workbook of June 2024 subtotals by commune, the level under the province", async () => {
    const tree = await treeForPeriod(store, JUNE, latest);
    expect(tree).toBe(latest);
    const book = await exportWorkbook(store, { plan, tree, rootId: tree.byCode("NDI")!.id, period: JUNE, now: JUNE_NOW });
    const { labels, total, header } = await sheetLabels(book.data);
    expect(labels).toEqual(expect.arrayContaining(["Cộng Hội LHPN xã Yên Phương", "Cộng Hội LHPN xã Yên Thọ", "Cộng Hội LHPN xã Xuân Kiên"]));
    expect(labels.filter((l) => l.includes("huyện"))).toEqual([]);
    expect(resultOf(total.getCell(header.get("Số buổi tuyên truyền (buổi)")!))).toBe(8);
    expect(total.getCell(header.get("Tình trạng")!).value).toBe("Đã báo cáo 3/7");
  });

  it("the workbook of May 2024 is still read on the tree with districts", async () => {
    const tree = await treeForPeriod(store, MAY, latest);
    expect(tree.date).toEqual({ at: "2024-05-31", historic: true });
    const book = await exportWorkbook(store, { plan, tree, rootId: tree.byCode("NDI")!.id, period: MAY, now: NOW });
    const { labels, total, header } = await sheetLabels(book.data);
    expect(labels).toEqual(expect.arrayContaining(["Cộng Hội LHPN huyện Ý Yên", "Cộng Hội LHPN huyện Xuân Trường"]));
    // May: YPHUONG-CH01 2 + CH02 3 + YTHO-CH02 1 + XKIEN-CH01 4 sessions.
    expect(resultOf(total.getCell(header.get("Số buổi tuyên truyền (buổi)")!))).toBe(10);
    expect(total.getCell(header.get("Tình trạng")!).value).toBe("Đã báo cáo 5/7");
  });

  it("the draft periodic report of a commune is addressed to the province, its parent now", async () => {
    const opts = { plan, tree: latest, rootId: latest.byCode("NDI-YYE-YPHUONG")!.id, period: JUNE, now: JUNE_NOW };
    const text = await draftPeriodicReport(store, opts);
    expect(text.split("\n").slice(0, 2)).toEqual(["HỘI LHPN TỈNH NAM ĐỊNH", "HỘI LHPN XÃ YÊN PHƯƠNG"]);
    expect(text).not.toContain("huyện");
    expect(draftReminder(await loadDraftData(store, opts))).toContain("Chi hội xóm Đông Thịnh");
  });

  it("the chart of the province in June 2024 has one bar per commune", async () => {
    const progress = await loadProgress(store, { plan, tree: latest, rootId: latest.byCode("NDI")!.id, period: JUNE, now: JUNE_NOW });
    expect(progress.children.map((c) => c.unit.name).sort()).toEqual(
      ["Hội LHPN xã Xuân Kiên", "Hội LHPN xã Yên Phương", "Hội LHPN xã Yên Thọ"].sort(),
    );
    const option = JSON.stringify(progressChartOption(progress).option);
    expect(option).toContain("Yên Thọ");
    expect(option).not.toContain("Ý Yên");
    const png = await renderProgressChart(progress);
    expect(Buffer.from(png.png.subarray(1, 4)).toString("latin1")).toBe("PNG");
  });
});
