/**
 * The /tiendo message: a Progress (see progress.ts) as chat text. Every sentence comes from
 * locales/<lng>/progress.json; numbers, percentages and dates use the Vietnamese formats.
 */
import { unitMarks } from "./units/marks.js";
import { t, type Language } from "../i18n.js";
import { localDateOf, localIsoDate, localTimeText, periodLabel } from "./periods.js";
import type { IndicatorResult, Progress } from "./progress.js";
import type { UnitNode } from "./types.js";
import { formatDate, formatNumber, formatPercent } from "./vi/format.js";

export interface RenderProgressOptions {
  /** How many missing (and late, and not-meeting) units to name before "và N đơn vị khác". */
  maxMissing?: number;
  /** Show one line per direct child unit (default true; never when every child is one reporting unit). */
  showChildren?: boolean;
  lng?: Language;
}

/**
 * A fraction as a percentage: whole numbers without decimals ("75%", "100%"), others with one
 * ("66,7%"); never "100%" for less than everything nor "0%" for more than nothing.
 */
export function percentText(fraction: number): string {
  const v = fraction * 100;
  if (Math.abs(v - Math.round(v)) < 1e-9) return formatPercent(fraction, 0);
  if (fraction < 1 && v > 99.95) return formatPercent(0.999, 1);
  if (fraction > 0 && v < 0.05) return formatPercent(0.001, 1);
  return formatPercent(fraction, 1);
}
const pct = percentText;

function nameList(units: readonly UnitNode[], max: number, lng: Language): string {
  const shown = units.slice(0, Math.max(0, max)).map((u) => u.name);
  const rest = units.length - shown.length;
  const list = shown.join(", ");
  if (rest <= 0) return list;
  return t("progress:text.more", { list, count: rest, countText: formatNumber(rest) }, lng).trim();
}

export function renderProgressText(progress: Progress, options: RenderProgressOptions = {}): string {
  const { maxMissing = 10, showChildren = true, lng = "vi" } = options;
  const p = progress;
  const lines: string[] = [];
  lines.push(t("progress:text.title", { unit: p.unit.name }, lng));
  lines.push(t("progress:text.form", { form: p.form.title, period: periodLabel(p.period, lng) }, lng));
  lines.push(`${t("progress:text.due", { time: localTimeText(p.due), date: formatDate(localIsoDate(p.due)) }, lng)} ${dueStatus(p, lng)}`);

  if (p.expected === 0) {
    lines.push(t("progress:text.nothingExpected", {}, lng));
  } else {
    lines.push(
      t(
        "progress:text.received",
        { received: formatNumber(p.received), expected: formatNumber(p.expected), rate: pct(p.reportingRate ?? 0) },
        lng,
      ),
    );
    lines.push(
      t(
        "progress:text.onTime",
        { onTime: formatNumber(p.onTime), expected: formatNumber(p.expected), rate: pct(p.onTimeRate ?? 0) },
        lng,
      ),
    );
    if (p.missing.length === 0) lines.push(t("progress:text.allReceived", {}, lng));
    else
      lines.push(t("progress:text.missing", { count: formatNumber(p.missing.length), list: nameList(p.missing, maxMissing, lng) }, lng));
    if (p.lateUnits.length > 0)
      lines.push(t("progress:text.lateList", { count: formatNumber(p.lateUnits.length), list: nameList(p.lateUnits, maxMissing, lng) }, lng));
  }

  // Per-child lines; skipped when each child is a single reporting unit (the missing list says it all).
  if (showChildren && p.children.some((c) => c.expected > 1)) {
    lines.push("", t("progress:text.children", {}, lng));
    for (const c of p.children) {
      lines.push(
        t(
          "progress:text.child",
          { unit: c.unit.name + unitMarks(c.unit, lng), received: formatNumber(c.received), expected: formatNumber(c.expected), rate: pct(c.rate) },
          lng,
        ),
      );
    }
  }

  if (p.indicators.length > 0) {
    lines.push("", t("progress:text.indicators", {}, lng));
    for (const r of p.indicators) lines.push(...indicatorLines(r, maxMissing, lng));
  }
  return lines.join("\n");
}

function dueStatus(p: Progress, lng: Language): string {
  if (p.duePassed) return t("progress:text.duePassed", {}, lng);
  const a = localDateOf(p.now);
  const b = localDateOf(p.due);
  const days = Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
  if (days <= 0) return t("progress:text.dueToday", {}, lng);
  return t("progress:text.dueOpen", { count: days }, lng);
}

function indicatorLines(r: IndicatorResult, maxMissing: number, lng: Language): string[] {
  const ind = r.indicator;
  const verdict = r.met === null ? t("progress:text.noData", {}, lng) : t(r.met ? "progress:text.met" : "progress:text.notMet", {}, lng);
  const base = { name: ind.name, window: t(`progress:text.window.${ind.window}`, {}, lng), verdict };
  const d = r.detail;
  const per = ind.target.per;
  let line: string;
  if (r.value === null) {
    line = t("progress:text.noValue", base, lng);
  } else if (per) {
    const target = ind.measure === "sum" ? formatNumber(r.target) : pct(r.target);
    line = t(ind.measure === "sum" ? "progress:text.sumPer" : "progress:text.ratioPer", {
      ...base,
      meeting: formatNumber(d.unitsMeeting ?? 0),
      counted: formatNumber(d.unitsCounted ?? 0),
      kind: t(`progress:kind.${per}`, {}, lng),
      target,
      share: pct(d.share ?? 0),
    }, lng);
  } else if (ind.measure === "sum") {
    line = t("progress:text.sum", { ...base, value: formatNumber(r.value), target: formatNumber(r.target) }, lng);
  } else {
    line = t(ind.measure === "ratio" ? "progress:text.ratio" : "progress:text.yesShare", {
      ...base,
      value: pct(r.value),
      part: formatNumber(d.part ?? 0),
      total: formatNumber(d.total ?? 0),
      target: pct(r.target),
    }, lng);
  }
  const out = [line];
  if (d.unitsNotMeeting && d.unitsNotMeeting.length > 0)
    out.push(t("progress:text.notMeeting", { list: nameList(d.unitsNotMeeting, maxMissing, lng) }, lng));
  return out;
}
