/**
 * Calendar dates typed in chat, returned as "YYYY-MM-DD". Pure: the reference day ("today" in
 * Asia/Ho_Chi_Minh) is a parameter.
 *
 * Accepted: "05/08/2023", "5/8/2023", "05-08-2023", "05.08.2023", "5/8/23" (20yy), "5/8" (year
 * chosen — see {@link parseDate}), "ngày 5 tháng 8 năm 2023", "ngày 5 tháng 8", "5 thg 8",
 * "mùng 5 tháng 6" / "mồng 5/6" (the first ten days of a month), "mồng một tháng sáu" (words),
 * "２８/６" (full-width), "2023-08-05", "2023/08/05", "hnay"/"hqua" (phone shorthand),
 * "hôm nay"/"hom nay"/"nay", "hôm qua"/"hom qua", "hôm kia" (2 days ago), "today", "yesterday",
 * with polite words around.
 * The day must exist: 31/4 and 29/2/2023 are "invalid_date", 29/2/2024 is valid.
 * A day above 31, a month above 12 ("12/15") or a year outside 1900–2100 is "bad_date".
 */
import { parseNumber, wordTable } from "./numbers.js";
import { normalize, stripCourtesyText } from "./normalize.js";

export interface YMD {
  year: number;
  month: number;
  day: number;
}

export type DateParse =
  | { ok: true; value: string }
  /** "bad_date": not a date at all; "invalid_date": shaped like one but the day does not exist. */
  | { ok: false; code: "bad_date" }
  | { ok: false; code: "invalid_date"; date: YMD };

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** Today's date in Vietnam (UTC+7, no daylight saving) for an instant, as "YYYY-MM-DD". */
export function vietnamToday(now: Date = new Date()): string {
  return new Date(now.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidDate({ year, month, day }: YMD): boolean {
  return (
    Number.isInteger(year) &&
    year >= 1900 &&
    year <= 2100 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

export function toIsoDate({ year, month, day }: YMD): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** "2023-08-05" → {2023, 8, 5}; null when not that shape or not a real day. */
export function parseIsoDate(iso: string): YMD | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const ymd = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isValidDate(ymd) ? ymd : null;
}

/** Adds days to an ISO date. */
export function addDays(iso: string, days: number): string {
  const d = parseIsoDate(iso);
  if (!d) throw new RangeError(`not a date: ${iso}`);
  return new Date(Date.UTC(d.year, d.month - 1, d.day) + days * 86_400_000).toISOString().slice(0, 10);
}

function dayNumber({ year, month, day }: YMD): number {
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

/**
 * The year for a day and month typed without one: of the reference year and the years just
 * before and after, the one that puts the date closest to the reference day (so on 05/01/2024
 * "28/12" is 28/12/2023, and on 20/12/2024 "5/1" is 05/01/2025). Null when the day exists in none
 * of them (31/4).
 */
export function nearestYear(day: number, month: number, today: YMD): number | null {
  let best: number | null = null;
  let bestDistance = Infinity;
  for (const year of [today.year, today.year - 1, today.year + 1]) {
    const ymd = { year, month, day };
    if (!isValidDate(ymd)) continue;
    const distance = Math.abs(dayNumber(ymd) - dayNumber(today));
    if (distance < bestDistance) {
      best = year;
      bestDistance = distance;
    }
  }
  return best;
}

const RELATIVE_DAYS = wordTable({
  "hom nay": 0,
  hnay: 0,
  nay: 0,
  "bua nay": 0,
  "ngay hom nay": 0,
  "hom qua": -1,
  hqua: -1,
  "bua qua": -1,
  "ngay hom qua": -1,
  "hom kia": -2,
  today: 0,
  yesterday: -1,
});

function expandYear(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y);
}

/** Day, month and optional year from the typed forms, before validation. */
function readDayMonthYear(s: string): { day: number; month: number; year?: number } | null {
  const numeric = /^(?:ngay\s*)?(?:(?:mung|mong)\s*)?(\d{1,2})\s*([/.-])\s*(\d{1,2})(?:\s*\2\s*(\d{4}|\d{2}))?$/.exec(s);
  if (numeric) {
    return { day: Number(numeric[1]), month: Number(numeric[3]), ...(numeric[4] ? { year: expandYear(numeric[4]) } : {}) };
  }
  const words = /^(?:ngay\s+)?(?:(?:mung|mong)\s*)?(\d{1,2})\s+(?:thang|thg|th)\s+(\d{1,2})(?:\s*,?\s*nam\s+(\d{4}))?$/.exec(s);
  if (words) {
    return { day: Number(words[1]), month: Number(words[2]), ...(words[3] ? { year: Number(words[3]) } : {}) };
  }
  const iso = /^(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})$/.exec(s);
  if (iso) return { day: Number(iso[4]), month: Number(iso[3]), year: Number(iso[1]) };
  // Day and month in words: "mồng một tháng sáu", "ngày hai mươi tháng năm".
  const spoken = /^(?:ngay\s+)?(?:(?:mung|mong)\s+)?([a-z ]+?)\s+(?:thang|thg)\s+([a-z ]+?)(?:\s*,?\s*nam\s+(\d{4}))?$/.exec(s);
  if (spoken) {
    const day = parseNumber(spoken[1]!);
    const month = parseNumber(spoken[2]!);
    if (day !== null && month !== null && Number.isInteger(day) && Number.isInteger(month)) {
      return { day, month, ...(spoken[3] ? { year: Number(spoken[3]) } : {}) };
    }
  }
  return null;
}

/**
 * Parses a date. `today` ("YYYY-MM-DD") is the reference for "hôm nay", "hôm qua" and for dates
 * typed without a year; it defaults to the current day in Vietnam.
 */
export function parseDate(text: string, today: string = vietnamToday()): DateParse {
  const ref = parseIsoDate(today);
  if (!ref) throw new RangeError(`today must be YYYY-MM-DD: ${today}`);
  const s = stripCourtesyText(normalize(text));
  const relative = RELATIVE_DAYS[s];
  if (relative !== undefined) return { ok: true, value: addDays(today, relative) };
  const dmy = readDayMonthYear(s);
  // Day 1–31 and month 1–12 look like a date; "12/15" does not.
  if (!dmy || dmy.day < 1 || dmy.day > 31 || dmy.month < 1 || dmy.month > 12) return { ok: false, code: "bad_date" };
  const year = dmy.year ?? nearestYear(dmy.day, dmy.month, ref) ?? ref.year;
  if (year < 1900 || year > 2100) return { ok: false, code: "bad_date" };
  const ymd = { year, month: dmy.month, day: dmy.day };
  return isValidDate(ymd) ? { ok: true, value: toIsoDate(ymd) } : { ok: false, code: "invalid_date", date: ymd };
}
