/**
 * /baocaotonghop: a draft of the periodic report (báo cáo định kỳ) of the officer's unit, from the
 * data, in the union's formal style, ready to paste into the document template: header (the
 * organisation, "Số: …/BC-…" left blank), the formal date line ("Nam Định, ngày 05 tháng 8 năm
 * 2023"), title, I. results (reporting figures, indicators against targets, sums of the number
 * answers), II. units that have not reported (or "all on time"), III. assessment and proposals
 * with "…" for the officer to write, closing, recipients and signature block.
 *
 * It covers the forms whose period has the kind of the reference period (the monthly report for
 * a month; the 6-monthly reports for a half-year…); see data.ts. Every sentence comes from
 * locales/<lng>/outputs.json ("report.*").
 */
import { currentLanguage } from "../i18n.js";
import { t, type Language } from "../i18n.js";
import { localIsoDate, periodLabel } from "../domain/periods.js";
import { percentText } from "../domain/progress-text.js";
import type { IndicatorResult } from "../domain/progress.js";
import type { UnitNode } from "../domain/types.js";
import { formalDateLine, formatNumber } from "../domain/vi/format.js";
import type { Store } from "../store/database.js";
import { loadExportData, reportingParams, type ExportData, type ExportOptions, type FormSection } from "./data.js";
import { questionLabel } from "./labels.js";

export interface PeriodicReportOptions extends ExportOptions {
  /** The place of the date line; default: the plan's `place`. */
  place?: string;
  lng?: Language;
}

const upper = (s: string) => s.toLocaleUpperCase("vi");
const capitalise = (s: string) => (s ? s.charAt(0).toLocaleUpperCase("vi") + s.slice(1) : s);
const lowerFirst = (s: string) => (s ? s.charAt(0).toLocaleLowerCase("vi") + s.slice(1) : s);

function indicatorLine(r: IndicatorResult, lng: Language): string {
  const ind = r.indicator;
  const d = r.detail;
  const verdict = t(r.met === null ? "outputs:report.noData" : r.met ? "outputs:report.met" : "outputs:report.notMet", {}, lng);
  const base = { name: ind.name, window: t(`outputs:report.window.${ind.window}`, {}, lng), verdict };
  if (r.value === null) return t("outputs:report.indicator.noValue", base, lng);
  if (ind.target.per) {
    return t("outputs:report.indicator.per", {
      ...base,
      meeting: formatNumber(d.unitsMeeting ?? 0),
      counted: formatNumber(d.unitsCounted ?? 0),
      kind: t(`progress:kind.${ind.target.per}`, {}, lng),
      target: ind.measure === "sum" ? formatNumber(r.target) : percentText(r.target),
      share: percentText(d.share ?? 0),
    }, lng);
  }
  if (ind.measure === "sum") return t("outputs:report.indicator.sum", { ...base, value: formatNumber(r.value), target: formatNumber(r.target) }, lng);
  return t(ind.measure === "ratio" ? "outputs:report.indicator.ratio" : "outputs:report.indicator.yesShare", {
    ...base,
    value: percentText(r.value),
    part: formatNumber(d.part ?? 0),
    total: formatNumber(d.total ?? 0),
    target: percentText(r.target),
  }, lng);
}

