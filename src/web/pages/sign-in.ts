/**
 * Sign-in and sign-out. /web in a private chat gives a link /web/dangnhap?t=…; opening it shows a
 * button (a link preview fetching the page does not use it up), pressing it uses the link once and
 * starts a 12-hour session. A used, expired or unknown link gets a clear page. Attempts are limited
 * per client address.
 */
import type { IncomingMessage } from "node:http";
import { html } from "hono/html";
import type { Context, Hono } from "hono";
import { t } from "../../i18n.js";
import type { WebEnv } from "../context.js";
import { sameOrigin } from "../csrf.js";
import { messagePage, page } from "../layout.js";
import { peekLoginLink, useLoginLinkIn, type LinkState } from "../login-links.js";
import { AttemptLimiter } from "../rate-limit.js";
import { clearSessionCookie, setSessionCookie } from "../session-cookie.js";
import { endSession, startSessionIn } from "../sessions.js";
import { sameToken, TOKEN_PATTERN } from "../tokens.js";

/** The client's address (the socket's; a reverse proxy in front makes it the proxy's). */
function clientAddress(c: Context<WebEnv>): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? "unknown";
}

function refusal(c: Context<WebEnv>, state: Exclude<LinkState["kind"], "valid">) {
  const status = state === "unknown" ? 404 : 410;
  return c.html(messagePage(t("web:sign_in.title"), t(`web:sign_in.${state}`), null), status);
}

/** Registers the sign-in routes. */
export function signInRoutes(web: Hono<WebEnv>): void {
  const limiters = new WeakMap<object, AttemptLimiter>();
  const limiter = (c: Context<WebEnv>) => {
    const opts = c.get("opts");
    let l = limiters.get(opts);
    if (!l) limiters.set(opts, (l = new AttemptLimiter(opts.signInLimit ?? 20, opts.signInWindowMs ?? 10 * 60_000)));
    return l;
  };
  const tooMany = (c: Context<WebEnv>) => {
    c.get("opts").app.log.warn({ remote: clientAddress(c) }, "web sign-in attempts limited");
    return c.html(messagePage(t("web:sign_in.title"), t("web:sign_in.too_many"), null), 429);
  };

  web.get("/web/dangnhap", async (c) => {
    const { app } = c.get("opts");
    if (!limiter(c).take(clientAddress(c), Date.now())) return tooMany(c);
    const token = c.req.query("t") ?? "";
    const state = TOKEN_PATTERN.test(token) ? await peekLoginLink(app.store.sql, token, app.now()) : ({ kind: "unknown" } as const);
    if (state.kind !== "valid") return refusal(c, state.kind);
    return c.html(
      page(
        t("web:sign_in.title"),
        html`<h1>${t("web:sign_in.title")}</h1>
          <p>${t("web:sign_in.confirm")}</p>
          <form method="post" action="/web/dangnhap">
            <input type="hidden" name="t" value="${token}">
            <button type="submit" class="primary">${t("web:sign_in.button")}</button>
          </form>`,
        null,
      ),
    );
  });

  web.post("/web/dangnhap", async (c) => {
    const { app } = c.get("opts");
    if (!limiter(c).take(clientAddress(c), Date.now())) return tooMany(c);
    if (!sameOrigin(c)) return c.html(messagePage(t("web:denied.title"), t("web:denied.form"), null), 403);
    const body = await c.req.parseBody();
    const token = typeof body.t === "string" ? body.t : "";
    if (!TOKEN_PATTERN.test(token)) return refusal(c, "unknown");
    const now = app.now();
    const outcome = await app.store.sql.transaction(async (tx) => {
      const link = await useLoginLinkIn(tx, token, now);
      if (link.kind !== "valid") return link;
      return { kind: "valid" as const, started: await startSessionIn(tx, link.personId, now) };
    });
    if (outcome.kind !== "valid") return refusal(c, outcome.kind);
    setSessionCookie(c, outcome.started.token);
    app.log.info({ personId: outcome.started.session.personId, session: outcome.started.session.id }, "web session started");
    return c.redirect("/web", 303);
  });

  web.post("/web/dangxuat", async (c) => {
    const { app } = c.get("opts");
    const viewer = c.get("viewer");
    if (viewer) {
      const body = await c.req.parseBody();
      if (!sameOrigin(c) || typeof body._csrf !== "string" || !sameToken(body._csrf, viewer.session.csrfToken)) {
        return c.html(messagePage(t("web:denied.title"), t("web:denied.form"), viewer), 403);
      }
      await endSession(app.store.sql, viewer.session.id, app.now(), viewer.personId);
      app.log.info({ personId: viewer.personId, session: viewer.session.id }, "web session ended (sign-out)");
    }
    clearSessionCookie(c);
    return c.html(messagePage(t("web:sign_out.title"), t("web:sign_out.done"), null));
  });
}
