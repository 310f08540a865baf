/**
 * Time helpers for the scheduler: plan durations, cron expansion in the plan's time zone and
 * quiet hours. Pure.
 */
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import { parse as parseCron } from "node-cron";
import { localDateOf, localInstant, TIME_ZONE } from "../domain/periods.js";

dayjs.extend(utc);
dayjs.extend(timezone);

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** "3d" / "12h" / "30m" → milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+)([dhm])$/.exec(text.trim());
  if (!m) throw new RangeError(`Invalid duration "${text}" (expected e.g. 3d, 12h, 30m)`);
  const n = Number(m[1]);
  return n * (m[2] === "d" ? DAY_MS : m[2] === "h" ? HOUR_MS : MINUTE_MS);
}

/** Minutes since local midnight. */
export function localMinuteOfDay(instant: Date): number {
  const d = dayjs(instant).tz(TIME_ZONE);
  return d.hour() * 60 + d.minute();
}

function parseHm(text: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new RangeError(`Invalid time "${text}" (expected HH:mm)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Local wall-clock quiet hours, e.g. 21:00–07:00 (wrapping midnight). start = end: none. */
export interface QuietHours {
  start: string;
  end: string;
}
export const DEFAULT_QUIET_HOURS: QuietHours = { start: "21:00", end: "07:00" };

export function isQuiet(instant: Date, qh: QuietHours = DEFAULT_QUIET_HOURS): boolean {
  const s = parseHm(qh.start);
  const e = parseHm(qh.end);
  if (s === e) return false;
  const m = localMinuteOfDay(instant);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** The instant itself when it is not in quiet hours; otherwise the end of those quiet hours. */
export function afterQuiet(instant: Date, qh: QuietHours = DEFAULT_QUIET_HOURS): Date {
  if (!isQuiet(instant, qh)) return instant;
  const e = parseHm(qh.end);
  const { year, month, day } = localDateOf(instant);
  let end = localInstant(year, month, day, Math.floor(e / 60), e % 60);
  if (end.getTime() <= instant.getTime()) end = new Date(end.getTime() + DAY_MS); // no DST in Asia/Ho_Chi_Minh
  return end;
}

/** The last minute before the quiet hours that contain `instant` begin (e.g. 20:59). */
export function beforeQuiet(instant: Date, qh: QuietHours = DEFAULT_QUIET_HOURS): Date {
  if (!isQuiet(instant, qh)) return instant;
  const s = parseHm(qh.start);
  const { year, month, day } = localDateOf(instant);
  let start = localInstant(year, month, day, Math.floor(s / 60), s % 60);
  if (start.getTime() > instant.getTime()) start = new Date(start.getTime() - DAY_MS);
  return new Date(start.getTime() - MINUTE_MS);
}

/** Length of the quiet hours in ms (0 when none). */
export function quietLengthMs(qh: QuietHours = DEFAULT_QUIET_HOURS): number {
  const s = parseHm(qh.start);
  const e = parseHm(qh.end);
  return (((e - s) % 1440) + 1440) % 1440 * MINUTE_MS;
}

interface CronSets {
  minute: number[];
  hour: number[];
  day: Set<number>;
  month: Set<number>;
  weekday: Set<number>;
}

const cronCache = new Map<string, CronSets>();

function cronSets(expression: string): CronSets {
  let sets = cronCache.get(expression);
  if (sets) return sets;
  const f = parseCron(expression);
  const nums = (xs: (number | string)[], field: string): number[] =>
    xs.map((x) => {
      if (typeof x !== "number") throw new RangeError(`Cron "${expression}": "${x}" in the ${field} field is not supported here`);
      return x;
    });
  sets = {
    minute: nums(f.minute, "minute"),
    hour: nums(f.hour, "hour"),
    day: new Set(nums(f.dayOfMonth, "day")),
    month: new Set(nums(f.month, "month")),
    weekday: new Set(nums(f.dayOfWeek, "weekday").map((d) => d % 7)),
  };
  if (f.second.length !== 1 || f.second[0] !== 0) throw new RangeError(`Cron "${expression}": seconds are not supported`);
  cronCache.set(expression, sets);
  return sets;
}

/**
 * The instants in [from, to) at which a 5-field cron expression fires in the plan's time zone.
 * Day-of-month and weekday must both match (node-cron's rule, which the live driver uses too).
 */
export function cronTimes(expression: string, from: Date, to: Date): Date[] {
  const sets = cronSets(expression);
  const out: Date[] = [];
  if (to.getTime() <= from.getTime()) return out;
  const first = localDateOf(from);
  const last = localDateOf(new Date(to.getTime() - 1));
  let cursor = localInstant(first.year, first.month, first.day);
  const endDay = localInstant(last.year, last.month, last.day);
  for (let i = 0; cursor.getTime() <= endDay.getTime() && i < 100_000; i++) {
    const { year, month, day } = localDateOf(cursor);
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (sets.month.has(month) && sets.day.has(day) && sets.weekday.has(weekday)) {
      for (const h of sets.hour) {
        for (const m of sets.minute) {
          const t = localInstant(year, month, day, h, m);
          if (t.getTime() >= from.getTime() && t.getTime() < to.getTime()) out.push(t);
        }
      }
    }
    cursor = new Date(cursor.getTime() + DAY_MS); // no DST in Asia/Ho_Chi_Minh
  }
  return out.sort((a, b) => a.getTime() - b.getTime());
}
