/**
 * Reporting periods and deadlines. Pure: no I/O, no clock (callers pass `now`).
 *
 * All calendar arithmetic is done in the plan's time zone, Asia/Ho_Chi_Minh (UTC+7, no DST);
 * a Period's `start` and `end` are instants (Date), `end` exclusive.
 *
 * Keys: monthly "2024-05", half_yearly "2024-H1" / "2024-H2", yearly "2024",
 * once: the form's key (or "once" when no form is known).
 */
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import type { Form, Plan, PeriodKind } from "../plan/schema.js";
import { t, type Language } from "../i18n.js";
import { normalize as normalizeText } from "./vi/normalize.js";

dayjs.extend(utc);
dayjs.extend(timezone);

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Earliest / latest representable instants, used for the bounds of an unbounded once-period. */
export const MIN_INSTANT = new Date(-8.64e15);
export const MAX_INSTANT = new Date(8.64e15);

export interface Period {
  kind: PeriodKind;
  key: string;
  /** First instant of the period (local midnight), inclusive. */
  start: Date;
  /** First instant after the period (local midnight), exclusive. */
  end: Date;
  /** Local calendar year (for once-periods: the year of the last day, or 0 when unbounded). */
  year: number;
  /** monthly: month 1–12; half_yearly: 1 or 2; yearly and once: 1. */
  index: number;
}

/** Where a once-form's single period comes from. */
export interface OnceContext {
  form: Pick<Form, "key" | "from" | "until">;
  plan?: Pick<Plan, "start" | "end">;
}

// ---------------------------------------------------------------------------------------------
// Local-time helpers

interface LocalDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// Vietnam has kept UTC+7 without daylight saving since 13 June 1975: instants from 1976 to 9999 are
// computed with that fixed offset (plain Date arithmetic: dayjs's time-zone plugin costs about a
// millisecond per call on the hot path, e.g. currentPeriod at every /baocao). Earlier instants (the
// zone's history) and the far bounds go through dayjs as before.
const OFFSET_MS = 7 * 3600_000;
const FIXED_FROM = Date.UTC(1976, 0, 1);
const FIXED_UNTIL = Date.UTC(9999, 0, 1);
const fixedOffset = (utcMs: number): boolean => utcMs >= FIXED_FROM && utcMs < FIXED_UNTIL;

/** The local calendar date of an instant. */
export function localDateOf(instant: Date): LocalDate {
  if (fixedOffset(instant.getTime())) {
    const d = new Date(instant.getTime() + OFFSET_MS);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  const d = dayjs(instant).tz(TIME_ZONE);
  return { year: d.year(), month: d.month() + 1, day: d.date() };
}

/** "YYYY-MM-DD" of an instant's local date. */
export function localIsoDate(instant: Date): string {
  if (fixedOffset(instant.getTime())) return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
  return dayjs(instant).tz(TIME_ZONE).format("YYYY-MM-DD");
}

/** "HH:mm" of an instant in local time. */
export function localTimeText(instant: Date): string {
  if (fixedOffset(instant.getTime())) return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(11, 16);
  return dayjs(instant).tz(TIME_ZONE).format("HH:mm");
}

/** The instant of a local wall-clock time. `month` may overflow (13 = January next year). */
export function localInstant(year: number, month: number, day = 1, hour = 0, minute = 0): Date {
  const m0 = year * 12 + (month - 1);
  const y = Math.floor(m0 / 12);
  const m = (m0 - y * 12) + 1;
  if (y >= 1976 && y < 9999) {
    const utc = Date.UTC(y, m - 1, 1, hour, minute) + (day - 1) * 86_400_000 - OFFSET_MS;
    // As dayjs parses "YYYY-MM-DD HH:mm": a day past the month's end is not rolled over there either
    // (it is invalid); keep dayjs for anything outside the month.
    if (day >= 1 && day <= daysInMonth(y, m)) return new Date(utc);
  }
  const text = `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(day)} ${pad2(hour)}:${pad2(minute)}`;
  return dayjs.tz(text, TIME_ZONE).toDate();
}

/** Days in a calendar month (month 1–12, may overflow like localInstant). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "YYYY-MM-DD" (a plan date) → the local midnight instant that starts that day. */
export function startOfLocalDate(date: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Invalid date "${date}", expected YYYY-MM-DD`);
  return localInstant(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** "YYYY-MM-DD" → the local midnight instant that ends that day (exclusive end). */
export function endOfLocalDate(date: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Invalid date "${date}", expected YYYY-MM-DD`);
  return nextLocalMidnight(Number(m[1]), Number(m[2]), Number(m[3]));
}

