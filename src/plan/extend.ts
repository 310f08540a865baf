/**
 * `plan extend`: carries a plan forward to a later end date, as a new draft plan that starts the
 * day after the old one ends (so the two never overlap and their reports never mix). Pure.
 *
 * - Periodic forms, their reminders, values, campaigns, models, indicators and content go on;
 *   periods are regenerated from the new dates (a form's from/until is dropped or clamped).
 * - One-off forms and milestones dated before the new start are dropped, with the reminders and
 *   indicators that point at them. Milestones of the old plan's last year (e.g. Family Day
 *   28/6/2025) are taken as yearly: repeated on the same day in each year of the new span, their
 *   keys and names carrying the new year. A one-off form such a milestone points at (the short
 *   report after Family Day) is repeated with it, each year's copy with its dates, reminders and
 *   indicators moved to that year.
 * - Content items and reminder rules whose validUntil is before the new start are dropped;
 *   validity dates are clamped to the new span.
 * - The header says it is an extension (status: draft, continues: the old id, a note).
 */
import type { Milestone, Plan, ReminderRule } from "./schema.js";

/** What extending changed, for the person who runs the command. */
export interface ExtendSummary {
  /** Keys of what was left out (dated before the new start). */
  dropped: string[];
  /** Keys of milestones and reminder rules made for the new years. */
  repeated: string[];
}

/** The day after a YYYY-MM-DD date. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The same month and day in `year` (29/2 becomes 28/2 in a common year). */
function inYear(date: string, year: number): string {
  const [, m, d] = date.split("-");
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === "02" && d === "29" && !leap ? "28" : d;
  return `${year}-${m}-${day}`;
}

/** Replaces the old year in a key or name with the new one (appended to keys that have none). */
function withYear(text: string, oldYear: number, year: number, isKey: boolean): string {
  if (text.includes(String(oldYear))) return text.split(String(oldYear)).join(String(year));
  return isKey ? `${text}_${year}` : text;
}

/** A new plan id: the years in the old id replaced by the new span, or a suffix. */
function extendedId(id: string, startYear: number, endYear: number): string {
  const span = /(\d{4})_(\d{4})$/;
  if (span.test(id)) return id.replace(span, `${startYear}_${endYear}`);
  return `${id}_den_${endYear}`;
}

/** The texts of the new header (from the locales: the caller translates them). */
export interface ExtendTexts {
  /** The new title. */
  title: string;
  /** The note saying what the file is and that it awaits approval. */
  note: string;
}

/**
 * The plan carried forward until `until` (YYYY-MM-DD, after the plan's end), as plain data for
 * the YAML file, and what changed.
 */
