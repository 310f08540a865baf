/**
 * /xuat: the officer's subtree as an Excel workbook (exceljs).
 *
 * - One sheet per form answered in the subtree (see data.ts for forms and periods): a title block
 *   (form, period, deadline, unit, counts), then one row per unit that must answer: STT, code,
 *   name, parent unit, the root's child it lies under ("Thuộc", left out when it is always the
 *   parent), status ("Đúng hạn" / "Trễ hạn" / "Chưa báo cáo", late and missing rows filled),
 *   time sent (local time), then one column per question with the answer formatted: numbers as
 *   numbers, yes/no as "Có"/"Không", choices by label, dates as dates, part_of_total as two
 *   number columns (part, total).
 * - Subtotal rows per child of the root ("Cộng …", when a group has several rows) and a grand total
 *   ("TỔNG CỘNG"): SUBTOTAL(9, …) over the number columns, which Excel and LibreOffice compute
 *   without counting the nested subtotals twice; each formula carries its computed result, so the
 *   values show even where formulas are not recalculated.
 * - A "Chỉ tiêu" sheet: every indicator of those forms, its value, target and đạt / chưa đạt,
 *   from the same Progress as /tiendo.
 * - An "Ảnh minh chứng" sheet when photo answers exist: one row per photo (unit, form, question,
 *   its number), the link to its copy on the web dashboard (`photoBaseUrl`; the dashboard checks
 *   the viewer's subtree) and whether the copy is stored. A photo answer's cell says "3 ảnh".
 * Every header and word comes from locales/<lng>/outputs.json.
 */
import { currentLanguage } from "../i18n.js";
import ExcelJS from "exceljs";
import { indicatorCells } from "./indicator-cells.js";
export { indicatorCells };
import { t, type Language } from "../i18n.js";
import { localIsoDate, localTimeText, periodLabel, type Period } from "../domain/periods.js";
import { percentText } from "../domain/progress-text.js";
import type { IndicatorResult } from "../domain/progress.js";
import type { UnitNode } from "../domain/types.js";
import { formatDate, formatNumber, NO_WORD, YES_WORD } from "../domain/vi/format.js";
import type { AnswerValue, PhotoRef, Question } from "../plan/schema.js";
import { photoKey, photosOf, type PhotoFile } from "../store/photos.js";
import type { Store } from "../store/database.js";
import { safeFilePart } from "./files.js";
import { loadExportData, reportingParams, type ExportData, type ExportOptions, type FormSection, type RowStatus } from "./data.js";
import { questionLabel } from "./labels.js";

export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export interface WorkbookOptions extends ExportOptions {
  lng?: Language;
  /** The web dashboard's base URL: photo links point at `<base>/web/anh/<id>`; absent: no links. */
  photoBaseUrl?: string;
}

/** The photos of the workbook's photo answers: their stored rows and where the dashboard serves them. */
export interface WorkbookPhotos {
  rows: Map<string, PhotoFile>;
  baseUrl?: string;
}

/** The photo references of an answer (a photo question's value). */
function photoRefs(value: unknown): PhotoRef[] {
  return Array.isArray(value)
    ? (value as unknown[]).filter((x): x is PhotoRef => typeof x === "object" && x !== null && typeof (x as PhotoRef).uniqueId === "string")
    : [];
}

/** Local wall-clock offset of the plan's time zone (UTC+7, no DST), for Excel's zone-less dates. */
const LOCAL_OFFSET_MS = 7 * 3_600_000;

const FILL = {
  header: "FFDCE6F1",
  late: "FFFFE8CC",
  missing: "FFFDE0DC",
  subtotal: "FFF2F2F2",
  total: "FFD9D9D9",
  met: "FFDFF0D8",
  notMet: "FFFDE0DC",
} as const;

const STATUS_FONT: Record<RowStatus, string> = { on_time: "FF2E7D32", late: "FFB45F06", missing: "FFC62828" };

/** "vun-dap_NDI-YYE_2024-05.xlsx" */
export function exportFileName(unit: Pick<UnitNode, "code">, period: Pick<Period, "key">): string {
  return `vun-dap_${safeFilePart(unit.code)}_${safeFilePart(period.key)}.xlsx`;
}

function solid(argb: string): ExcelJS.Fill {
  return { type: "pattern", pattern: "solid", fgColor: { argb } };
}