function nextLocalMidnight(year: number, month: number, day: number): Date {
  if (day < daysInMonth(year, month)) return localInstant(year, month, day + 1);
  return localInstant(year, month + 1, 1);
}

// ---------------------------------------------------------------------------------------------
// Construction

/** Build a periodic period from its year and index (month 1–12 or half 1–2). */
export function makePeriod(kind: Exclude<PeriodKind, "once">, year: number, index = 1): Period {
  switch (kind) {
    case "monthly":
      if (!Number.isInteger(index) || index < 1 || index > 12) throw new RangeError(`month ${index}`);
      return {
        kind,
        key: `${year}-${pad2(index)}`,
        start: localInstant(year, index),
        end: localInstant(year, index + 1),
        year,
        index,
      };
    case "half_yearly":
      if (index !== 1 && index !== 2) throw new RangeError(`half ${index}`);
      return {
        kind,
        key: `${year}-H${index}`,
        start: localInstant(year, index === 1 ? 1 : 7),
        end: localInstant(year, index === 1 ? 7 : 13),
        year,
        index,
      };
    case "yearly":
      return { kind, key: String(year), start: localInstant(year, 1), end: localInstant(year + 1, 1), year, index: 1 };
  }
}

/** The single period of a once-form: from the form's (or plan's) first day to its last day. */
export function oncePeriod(ctx?: OnceContext): Period {
  if (!ctx) return { kind: "once", key: "once", start: MIN_INSTANT, end: MAX_INSTANT, year: 0, index: 1 };
  const from = ctx.form.from ?? ctx.plan?.start;
  const until = ctx.form.until ?? ctx.plan?.end;
  const start = from ? startOfLocalDate(from) : MIN_INSTANT;
  const end = until ? endOfLocalDate(until) : MAX_INSTANT;
  const year = until ? Number(until.slice(0, 4)) : 0;
  return { kind: "once", key: ctx.form.key, start, end, year, index: 1 };
}

/** The period of the given kind that contains the instant (local time). */
export function periodOf(kind: PeriodKind, instant: Date, once?: OnceContext): Period {
  if (kind === "once") return oncePeriod(once);
  const { year, month } = localDateOf(instant);
  if (kind === "monthly") return makePeriod(kind, year, month);
  if (kind === "half_yearly") return makePeriod(kind, year, month <= 6 ? 1 : 2);
  return makePeriod(kind, year);
}

const YEAR_MIN = 1900;
const YEAR_MAX = 2999;

/** Parse a period key of the given kind; null when it is not a valid key of that kind. */
export function parsePeriodKey(kind: PeriodKind, key: string, once?: OnceContext): Period | null {
  const k = key.trim();
  let m: RegExpExecArray | null;
  switch (kind) {
    case "monthly":
      m = /^(\d{4})-(\d{2})$/.exec(k);
      if (!m) return null;
      return validYear(+m[1]!) && +m[2]! >= 1 && +m[2]! <= 12 ? makePeriod(kind, +m[1]!, +m[2]!) : null;
    case "half_yearly":
      m = /^(\d{4})-H([12])$/i.exec(k);
      return m && validYear(+m[1]!) ? makePeriod(kind, +m[1]!, +m[2]!) : null;
    case "yearly":
      m = /^(\d{4})$/.exec(k);
      return m && validYear(+m[1]!) ? makePeriod(kind, +m[1]!) : null;
    case "once": {
      const p = oncePeriod(once);
      return k === p.key || (!once && k.length > 0) ? { ...p, key: k } : null;
    }
  }
}

function validYear(y: number): boolean {
  return y >= YEAR_MIN && y <= YEAR_MAX;
}

/** The following period of the same kind; null for once-periods. */
export function nextPeriod(p: Period): Period | null {
  switch (p.kind) {
    case "monthly":
      return p.index === 12 ? makePeriod("monthly", p.year + 1, 1) : makePeriod("monthly", p.year, p.index + 1);
    case "half_yearly":
      return p.index === 2 ? makePeriod("half_yearly", p.year + 1, 1) : makePeriod("half_yearly", p.year, 2);
    case "yearly":
      return makePeriod("yearly", p.year + 1);
    case "once":
      return null;
  }
}

