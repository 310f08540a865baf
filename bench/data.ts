/**
 * Synthetic report data for the benchmark and the store tests: plausible monthly branch reports
 * (form chi_hoi_thang of the default plan) generated inside the database with one
 * INSERT … SELECT per batch of periods, so that a million rows load in seconds.
 */
import { dueDate, type Period } from "../src/domain/periods.js";
import type { Form } from "../src/plan/schema.js";
import type { Store } from "../src/store/database.js";

export interface GenerateReportsOptions {
  /** The plan the reports belong to (default: the seed plan's id). */
  planKey?: string;
  form: Form;
  periods: readonly Period[];
  /** Units that answer (normally the form's unit kinds); all when absent. */
  unitIds?: readonly number[];
  /** Share of units that report in a period (default 0.85). */
  rate?: number;
  /** Share of the reports that come after the deadline (default 0.1). */
  lateShare?: number;
  /** Periods per INSERT statement (default 3). */
  periodsPerBatch?: number;
}

/** SQL for a plausible chi_hoi_thang answer set, from per-row random numbers r1…r6. */
const ANSWERS_SQL = `jsonb_strip_nulls(jsonb_build_object(
  'tuyen_truyen', b.r1 < 0.8,
  'so_buoi', CASE WHEN b.r1 < 0.8 THEN 1 + floor(b.r2 * 4)::int END,
  'so_nguoi', CASE WHEN b.r1 < 0.8 THEN 15 + floor(b.r3 * 120)::int END,
  'gia_tri', CASE WHEN b.r1 < 0.8 THEN (ARRAY['an_toan','trach_nhiem','thinh_vuong','binh_dang'])[1:1 + floor(b.r2 * 4)::int] END,
  'ho_dat_moi', CASE WHEN b.r4 < 0.05 THEN 1 + floor(b.r4 * 40)::int ELSE 0 END,
  'mo_hinh', CASE WHEN b.r5 < 0.5 THEN to_jsonb(ARRAY['giao_duc_cha_me','dia_chi_tin_cay']) END,
  'phat_hien_blgd', b.r5 < 0.06,
  'nan_nhan_blgd', CASE WHEN b.r5 < 0.06 THEN jsonb_build_object('part', floor(b.r6 * (1 + floor(b.r3 * 3)) + 0.3)::int, 'total', 1 + floor(b.r3 * 3)::int) END
))`;

/**
 * Insert reports of `form` for every (unit, period) with probability `rate`; submittedAt is up to
 * 12 days before the deadline, or for `lateShare` of them 1–10 days after it. Returns the count.
 */
export async function generateReports(store: Store, opts: GenerateReportsOptions): Promise<number> {
  const rate = opts.rate ?? 0.85;
  const late = opts.lateShare ?? 0.1;
  const batch = opts.periodsPerBatch ?? 3;
  let inserted = 0;
  for (let i = 0; i < opts.periods.length; i += batch) {
    const ps = opts.periods.slice(i, i + batch);
    const keys = ps.map((p) => p.key);
    const dues = ps.map((p) => dueDate(opts.form, p).getTime());
    const unitFilter = opts.unitIds ? `WHERE u."id" = ANY($5::int[])` : opts.form.unitKinds.length > 0 ? `WHERE u."kind" = ANY($5::text[])` : "";
    const rows = await store.sql.query<{ n: number }>(
      `WITH b AS (
         SELECT u."id" AS unit, k.key, k.due, random() AS r0, random() AS r1, random() AS r2, random() AS r3,
                random() AS r4, random() AS r5, random() AS r6, random() AS r7
         FROM "Unit" u CROSS JOIN unnest($2::text[], $3::float8[]) AS k(key, due) ${unitFilter}
       ), ins AS (
         INSERT INTO "Report" ("planKey", "formKey", "periodKey", "unitId", "answers", "submittedAt", "updatedAt", "version")
         SELECT $7, $1, b.key, b.unit, ${ANSWERS_SQL},
                to_timestamp((b.due + CASE WHEN b.r7 < $6 THEN 86400000 * (1 + b.r0 * 9) ELSE -86400000 * b.r0 * 12 END) / 1000.0) AT TIME ZONE 'UTC',
                now(), 1
         FROM b WHERE b.r0 * 0 + random() < $4
         ON CONFLICT DO NOTHING
         RETURNING 1
       ) SELECT count(*)::int AS n FROM ins`,
      [opts.form.key, keys, dues, rate, opts.unitIds ? [...opts.unitIds] : [...opts.form.unitKinds], late, opts.planKey ?? "vun_dap_gia_dinh_2023_2025"],
    );
    inserted += rows[0]?.n ?? 0;
  }
  return inserted;
}