/** Excel sheet names: at most 31 characters, none of []:*?/\ , unique. */
function sheetName(wanted: string, used: Set<string>): string {
  const clean = wanted.replace(/[[\]:*?/\\]/g, " ").replace(/\s+/g, " ").trim() || "Sheet";
  for (let i = 1; ; i++) {
    const suffix = i === 1 ? "" : ` (${i})`;
    const name = clean.slice(0, 31 - suffix.length).trimEnd() + suffix;
    if (!used.has(name.toLowerCase())) {
      used.add(name.toLowerCase());
      return name;
    }
  }
}

/** A column of answers: which question, and for part_of_total which half. */
interface AnswerColumn {
  q: Question;
  part?: "part" | "total";
  header: string;
  numeric: boolean;
  width: number;
}

function answerColumns(section: FormSection, lng: Language): AnswerColumn[] {
  const out: AnswerColumn[] = [];
  for (const q of section.form.questions) {
    const label = questionLabel(section.form, q, lng);
    switch (q.type) {
      case "integer":
      case "decimal":
        out.push({ q, header: q.unit ? `${label} (${q.unit})` : label, numeric: true, width: 16 });
        break;
      case "part_of_total":
        out.push({ q, part: "part", header: t("outputs:sheet.part", { label, what: q.partLabel }, lng), numeric: true, width: 18 });
        out.push({ q, part: "total", header: t("outputs:sheet.part", { label, what: q.totalLabel }, lng), numeric: true, width: 18 });
        break;
      case "text":
        out.push({ q, header: label, numeric: false, width: 40 });
        break;
      case "multi_choice":
        out.push({ q, header: label, numeric: false, width: 32 });
        break;
      default:
        out.push({ q, header: label, numeric: false, width: 16 });
    }
  }
  return out;
}

/** The cell value of an answer. */
function answerCell(col: AnswerColumn, value: AnswerValue | undefined): ExcelJS.CellValue {
  if (value === undefined || value === null) return null;
  const q = col.q;
  switch (q.type) {
    case "integer":
    case "decimal":
      return typeof value === "number" ? value : String(value);
    case "part_of_total":
      if (typeof value === "object" && !Array.isArray(value)) return col.part === "total" ? value.total : value.part;
      return String(value);
    case "yes_no":
      return typeof value === "boolean" ? (value ? YES_WORD : NO_WORD) : String(value);
    case "single_choice":
      return typeof value === "string" ? (q.choices.find((c) => c.key === value)?.label ?? value) : String(value);
    case "multi_choice":
      return Array.isArray(value) ? value.map((k) => q.choices.find((c) => c.key === k)?.label ?? k).join("; ") : String(value);
    case "date": {
      const m = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
      return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : String(value);
    }
    case "text":
      return String(value);
    case "photo":
      return Array.isArray(value) ? t("outputs:photos.count", { count: value.length }) : String(value);
  }
}

/** An instant as a zone-less Excel date showing the local wall-clock time. */
function localExcelDate(instant: Date): Date {
  return new Date(instant.getTime() + LOCAL_OFFSET_MS);
}

