/**
 * The texts the scheduler sends (locales/<lng>/reminders.json): reminders, late summaries and the
 * content wrapper. Pure.
 */
import { currentLanguage } from "../i18n.js";
import dayjs from "dayjs";
import { parsePeriodKey, periodLabel, TIME_ZONE } from "../domain/periods.js";
import { t, type Language } from "../i18n.js";
import type { ContentItem, Form, Milestone, Plan } from "../plan/schema.js";
import { bareName } from "../domain/vi/address.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./time.js";

/** "Hoạt động nhân dịp …" → "hoạt động nhân dịp …" (inside a sentence); names that start with a proper noun keep it. */
const lowerFirst = (s: string) => (/^(?:Hội|Ngày|Chi hội)\b/u.test(s) ? s : s.charAt(0).toLocaleLowerCase("vi") + s.slice(1));

function when(instant: Date): { time: string; date: string } {
  const d = dayjs(instant).tz(TIME_ZONE);
  return { time: d.format("HH:mm"), date: d.format("DD/MM/YYYY") };
}

/**
 * A deadline as a reminder says it: "20 giờ" (or "17 giờ 30") and "20/6", with the year only
 * when it is not the year of `from` ("5/1/2025").
 */
export function spokenWhen(instant: Date, from: Date, lng: Language = currentLanguage()): { time: string; date: string } {
  const d = dayjs(instant).tz(TIME_ZONE);
  const time = d.minute() === 0
    ? t("reminders:reminder.hour", { hour: d.hour() }, lng)
    : t("reminders:reminder.hourMinute", { hour: d.hour(), minute: d.format("mm") }, lng);
  const sameYear = dayjs(from).tz(TIME_ZONE).year() === d.year();
  return { time, date: sameYear ? `${d.date()}/${d.month() + 1}` : `${d.date()}/${d.month() + 1}/${d.year()}` };
}

/**
 * "3 ngày", "5 giờ", "30 phút": how long until the deadline. A day or more is counted in
 * calendar days (a reminder on 13/6 for 20/6 says "còn 7 ngày", whatever the hours); less than a
 * day in hours, then minutes (rounded down).
 */
export function timeLeftText(from: Date, due: Date, lng: Language = currentLanguage()): string {
  // From the deadline as shown ("20:00"), i.e. the start of its last minute.
  const ms = Math.max(0, due.getTime() - (MINUTE_MS - 1) - from.getTime());
  if (ms >= DAY_MS) {
    const days = dayjs(due).tz(TIME_ZONE).startOf("day").diff(dayjs(from).tz(TIME_ZONE).startOf("day"), "day");
    return t("reminders:left.days", { count: Math.max(1, days) }, lng);
  }
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
    ? t("reminders:greeting.leaders", { names: leaders.map(bareName).join(", chị "), unit: unitName }, lng)
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

/**
 * A reminder: "Em xin nhắc chị: báo cáo “…” tháng 6/2024 cần gửi trước 20 giờ ngày 20/6 (còn 3
 * ngày) ạ."; for an event (28/6) no deadline: "Em xin báo chị: sắp đến …, vào ngày 28/6 (còn 7
 * ngày) ạ." and, when it has one, the short report to send after it.
 */
export function renderReminder(r: ReminderText): string {
  const lng = r.lng ?? currentLanguage();
  const { time, date } = spokenWhen(r.dueAt, r.sendAt, lng);
  const left = timeLeftText(r.sendAt, r.dueAt, lng);
  const you = t(r.leaders.length === 1 ? "reminders:reminder.you" : "reminders:reminder.youAll", {}, lng);
  const lines = [greeting(r.unitName, r.leaders, lng)];
  if (r.milestone?.event) {
    const days = dayjs(r.dueAt).tz(TIME_ZONE).startOf("day").diff(dayjs(r.sendAt).tz(TIME_ZONE).startOf("day"), "day");
    const eventLeft = t("reminders:left.days", { count: days }, lng);
    lines.push(t(days > 0 ? "reminders:reminder.event" : "reminders:reminder.eventToday", { you, name: lowerFirst(r.milestone.name), date, left: eventLeft }, lng));
    if (r.form) lines.push(t("reminders:reminder.eventAction", { form: formName(r.form) }, lng));
  } else if (r.milestone) {
    lines.push(t("reminders:reminder.milestone", { you, name: r.milestone.name, time, date, left }, lng));
    if (r.form) lines.push(t("reminders:reminder.milestoneAction", { form: formName(r.form) }, lng));
  } else if (r.form) {
    const period = periodText(r.plan, r.form, r.periodKey ?? "", lng);
    lines.push(t("reminders:reminder.form", { you, form: formName(r.form), period, time, date, left }, lng));
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
