/** /web: signed out, how to get a link; signed in, her unit's page (or the list when she oversees several). */
import { html } from "hono/html";
import type { Hono } from "hono";
import { t } from "../../i18n.js";
import { isProvinceAdmin } from "../admin-check.js";
import type { WebEnv } from "../context.js";
import { messagePage, page } from "../layout.js";
import { viewerRoots } from "../unit-access.js";

/** Registers /web. */
export function homeRoutes(web: Hono<WebEnv>): void {
  web.get("/web", (c) => c.redirect("/web/", 302));
  web.get("/web/", (c) => {
    const viewer = c.get("viewer");
    if (!viewer) return c.html(messagePage(t("web:signed_out.title"), t("web:signed_out.how"), null));
    const tree = c.get("opts").app.tree();
    const roots = viewerRoots(viewer, tree);
    if (roots.length === 1) return c.redirect(`/web/donvi/${encodeURIComponent(roots[0]!.code)}`, 302);
    const body = roots.length
      ? html`<h1>${t("web:home.title")}</h1><ul>${roots.map((u) => html`<li><a href="/web/donvi/${encodeURIComponent(u.code)}">${u.name}</a></li>`)}</ul>`
      : html`<h1>${t("web:home.title")}</h1><p class="message">${t("web:home.no_units")}</p>`;
    return c.html(page(t("web:home.title"), body, viewer, { admin: isProvinceAdmin(viewer.grants, tree) }));
  });
}