function colLetter(n: number): string {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const HEADER_ROW = 6;

function addFormSheet(wb: ExcelJS.Workbook, data: ExportData, section: FormSection, used: Set<string>, lng: Language): void {
  const { form, period, progress: p } = section;
  const ws = wb.addWorksheet(sheetName(form.shortTitle ?? form.title, used), {
    views: [{ state: "frozen", xSplit: 3, ySplit: HEADER_ROW }],
    pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  });
  const cols = answerColumns(section, lng);
  // "Thuộc": the root's child above the unit, when it says more than the parent column.
  const groupOf = (r: (typeof section.rows)[number]) => (r.group && r.group.id !== r.unit.id ? r.group : null);
  const showGroup = section.rows.some((r) => groupOf(r) !== null && groupOf(r)!.id !== r.parent?.id);
  const fixed: { header: string; width: number }[] = [
    { header: t("outputs:sheet.col.index", {}, lng), width: 6 },
    { header: t("outputs:sheet.col.code", {}, lng), width: 22 },
    { header: t("outputs:sheet.col.name", {}, lng), width: 34 },
    { header: t("outputs:sheet.col.parent", {}, lng), width: 30 },
    ...(showGroup ? [{ header: t("outputs:sheet.col.group", {}, lng), width: 28 }] : []),
    { header: t("outputs:sheet.col.status", {}, lng), width: 16 },
    { header: t("outputs:sheet.col.submittedAt", {}, lng), width: 18 },
  ];
  const nFixed = fixed.length;
  const statusCol = nFixed - 1;
  const sentCol = nFixed;
  const lastCol = nFixed + cols.length;
  ws.columns = [...fixed.map((c) => ({ width: c.width })), ...cols.map((c) => ({ width: c.width }))];

  // Title block.
  ws.getCell(1, 1).value = form.title;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = t("outputs:sheet.period", {
    period: periodLabel(period, lng),
    time: localTimeText(section.due),
    date: formatDate(localIsoDate(section.due)),
  }, lng);
  ws.getCell(3, 1).value =
    p.expected === 0
      ? t("outputs:sheet.unitOnly", { unit: data.root.name }, lng)
      : t("outputs:sheet.unit", { unit: data.root.name, ...reportingParams(p) }, lng);
  ws.getCell(4, 1).value = t("outputs:sheet.exported", { time: localTimeText(data.now), date: formatDate(localIsoDate(data.now)) }, lng);
  ws.getCell(4, 1).font = { italic: true, color: { argb: "FF666666" } };

  // Header.
  const header = ws.getRow(HEADER_ROW);
  header.values = [...fixed.map((c) => c.header), ...cols.map((c) => c.header)];
  header.height = 60;
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
    cell.fill = solid(FILL.header);
    cell.border = { top: { style: "thin" }, bottom: { style: "thin" }, left: { style: "thin" }, right: { style: "thin" } };
  });
  cols.forEach((c, i) => {
    const note = [c.q.text, c.q.hint].filter(Boolean).join("\n");
    if (note) ws.getCell(HEADER_ROW, nFixed + 1 + i).note = note;
  });
  if (section.rows.length === 0) {
    ws.getCell(HEADER_ROW + 1, 1).value = t("outputs:sheet.noUnits", {}, lng);
    return;
  }

  // Rows, grouped by the root's child.
  const groups: { group: UnitNode | null; rows: typeof section.rows }[] = [];
  for (const r of section.rows) {
    const last = groups[groups.length - 1];
    if (last && (last.group?.id ?? null) === (r.group?.id ?? null)) last.rows.push(r);
    else groups.push({ group: r.group, rows: [r] });
  }
  const subtotals = groups.length > 1 && groups.some((g) => g.rows.length > 1);
  const numericIdx = cols.flatMap((c, i) => (c.numeric ? [i] : []));
  const firstData = HEADER_ROW + 1;
  let rowNo = firstData;
  let index = 0;

  const sumRow = (label: string, from: number, to: number, rows: typeof section.rows, kind: "subtotal" | "total") => {
    const row = ws.getRow(rowNo++);
    row.getCell(3).value = label;
    const received = rows.filter((r) => r.report !== null).length;
    row.getCell(statusCol).value = t("outputs:sheet.reportedCount", { received: formatNumber(received), expected: formatNumber(rows.length) }, lng);
    for (const i of numericIdx) {
      const c = nFixed + 1 + i;
      const col = cols[i]!;
      let sum = 0;
      for (const r of rows) {
        const v = answerCell(col, r.report?.answers[col.q.key]);
        if (typeof v === "number") sum += v;
      }
      const letter = colLetter(c);
      row.getCell(c).value = { formula: `SUBTOTAL(9,${letter}${from}:${letter}${to})`, result: sum };
      row.getCell(c).numFmt = col.q.type === "decimal" ? "#,##0.##" : "#,##0";
    }
    for (let c = 1; c <= lastCol; c++) {
      const cell = row.getCell(c);
      cell.font = { bold: true };
      cell.fill = solid(kind === "total" ? FILL.total : FILL.subtotal);
      cell.border = { top: { style: "thin" }, bottom: { style: kind === "total" ? "double" : "thin" } };
    }
  };

  for (const g of groups) {
    const from = rowNo;
    for (const r of g.rows) {
      const row = ws.getRow(rowNo++);
      const values: ExcelJS.CellValue[] = [
        ++index,
        r.unit.code,
        r.unit.name,
        r.parent?.name ?? null,
        ...(showGroup ? [groupOf(r)?.name ?? null] : []),
        t(`outputs:status.${r.status}`, {}, lng),
        r.report ? localExcelDate(r.report.submittedAt) : null,
        ...cols.map((c) => (r.report ? answerCell(c, r.report.answers[c.q.key]) : null)),
      ];
      row.values = values;
      row.getCell(sentCol).numFmt = "dd/mm/yyyy hh:mm";
      cols.forEach((c, i) => {
        const cell = row.getCell(nFixed + 1 + i);
        if (c.numeric) cell.numFmt = c.q.type === "decimal" ? "#,##0.##" : "#,##0";
        else if (c.q.type === "date") cell.numFmt = "dd/mm/yyyy";
        else if (c.q.type === "text" || c.q.type === "multi_choice") cell.alignment = { wrapText: true, vertical: "top" };
      });
      const status = row.getCell(statusCol);
      status.font = { bold: r.status !== "on_time", color: { argb: STATUS_FONT[r.status] } };
      if (r.status === "late") status.fill = solid(FILL.late);
      if (r.status === "missing") for (let c = 1; c <= lastCol; c++) row.getCell(c).fill = solid(FILL.missing);
    }
    if (subtotals) sumRow(t("outputs:sheet.subtotal", { group: g.group?.name ?? data.root.name }, lng), from, rowNo - 1, g.rows, "subtotal");
  }
  sumRow(t("outputs:sheet.total", {}, lng), firstData, rowNo - 1, section.rows, "total");
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW, column: lastCol } };
}

