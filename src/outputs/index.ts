/** Pictures, spreadsheets and the periodic report (see each module). */
export { CHART_WIDTH, chartFileName, MAX_CHILDREN, progressChartSvg, renderProgressChart, svgToPng, type ChartOptions, type RenderedChart } from "./chart.js";
export { loadExportData, NoExportFormError, type ExportData, type ExportOptions, type FormSection, type UnitRowData } from "./data.js";
export { FONT_FAMILY, FONT_FILES } from "./fonts.js";
export { draftDocumentFromData, draftPasteText, draftPeriodicReport, draftReminder, draftText, loadDraftData, type DraftDocument, type PeriodicReportOptions } from "./periodic-report.js";
export { buildWorkbook, exportFileName, exportWorkbook, workbookFromData, XLSX_MIME, type WorkbookOptions } from "./workbook.js";
