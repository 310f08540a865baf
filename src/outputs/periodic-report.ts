/**
 * /baocaotonghop: a draft of the periodic report (báo cáo định kỳ: a month, 6 months, a year) of
 * the officer's unit, from the stored reports of every form in the period (window.ts), in the
 * union's document form: the sending unit's name block (its superior above it), "Số: …/BC-…",
 * Quốc hiệu – Tiêu ngữ, the place (the unit's locality, place.ts) and date, title, "Căn cứ …",
 * I. results (reporting, each target as progress toward its yearly or end-of-term aim, the
 * figures of every form, the units' own highlights), II. assessment and III. next tasks for the
 * officer to write, IV. proposals (the units' own, quoted), closing, "Nơi nhận" from the plan,
 * "TM. BAN THƯỜNG VỤ". Lines with nothing to say are left out (no "0/0", no "trễ hạn 0").
 *
 * One model (DraftDocument) rendered three ways: the whole draft as text, the part to paste into
 * the union's regular report (the seed asks for these results inside it), and a .docx (docx.ts).
 * The units that have not reported are not in the report: draftReminder makes its own short text.
 * Every sentence comes from locales/<lng>/outputs.json ("report.*").
 */
import { currentLanguage, t, type Language } from "../i18n.js";
import { dueDate, localIsoDate, periodLabel, type Period } from "../domain/periods.js";
import { percentText } from "../domain/progress-text.js";
import type { UnitNode } from "../domain/types.js";
import { formalDateLine, formatNumber } from "../domain/vi/format.js";
import type { Store } from "../store/database.js";
import type { ExportOptions } from "./data.js";
import type { Figure, GatheredForm, TextAnswer } from "./gather.js";
import { unitPlace } from "./place.js";
import { loadWindowData, type IndicatorProgress, type WindowData } from "./window.js";

export interface PeriodicReportOptions extends Omit<ExportOptions, "onlyReferenceKind"> {
  /** The place of the date line; default: the unit's locality (place.ts). */
  place?: string;
  lng?: Language;
}

/** A section of the draft: its heading and its paragraphs (sub-headings are paragraphs too). */
export interface DraftSection {
  heading: string;
  paragraphs: string[];
}

/** The draft as a document (see the module comment). */
export interface DraftDocument {
  /** The superior union's name, upper case; null for a unit without one. */
  superior: string | null;
  unit: string;
  number: string;
  motto: [string, string];
  dateLine: string;
  title: string;
  subtitle: string;
  periodLine: string;
  intro: string;
  sections: DraftSection[];
  closing: string;
  recipientsTitle: string;
  recipients: string[];
  onBehalf: string;
  signerTitle: string;
  signerName: string;
}

const upper = (s: string) => s.toLocaleUpperCase("vi");
const capitalise = (s: string) => (s ? s.charAt(0).toLocaleUpperCase("vi") + s.slice(1) : s);
const lowerFirst = (s: string) => (s ? s.charAt(0).toLocaleLowerCase("vi") + s.slice(1) : s);

function verdict(p: IndicatorProgress, lng: Language): string {
  const r = p.result;
  if (r.met === null) return t("outputs:report.noData", {}, lng);
  if (r.met) return t("outputs:report.met", {}, lng);
  return t(p.inProgress ? "outputs:report.inProgress" : "outputs:report.notMet", {}, lng);
}

