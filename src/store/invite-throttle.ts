/**
 * Wrong invite codes: after {@link MAX_FAILURES} wrong codes within {@link WINDOW_MS} a person
 * waits {@link WAIT_MS} before /dangky reads another code. Kept in the store (InviteFailure rows),
 * so the wait survives restarts and holds on every instance sharing the database.
 */
import type { Store } from "./database.js";
import { type Db, sqlOf, utcFromMs } from "./db.js";

/** Wrong codes that start a wait. */
export const MAX_FAILURES = 5;
/** …within this long. */
export const WINDOW_MS = 10 * 60_000;
/** How long she waits after the last of them. */
export const WAIT_MS = 15 * 60_000;

/**
 * Until when the person must wait, or null when she may try a code now. The wait runs from the
 * wrong code that made {@link MAX_FAILURES} within {@link WINDOW_MS}.
 */
export async function inviteWaitUntil(store: Store, personId: number, now: Date): Promise<Date | null> {
  const since = new Date(now.getTime() - WINDOW_MS - WAIT_MS);
  const rows = await store.prisma.inviteFailure.findMany({
    where: { personId, at: { gt: since } },
    orderBy: { at: "asc" },
    select: { at: true },
  });
  let until: number | null = null;
  for (let k = MAX_FAILURES - 1; k < rows.length; k++) {
    const last = rows[k]!.at.getTime();
    const first = rows[k - MAX_FAILURES + 1]!.at.getTime();
    if (last - first <= WINDOW_MS && last + WAIT_MS > now.getTime()) until = Math.max(until ?? 0, last + WAIT_MS);
  }
  return until === null ? null : new Date(until);
}

/** Records one wrong code (and forgets her wrong codes older than a day); in the caller's transaction when given one. */
export async function recordInviteFailure(db: Db, personId: number, now: Date): Promise<void> {
  const sql = sqlOf(db);
  await sql.query(`INSERT INTO "InviteFailure" ("personId", at) VALUES ($1, ${utcFromMs(2)})`, [personId, now.getTime()]);
  await sql.query(`DELETE FROM "InviteFailure" WHERE "personId" = $1 AND at < ${utcFromMs(2)}`, [
    personId,
    now.getTime() - 86_400_000,
  ]);
}

/** Forgets her wrong codes (after a right one); in the caller's transaction when given one. */
export async function clearInviteFailures(db: Db, personId: number): Promise<void> {
  await sqlOf(db).query(`DELETE FROM "InviteFailure" WHERE "personId" = $1`, [personId]);
}
