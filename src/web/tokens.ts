/** Secret tokens of the web dashboard (sign-in links, sessions, CSRF): random, and kept in the store only as a hash. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new random token (32 bytes, base64url: 43 characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The SHA-256 of a token (hex), as the store keeps it. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time comparison of two strings (CSRF tokens). */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a token looks like: base64url, 43 characters (anything else is refused without a query). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
