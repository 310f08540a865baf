/**
 * Headers on every dashboard response: a strict Content-Security-Policy (no script at all, styles and
 * images from the dashboard only, forms posting only to it, never framed), no referrer to other
 * sites (a sign-in token in a URL never leaves; "no-referrer" would make the browser send
 * `Origin: null` with our own forms), no MIME sniffing, and no caching of pages with personal data.
 */
import type { MiddlewareHandler } from "hono";

/** The Content-Security-Policy of every page. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Sets the headers after the route ran. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("Referrer-Policy", "same-origin");
  c.res.headers.set("X-Frame-Options", "DENY");
  c.res.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};