export function extendPlan(plan: Plan, until: string, texts: ExtendTexts): { plan: Record<string, unknown>; summary: ExtendSummary } {
  if (until <= plan.end) throw new RangeError(`--until ${until} must be after the plan's end ${plan.end}`);
  const start = nextDay(plan.end);
  const startYear = Number(start.slice(0, 4));
  const endYear = Number(until.slice(0, 4));
  const lastYear = Number(plan.end.slice(0, 4));
  const dropped: string[] = [];
  const repeated: string[] = [];
  const inside = (date: string) => date >= start && date <= until;

  // One-off forms of the last year that a milestone of that year points at: repeated yearly.
  const followUps = new Set(plan.milestones.filter((m) => m.form && Number(m.date.slice(0, 4)) === lastYear && !inside(m.date)).map((m) => m.form!));
  const formCopies = new Map<string, { key: string; year: number }[]>();
  const forms = plan.forms.flatMap((f) => {
    if (f.period === "once") {
      const due = "date" in f.due ? f.due.date : null;
      if (due && followUps.has(f.key) && Number(due.slice(0, 4)) === lastYear && !inside(due)) {
        const copies = [];
        const keys: { key: string; year: number }[] = [];
        for (let y = startYear; y <= endYear; y++) {
          const date = inYear(due, y);
          const from = f.from ? inYear(f.from, y) : undefined;
          if (!inside(date) || (from && from < start)) continue;
          const copy = {
            ...f,
            key: withYear(f.key, lastYear, y, true),
            title: withYear(f.title, lastYear, y, false),
            ...(f.shortTitle ? { shortTitle: withYear(f.shortTitle, lastYear, y, false) } : {}),
            due: { ...f.due, date },
            ...(from ? { from } : {}),
            ...(f.until ? { until: inYear(f.until, y) } : {}),
            questions: f.questions.map((q) => ({ ...q, text: withYear(q.text, lastYear, y, false) })),
          };
          copies.push(copy);
          keys.push({ key: copy.key, year: y });
          repeated.push(copy.key);
        }
        formCopies.set(f.key, keys);
        if (copies.length === 0) dropped.push(f.key);
        return copies;
      }
      if (!due || !inside(due) || (f.from && f.from < start)) {
        dropped.push(f.key);
        return [];
      }
      return [f];
    }
    if (f.until && f.until < start) {
      dropped.push(f.key);
      return [];
    }
    const { from, until: formUntil, ...rest } = f;
    return [{ ...rest, ...(from && from > start ? { from } : {}), ...(formUntil && formUntil < until ? { until: formUntil } : {}) }];
  });
  const formKeys = new Set(forms.map((f) => f.key));

  const milestones: Milestone[] = [];
  const milestoneCopies = new Map<string, { key: string; year: number }[]>();
  for (const m of plan.milestones) {
    const year = Number(m.date.slice(0, 4));
    if (inside(m.date)) {
      milestones.push(m);
      continue;
    }
    if (year !== lastYear || (m.form && !formKeys.has(m.form) && !formCopies.has(m.form))) {
      dropped.push(m.key);
      continue;
    }
    const keys: { key: string; year: number }[] = [];
    for (let y = startYear; y <= endYear; y++) {
      const date = inYear(m.date, y);
      if (!inside(date)) continue;
      const { form, ...rest } = m;
      const yearForm = form && formCopies.has(form) ? formCopies.get(form)!.find((c) => c.year === y)?.key : form;
      const copy: Milestone = { ...rest, ...(yearForm ? { form: yearForm } : {}), key: withYear(m.key, year, y, true), name: withYear(m.name, year, y, false), date };
      milestones.push(copy);
      keys.push({ key: copy.key, year: y });
      repeated.push(copy.key);
    }
    milestoneCopies.set(m.key, keys);
  }
  const milestoneKeys = new Set(milestones.map((m) => m.key));

  const clampValidity = <T extends { key: string; validFrom?: string | undefined; validUntil?: string | undefined }>(item: T): T | null => {
    if (item.validUntil && item.validUntil < start) return null;
    if (item.validFrom && item.validFrom > until) return null;
    const { validFrom, validUntil, ...rest } = item;
    return { ...rest, ...(validFrom && validFrom > start ? { validFrom } : {}), ...(validUntil && validUntil < until ? { validUntil } : {}) } as T;
  };

  const reminders: ReminderRule[] = [];
  for (const r of plan.reminders) {
    const rule = clampValidity(r);
    if (!rule) {
      dropped.push(r.key);
      continue;
    }
    if ("form" in rule.target) {
      const copies = formCopies.get(rule.target.form);
      if (copies && copies.length > 0) {
        for (const { key, year } of copies) {
          const copy = { ...rule, key: withYear(rule.key, lastYear, year, true), target: { form: key } };
          reminders.push(copy);
          repeated.push(copy.key);
        }
      } else if (formKeys.has(rule.target.form)) reminders.push(rule);
      else dropped.push(r.key);
      continue;
    }
    const target = rule.target.milestone;
    if (milestoneKeys.has(target)) {
      reminders.push(rule);
      continue;
    }
    const copies = milestoneCopies.get(target);
    if (!copies || copies.length === 0) {
      dropped.push(r.key);
      continue;
    }
    for (const { key, year } of copies) {
      const copy = { ...rule, key: withYear(rule.key, lastYear, year, true), target: { milestone: key } };
      reminders.push(copy);
      repeated.push(copy.key);
    }
  }

  const indicators = plan.indicators.flatMap((i) => {
    const copies = formCopies.get(i.form);
    if (copies && copies.length > 0) {
      return copies.map(({ key, year }) => ({ ...i, key: withYear(i.key, lastYear, year, true), name: withYear(i.name, lastYear, year, false), form: key }));
    }
    if (formKeys.has(i.form)) return [i];
    dropped.push(i.key);
    return [];
  });
  const items = plan.content.items.flatMap((i) => {
    const item = clampValidity(i);
    if (!item) dropped.push(i.key);
    return item ? [item] : [];
  });

  const { status: _status, continues: _continues, note: _note, ...base } = plan;
  const out: Record<string, unknown> = {
    ...base,
    id: extendedId(plan.id, startYear, endYear),
    title: texts.title,
    status: "draft",
    continues: plan.id,
    note: texts.note,
    start,
    end: until,
    forms,
    indicators,
    milestones,
    reminders,
    content: { ...plan.content, items },
  };
  return { plan: out, summary: { dropped, repeated } };
}
