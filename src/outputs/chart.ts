/**
 * The /tiendo picture: a Progress (src/domain/progress.ts) drawn as a PNG readable on a phone.
 *
 * - Header: unit, form and period, the counts (reported, on time) and the deadline.
 * - "Tỷ lệ báo cáo theo đơn vị trực thuộc": one horizontal bar per direct child unit (reported /
 *   expected), lowest rate first (the units that need a push are on top), with "X/Y · Z%" in a
 *   column on the right. At most MAX_CHILDREN bars; the rest is said as "và N đơn vị khác".
 * - "Chỉ tiêu": one bar per indicator as a share of its target (a bullet chart: the dashed line is
 *   the target, 100%), with the value against the target and đạt / chưa đạt on the right.
 *
 * Drawn with ECharts' server-side SVG renderer (no DOM, no canvas), rasterised by resvg with the
 * font of fonts.ts loaded explicitly (no system font), so the picture is the same on every
 * machine. ECharts measures text with the same font's advance widths (setPlatformAPI).
 * Width 1080 px; the height grows with the rows (at most about 2,700 px).
 */
import { currentLanguage } from "../i18n.js";
import { renderAsync } from "@resvg/resvg-js";
import { BarChart } from "echarts/charts";
import { GraphicComponent, GridComponent, MarkLineComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { t, type Language } from "../i18n.js";
import { localIsoDate, localTimeText, periodLabel } from "../domain/periods.js";
import { percentText } from "../domain/progress-text.js";
import { compareUnitNames, type ChildProgress, type IndicatorResult, type Progress } from "../domain/progress.js";
import { formatDate, formatNumber } from "../domain/vi/format.js";
import { safeFilePart } from "./files.js";
import { FONT_FAMILY, measureText, resvgFontOptions } from "./fonts.js";

echarts.use([BarChart, GridComponent, MarkLineComponent, GraphicComponent, SVGRenderer]);
echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: measureText(text, font) }) });

export const CHART_WIDTH = 1080;
/** Bars of child units drawn at most; the others are counted in one line. */
export const MAX_CHILDREN = 25;
/** Indicators drawn at most. */
export const MAX_INDICATORS = 10;

export interface ChartOptions {
  lng?: Language;
}

export interface RenderedChart {
  png: Uint8Array;
  width: number;
  height: number;
}

const COLORS = {
  text: "#1f2933",
  muted: "#5f6b7a",
  grid: "#e4e7eb",
  track: "#eef1f4",
  good: "#2e7d32",
  fair: "#ef8f00",
  poor: "#c62828",
  none: "#9aa5b1",
  target: "#263238",
  background: "#ffffff",
};

const PAD = 40;
/** Widest column of names (child units: as wide as the longest name needs, at least MIN_LABEL_WIDTH). */
const LABEL_WIDTH = 400;
const MIN_LABEL_WIDTH = 200;
const VALUE_WIDTH = 230;
const LABEL_GAP = 16;
const BAR_RIGHT = PAD + VALUE_WIDTH + 16;
const CHILD_ROW = 56;
const LINE = 28;

/** "Hội LHPN huyện Ý Yên" → "Huyện Ý Yên": the common prefix says nothing on a chart. */
export function shortUnitName(name: string): string {
  const s = name.replace(/^(?:Hội\s+(?:LHPN|Liên hiệp Phụ nữ|Liên hiệp phụ nữ)\s+)/u, "").trim();
  return s ? s.charAt(0).toLocaleUpperCase("vi") + s.slice(1) : name;
}