/** The preceding period of the same kind; null for once-periods. */
export function previousPeriod(p: Period): Period | null {
  switch (p.kind) {
    case "monthly":
      return p.index === 1 ? makePeriod("monthly", p.year - 1, 12) : makePeriod("monthly", p.year, p.index - 1);
    case "half_yearly":
      return p.index === 1 ? makePeriod("half_yearly", p.year - 1, 2) : makePeriod("half_yearly", p.year, 1);
    case "yearly":
      return makePeriod("yearly", p.year - 1);
    case "once":
      return null;
  }
}

/** Position of a periodic period on a line, for comparisons (monthly: months, half: halves…). */
function ordinal(p: Period): number {
  if (p.kind === "monthly") return p.year * 12 + p.index - 1;
  if (p.kind === "half_yearly") return p.year * 2 + p.index - 1;
  return p.year;
}

/** Compare two periods by start (then end). */
export function comparePeriods(a: Period, b: Period): number {
  return a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime();
}

/**
 * Every period of `kind` from the one containing `from` to the one containing `to`, inclusive.
 * Empty when `from` is after `to`. For "once", the single unbounded once-period.
 */
export function periodsBetween(kind: PeriodKind, from: Date | Period, to: Date | Period): Period[] {
  if (kind === "once") return [oncePeriod()];
  const first = from instanceof Date ? periodOf(kind, from) : periodOf(kind, from.start);
  const last = to instanceof Date ? periodOf(kind, to) : periodOf(kind, new Date(to.end.getTime() - 1));
  const out: Period[] = [];
  const n = ordinal(last) - ordinal(first);
  let p: Period | null = first;
  for (let i = 0; i <= n && p; i++) {
    out.push(p);
    p = nextPeriod(p);
  }
  return out;
}

/**
 * The instants bounding the form's reporting: from the first day (form.from, else plan.start) to
 * the end of the last day (form.until, else plan.end), both clamped to the plan's dates.
 */
export function formRange(form: Form, plan?: Pick<Plan, "start" | "end">): { start: Date | null; end: Date | null } {
  let from = form.from ?? plan?.start;
  let until = form.until ?? plan?.end;
  if (plan && from && from < plan.start) from = plan.start;
  if (plan && until && until > plan.end) until = plan.end;
  return { start: from ? startOfLocalDate(from) : null, end: until ? endOfLocalDate(until) : null };
}

/**
 * The periods this form is asked for: from the period containing the form's first day to the one
 * containing its last day (see formRange). Once-forms have exactly one period keyed by the form key.
 * Empty when the range is empty.
 */
export function formPeriods(form: Form, plan?: Pick<Plan, "start" | "end">): Period[] {
  if (form.period === "once") return [oncePeriod({ form, plan })];
  const { start, end } = formRange(form, plan);
  if (!start || !end) throw new RangeError(`Form "${form.key}" has no from/until and no plan dates`);
  if (end.getTime() <= start.getTime()) return [];
  return periodsBetween(form.period, start, new Date(end.getTime() - 1));
}

// ---------------------------------------------------------------------------------------------
// Deadlines

const MINUTE_MS = 60_000;

/**
 * The deadline of a form's report for a period, as the LAST instant that is still on time:
 * a "23:59" deadline is 23:59:59.999 local time (the whole minute counts).
 *
 * Periodic rule: month = last month of the period + monthOffset; day = that day of the month, or
 * "last"; a day past the month's end is CLAMPED to the last day (day 31 in June → 30 June,
 * day 30 in February → 28/29 February). Date rule: that date. Time: local "HH:mm".
 * For once-periods with a periodic rule, the last month is the month of the form's last day.
 */
export function dueDate(form: Pick<Form, "due">, period: Period): Date {
  const rule = form.due;
  const [hh, mm] = (rule.time ?? "23:59").split(":").map(Number) as [number, number];
  let year: number;
  let month: number;
  let day: number;
  if ("date" in rule) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(rule.date);
    if (!m) throw new RangeError(`Invalid due date "${rule.date}"`);
    [year, month, day] = [+m[1]!, +m[2]!, +m[3]!];
  } else {
    let lastMonth: number;
    let lastYear = period.year;
    if (period.kind === "monthly") lastMonth = period.index;
    else if (period.kind === "half_yearly") lastMonth = period.index * 6;
    else if (period.kind === "yearly") lastMonth = 12;
    else {
      if (period.end.getTime() >= MAX_INSTANT.getTime()) throw new RangeError("Once-period without an end has no due month");
      const last = localDateOf(new Date(period.end.getTime() - 1));
      lastYear = last.year;
      lastMonth = last.month;
    }
    const m0 = lastYear * 12 + (lastMonth - 1) + (rule.monthOffset ?? 0);
    year = Math.floor(m0 / 12);
    month = m0 - year * 12 + 1;
    const dim = daysInMonth(year, month);
    day = rule.day === "last" ? dim : Math.min(rule.day, dim);
  }
  return new Date(localInstant(year, month, day, hh, mm).getTime() + MINUTE_MS - 1);
}

