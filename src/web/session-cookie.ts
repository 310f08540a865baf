/**
 * The session cookie: httpOnly, SameSite=Strict, path /web, 12 hours, Secure when the dashboard is
 * served over https. A request's viewer is read from it (ended or expired sessions count as none).
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { findSession, SESSION_MS } from "./sessions.js";
import { TOKEN_PATTERN } from "./tokens.js";
import { loadViewer } from "./viewer.js";
import type { WebEnv } from "./context.js";

/** The cookie's name. */
export const SESSION_COOKIE = "vundap_session";

const secure = (c: Context<WebEnv>) => c.get("opts").baseUrl.startsWith("https:");

/** Puts the session token in the cookie. */
export function setSessionCookie(c: Context<WebEnv>, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/web",
    maxAge: SESSION_MS / 1000,
    secure: secure(c),
  });
}

/** Removes the cookie (sign-out). */
export function clearSessionCookie(c: Context<WebEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/web", httpOnly: true, sameSite: "Strict", secure: secure(c) });
}

/** Sets the request's viewer (or null) from the cookie. */
export const readSession: MiddlewareHandler<WebEnv> = async (c, next) => {
  const { app } = c.get("opts");
  const token = getCookie(c, SESSION_COOKIE);
  let viewer = null;
  if (token && TOKEN_PATTERN.test(token)) {
    const session = await findSession(app.store.sql, token, app.now());
    if (session) viewer = await loadViewer(app.store.sql, session);
  }
  c.set("viewer", viewer);
  await next();
};
