/**
 * One-time sign-in links for the web dashboard: /web in a private chat makes one (valid
 * {@link LINK_VALID_MS}); opening it and confirming starts a session. Only the token's hash is stored.
 */
import type { SqlConnection } from "../store/sql.js";
import { hashToken, newToken } from "./tokens.js";

/** How long a sign-in link stays valid. */
export const LINK_VALID_MS = 10 * 60_000;

/** Writes a new link for a person inside the caller's transaction; returns the token to put in the URL. */
export async function createLoginLinkIn(tx: SqlConnection, personId: number, now: Date): Promise<string> {
  const token = newToken();
  await tx.query(`INSERT INTO "WebLoginLink" ("tokenHash", "personId", "createdAt", "expiresAt") VALUES ($1, $2, $3, $4)`, [
    hashToken(token),
    personId,
    now,
    new Date(now.getTime() + LINK_VALID_MS),
  ]);
  return token;
}

/** What opening a link finds: usable (with its person), used, expired or unknown. */
export type LinkState = { kind: "valid"; personId: number } | { kind: "used" } | { kind: "expired" } | { kind: "unknown" };

/** Reads a link without using it. */
export async function peekLoginLink(sql: SqlConnection, token: string, now: Date): Promise<LinkState> {
  const rows = await sql.query<{ personId: number; expiresAt: Date; usedAt: Date | null }>(
    `SELECT "personId", "expiresAt", "usedAt" FROM "WebLoginLink" WHERE "tokenHash" = $1`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return { kind: "unknown" };
  if (row.usedAt) return { kind: "used" };
  if (new Date(row.expiresAt).getTime() <= now.getTime()) return { kind: "expired" };
  return { kind: "valid", personId: row.personId };
}

/** Uses a link once, inside the caller's transaction: the person's id, or the reason it cannot be used. */
export async function useLoginLinkIn(tx: SqlConnection, token: string, now: Date): Promise<LinkState> {
  const rows = await tx.query<{ personId: number }>(
    `UPDATE "WebLoginLink" SET "usedAt" = $2
      WHERE "tokenHash" = $1 AND "usedAt" IS NULL AND "expiresAt" > $2
      RETURNING "personId"`,
    [hashToken(token), now],
  );
  if (rows[0]) return { kind: "valid", personId: rows[0].personId };
  return peekLoginLink(tx, token, now);
}
