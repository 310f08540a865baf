/**
 * A unit's people and invites: the units directly below it, who holds which role on it and on
 * them, the invite codes still open (never their codes), and a form creating an invite — as /moi,
 * with the same rule (canInvite: admins alone invite admins). The new code is shown once; the
 * change is recorded with who and when (not the code).
 */
import { html } from "hono/html";
import type { Hono } from "hono";
import { roleLabel } from "../../commands/register.js";
import { canInvite, isRoleName, ROLES } from "../../domain/permissions.js";
import { t } from "../../i18n.js";
import { createInvite } from "../../store/people.js";
import { isProvinceAdmin } from "../admin-check.js";
import { recordAdminChange } from "../admin-log.js";
import type { WebEnv } from "../context.js";
import { checkedForm } from "../csrf.js";
import { when } from "../format.js";
import { viewerUnit } from "../guard.js";
import { csrfField, messagePage, page } from "../layout.js";

/** Registers the people page and the invite form. */
export function peopleRoutes(web: Hono<WebEnv>): void {
  web.get("/web/donvi/:code/nguoi", async (c) => {
    const found = await viewerUnit(c);
    if (found instanceof Response) return found;
    const { viewer, unit } = found;
    const { app } = c.get("opts");
    const tree = app.tree();
    const children = tree.children(unit.id);
    const ids = [unit.id, ...children.map((u) => u.id)];
    const [roles, invites] = await Promise.all([
      app.store.sql.query<{ displayName: string; channel: string; role: string; unitId: number; createdAt: Date }>(
        `SELECT p."displayName", p.channel, r.role, r."unitId", r."createdAt" FROM "Role" r JOIN "Person" p ON p.id = r."personId"
          WHERE r."unitId" = ANY($1::int[]) ORDER BY r."unitId", r.role, p."displayName"`,
        [ids],
      ),
      app.store.sql.query<{ role: string; unitId: number; createdAt: Date; expiresAt: Date; creator: string | null }>(
        `SELECT i.role, i."unitId", i."createdAt", i."expiresAt", p."displayName" AS creator FROM "Invite" i LEFT JOIN "Person" p ON p.id = i."createdById"
          WHERE i."unitId" = ANY($1::int[]) AND i."usedAt" IS NULL AND i."voidedAt" IS NULL AND i."expiresAt" > $2 ORDER BY i."expiresAt"`,
        [ids, app.now()],
      ),
    ]);
    const name = (id: number) => tree.byId(id)?.name ?? String(id);
    const label = (role: string) => (isRoleName(role) ? roleLabel(role) : role);
    // Branch leader first (the usual invite), admin last.
    const allowed = [...ROLES].reverse().filter((r) => canInvite(viewer.grants, tree, unit.id, r));
    const body = html`<div class="crumbs"><a href="/web/donvi/${encodeURIComponent(unit.code)}">‹ ${t("web:people.back")}</a></div>
      <h1>${t("web:people.title", { unit: unit.name })}</h1>
      ${children.length
        ? html`<h2>${t("web:people.units")}</h2><ul>${children.map((u) => html`<li><a href="/web/donvi/${encodeURIComponent(u.code)}/nguoi">${u.name}</a> <span class="changes">${u.code}</span></li>`)}</ul>`
        : ""}
      <h2>${t("web:people.roles")}</h2>
      ${roles.length
        ? html`<div class="table-wrap"><table class="roles"><thead><tr><th>${t("web:people.person")}</th><th>${t("web:people.role")}</th><th>${t("web:progress.unit")}</th><th class="hide-narrow">${t("web:people.since")}</th></tr></thead><tbody>
            ${roles.map((r) => html`<tr><td>${r.displayName} <span class="changes">(${r.channel})</span></td><td>${label(r.role)}</td><td>${name(r.unitId)}</td><td class="hide-narrow">${when(new Date(r.createdAt))}</td></tr>`)}
          </tbody></table></div>`
        : html`<p>${t("web:people.no_roles")}</p>`}
      <h2>${t("web:people.invites")}</h2>
      ${invites.length
        ? html`<div class="table-wrap"><table><thead><tr><th>${t("web:people.role")}</th><th>${t("web:progress.unit")}</th><th>${t("web:people.created_by")}</th><th>${t("web:people.expires")}</th></tr></thead><tbody>
            ${invites.map((i) => html`<tr><td>${label(i.role)}</td><td>${name(i.unitId)}</td><td>${i.creator ?? "?"}</td><td>${when(new Date(i.expiresAt))}</td></tr>`)}
          </tbody></table></div>`
        : html`<p>${t("web:people.no_invites")}</p>`}
      ${allowed.length
        ? html`<h2>${t("web:people.new_invite")}</h2>
          <form method="post" action="/web/donvi/${encodeURIComponent(unit.code)}/moi">${csrfField(viewer)}
            <label>${t("web:people.role")} <select name="role">${allowed.map((r) => html`<option value="${r}">${roleLabel(r)}</option>`)}</select></label>
            <button type="submit" class="primary">${t("web:people.create")}</button>
          </form>`
        : ""}`;
    return c.html(page(t("web:people.title", { unit: unit.name }), body, viewer, { admin: isProvinceAdmin(viewer.grants, tree) }));
  });

  web.post("/web/donvi/:code/moi", async (c) => {
    const found = await viewerUnit(c);
    if (found instanceof Response) return found;
    const { viewer, unit } = found;
    const form = await checkedForm(c);
    if (!form) return c.html(messagePage(t("web:denied.title"), t("web:denied.form"), viewer), 403);
    const { app } = c.get("opts");
    const role = form.role ?? "";
    if (!isRoleName(role) || !canInvite(viewer.grants, app.tree(), unit.id, role)) {
      return c.html(messagePage(t("web:denied.title"), t("web:people.not_allowed"), viewer), 403);
    }
    const now = app.now();
    const invite = await createInvite(app.store, { unitId: unit.id, role, createdById: viewer.personId, now, validForHours: app.inviteValidHours });
    await recordAdminChange(app.store.sql, app.log, { personId: viewer.personId, at: now, action: "invite", detail: { unit: unit.code, role } });
    const body = html`<h1>${t("web:people.created_title")}</h1>
      <p class="message" id="invite">${t("bot:invite.done", { code: invite.code, unit: unit.name, role: roleLabel(role), expires: when(invite.expiresAt) })}</p>
      <p><a href="/web/donvi/${encodeURIComponent(unit.code)}/nguoi">${t("web:people.back_to_people")}</a></p>`;
    return c.html(page(t("web:people.created_title"), body, viewer));
  });
}
