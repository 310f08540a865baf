/**
 * Cross-site request forgery: every change is a POST whose form carries the session's CSRF token
 * (`_csrf`), and a request another site started (Origin of another site, Sec-Fetch-Site cross-site)
 * is refused before that. The sign-in form carries the link's own token instead.
 */
import type { Context } from "hono";
import { sameToken } from "./tokens.js";
import type { WebEnv } from "./context.js";

/** True when the request comes from the dashboard's own pages (or from a client that sends no Origin). */
export function sameOrigin(c: Context<WebEnv>): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = c.req.header("origin");
  if (!origin) return true;
  const allowed = new Set([new URL(c.get("opts").baseUrl).origin, new URL(c.req.url).origin]);
  return allowed.has(origin);
}

/** Checks the posted form's `_csrf` against the session's; the parsed form when it matches, else null. */
export async function checkedForm(c: Context<WebEnv>): Promise<Record<string, string> | null> {
  const viewer = c.get("viewer");
  if (!viewer || !sameOrigin(c)) return null;
  const body = await c.req.parseBody();
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") form[k] = v;
  const given = form._csrf ?? "";
  return sameToken(given, viewer.session.csrfToken) ? form : null;
}
