/**
 * One indicator as cells (value, target, verdict, explanation), shared by the workbook and the
 * web dashboard. Its own file so that the dashboard does not load exceljs at start.
 */
import { t, type Language } from "../i18n.js";
import { percentText } from "../domain/progress-text.js";
import type { IndicatorResult } from "../domain/progress.js";
import { formatNumber } from "../domain/vi/format.js";

/** Value and target cells, the verdict and the explanation of one indicator. */
export function indicatorCells(r: IndicatorResult, lng: Language): {
  value: number | null;
  target: number | string;
  percent: boolean;
  verdict: string;
  detail: string;
} {
  const ind = r.indicator;
  const d = r.detail;
  const verdict = t(r.met === null ? "outputs:indicators.noData" : r.met ? "outputs:indicators.met" : "outputs:indicators.notMet", {}, lng);
  const per = ind.target.per;
  if (per) {
    const target = ind.measure === "sum" ? formatNumber(r.target) : percentText(r.target);
    return {
      value: d.share ?? null,
      target: 1,
      percent: true,
      verdict,
      detail: t("outputs:indicators.detail.per", {
        meeting: formatNumber(d.unitsMeeting ?? 0),
        counted: formatNumber(d.unitsCounted ?? 0),
        kind: t(`progress:kind.${per}`, {}, lng),
        target,
      }, lng),
    };
  }
  if (ind.measure === "sum") return { value: r.value, target: r.target, percent: false, verdict, detail: "" };
  if (r.value === null) return { value: null, target: r.target, percent: true, verdict, detail: "" };
  return {
    value: r.value,
    target: r.target,
    percent: true,
    verdict,
    detail: t(ind.measure === "ratio" ? "outputs:indicators.detail.ratio" : "outputs:indicators.detail.yesShare", {
      part: formatNumber(d.part ?? 0),
      total: formatNumber(d.total ?? 0),
    }, lng),
  };
}
