/**
 * The texts the scheduler sends (locales/<lng>/reminders.json): reminders, late summaries and the
 * content wrapper. Pure.
 */
import { currentLanguage } from "../i18n.js";
import dayjs from "dayjs";
import { parsePeriodKey, periodLabel, TIME_ZONE } from "../domain/periods.js";
import { t, type Language } from "../i18n.js";
import type { ContentItem, Form, Milestone, Plan } from "../plan/schema.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./time.js";

function when(instant: Date): { time: string; date: string } {
  const d = dayjs(instant).tz(TIME_ZONE);
  return { time: d.format("HH:mm"), date: d.format("DD/MM/YYYY") };
}

/** "3 ngày", "5 giờ", "30 phút": time from `from` to the deadline, rounded down. */
export function timeLeftText(from: Date, due: Date, lng: Language = currentLanguage()): string {
  // From the deadline as shown ("20:00"), i.e. the start of its last minute.
  const ms = Math.max(0, due.getTime() - (MINUTE_MS - 1) - from.getTime());
  if (ms >= DAY_MS) return t("reminders:left.days", { count: Math.floor(ms / DAY_MS) }, lng);
  if (ms >= HOUR_MS) return t("reminders:left.hours", { count: Math.floor(ms / HOUR_MS) }, lng);
  return t("reminders:left.minutes", { count: Math.max(1, Math.floor(ms / MINUTE_MS)) }, lng);
}

export function formName(form: Pick<Form, "title" | "shortTitle">): string {
  return form.shortTitle ?? form.title;
}

export function periodText(plan: Plan, form: Form, periodKey: string, lng: Language = currentLanguage()): string {
  const p = parsePeriodKey(form.period, periodKey, { form, plan });
  return p ? periodLabel(p, lng) : periodKey;
}

function greeting(unitName: string, leaders: readonly string[], lng: Language): string {
  return leaders.length > 0
    ? t("reminders:greeting.leaders", { names: leaders.join(", "), unit: unitName }, lng)
    : t("reminders:greeting.unit", { unit: unitName }, lng);
}

export interface ReminderText {
  plan: Plan;
  unitName: string;
  /** Display names of the unit's leaders (mentioned). */
  leaders: readonly string[];
  dueAt: Date;
  sendAt: Date;
  form?: Form;
  periodKey?: string;
  milestone?: Milestone;
  lng?: Language;
}

export function renderReminder(r: ReminderText): string {
  const lng = r.lng ?? currentLanguage();
  const { time, date } = when(r.dueAt);
  const left = timeLeftText(r.sendAt, r.dueAt, lng);
  const lines = [greeting(r.unitName, r.leaders, lng)];
  if (r.milestone) {
    lines.push(t("reminders:reminder.milestone", { name: r.milestone.name, time, date, left }, lng));
    if (r.form) lines.push(t("reminders:reminder.milestoneAction", { form: formName(r.form) }, lng));
  } else if (r.form) {
    const period = periodText(r.plan, r.form, r.periodKey ?? "", lng);
    lines.push(t("reminders:reminder.form", { form: formName(r.form), period, time, date, left }, lng));
    lines.push(t("reminders:reminder.formAction", {}, lng));
  }
  lines.push(t("reminders:reminder.thanks", {}, lng));
  return lines.join("\n");
}

export interface LateSummaryText {
  plan: Plan;
  form: Form;
  periodKey: string;
  dueAt: Date;
  parentName: string;
  /** Names of the late child units. */
  late: readonly string[];
  expected: number;
  /** At most this many names are listed (default 30). */
  maxListed?: number;
  lng?: Language;
}

export function renderLateSummary(r: LateSummaryText): string {
  const lng = r.lng ?? currentLanguage();
  const { time, date } = when(r.dueAt);
  const max = r.maxListed ?? 30;
  const lines = [
    t("reminders:late.title", { form: formName(r.form), period: periodText(r.plan, r.form, r.periodKey, lng), time, date }, lng),
    t("reminders:late.count", { unit: r.parentName, count: r.late.length, expected: r.expected }, lng),
    ...r.late.slice(0, max).map((name) => t("reminders:late.item", { name }, lng)),
  ];
  if (r.late.length > max) lines.push(t("reminders:late.more", { count: r.late.length - max }, lng));
  lines.push(t("reminders:late.footer", {}, lng));
  return lines.join("\n");
}

export function renderContent(item: Pick<ContentItem, "title" | "text">, lng: Language = currentLanguage()): string {
  return t("reminders:content.message", { title: item.title, text: item.text }, lng);
}
