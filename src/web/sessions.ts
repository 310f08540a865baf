/**
 * Web sessions: the cookie holds a random token, the store its hash, the person, a CSRF token for
 * the forms and the end ({@link SESSION_MS} after sign-in, or "Đăng xuất", or an admin ending it).
 */
import type { SqlConnection } from "../store/sql.js";
import { hashToken, newToken } from "./tokens.js";

/** How long a session lasts. */
export const SESSION_MS = 12 * 3_600_000;

/** A live session as a request sees it. */
export interface WebSession {
  id: number;
  personId: number;
  csrfToken: string;
  expiresAt: Date;
}

/** Starts a session inside the caller's transaction; returns the cookie's token and the session. */
export async function startSessionIn(tx: SqlConnection, personId: number, now: Date): Promise<{ token: string; session: WebSession }> {
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_MS);
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO "WebSession" ("tokenHash", "personId", "csrfToken", "createdAt", "expiresAt") VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [hashToken(token), personId, csrfToken, now, expiresAt],
  );
  return { token, session: { id: rows[0]!.id, personId, csrfToken, expiresAt } };
}

/** The live session a cookie token names, or null (unknown, ended or expired). */
export async function findSession(sql: SqlConnection, token: string, now: Date): Promise<WebSession | null> {
  const rows = await sql.query<{ id: number; personId: number; csrfToken: string; expiresAt: Date }>(
    `SELECT id, "personId", "csrfToken", "expiresAt" FROM "WebSession"
      WHERE "tokenHash" = $1 AND "endedAt" IS NULL AND "expiresAt" > $2`,
    [hashToken(token), now],
  );
  const r = rows[0];
  return r ? { ...r, expiresAt: new Date(r.expiresAt) } : null;
}

/** Ends a session (sign-out, or an admin); false when it was not live. */
export async function endSession(sql: SqlConnection, id: number, now: Date, byPersonId: number): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE "WebSession" SET "endedAt" = $2, "endedById" = $3 WHERE id = $1 AND "endedAt" IS NULL RETURNING id`,
    [id, now, byPersonId],
  );
  return rows.length > 0;
}

/** A live session as the admin page lists it. */
export interface SessionRow {
  id: number;
  personId: number;
  displayName: string;
  channel: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Every live session, newest first. */
export async function liveSessions(sql: SqlConnection, now: Date): Promise<SessionRow[]> {
  return sql.query<SessionRow>(
    `SELECT s.id, s."personId", p."displayName", p.channel, s."createdAt", s."expiresAt"
       FROM "WebSession" s JOIN "Person" p ON p.id = s."personId"
      WHERE s."endedAt" IS NULL AND s."expiresAt" > $1
      ORDER BY s."createdAt" DESC LIMIT 200`,
    [now],
  );
}