/** On time iff submitted at or before the deadline instant returned by dueDate. */
export function isOnTime(submittedAt: Date, due: Date): boolean {
  return submittedAt.getTime() <= due.getTime();
}

/**
 * The period whose report is being collected at `now`:
 * among the periods that have already started (start ≤ now) within the form's range, the
 * EARLIEST one whose deadline has not passed yet; if every started period is past its deadline,
 * the latest started one (the period containing `now`: its report is late but still expected).
 *
 * So a monthly form due the 20th of the same month gives the current month all month long (after
 * the 20th it is late, not replaced by next month, which has not started); a monthly form due
 * the 5th of the next month gives April on 3 May (April reports still coming in) and May from
 * 6 May. Before the form's first period: the first period; after its last: the last (or the
 * earliest one still before its deadline). Once-forms: their only period.
 */
export function currentPeriod(form: Form, now: Date, plan?: Pick<Plan, "start" | "end">): Period {
  if (form.period === "once") return oncePeriod({ form, plan });
  const { start, end } = formRange(form, plan);
  const first = start ? periodOf(form.period, start) : null;
  const last = end ? periodOf(form.period, new Date(end.getTime() - 1)) : null;
  let p = periodOf(form.period, now);
  if (last && comparePeriods(p, last) > 0) p = last;
  if (first && comparePeriods(p, first) < 0) return first;
  // Deadlines grow with the period, so walk back while the previous one is still open.
  for (;;) {
    const prev = previousPeriod(p);
    if (!prev || (first && comparePeriods(prev, first) < 0)) break;
    if (dueDate(form, prev).getTime() < now.getTime()) break;
    p = prev;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Labels and officer input

/** "tháng 5/2024", "6 tháng đầu năm 2024", "6 tháng cuối năm 2024", "năm 2024" (vi default). */
export function periodLabel(p: Period, lng: Language = "vi"): string {
  switch (p.kind) {
    case "monthly":
      return t("progress:period.monthly", { month: p.index, month2: pad2(p.index), year: p.year }, lng);
    case "half_yearly":
      return t(p.index === 1 ? "progress:period.half1" : "progress:period.half2", { year: p.year }, lng);
    case "yearly":
      return t("progress:period.yearly", { year: p.year }, lng);
    case "once":
      return t("progress:period.once", {}, lng);
  }
}

/** The most recent monthly period with this month that has started by `now`. */
function recentMonth(month: number, now: Date): Period {
  const today = localDateOf(now);
  return makePeriod("monthly", month <= today.month ? today.year : today.year - 1, month);
}

function fullYear(y: string | undefined, fallback: number): number | null {
  if (y === undefined) return fallback;
  const n = Number(y);
  const full = y.length === 2 ? 2000 + n : n;
  return validYear(full) ? full : null;
}

const MONTH_WORD = "(?:thang|th|t)";
const YEAR_WORD = "(?:nam|n)";

/**
 * What an officer types after /tiendo to name a period, with or without diacritics, e.g.
 * "thang 5", "tháng 5/2024", "t5", "5/2024", "2024-05", "6 thang dau nam", "6 tháng cuối năm 2024",
 * "2024-H1", "nam 2024", "2024", "thang nay", "thang truoc", "nam nay", "nam ngoai", "ky nay",
 * "ky truoc". Returns the period the text names (its own kind: "thang 5" is monthly whatever
 * `kind` is); `kind` (and `current`, default periodOf(kind, now)) only resolve "kỳ này"/"kỳ trước".
 * A month or half without a year is the most recent one that has started by `now`.
 * The whole text must be a period phrase; otherwise null (see splitPeriodText).
 */
export function parsePeriodText(text: string, kind: PeriodKind, now: Date, current?: Period): Period | null {
  const s = normalizeText(text).replace(/[.,;:!?]+$/, "").trim();
  if (!s) return null;
  const today = localDateOf(now);
  let m: RegExpExecArray | null;

  // relative
  if (/^(?:ky|dot) ?(?:nay|hien tai|bao cao nay)$|^hien tai$/.test(s)) {
    if (kind === "once") return current ?? null;
    return current ?? periodOf(kind, now);
  }
  if (/^(?:ky|dot) ?(?:truoc|vua roi|roi)$/.test(s)) {
    if (kind === "once") return null;
    return previousPeriod(current ?? periodOf(kind, now));
  }
  if (/^(?:thang|t) ?(?:nay)$/.test(s)) return makePeriod("monthly", today.year, today.month);
  if (/^(?:thang|t) ?(?:truoc|vua roi|roi)$/.test(s)) return previousPeriod(makePeriod("monthly", today.year, today.month));
  if (/^(?:nam|n) ?nay$/.test(s)) return makePeriod("yearly", today.year);
  if (/^(?:nam|n) ?(?:truoc|ngoai|vua roi|roi)$/.test(s)) return makePeriod("yearly", today.year - 1);

  // keys
  if ((m = /^(\d{4})-(\d{1,2})$/.exec(s))) return monthPeriod(+m[2]!, m[1], now);
  if ((m = /^(\d{4}) ?[-/ ]? ?h ?([12])$/.exec(s))) return halfPeriod(+m[2]!, m[1], now);
  if ((m = /^h ?([12])(?: ?[-/ ] ?(?:nam ?)?(\d{4}))?$/.exec(s))) return halfPeriod(+m[1]!, m[2], now);

  // monthly: "thang 5", "t5", "thang 5/2024", "thang 5 nam 2024", "t05-2024", "5/2024"
  m = new RegExp(`^${MONTH_WORD} ?(\\d{1,2})(?: ?(?:[/.-]|${YEAR_WORD}|,)? ?(\\d{4}|\\d{2}))?$`).exec(s);
  if (m) return monthPeriod(+m[1]!, m[2], now);
  if ((m = /^(\d{1,2}) ?[/.-] ?(\d{4}|\d{2})$/.exec(s))) return monthPeriod(+m[1]!, m[2], now);

  // half-yearly: "6 thang dau nam 2024", "6 thang cuoi nam", "6t dau nam", "nua dau nam", "6 thang 2024"
  m = /^(?:(?:6|sau) ?(?:thang|th|t) ?(dau|cuoi)?|nua (dau|cuoi)) ?(?:nam)? ?[/-]? ?(\d{4})?$/.exec(s);
  if (m) return halfPeriod((m[1] ?? m[2]) === "cuoi" ? 2 : 1, m[3], now);

  // yearly: "nam 2024", "2024", "ca nam 2024", "ca nam"
  if ((m = /^(?:ca )?(?:nam|n) ?(\d{4})$/.exec(s)) || (m = /^(\d{4})$/.exec(s))) {
    const y = fullYear(m[1], today.year);
    return y === null ? null : makePeriod("yearly", y);
  }
  if (/^ca nam$/.test(s)) return makePeriod("yearly", today.year);
  return null;
}

function monthPeriod(month: number, year: string | undefined, now: Date): Period | null {
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  if (year === undefined) return recentMonth(month, now);
  const y = fullYear(year, 0);
  return y === null ? null : makePeriod("monthly", y, month);
}

function halfPeriod(half: number, year: string | undefined, now: Date): Period | null {
  if (year === undefined) {
    const today = localDateOf(now);
    const y = half === 1 || today.month >= 7 ? today.year : today.year - 1;
    return makePeriod("half_yearly", y, half);
  }
  const y = fullYear(year, 0);
  return y === null ? null : makePeriod("half_yearly", y, half);
}

/**
 * Split "/tiendo" arguments into a unit part and a trailing (or leading) period phrase:
 * "Ý Yên tháng 5" → { rest: "Ý Yên", period: May }. When no period phrase is found,
 * { rest: text.trim(), period: null }. The longest matching phrase wins.
 */
export function splitPeriodText(
  text: string,
  kind: PeriodKind,
  now: Date,
  current?: Period,
): { rest: string; period: Period | null } {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const maxLen = Math.min(tokens.length, 6);
  for (let len = maxLen; len >= 1; len--) {
    const tail = parsePeriodText(tokens.slice(tokens.length - len).join(" "), kind, now, current);
    if (tail) return { rest: tokens.slice(0, tokens.length - len).join(" "), period: tail };
    const head = parsePeriodText(tokens.slice(0, len).join(" "), kind, now, current);
    if (head) return { rest: tokens.slice(len).join(" "), period: head };
  }
  return { rest: tokens.join(" "), period: null };
}