/** Sums of the number answers, counts of the yes answers, Σpart/Σtotal of part_of_total questions. */
function figureLines(section: FormSection, lng: Language): string[] {
  const received = section.rows.filter((r) => r.report !== null);
  const out: string[] = [];
  for (const q of section.form.questions) {
    const label = questionLabel(section.form, q, lng);
    const answers = received.map((r) => r.report!.answers[q.key]).filter((a) => a !== undefined);
    switch (q.type) {
      case "integer":
      case "decimal": {
        const sum = answers.reduce<number>((s, a) => s + (typeof a === "number" ? a : 0), 0);
        out.push(t("outputs:report.figure.sum", { label, value: formatNumber(sum), unit: q.unit ? ` ${q.unit}` : "" }, lng));
        break;
      }
      case "yes_no": {
        const yes = answers.filter((a) => a === true).length;
        out.push(t("outputs:report.figure.yes", { label, count: formatNumber(yes), received: formatNumber(received.length) }, lng));
        break;
      }
      case "part_of_total": {
        let part = 0;
        let total = 0;
        for (const a of answers) {
          if (typeof a === "object" && a !== null && !Array.isArray(a)) {
            part += a.part;
            total += a.total;
          }
        }
        out.push(t("outputs:report.figure.part", {
          label,
          part: formatNumber(part),
          total: formatNumber(total),
          partLabel: q.partLabel,
          totalLabel: q.totalLabel,
        }, lng));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Missing units, one line per child of the root they lie under. */
function missingLines(section: FormSection, lng: Language): string[] {
  const missing = section.rows.filter((r) => r.status === "missing");
  const byGroup = new Map<number | null, { group: UnitNode | null; names: string[] }>();
  for (const r of missing) {
    const g = r.group && r.group.id !== r.unit.id ? r.group : null;
    const key = g?.id ?? null;
    let entry = byGroup.get(key);
    if (!entry) byGroup.set(key, (entry = { group: g, names: [] }));
    entry.names.push(r.unit.name);
  }
  const lines: string[] = [];
  for (const { group, names } of byGroup.values()) {
    lines.push(
      group
        ? t("outputs:report.missing.group", { group: group.name, count: formatNumber(names.length), list: names.join(", ") }, lng)
        : t("outputs:report.missing.plain", { list: names.join(", ") }, lng),
    );
  }
  return lines;
}

/** The draft of already loaded export data. */
export function periodicReportFromData(data: ExportData, options: { place?: string; lng?: Language } = {}): string {
  const lng = options.lng ?? currentLanguage();
  const place = options.place ?? data.plan.place;
  const root = data.root;
  const parent = root.parentId === null ? undefined : data.tree.byId(root.parentId);
  const periodText = periodLabel(data.reference, lng);
  const sections = data.sections.filter((s) => s.period.kind === data.reference.kind && s.rows.length > 0);
  const L: string[] = [];

  // Header.
  if (parent) L.push(upper(parent.name));
  L.push(upper(root.name));
  L.push(t("outputs:report.number", {}, lng));
  L.push("");
  L.push(formalDateLine(place, localIsoDate(data.now)));
  L.push("");
  L.push(t("outputs:report.title", {}, lng));
  L.push(t("outputs:report.subtitle", { plan: lowerFirst(data.plan.title) }, lng));
  L.push(capitalise(periodText));
  L.push("");
  L.push(t("outputs:report.intro", { reference: data.plan.reference, unit: root.name, period: periodText }, lng));
  L.push("");

  // I. Results.
  L.push(t("outputs:report.results", {}, lng));
  L.push(t("outputs:report.reporting", {}, lng));
  if (sections.length === 0) L.push(t("outputs:report.noForm", {}, lng));
  for (const s of sections) {
    const p = s.progress;
    L.push(t("outputs:report.reportingLine", { form: s.form.shortTitle ?? s.form.title, ...reportingParams(p) }, lng));
  }
  const indicators = sections.flatMap((s) => s.progress.indicators);
  L.push(t("outputs:report.indicators", {}, lng));
  if (indicators.length === 0) L.push(t("outputs:report.noIndicators", {}, lng));
  for (const r of indicators) L.push(indicatorLine(r, lng));
  L.push(t("outputs:report.figures", {}, lng));
  for (const s of sections) {
    if (sections.length > 1) L.push(t("outputs:report.formHeading", { form: s.form.shortTitle ?? s.form.title }, lng));
    const lines = figureLines(s, lng);
    L.push(...(lines.length > 0 ? lines : [t("outputs:report.noFigures", {}, lng)]));
  }
  L.push("");

  // II. Units that have not reported.
  L.push(t("outputs:report.missingTitle", {}, lng));
  let anyMissing = false;
  for (const s of sections) {
    const missing = missingLines(s, lng);
    const late = s.rows.filter((r) => r.status === "late").map((r) => r.unit.name);
    if (sections.length > 1) L.push(t("outputs:report.formHeading", { form: s.form.shortTitle ?? s.form.title }, lng));
    if (missing.length === 0 && late.length === 0) {
      L.push(t("outputs:report.allOnTime", {}, lng));
      continue;
    }
    if (missing.length === 0) L.push(t("outputs:report.allReceived", {}, lng));
    else {
      anyMissing = true;
      L.push(t("outputs:report.missingCount", { count: formatNumber(s.progress.missing.length), expected: formatNumber(s.progress.expected) }, lng));
      L.push(...missing);
    }
    if (late.length > 0) L.push(t("outputs:report.late", { count: formatNumber(late.length), list: late.join(", ") }, lng));
  }
  if (anyMissing) L.push(t("outputs:report.urge", {}, lng));
  L.push("");

  // III. Assessment, proposals: for the officer to write.
  L.push(t("outputs:report.assessmentTitle", {}, lng));
  L.push(t("outputs:report.strengths", {}, lng));
  L.push(t("outputs:report.weaknesses", {}, lng));
  L.push(t("outputs:report.proposals", {}, lng));
  L.push(t("outputs:report.nextTitle", {}, lng));
  L.push(t("outputs:report.placeholder", {}, lng));
  L.push("");
  L.push(t("outputs:report.closing", { period: periodText, unit: root.name }, lng));
  L.push("");
  L.push(t("outputs:report.recipients", {}, lng));
  if (parent) L.push(t("outputs:report.recipientParent", { unit: parent.name }, lng));
  L.push(t("outputs:report.recipientArchive", {}, lng));
  L.push("");
  L.push(t("outputs:report.signature", {}, lng));
  return L.join("\n");
}

/** The draft periodic report of the officer's subtree (see the module comment). */
export async function draftPeriodicReport(store: Store, opts: PeriodicReportOptions): Promise<string> {
  const data = await loadExportData(store, { ...opts, onlyReferenceKind: true });
  return periodicReportFromData(data, { place: opts.place, lng: opts.lng });
}
