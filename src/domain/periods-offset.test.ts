/**
 * Local dates and times are computed with Vietnam's fixed UTC+7 from 1976 on (no dayjs time-zone
 * call on the hot path): they must equal what the time-zone database says, instant by instant and
 * wall time by wall time, including days past a month's end and the zone's earlier history.
 */
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import { describe, expect, it } from "vitest";
import { localDateOf, localInstant, localIsoDate, localTimeText, TIME_ZONE } from "./periods.js";

dayjs.extend(utc);
dayjs.extend(timezone);

describe("local time with the fixed offset", () => {
  it("instants 1970–2100 (every 97 h 13 min 13 s): the same date and time as the zone database", () => {
    const diffs: string[] = [];
    for (let t = Date.UTC(1970, 0, 1); t < Date.UTC(2100, 0, 1); t += 3_600_000 * 97 + 793_000) {
      const d = dayjs(new Date(t)).tz(TIME_ZONE);
      const a = localDateOf(new Date(t));
      const got = `${a.year}-${a.month}-${a.day} ${localIsoDate(new Date(t))} ${localTimeText(new Date(t))}`;
      const want = `${d.year()}-${d.month() + 1}-${d.date()} ${d.format("YYYY-MM-DD")} ${d.format("HH:mm")}`;
      if (got !== want) diffs.push(`${new Date(t).toISOString()}: ${got} ≠ ${want}`);
    }
    expect(diffs.slice(0, 5)).toEqual([]);
  });

  it("wall times 1970–2100, months overflowing, days 1 to 32: the same instant as the zone database", () => {
    const diffs: string[] = [];
    for (let y = 1970; y < 2100; y += 3)
      for (let m = 0; m <= 14; m++)
        for (const day of [1, 28, 29, 30, 31, 32])
          for (const [h, mi] of [[0, 0], [23, 59]] as const) {
            const m0 = y * 12 + (m - 1);
            const yy = Math.floor(m0 / 12);
            const text = `${yy}-${String(m0 - yy * 12 + 1).padStart(2, "0")}-${String(day).padStart(2, "0")} ${String(h).padStart(2, "0")}:${String(mi).padStart(2, "0")}`;
            const want = dayjs.tz(text, TIME_ZONE).toDate().getTime();
            const got = localInstant(y, m, day, h, mi).getTime();
            if (!(want === got || (Number.isNaN(want) && Number.isNaN(got)))) diffs.push(`${text}: ${got} ≠ ${want}`);
          }
    expect(diffs.slice(0, 5)).toEqual([]);
  });
});