function windowText(r: IndicatorResult, period: Period, data: ExportData, lng: Language): string {
  const label = periodLabel(period, lng);
  switch (r.indicator.window) {
    case "period":
      return label;
    case "year":
      return t("outputs:indicators.window.year", { period: label, year: localIsoDate(r.window.start).slice(0, 4) }, lng);
    case "plan":
      return t("outputs:indicators.window.plan", { period: label, start: formatDate(data.plan.start) }, lng);
  }
}


function addIndicatorSheet(wb: ExcelJS.Workbook, data: ExportData, used: Set<string>, lng: Language): void {
  const ws = wb.addWorksheet(sheetName(t("outputs:indicators.sheet", {}, lng), used), {
    views: [{ state: "frozen", ySplit: 4 }],
    pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  });
  ws.columns = [6, 60, 28, 34, 14, 14, 16, 30, 50, 60].map((width) => ({ width }));
  ws.getCell(1, 1).value = t("outputs:indicators.title", { unit: data.root.name, period: periodLabel(data.reference, lng) }, lng);
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = t("outputs:sheet.exported", { time: localTimeText(data.now), date: formatDate(localIsoDate(data.now)) }, lng);
  ws.getCell(2, 1).font = { italic: true, color: { argb: "FF666666" } };
  const header = ws.getRow(4);
  header.values = ["index", "name", "form", "window", "value", "target", "result", "detail", "notMeeting", "source"].map((k) =>
    t(`outputs:indicators.col.${k}`, {}, lng),
  );
  header.height = 36;
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
    cell.fill = solid(FILL.header);
  });
  let rowNo = 5;
  let index = 0;
  for (const section of data.sections) {
    for (const r of section.progress.indicators) {
      const cells = indicatorCells(r, lng);
      const row = ws.getRow(rowNo++);
      const notMeeting = r.detail.unitsNotMeeting ?? [];
      const names = notMeeting.slice(0, 50).map((u) => u.name).join(", ");
      row.values = [
        ++index,
        r.indicator.name,
        section.form.shortTitle ?? section.form.title,
        windowText(r, section.period, data, lng),
        cells.value,
        cells.target,
        cells.verdict,
        cells.detail,
        notMeeting.length > 50 ? t("outputs:indicators.andMore", { list: names, count: notMeeting.length - 50 }, lng) : names,
        r.indicator.source ?? "",
      ];
      const fmt = cells.percent ? "0.0%" : "#,##0.##";
      row.getCell(5).numFmt = fmt;
      row.getCell(6).numFmt = fmt;
      row.getCell(7).fill = solid(r.met === null ? FILL.subtotal : r.met ? FILL.met : FILL.notMet);
      row.getCell(7).font = { bold: true };
      for (const c of [2, 4, 8, 9, 10]) row.getCell(c).alignment = { wrapText: true, vertical: "top" };
    }
  }
  if (index === 0) ws.getCell(5, 1).value = t("outputs:indicators.none", {}, lng);
}

