/**
 * A strict validator for the 5-field cron expressions used by content schedules
 * ("minute hour day-of-month month day-of-week", in the plan's time zone).
 * Accepts what common cron libraries (node-cron, croner) accept for 5 fields:
 * `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n` and `a/n`, lists `a,b`,
 * month names (jan–dec) and weekday names (sun–sat); weekday 7 is Sunday — and then what
 * node-cron itself (the scheduler's parser) accepts, so that a plan that passes runs.
 * Pure; returns a localised problem description or null.
 */
import { parse as nodeCronParse } from "node-cron";
import { DEFAULT_LANGUAGE, type Language, t } from "../i18n.js";

interface FieldSpec {
  /** i18n key of the field's name in plan:cron.field.* */
  name: "minute" | "hour" | "day" | "month" | "weekday";
  min: number;
  max: number;
  names?: readonly string[];
  /** Offset added to a name's index (months are 1-based). */
  nameBase?: number;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] as const;
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: "weekday", min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

class CronFieldError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, unknown>,
  ) {
    super(key);
  }
}

function parseValue(raw: string, spec: FieldSpec): number {
  let value: number;
  if (/^\d+$/.test(raw)) {
    value = Number(raw);
  } else {
    const index = spec.names?.indexOf(raw.toLowerCase()) ?? -1;
    if (index < 0) throw new CronFieldError("badPart", { part: raw });
    value = index + (spec.nameBase ?? 0);
  }
  if (value < spec.min || value > spec.max) {
    throw new CronFieldError("outOfRange", { value: raw, min: spec.min, max: spec.max });
  }
  return value;
}

function checkItem(item: string, spec: FieldSpec): void {
  if (item === "") throw new CronFieldError("badPart", { part: item });
  const [rangePart, stepPart, extra] = item.split("/");
  if (extra !== undefined || rangePart === undefined || rangePart === "") {
    throw new CronFieldError("badPart", { part: item });
  }
  if (stepPart !== undefined) {
    if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) throw new CronFieldError("badStep", { part: item });
  }
  if (rangePart === "*") return;
  const bounds = rangePart.split("-");
  if (bounds.length === 1) {
    parseValue(bounds[0]!, spec);
    return;
  }
  if (bounds.length !== 2) throw new CronFieldError("badPart", { part: item });
  const from = parseValue(bounds[0]!, spec);
  const to = parseValue(bounds[1]!, spec);
  if (from > to) throw new CronFieldError("reversedRange", { part: item });
}

/** A problem with a cron expression, localised; null when the expression is valid. */
export function cronProblem(expression: string, lng: Language = DEFAULT_LANGUAGE): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return t("plan:cron.fieldCount", { count: fields.length }, lng);
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const spec = FIELDS[i]!;
    const field = fields[i]!;
    try {
      for (const item of field.split(",")) checkItem(item, spec);
    } catch (error) {
      if (!(error instanceof CronFieldError)) throw error;
      const fieldName = t(`plan:cron.field.${spec.name}`, {}, lng);
      return t(`plan:cron.${error.key}`, { ...error.params, field: fieldName }, lng);
    }
  }
  // The scheduler runs the expression through node-cron's own parser: what it refuses (a step
  // on a single value like "5/10", a day that never comes like 31 February) must not pass here.
  try {
    nodeCronParse(expression);
  } catch (error) {
    return t("plan:cron.rejected", { detail: (error as Error).message }, lng);
  }
  return null;
}

/** True when `cronProblem` finds nothing. */
export function isValidCron(expression: string): boolean {
  return cronProblem(expression) === null;
}
