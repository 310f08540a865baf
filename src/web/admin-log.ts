/** Every change an admin makes through the dashboard is recorded: a log line and a WebAdminChange row (who, when, what). */
import type { Logger } from "../log.js";
import type { SqlConnection } from "../store/sql.js";

/** One recorded change. */
export interface AdminChange {
  id: number;
  personId: number;
  displayName: string;
  at: Date;
  action: string;
  detail: Record<string, unknown>;
}

/** Records a change made by `personId` (inside the caller's transaction when given one). */
export async function recordAdminChange(
  sql: SqlConnection,
  log: Logger,
  change: { personId: number; action: string; detail: Record<string, unknown>; at: Date },
): Promise<void> {
  await sql.query(`INSERT INTO "WebAdminChange" ("personId", at, action, detail) VALUES ($1, $2, $3, $4::jsonb)`, [
    change.personId,
    change.at,
    change.action,
    JSON.stringify(change.detail),
  ]);
  log.info({ by: change.personId, action: change.action, ...change.detail }, "web admin change");
}

/** The latest changes, newest first. */
export async function recentAdminChanges(sql: SqlConnection, limit = 20): Promise<AdminChange[]> {
  return sql.query<AdminChange>(
    `SELECT c.id, c."personId", p."displayName", c.at, c.action, c.detail
       FROM "WebAdminChange" c JOIN "Person" p ON p.id = c."personId"
      ORDER BY c.id DESC LIMIT $1`,
    [limit],
  );
}