function addPhotoSheet(wb: ExcelJS.Workbook, data: ExportData, photos: WorkbookPhotos, used: Set<string>, lng: Language): void {
  const items = data.sections.flatMap((section) =>
    section.form.questions
      .filter((q) => q.type === "photo")
      .flatMap((q) => section.rows.flatMap((r) => photoRefs(r.report?.answers[q.key]).map((ref, i) => ({ section, q, r, ref, n: i + 1 })))),
  );
  if (items.length === 0) return;
  const ws = wb.addWorksheet(sheetName(t("outputs:photos.sheet", {}, lng), used), { views: [{ state: "frozen", ySplit: 4 }] });
  ws.columns = [6, 22, 34, 30, 34, 8, 48, 40].map((width) => ({ width }));
  ws.getCell(1, 1).value = t("outputs:photos.title", { unit: data.root.name, period: periodLabel(data.reference, lng) }, lng);
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = photos.baseUrl ? t("outputs:photos.note", {}, lng) : t("outputs:photos.noWeb", {}, lng);
  ws.getCell(2, 1).font = { italic: true, color: { argb: "FF666666" } };
  const header = ws.getRow(4);
  header.values = ["index", "code", "name", "form", "question", "n", "link", "status"].map((k) => t(`outputs:photos.col.${k}`, {}, lng));
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
    cell.fill = solid(FILL.header);
  });
  let rowNo = 5;
  items.forEach(({ section, q, r, ref, n }, i) => {
    const stored = photos.rows.get(photoKey(ref));
    const url = stored && photos.baseUrl ? `${photos.baseUrl.replace(/\/+$/, "")}/web/anh/${stored.id}` : null;
    const status = !stored
      ? t("outputs:photos.status.unknown", {}, lng)
      : stored.status === "failed"
        ? t("outputs:photos.status.failed", { reason: t(`outputs:photos.reason.${(stored.reason ?? "").split(":")[0] || "gave_up"}`, { defaultValue: stored.reason ?? "" }, lng) }, lng)
        : t(`outputs:photos.status.${stored.status}`, {}, lng);
    const row = ws.getRow(rowNo++);
    row.values = [i + 1, r.unit.code, r.unit.name, section.form.shortTitle ?? section.form.title, questionLabel(section.form, q, lng), n, url ? { text: url, hyperlink: url } : "—", status];
    if (url) row.getCell(7).font = { color: { argb: "FF0563C1" }, underline: true };
  });
}

/** The workbook of already loaded export data (with `photos`: the photo sheet's links and states). */
export async function workbookFromData(data: ExportData, lng: Language = currentLanguage(), photos?: WorkbookPhotos): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Vun Đắp";
  wb.created = data.now;
  // Excel recomputes the subtotals on opening (the cached results are there for other readers).
  wb.calcProperties.fullCalcOnLoad = true;
  const used = new Set<string>();
  for (const section of data.sections) addFormSheet(wb, data, section, used, lng);
  addIndicatorSheet(wb, data, used, lng);
  addPhotoSheet(wb, data, photos ?? { rows: new Map() }, used, lng);
  const buf: unknown = await wb.xlsx.writeBuffer();
  return buf instanceof Uint8Array ? buf : new Uint8Array(buf as ArrayBuffer);
}

/** The workbook of the officer's subtree for a period (see the module comment). */
export async function buildWorkbook(store: Store, opts: WorkbookOptions): Promise<Uint8Array> {
  return (await exportWorkbook(store, opts)).data;
}

/** The workbook with its file name and the data it was made of (for the /xuat caption). */
export async function exportWorkbook(
  store: Store,
  opts: WorkbookOptions,
): Promise<{ data: Uint8Array; fileName: string; mime: string; export: ExportData }> {
  const exp = await loadExportData(store, opts);
  const refs = exp.sections.flatMap((s) =>
    s.form.questions.filter((q) => q.type === "photo").flatMap((q) => s.rows.flatMap((r) => photoRefs(r.report?.answers[q.key]))),
  );
  const photos: WorkbookPhotos = { rows: await photosOf(store, refs), ...(opts.photoBaseUrl ? { baseUrl: opts.photoBaseUrl } : {}) };
  const data = await workbookFromData(exp, opts.lng, photos);
  return { data, fileName: exportFileName(exp.root, exp.reference), mime: XLSX_MIME, export: exp };
}