function indicatorLine(p: IndicatorProgress, lng: Language): string {
  const r = p.result;
  const ind = r.indicator;
  const d = r.detail;
  const target = /^Chỉ tiêu\s+\d+/u.exec(ind.source ?? "")?.[0];
  const name = target ? t("outputs:report.indicatorName", { target, name: ind.name }, lng) : ind.name;
  const base = { name, window: t(`outputs:report.window.${ind.window}`, {}, lng), verdict: verdict(p, lng) };
  if (r.value === null) return t("outputs:report.indicator.noValue", base, lng);
  if (ind.target.per) {
    return t("outputs:report.indicator.per", {
      ...base,
      meeting: formatNumber(d.unitsMeeting ?? 0),
      counted: formatNumber(d.unitsCounted ?? 0),
      kind: t(`progress:kind.${ind.target.per}`, {}, lng),
      target: ind.measure === "sum" ? formatNumber(r.target) : percentText(r.target),
      share: percentText(d.share ?? 0),
      part: ind.measure === "sum" ? formatNumber(d.part ?? 0) : `${formatNumber(d.part ?? 0)}/${formatNumber(d.total ?? 0)}`,
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

function figureLine(f: Figure, lng: Language): string {
  switch (f.type) {
    case "number":
      return t(f.aggregate === "latest" ? "outputs:report.figure.latest" : "outputs:report.figure.sum", { label: f.label, value: formatNumber(f.value), unit: f.unit ? ` ${f.unit}` : "" }, lng);
    case "yes":
      return t("outputs:report.figure.yes", { label: f.label, count: formatNumber(f.yes), answered: formatNumber(f.answered) }, lng);
    case "part":
      return t("outputs:report.figure.part", { label: f.label, part: formatNumber(f.part), total: formatNumber(f.total), partLabel: f.partLabel, totalLabel: f.totalLabel }, lng);
    case "choices":
      if (f.counts.some((c) => c.details?.length)) {
        // By type, one line each: the units that chose it, then its own figures (models, members).
        return [
          t("outputs:report.figure.choicesByType", { label: f.label }, lng),
          ...f.counts.map((c) =>
            t("outputs:report.figure.choiceLine", {
              label: c.label,
              count: formatNumber(c.units),
              details: (c.details ?? []).map((d) => `, ${formatNumber(d.value)}${d.unit ? ` ${d.unit}` : ""}`).join(""),
            }, lng),
          ),
        ].join("\n");
      }
      return t("outputs:report.figure.choices", {
        label: f.label,
        list: f.counts.map((c) => t("outputs:report.figure.choice", { label: c.label, count: formatNumber(c.units) }, lng)).join("; "),
      }, lng);
    case "photos":
      return t("outputs:report.figure.photos", { label: f.label, count: formatNumber(f.photos), units: formatNumber(f.units) }, lng);
  }
}

function reportingLine(g: GatheredForm, lng: Language): string | null {
  const r = g.reporting;
  if (r.expected === 0) return null;
  const slots = r.expected * r.periods;
  const form = g.form.shortTitle ?? g.form.title;
  const onTime = r.received > 0 && r.onTime > 0 ? t("outputs:report.onTimePart", { onTime: formatNumber(r.onTime) }, lng) : "";
  const late = r.late > 0 ? t("outputs:report.latePart", { late: formatNumber(r.late) }, lng) : "";
  const rate = percentText(r.received / slots);
  if (r.periods === 1) {
    return t("outputs:report.reportingOne", { form, received: formatNumber(r.received), expected: formatNumber(r.expected), rate, onTime, late }, lng);
  }
  return t("outputs:report.reportingMany", {
    form,
    periods: formatNumber(r.periods),
    first: periodLabel(g.periods[0]!, lng),
    last: periodLabel(g.periods.at(-1)!, lng),
    received: formatNumber(r.received),
    slots: formatNumber(slots),
    expected: formatNumber(r.expected),
    rate,
    onTime,
    late,
  }, lng);
}

function textLine(a: TextAnswer, many: boolean, lng: Language): string {
  return t("outputs:report.textLine", {
    unit: a.unit.name,
    period: many ? t("outputs:report.textPeriod", { period: periodLabel(a.period, lng) }, lng) : "",
    text: a.text.replace(/\s+/g, " "),
  }, lng);
}

/** Pilot units and units by new-countryside status in the subtree (units file), when any. */
function areaLines(data: WindowData, n: number, lng: Language): string[] {
  const units = [...data.tree.subtree(data.root.id)];
  const lines: string[] = [];
  const pilots = units.filter((u) => u.pilot);
  if (pilots.length > 0) lines.push(t("outputs:report.pilots", { count: formatNumber(pilots.length), list: pilots.map((u) => u.name).join(", ") }, lng));
  for (const status of ["nang_cao", "kieu_mau", "do_thi_van_minh"] as const) {
    const these = units.filter((u) => u.ntm === status);
    if (these.length > 0) {
      lines.push(t("outputs:report.ntmLine", { status: t(`progress:marks.${status}`, {}, lng), count: formatNumber(these.length), list: these.map((u) => u.name).join(", ") }, lng));
    }
  }
  return lines.length > 0 ? [t("outputs:report.areas", { n }, lng), ...lines] : [];
}

/** The results part (section I) and the units' proposals: what "paste" mode gives. */
function resultSections(data: WindowData, lng: Language): { results: DraftSection; proposals: string[] } {
  const P: string[] = [];
  P.push(t("outputs:report.reporting", {}, lng));
  const reporting = data.forms.map((g) => reportingLine(g, lng)).filter((l): l is string => l !== null);
  P.push(...(reporting.length > 0 ? reporting : [t("outputs:report.noForm", {}, lng)]));

  P.push(t("outputs:report.indicators", {}, lng));
  if (data.indicators.length === 0) P.push(t("outputs:report.noIndicators", {}, lng));
  for (const p of data.indicators) P.push(indicatorLine(p, lng));

  P.push(t("outputs:report.figures", {}, lng));
  const withFigures = data.forms.filter((g) => g.figures.length > 0);
  if (withFigures.length === 0) P.push(t("outputs:report.noFigures", {}, lng));
  for (const g of withFigures) {
    const span = g.periods.length > 1 ? t("outputs:report.span", { count: formatNumber(g.periods.length) }, lng) : "";
    P.push(t("outputs:report.formHeading", { form: g.form.shortTitle ?? g.form.title, span }, lng));
    P.push(...g.figures.flatMap((f) => figureLine(f, lng).split("\n")));
  }

  const summaries: string[] = [];
  const proposals: string[] = [];
  for (const g of data.forms) {
    const many = g.periods.length > 1;
    for (const a of g.texts) (a.section === "proposal" ? proposals : summaries).push(textLine(a, many, lng));
  }
  if (summaries.length > 0) P.push(t("outputs:report.summaries", {}, lng), ...summaries);
  P.push(...areaLines(data, summaries.length > 0 ? 5 : 4, lng));
  return { results: { heading: t("outputs:report.results", {}, lng), paragraphs: P }, proposals };
}

/** The draft document of loaded data (see the module comment). */
export function draftDocumentFromData(data: WindowData, options: { place?: string; lng?: Language } = {}): DraftDocument {
  const lng = options.lng ?? currentLanguage();
  const { root, parent, plan } = data;
  const place = options.place ?? unitPlace(data.tree, root, plan.place);
  const periodText = periodLabel(data.reference, lng);
  const { results, proposals } = resultSections(data, lng);
  const placeholder = t("outputs:report.placeholder", {}, lng);
  const sections: DraftSection[] = [
    results,
    { heading: t("outputs:report.assessmentTitle", {}, lng), paragraphs: [t("outputs:report.strengths", {}, lng), t("outputs:report.weaknesses", {}, lng)] },
    { heading: t("outputs:report.nextTitle", {}, lng), paragraphs: [placeholder] },
    {
      heading: t("outputs:report.proposalsTitle", {}, lng),
      paragraphs: proposals.length > 0 ? [t("outputs:report.proposalsFromUnits", {}, lng), ...proposals, placeholder] : [placeholder],
    },
  ];
  const recipients = plan.draft.recipients
    .filter((line) => parent !== null || !line.includes("{cap_tren}"))
    .map((line) => `- ${line.replaceAll("{cap_tren}", parent?.name ?? "")}`)
    .map((line, i, all) => (i < all.length - 1 ? `${line.replace(/[.;]$/, "")};` : `${line.replace(/[.;]$/, "")}.`));
  return {
    superior: parent ? upper(parent.name) : null,
    unit: upper(root.name),
    number: t("outputs:report.number", {}, lng),
    motto: [t("outputs:report.motto1", {}, lng), t("outputs:report.motto2", {}, lng)],
    dateLine: formalDateLine(place, localIsoDate(data.now)),
    title: t("outputs:report.title", {}, lng),
    subtitle: t("outputs:report.subtitle", { plan: lowerFirst(plan.title) }, lng),
    periodLine: capitalise(periodText),
    intro: t("outputs:report.intro", { reference: plan.reference, unit: root.name, period: periodText }, lng),
    sections,
    closing: t("outputs:report.closing", { period: periodText, unit: root.name }, lng),
    recipientsTitle: t("outputs:report.recipients", {}, lng),
    recipients,
    onBehalf: t("outputs:report.onBehalf", {}, lng),
    signerTitle: plan.draft.signerTitle,
    signerName: t("outputs:report.signerName", {}, lng),
  };
}

/** The whole draft as plain text. */
export function draftText(doc: DraftDocument): string {
  const L: string[] = [];
  if (doc.superior) L.push(doc.superior);
  L.push(doc.unit, doc.number, "", doc.motto[0], doc.motto[1], doc.dateLine, "", doc.title, doc.subtitle, doc.periodLine, "", doc.intro, "");
  for (const s of doc.sections) L.push(s.heading, ...s.paragraphs, "");
  L.push(doc.closing, "", doc.recipientsTitle, ...doc.recipients, "", doc.onBehalf, doc.signerTitle, "", "", doc.signerName);
  return L.join("\n");
}

/** Only the results and the units' proposals, to paste into the union's regular report. */
export function draftPasteText(data: WindowData, lng: Language = currentLanguage()): string {
  const { results, proposals } = resultSections(data, lng);
  const L = [t("outputs:report.pasteTitle", { plan: upper(data.plan.title), period: periodLabel(data.reference, lng) }, lng), ...results.paragraphs];
  if (proposals.length > 0) L.push(t("outputs:report.proposalsFromUnits", {}, lng), ...proposals);
  return L.join("\n");
}

/** Missing units of one form and period, one line per child of the root they lie under. */
function missingLines(units: UnitNode[], data: WindowData, lng: Language): string[] {
  const groupOf = (u: UnitNode): UnitNode | null => {
    let cur: UnitNode | undefined = u;
    while (cur && cur.parentId !== null && cur.parentId !== data.root.id) cur = data.tree.byId(cur.parentId);
    return cur && cur.id !== u.id && cur.parentId === data.root.id ? cur : null;
  };
  const byGroup = new Map<number | null, { group: UnitNode | null; names: string[] }>();
  for (const u of units) {
    const g = groupOf(u);
    let entry = byGroup.get(g?.id ?? null);
    if (!entry) byGroup.set(g?.id ?? null, (entry = { group: g, names: [] }));
    entry.names.push(u.name);
  }
  return [...byGroup.values()].map(({ group, names }) =>
    group
      ? t("outputs:report.reminder.group", { group: group.name, count: formatNumber(names.length), list: names.join(", ") }, lng)
      : t("outputs:report.reminder.plain", { list: names.join(", ") }, lng),
  );
}

/**
 * The short reminder text: per form, the units with no report for its last period in the window,
 * grouped under the root's children; null when every unit has reported.
 */
export function draftReminder(data: WindowData, lng: Language = currentLanguage()): string | null {
  const L: string[] = [];
  for (const g of data.forms) {
    const missing = g.reporting.missingLast;
    if (missing.length === 0) continue;
    const period: Period = g.reporting.lastPeriod;
    if (period.start.getTime() > data.now.getTime()) continue; // not begun: nothing to chase
    L.push(t("outputs:report.reminder.form", {
      form: g.form.shortTitle ?? g.form.title,
      period: g.form.period === "once" ? "" : periodLabel(period, lng),
      due: dueText(g, period),
      count: formatNumber(missing.length),
      expected: formatNumber(g.reporting.expected),
    }, lng).replace(/\s+\(/, " ("));
    L.push(...missingLines(missing, data, lng));
  }
  if (L.length === 0) return null;
  return [t("outputs:report.reminder.title", { unit: data.root.name, period: periodLabel(data.reference, lng) }, lng), ...L, t("outputs:report.reminder.urge", {}, lng)].join("\n");
}

function dueText(g: GatheredForm, period: Period): string {
  const iso = localIsoDate(dueDate(g.form, period));
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Loads the data of the draft (every form in the period, see window.ts). */
export async function loadDraftData(store: Store, opts: PeriodicReportOptions): Promise<WindowData> {
  return loadWindowData(store, { plan: opts.plan, tree: opts.tree, rootId: opts.rootId, period: opts.period, now: opts.now, lng: opts.lng ?? currentLanguage() });
}

/** The draft periodic report of the officer's subtree, as text (see the module comment). */
export async function draftPeriodicReport(store: Store, opts: PeriodicReportOptions): Promise<string> {
  const data = await loadDraftData(store, opts);
  return draftText(draftDocumentFromData(data, { place: opts.place, lng: opts.lng }));
}
