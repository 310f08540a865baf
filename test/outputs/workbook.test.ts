/** /xuat's workbook, opened again with exceljs: sheets, headers, rows, flags, subtotals, subtree only. */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePeriod } from "../../src/domain/periods.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { buildWorkbook, exportFileName, exportWorkbook } from "../../src/outputs/workbook.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { NOW, plan, REPORTS, seedOutputs } from "./fixture.js";

let store: Store;
let cleanup: () => Promise<void>;
let tree: UnitTree;
let wb: ExcelJS.Workbook;

const MAY = makePeriod("monthly", 2024, 5);

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  tree = await seedOutputs(store);
  const bytes = await buildWorkbook(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: MAY, now: NOW });
  wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as never);
});
afterAll(() => cleanup());

function headerIndex(ws: ExcelJS.Worksheet): Map<string, number> {
  const m = new Map<string, number>();
  ws.getRow(6).eachCell((cell, col) => m.set(String(cell.value), col));
  return m;
}

function rowOf(ws: ExcelJS.Worksheet, code: string): ExcelJS.Row {
  for (let r = 7; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(2).value === code) return ws.getRow(r);
  throw new Error(`no row for ${code}`);
}

function rowLabelled(ws: ExcelJS.Worksheet, label: string): ExcelJS.Row {
  for (let r = 7; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(3).value === label) return ws.getRow(r);
  throw new Error(`no row "${label}"`);
}

/** Sum of a number answer over the stored May reports of units under a code prefix, read back from the store. */
async function storedSum(prefix: string, question: string, part?: "part" | "total"): Promise<number> {
  const rows = await store.prisma.report.findMany({
    where: { formKey: "chi_hoi_thang", periodKey: "2024-05", unit: { code: { startsWith: prefix } } },
  });
  let sum = 0;
  for (const r of rows) {
    const v = (r.answers as Record<string, unknown>)[question];
    if (typeof v === "number") sum += v;
    else if (part && v && typeof v === "object") sum += (v as Record<string, number>)[part]!;
  }
  return sum;
}

const resultOf = (cell: ExcelJS.Cell) => (cell.value as ExcelJS.CellFormulaValue).result;

