/**
 * The web dashboard (Hono, server-rendered HTML, no script): every route under /web. It is served
 * by the bot's own process on PORT; `webAndWebhook` puts it beside the Telegram webhook on one
 * node:http server (the webhook keeps every other path, with its secret and its 503 during a store
 * outage).
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { t } from "../i18n.js";
import { isStoreUnavailable } from "../store/unavailable.js";
import type { WebEnv, WebOptions } from "./context.js";
import { messagePage } from "./layout.js";
import { adminRoutes } from "./pages/admin.js";
import { downloadRoutes } from "./pages/downloads.js";
import { homeRoutes } from "./pages/home.js";
import { peopleRoutes } from "./pages/people.js";
import { photoRoutes } from "./pages/photos.js";
import { progressRoutes } from "./pages/progress.js";
import { reportRoutes } from "./pages/reports.js";
import { signInRoutes } from "./pages/sign-in.js";
import { securityHeaders } from "./security-headers.js";
import { readSession } from "./session-cookie.js";

/** The stylesheet (src/web/style.css; the same path from compiled code one level down). */
const STYLE_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "web", "style.css");

/** The dashboard as a Hono app. */
export function createWebApp(opts: WebOptions): Hono<WebEnv> {
  const css = readFileSync(STYLE_PATH, "utf8");
  const web = new Hono<WebEnv>();
  web.use("*", securityHeaders);
  web.use("*", async (c, next) => {
    c.set("opts", opts);
    await next();
  });
  web.get("/web/static/style.css", (c) => c.body(css, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  web.use("*", readSession);
  homeRoutes(web);
  signInRoutes(web);
  progressRoutes(web);
  reportRoutes(web);
  downloadRoutes(web);
  adminRoutes(web);
  peopleRoutes(web);
  photoRoutes(web);
  web.notFound((c) => c.html(messagePage(t("web:not_found.title"), t("web:not_found.page"), c.get("viewer") ?? null), 404));
  web.onError((err, c) => {
    const unavailable = isStoreUnavailable(err);
    if (!unavailable) opts.app.log.error({ err, path: c.req.path }, "web page failed");
    return c.html(messagePage(t("web:error.title"), t(unavailable ? "web:error.unavailable" : "web:error.internal"), null), unavailable ? 503 : 500);
  });
  return web;
}

/** A node:http handler. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The dashboard's node:http handler. */
export function webRequestListener(web: Hono<WebEnv>): NodeHandler {
  const listener = getRequestListener(web.fetch, { overrideGlobalObjects: false });
  return (req, res) => void listener(req, res);
}

/** True for the paths the dashboard answers. */
export function isWebPath(url: string | undefined): boolean {
  const path = (url ?? "/").split("?")[0]!;
  return path === "/web" || path.startsWith("/web/");
}

/**
 * One handler for the shared server: /web… goes to the dashboard, everything else to the webhook
 * (unchanged), or 404 when there is no webhook.
 */
export function webAndWebhook(web: NodeHandler, webhook?: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): NodeHandler {
  return (req, res) => {
    if (isWebPath(req.url)) return web(req, res);
    if (webhook) return void webhook(req, res);
    res.writeHead(404, { "content-type": "text/plain" }).end();
  };
}