/** Cut a text to fit `width` px in `font`, with "…". */
function fit(text: string, width: number, font: string): string {
  if (measureText(text, font) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measureText(`${text.slice(0, mid).trimEnd()}…`, font) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo).trimEnd()}…`;
}

/** Word-wrap into at most `maxLines` lines of `width` px; the last line ends with "…" when cut. */
function wrap(text: string, width: number, font: string, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = "";
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = cur ? `${cur} ${w}` : w;
    if (measureText(next, font) <= width || !cur) {
      cur = next;
      continue;
    }
    lines.push(cur);
    cur = w;
    if (lines.length === maxLines - 1) {
      const rest = words.slice(i).join(" ");
      lines.push(fit(rest, width, font));
      return lines;
    }
  }
  if (cur) lines.push(fit(cur, width, font));
  return lines;
}

function font(size: number, bold = false): string {
  return `${bold ? "bold " : ""}${size}px ${FONT_FAMILY}`;
}

function rateColor(rate: number): string {
  if (rate >= 0.9) return COLORS.good;
  if (rate >= 0.5) return COLORS.fair;
  return COLORS.poor;
}

interface IndicatorRow {
  lines: string[];
  /** Bar length: share of the target, in % (null: no data). */
  percent: number | null;
  value: string;
  verdict: string;
  color: string;
}

function indicatorRow(r: IndicatorResult, lng: Language): IndicatorRow {
  const ind = r.indicator;
  const lines = wrap(`${ind.name}${t(`progress:text.window.${ind.window}`, {}, lng)}`, LABEL_WIDTH, font(20), 3);
  const verdict =
    r.met === null ? t("outputs:chart.noData", {}, lng) : t(r.met ? "outputs:chart.met" : "outputs:chart.notMet", {}, lng);
  const color = r.met === null ? COLORS.none : r.met ? COLORS.good : COLORS.poor;
  if (r.value === null) return { lines, percent: null, value: "—", verdict, color };
  const d = r.detail;
  if (ind.target.per) {
    const share = d.share ?? null;
    return {
      lines,
      percent: share === null ? null : share * 100,
      value: t("outputs:chart.perValue", {
        meeting: formatNumber(d.unitsMeeting ?? 0),
        counted: formatNumber(d.unitsCounted ?? 0),
        kind: t(`progress:kind.${ind.target.per}`, {}, lng),
      }, lng),
      verdict,
      color,
    };
  }
  if (ind.measure === "sum") {
    const percent = r.target > 0 ? (r.value / r.target) * 100 : 100; // a target of 0 is always met
    return { lines, percent, value: t("outputs:chart.vsTarget", { value: formatNumber(r.value), target: formatNumber(r.target) }, lng), verdict, color };
  }
  const percent = r.target > 0 ? (r.value / r.target) * 100 : 100;
  return { lines, percent, value: t("outputs:chart.vsTarget", { value: percentText(r.value), target: percentText(r.target) }, lng), verdict, color };
}

/** Children in the order drawn: lowest reporting rate first, then fewest reports, then by name. */
export function sortChildren(children: readonly ChildProgress[]): ChildProgress[] {
  return [...children].sort((a, b) => a.rate - b.rate || a.received - b.received || compareUnitNames(a.unit, b.unit));
}

type GraphicElement = Record<string, unknown>;

function text(x: number, y: number, content: string, size: number, opts: { bold?: boolean; fill?: string; align?: "left" | "right" } = {}): GraphicElement {
  return {
    type: "text",
    x,
    y,
    silent: true,
    style: {
      text: content,
      fontFamily: FONT_FAMILY,
      fontSize: size,
      fontWeight: opts.bold ? "bold" : "normal",
      fill: opts.fill ?? COLORS.text,
      align: opts.align ?? "left",
      verticalAlign: "middle",
    },
  };
}

/** The ECharts option and the picture's height for a Progress (exported for tests). */
export function progressChartOption(progress: Progress, options: ChartOptions = {}): { option: echarts.EChartsCoreOption; width: number; height: number } {
  const lng = options.lng ?? currentLanguage();
  const p = progress;
  const graphic: GraphicElement[] = [];
  const grids: Record<string, unknown>[] = [];
  const xAxes: Record<string, unknown>[] = [];
  const yAxes: Record<string, unknown>[] = [];
  const series: Record<string, unknown>[] = [];
  const contentWidth = CHART_WIDTH - 2 * PAD;

  // Header.
  let y = PAD + 18;
  graphic.push(text(PAD, y, fit(t("outputs:chart.title", { unit: p.unit.name }, lng), contentWidth, font(36, true)), 36, { bold: true }));
  y += 50;
  graphic.push(text(PAD, y, fit(t("outputs:chart.subtitle", { form: p.form.shortTitle ?? p.form.title, period: periodLabel(p.period, lng) }, lng), contentWidth, font(24)), 24, { fill: COLORS.muted }));
  y += 40;
  const dueText = t("outputs:chart.due", { time: localTimeText(p.due), date: formatDate(localIsoDate(p.due)) }, lng);
  if (p.expected === 0) {
    graphic.push(text(PAD, y, fit(t("outputs:chart.nothingExpected", {}, lng), contentWidth, font(24)), 24));
  } else {
    graphic.push(text(PAD, y, fit(t("outputs:chart.summary", {
      received: formatNumber(p.received),
      expected: formatNumber(p.expected),
      rate: percentText(p.reportingRate ?? 0),
      onTime: formatNumber(p.onTime),
      onTimeRate: percentText(p.onTimeRate ?? 0),
    }, lng), contentWidth, font(24, true)), 24, { bold: true }));
  }
  y += 38;
  graphic.push(text(PAD, y, fit(dueText, contentWidth, font(22)), 22, { fill: COLORS.muted }));
  y += 30;

  // Children.
  const kids = sortChildren(p.children);
  if (kids.length > 0) {
    y += 36;
    graphic.push(text(PAD, y, t("outputs:chart.children", {}, lng), 28, { bold: true }));
    y += 30;
    const shown = kids.slice(0, MAX_CHILDREN);
    const labels = shown.map((c) => fit(shortUnitName(c.unit.name), LABEL_WIDTH, font(22)));
    const labelWidth = Math.max(MIN_LABEL_WIDTH, ...labels.map((l) => Math.ceil(measureText(l, font(22)))));
    const top = y;
    const height = shown.length * CHILD_ROW;
    const gi = grids.length;
    const left = PAD + labelWidth + LABEL_GAP;
    grids.push({ left, width: CHART_WIDTH - left - BAR_RIGHT, top, height, outerBoundsMode: "none" });
    xAxes.push(percentAxis(gi, 100));
    yAxes.push(labelAxis(gi, labels, { fontSize: 22 }));
    series.push({
      type: "bar",
      xAxisIndex: gi,
      yAxisIndex: gi,
      barWidth: 30,
      showBackground: true,
      backgroundStyle: { color: COLORS.track },
      data: shown.map((c) => ({ value: Math.round(c.rate * 1000) / 10, itemStyle: { color: rateColor(c.rate) } })),
    });
    shown.forEach((c, i) => {
      graphic.push(text(CHART_WIDTH - PAD, top + (i + 0.5) * CHILD_ROW, t("outputs:chart.childValue", {
        received: formatNumber(c.received),
        expected: formatNumber(c.expected),
        rate: percentText(c.rate),
      }, lng), 22, { align: "right", bold: true, fill: rateColor(c.rate) }));
    });
    y = top + height + 34; // the value axis labels
    if (kids.length > shown.length) {
      y += 30;
      graphic.push(text(PAD, y, t("outputs:chart.more", { count: kids.length - shown.length, countText: formatNumber(kids.length - shown.length) }, lng), 22, { fill: COLORS.muted }));
    }
    y += 10;
  }

  // Indicators.
  const rows = p.indicators.slice(0, MAX_INDICATORS).map((r) => indicatorRow(r, lng));
  if (rows.length > 0) {
    y += 44;
    graphic.push(text(PAD, y, t("outputs:chart.indicators", {}, lng), 28, { bold: true }));
    y += 22;
    const maxLines = Math.max(...rows.map((r) => r.lines.length));
    const rowH = Math.max(70, maxLines * LINE + 22);
    const top = y + 10;
    const height = rows.length * rowH;
    const maxPercent = Math.max(100, ...rows.map((r) => r.percent ?? 0));
    const axisMax = Math.min(150, Math.ceil(maxPercent / 25) * 25);
    const gi = grids.length;
    const labelWidth = Math.max(MIN_LABEL_WIDTH, ...rows.flatMap((r) => r.lines.map((l) => Math.ceil(measureText(l, font(20))))));
    const left = PAD + labelWidth + LABEL_GAP;
    grids.push({ left, width: CHART_WIDTH - left - BAR_RIGHT, top, height, outerBoundsMode: "none" });
    xAxes.push(percentAxis(gi, axisMax));
    yAxes.push(labelAxis(gi, rows.map((r) => r.lines.join("\n")), { fontSize: 20, lineHeight: LINE }));
    series.push({
      type: "bar",
      xAxisIndex: gi,
      yAxisIndex: gi,
      barWidth: 26,
      showBackground: true,
      backgroundStyle: { color: COLORS.track },
      data: rows.map((r) => ({ value: r.percent === null ? 0 : Math.min(axisMax, Math.round(r.percent * 10) / 10), itemStyle: { color: r.color } })),
      markLine: {
        silent: true,
        symbol: "none",
        lineStyle: { color: COLORS.target, type: "dashed", width: 3 },
        label: { show: false },
        data: [{ xAxis: 100 }],
      },
    });
    rows.forEach((r, i) => {
      const cy = top + (i + 0.5) * rowH;
      graphic.push(text(CHART_WIDTH - PAD, cy - 13, fit(r.value, VALUE_WIDTH, font(22, true)), 22, { align: "right", bold: true }));
      graphic.push(text(CHART_WIDTH - PAD, cy + 15, r.verdict, 20, { align: "right", fill: r.color, bold: true }));
    });
    y = top + height + 34;
    if (p.indicators.length > rows.length) {
      y += 30;
      graphic.push(text(PAD, y, t("outputs:chart.moreIndicators", { count: p.indicators.length - rows.length }, lng), 22, { fill: COLORS.muted }));
    }
  }

  // Footer.
  y += 44;
  graphic.push(text(PAD, y, t("outputs:chart.footer", { time: localTimeText(p.now), date: formatDate(localIsoDate(p.now)) }, lng), 18, { fill: COLORS.muted }));
  const height = Math.ceil(y + PAD);

  const option: echarts.EChartsCoreOption = {
    animation: false,
    backgroundColor: COLORS.background,
    textStyle: { fontFamily: FONT_FAMILY },
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
    graphic: { elements: graphic },
  };
  return { option, width: CHART_WIDTH, height };
}

/** The chart as an SVG document (fonts referenced by name). */
export function progressChartSvg(progress: Progress, options: ChartOptions = {}): { svg: string; width: number; height: number } {
  const { option, width, height } = progressChartOption(progress, options);
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(option);
    return { svg: chart.renderToSVGString(), width, height };
  } finally {
    chart.dispose();
  }
}

/** An SVG to PNG with the bundled font only (off the main thread). */
export async function svgToPng(svg: string, opts: { loadFonts?: boolean } = {}): Promise<RenderedChart> {
  const fontOpts = opts.loadFonts === false ? { loadSystemFonts: false } : resvgFontOptions();
  const image = await renderAsync(svg, { font: fontOpts, background: COLORS.background, logLevel: "off" });
  return { png: new Uint8Array(image.asPng()), width: image.width, height: image.height };
}

/** The /tiendo picture as a PNG. */
export async function renderProgressChart(progress: Progress, options: ChartOptions = {}): Promise<RenderedChart> {
  const { svg } = progressChartSvg(progress, options);
  return svgToPng(svg);
}

/** "tien-do_NDI-YYE_2024-05.png" */
export function chartFileName(progress: Progress): string {
  return `tien-do_${safeFilePart(progress.unit.code)}_${safeFilePart(progress.period.key)}.png`;
}

/** A 0–max % value axis with ticks every 25 %. */
function percentAxis(gridIndex: number, max: number) {
  return {
    type: "value" as const,
    gridIndex,
    min: 0,
    max,
    interval: 25,
    axisLabel: { formatter: "{value}%", fontSize: 18, color: COLORS.muted, fontFamily: FONT_FAMILY },
    splitLine: { lineStyle: { color: COLORS.grid } },
  };
}

/** A category axis of row labels, top to bottom, without ticks or line. */
function labelAxis(gridIndex: number, data: string[], label: { fontSize: number; lineHeight?: number }) {
  return {
    type: "category" as const,
    gridIndex,
    inverse: true,
    data,
    axisTick: { show: false },
    axisLine: { show: false },
    axisLabel: { ...label, color: COLORS.text, fontFamily: FONT_FAMILY, margin: LABEL_GAP },
  };
}
