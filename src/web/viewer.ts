/** The person behind a session: her name and roles, read anew at every request (a role removed takes effect at once). */
import { isRoleName, type Grant } from "../domain/permissions.js";
import type { SqlConnection } from "../store/sql.js";
import type { WebSession } from "./sessions.js";
import type { Viewer } from "./context.js";

/** The viewer of a live session, or null when the person is gone. */
export async function loadViewer(sql: SqlConnection, session: WebSession): Promise<Viewer | null> {
  const rows = await sql.query<{ displayName: string; role: string | null; unitId: number | null }>(
    `SELECT p."displayName", r.role, r."unitId" FROM "Person" p LEFT JOIN "Role" r ON r."personId" = p.id WHERE p.id = $1`,
    [session.personId],
  );
  if (rows.length === 0) return null;
  const grants: Grant[] = [];
  for (const r of rows) if (r.role && r.unitId !== null && isRoleName(r.role)) grants.push({ role: r.role, unitId: r.unitId });
  return { session, personId: session.personId, displayName: rows[0]!.displayName, grants };
}