describe("buildWorkbook", () => {
  it("has a sheet per form answered in the subtree, then the indicators", () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Báo cáo tháng chi hội",
      "Báo cáo tháng cơ sở Hội",
      "Báo cáo tháng huyện, thành phố",
      "Báo cáo 6 tháng cơ sở Hội",
      "Sơ kết 6 tháng huyện, đơn vị",
      "Tổng kết năm huyện, đơn vị",
      "Chỉ tiêu",
    ]);
  });

  it("has Vietnamese title and header cells", () => {
    const ws = wb.getWorksheet("Báo cáo tháng chi hội")!;
    expect(ws.getCell("A1").value).toBe("Báo cáo tháng của chi hội về hoạt động Vun đắp giá trị gia đình");
    expect(ws.getCell("A2").value).toBe("Kỳ báo cáo: tháng 5/2024 · Hạn nộp: 20:00 ngày 20/05/2024");
    expect(String(ws.getCell("A3").value)).toContain("Đơn vị: Hội LHPN huyện Ý Yên · Đã báo cáo 4/5 (80%), đúng hạn 3/5 (60%)");
    const h = headerIndex(ws);
    expect([...h.keys()].slice(0, 6)).toEqual(["STT", "Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Tình trạng", "Thời gian gửi"]);
    for (const name of [
      "Tổ chức tuyên truyền 4 giá trị gia đình",
      "Số buổi tuyên truyền (buổi)",
      "Số lượt người tham gia (lượt người)",
      "Giá trị được tuyên truyền",
      "Phụ nữ, trẻ em gái bị bạo lực gia đình: số được hỗ trợ tiếp cận dịch vụ trợ giúp xã hội",
      "Phụ nữ, trẻ em gái bị bạo lực gia đình: số được phát hiện",
      "Ghi chú",
    ])
      expect(h.has(name), name).toBe(true);
  });

  it("lists only the officer's subtree, in tree order", () => {
    const ws = wb.getWorksheet("Báo cáo tháng chi hội")!;
    const codes: string[] = [];
    ws.getColumn(2).eachCell((cell, row) => {
      if (row > 6 && cell.value) codes.push(String(cell.value));
    });
    // Communes by name (Phương < Thọ), branches by name within each ('vi' collation: đ after d, before t).
    expect(codes).toEqual([
      "NDI-YYE-YPHUONG-CH01",
      "NDI-YYE-YPHUONG-CH03",
      "NDI-YYE-YPHUONG-CH02",
      "NDI-YYE-YTHO-CH02",
      "NDI-YYE-YTHO-CH01",
    ]);
    expect(codes.some((c) => c.startsWith("NDI-XTR"))).toBe(false);
    const communes: string[] = [];
    wb.getWorksheet("Báo cáo 6 tháng cơ sở Hội")!.getColumn(2).eachCell((cell, row) => {
      if (row > 6 && cell.value) communes.push(String(cell.value));
    });
    expect(communes.sort()).toEqual(["NDI-YYE-YPHUONG", "NDI-YYE-YTHO"]);
  });

  it("writes a unit's answers: numbers as numbers, words for yes/no and choices, part and total apart", () => {
    const ws = wb.getWorksheet("Báo cáo tháng chi hội")!;
    const h = headerIndex(ws);
    const row = rowOf(ws, "NDI-YYE-YPHUONG-CH01");
    expect(row.getCell(3).value).toBe("Chi hội điểm (xã Yên Phương)");
    expect(row.getCell(h.get("Đơn vị cấp trên")!).value).toBe("Hội LHPN xã Yên Phương");
    expect(row.getCell(h.get("Tình trạng")!).value).toBe("Đúng hạn");
    // 15/05/2024 09:00 local, stored as a zone-less Excel date.
    expect((row.getCell(h.get("Thời gian gửi")!).value as Date).toISOString()).toBe("2024-05-15T09:00:00.000Z");
    expect(row.getCell(h.get("Thời gian gửi")!).numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(row.getCell(h.get("Tổ chức tuyên truyền 4 giá trị gia đình")!).value).toBe("Có");
    expect(row.getCell(h.get("Số buổi tuyên truyền (buổi)")!).value).toBe(2);
    expect(row.getCell(h.get("Số lượt người tham gia (lượt người)")!).value).toBe(40);
    expect(row.getCell(h.get("Giá trị được tuyên truyền")!).value).toBe("An toàn; Bình đẳng");
    expect(row.getCell(h.get("Phụ nữ, trẻ em gái bị bạo lực gia đình: số được hỗ trợ tiếp cận dịch vụ trợ giúp xã hội")!).value).toBe(1);
    expect(row.getCell(h.get("Phụ nữ, trẻ em gái bị bạo lực gia đình: số được phát hiện")!).value).toBe(2);
    // A skipped question is an empty cell.
    expect(row.getCell(h.get("Ghi chú")!).value).toBeNull();
  });

  it("flags late and missing units", () => {
    const ws = wb.getWorksheet("Báo cáo tháng chi hội")!;
    const status = headerIndex(ws).get("Tình trạng")!;
    const late = rowOf(ws, "NDI-YYE-YPHUONG-CH02").getCell(status);
    expect(late.value).toBe("Trễ hạn");
    expect((late.fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFE8CC");
    const missingRow = rowOf(ws, "NDI-YYE-YPHUONG-CH03");
    expect(missingRow.getCell(status).value).toBe("Chưa báo cáo");
    expect((missingRow.getCell(status).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFDE0DC");
    expect((missingRow.getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFDE0DC");
    expect(missingRow.getCell(status + 1).value).toBeNull();
    // 19:59 on the deadline day is on time.
    expect(rowOf(ws, "NDI-YYE-YTHO-CH02").getCell(status).value).toBe("Đúng hạn");
  });

  it("has subtotals per commune and a grand total equal to the stored reports' sums", async () => {
    const ws = wb.getWorksheet("Báo cáo tháng chi hội")!;
    const h = headerIndex(ws);
    const cols: [string, string, ("part" | "total")?][] = [
      ["Số buổi tuyên truyền (buổi)", "so_buoi"],
      ["Số lượt người tham gia (lượt người)", "so_nguoi"],
      ["Số hộ mới đạt “5 không, 3 sạch” hoặc “5 có, 3 sạch” (hộ)", "ho_dat_moi"],
      ["Phụ nữ, trẻ em gái bị bạo lực gia đình: số được hỗ trợ tiếp cận dịch vụ trợ giúp xã hội", "nan_nhan_blgd", "part"],
      ["Phụ nữ, trẻ em gái bị bạo lực gia đình: số được phát hiện", "nan_nhan_blgd", "total"],
    ];
    const yp = rowLabelled(ws, "Cộng Hội LHPN xã Yên Phương");
    const yt = rowLabelled(ws, "Cộng Hội LHPN xã Yên Thọ");
    const total = rowLabelled(ws, "TỔNG CỘNG");
    for (const [header, q, part] of cols) {
      const c = h.get(header)!;
      expect(c, header).toBeDefined();
      expect(resultOf(yp.getCell(c)), header).toBe(await storedSum("NDI-YYE-YPHUONG", q, part));
      expect(resultOf(yt.getCell(c)), header).toBe(await storedSum("NDI-YYE-YTHO", q, part));
      expect(resultOf(total.getCell(c)), header).toBe(await storedSum("NDI-YYE", q, part));
      expect((total.getCell(c).value as ExcelJS.CellFormulaValue).formula).toMatch(/^SUBTOTAL\(9,[A-Z]+7:[A-Z]+\d+\)$/);
    }
    // Known figures, and nothing from Xuân Trường or from April.
    expect(resultOf(total.getCell(h.get("Số buổi tuyên truyền (buổi)")!))).toBe(6);
    expect(resultOf(total.getCell(h.get("Số lượt người tham gia (lượt người)")!))).toBe(120);
    expect(resultOf(yp.getCell(h.get("Số buổi tuyên truyền (buổi)")!))).toBe(5);
    expect(total.getCell(h.get("Tình trạng")!).value).toBe("Đã báo cáo 4/5");
    expect(yp.getCell(h.get("Tình trạng")!).value).toBe("Đã báo cáo 2/3");
    // The grand total is the last row.
    expect(total.number).toBe(ws.rowCount);
  });

  it("has the indicators against their targets", () => {
    const ws = wb.getWorksheet("Chỉ tiêu")!;
    const header = (ws.getRow(4).values as unknown[]).slice(1);
    expect(header).toEqual(["STT", "Chỉ tiêu", "Biểu mẫu", "Thời gian tính", "Kết quả", "Mức phải đạt", "Đánh giá", "Diễn giải", "Đơn vị chưa đạt", "Căn cứ"]);
    const rows = new Map<string, ExcelJS.Row>();
    for (let r = 5; r <= ws.rowCount; r++) rows.set(String(ws.getRow(r).getCell(2).value), ws.getRow(r));
    const share = rows.get("Tỷ lệ chi hội tổ chức tuyên truyền 4 giá trị gia đình Việt Nam trong tháng")!;
    expect(share.getCell(5).value).toBeCloseTo(0.6); // 3 of the 5 branches said yes
    expect(share.getCell(6).value).toBe(1);
    expect(share.getCell(7).value).toBe("Chưa đạt");
    expect(share.getCell(8).value).toBe("3/5 đơn vị");
    const households = rows.get("Số hộ gia đình mới đạt tiêu chí “5 không, 3 sạch” hoặc “5 có, 3 sạch” của mỗi cơ sở Hội trong năm")!;
    // Year to date: Yên Phương 4 (April) + 1 = 5 ≥ 5; Yên Thọ 2.
    expect(households.getCell(8).value).toBe("1/2 cơ sở Hội đạt từ 5 trở lên");
    expect(households.getCell(9).value).toBe("Hội LHPN xã Yên Thọ");
    expect(households.getCell(4).value).toBe("Từ đầu năm 2024 đến hết tháng 5/2024");
    const victims = rows.get("Tỷ lệ phụ nữ, trẻ em gái bị bạo lực gia đình được phát hiện đã tiếp cận dịch vụ trợ giúp xã hội")!;
    expect(victims.getCell(5).value).toBeCloseTo(0.75);
    expect(victims.getCell(6).value).toBeCloseTo(0.8);
    expect(victims.getCell(7).value).toBe("Chưa đạt");
  });

  it("names the file after the unit and the period", async () => {
    expect(exportFileName({ code: "NDI-YYE" }, MAY)).toBe("vun-dap_NDI-YYE_2024-05.xlsx");
    const out = await exportWorkbook(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, now: NOW });
    expect(out.fileName).toBe("vun-dap_NDI-YYE_2024-05.xlsx"); // the current period at NOW is May
    expect(Buffer.from(out.data.subarray(0, 2)).toString()).toBe("PK"); // a zip container
  });

  it("gives the whole province to a province officer, with district subtotals", async () => {
    const bytes = await buildWorkbook(store, { plan, tree, rootId: tree.byCode("NDI")!.id, period: MAY, now: NOW });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(bytes) as never);
    const ws = book.getWorksheet("Báo cáo tháng chi hội")!;
    const h = headerIndex(ws);
    expect(h.has("Thuộc")).toBe(true); // parent (commune) and district differ
    expect(rowOf(ws, "NDI-XTR-XKIEN-CH01").getCell(h.get("Thuộc")!).value).toBe("Hội LHPN huyện Xuân Trường");
    const total = rowLabelled(ws, "TỔNG CỘNG");
    expect(resultOf(total.getCell(h.get("Số buổi tuyên truyền (buổi)")!))).toBe(await storedSum("NDI", "so_buoi"));
    expect(resultOf(rowLabelled(ws, "Cộng Hội LHPN huyện Xuân Trường").getCell(h.get("Số buổi tuyên truyền (buổi)")!))).toBe(4);
    expect(REPORTS.length).toBeGreaterThan(0);
  });
});
