/**
 * "Part of total" answers: "12/15", "12 / 15", "12 trên 15", "12 tren tong so 15",
 * "12 trong 15", "12 trong tổng số 15", "12 hộ / 15 hộ". Pure, no I/O.
 * A lone 0 ("0", "không", "không có", "chưa có") means none of none: 0/0.
 */
import { normalize, stripCourtesyText } from "./normalize.js";
import { parseNumber } from "./numbers.js";

export type PartOfTotalParse =
  | { ok: true; part: number; total: number }
  /** "not_part_of_total": no separator or a side is not a number. */
  | { ok: false; code: "not_part_of_total" };

/**
 * The first "/" or separator word ("trên", "trong", "của"). What follows the word ("tổng số",
 * "số") is dropped by parseNumber as a leading word.
 */
const SEPARATOR = /^(.+?)\s*(?:\/|\s(?:tren|trong|cua)\s)\s*(.+)$/;

/**
 * Splits and reads both sides as numbers (figures or words, with unit words such as the
 * question's labels after them). Does not check integers, bounds or part ≤ total.
 */
export function parsePartOfTotal(text: string, labels: readonly string[] = []): PartOfTotalParse {
  const s = stripCourtesyText(normalize(text));
  const opts = { units: labels };
  const m = SEPARATOR.exec(s);
  if (!m) {
    return parseNumber(s, opts) === 0 ? { ok: true, part: 0, total: 0 } : { ok: false, code: "not_part_of_total" };
  }
  // The labels may also come first: "hỗ trợ 2 trên (phát hiện) 3".
  const withoutLead = (side: string) => {
    const lead = new Set(labels.flatMap((l) => normalize(l).split(/[^a-z0-9]+/)).filter((w) => /^[a-z]+$/.test(w)));
    const ws = side.split(" ");
    let i = 0;
    while (i < ws.length - 1 && lead.has(ws[i]!)) i++;
    return ws.slice(i).join(" ");
  };
  const part = parseNumber(withoutLead(m[1]!), opts);
  const total = parseNumber(withoutLead(m[2]!), opts);
  if (part === null || total === null) return { ok: false, code: "not_part_of_total" };
  return { ok: true, part, total };
}
