/**
 * The report change feed: what changed in "Report" since a cursor, read in ONE statement, exact
 * whatever wrote it (this process, another instance, the CLI, a raw SQL fix) and whatever order
 * transactions commit in. The database keeps it true (migration 20261202030000_report_change_feed):
 *
 *   - a trigger stamps every inserted or updated report with its transaction's id ("feedXact");
 *   - a report that leaves its (plan, form, period, unit) slot — DELETE, cascades from a deleted
 *     unit, an UPDATE of those columns, TRUNCATE — leaves a tombstone in "ReportGone" with the
 *     same stamp (TRUNCATE: one tombstone with NULL keys);
 *   - the statement also returns `pg_snapshot_xmin(pg_current_snapshot())`: every transaction
 *     whose writes this statement could not see has an id >= that xmin (the ids below it have all
 *     committed or aborted). That xmin is the next cursor.
 *
 * Invariant: a change is either visible to a read, or its stamp is >= the cursor that read
 * returns, so the next read returns it. Nothing is assumed about commit delays (no time window),
 * and no shared row is written (many branches submitting at once never queue on one row).
 * A change may be returned twice (stamp >= xmin but already visible): consumers apply rows as
 * the current state of their slot, so reading one again is harmless.
 *
 * Limit: a read made inside a transaction that itself writes reports sees its own uncommitted
 * rows; the app never reads progress inside such a transaction.
 */
import type { AnswerValue } from "../plan/schema.js";
import type { SqlConnection } from "../store/sql.js";

/** A position in the feed: a transaction id (xid8, as text). */
export type FeedCursor = string;

/** The current state of a report slot, as the feed returns it. */
export interface FeedRow {
  /** formId: "planKey/formKey". */
  f: string;
  /** Period key. */
  k: string;
  /** Unit id. */
  u: number;
  /** Submission time (ms). */
  t: number;
  /** Answers. */
  a: Record<string, AnswerValue>;
}

/** A slot a report left; null keys: every slot (TRUNCATE). */
export interface FeedGone {
  f: string | null;
  k: string | null;
}

export interface FeedRead {
  /** Where the next read starts. */
  cursor: FeedCursor;
  /** Reports inserted or updated at or after the cursor, of the forms asked for. */
  rows: FeedRow[];
  /**
   * More than FEED_MAX_ROWS reports changed (an import, a mass fix): `rows` is then incomplete and
   * the reader must drop what it keeps of those forms and load it again.
   */
  overflow: boolean;
  /** Slots left at or after the cursor (any form: a tombstone is rare and cheap). */
  gone: FeedGone[];
}

/** The most rows one feed read returns; beyond, reloading is cheaper than patching. */
export const FEED_MAX_ROWS = 5_000;

/**
 * Read the feed from `cursor` (null: only take a cursor, nothing is cached yet), keeping the rows
 * of the given forms ("planKey/formKey").
 */
export async function readFeed(sql: Pick<SqlConnection, "query">, cursor: FeedCursor | null, forms: readonly string[]): Promise<FeedRead> {
  if (cursor === null || forms.length === 0) {
    const [row] = await sql.query<{ x: string }>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x`);
    return { cursor: row!.x, rows: [], gone: [], overflow: false };
  }
  const [row] = await sql.query<{ x: string; rows: string | null; gone: string | null }>(
    `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x,
       (SELECT json_agg(json_build_object('f', r."planKey" || '/' || r."formKey", 'k', r."periodKey", 'u', r."unitId",
                 't', (extract(epoch FROM r."submittedAt") * 1000)::float8, 'a', r."answers"))::text
          FROM (SELECT * FROM "Report" r
                 WHERE r."feedXact" >= $1::xid8 AND (r."planKey" || '/' || r."formKey") = ANY($2::text[])
                 LIMIT ${FEED_MAX_ROWS + 1}) r) AS rows,
       (SELECT json_agg(json_build_object('f', g."planKey" || '/' || g."formKey", 'k', g."periodKey"))::text
          FROM "ReportGone" g WHERE g."xact" >= $1::xid8) AS gone`,
    [cursor, forms],
  );
  const rows = row!.rows ? (JSON.parse(row!.rows) as FeedRow[]) : [];
  return {
    cursor: row!.x,
    rows: rows.length > FEED_MAX_ROWS ? [] : rows,
    gone: row!.gone ? (JSON.parse(row!.gone) as FeedGone[]) : [],
    overflow: rows.length > FEED_MAX_ROWS,
  };
}
