/**
 * The per-report numbers that the indicators of computeProgress accumulate, as SQL expressions
 * over `answers` and as the same functions in JS (for the rows the cache patches one by one).
 * Each pair must agree; test/store/progress.test.ts checks the result against computeProgress.
 *
 *   sum    Σ sumValue(answer): a number; true as 1 (false 0); the part of a part_of_total; else 0
 *   part   Σ part of part_of_total answers  (ratio numerator)
 *   total  Σ total of part_of_total answers (ratio denominator)
 *   yes    any answer is yes: true, or a number > 0 (yes_share)
 */
import type { AnswerValue } from "../plan/schema.js";

export type ValueKind = "sum" | "part" | "total" | "yes";

/** SQL for one report's value of `kind`, `v` being a jsonb expression (the answer or NULL). */
export function valueSql(kind: ValueKind, v: string): string {
  const field = (f: string) => `CASE WHEN jsonb_typeof(${v} -> '${f}') = 'number' THEN (${v} -> '${f}')::float8 ELSE 0 END`;
  switch (kind) {
    case "sum":
      return (
        `CASE jsonb_typeof(${v}) WHEN 'number' THEN (${v})::float8 WHEN 'boolean' THEN CASE WHEN ${v} = 'true'::jsonb THEN 1 ELSE 0 END ` +
        `WHEN 'object' THEN ${field("part")} ELSE 0 END`
      );
    case "part":
      return `CASE WHEN jsonb_typeof(${v}) = 'object' THEN ${field("part")} ELSE 0 END`;
    case "total":
      return `CASE WHEN jsonb_typeof(${v}) = 'object' THEN ${field("total")} ELSE 0 END`;
    case "yes":
      return `CASE jsonb_typeof(${v}) WHEN 'boolean' THEN ${v} = 'true'::jsonb WHEN 'number' THEN (${v})::float8 > 0 ELSE false END`;
  }
}

function isObject(a: unknown): a is Record<string, unknown> {
  return typeof a === "object" && a !== null && !Array.isArray(a);
}

const num = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? x : 0);

/** The JS twin of valueSql (yes as 1 or 0). */
export function valueOf(kind: ValueKind, a: AnswerValue | null | undefined): number {
  switch (kind) {
    case "sum":
      return typeof a === "number" ? num(a) : a === true ? 1 : isObject(a) ? num(a.part) : 0;
    case "part":
      return isObject(a) ? num(a.part) : 0;
    case "total":
      return isObject(a) ? num(a.total) : 0;
    case "yes":
      return a === true || (typeof a === "number" && a > 0) ? 1 : 0;
  }
}
