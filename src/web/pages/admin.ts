/**
 * Admin pages (province admins, as /tamdung /tieptuc /tinloi): reminder rules and content with
 * pause and resume, messages set aside with "send again", live web sessions with "end", plans and
 * their periods, and the log of changes. Every change is a POST with the CSRF token, and is recorded
 * with who and when (src/web/admin-log.ts).
 */
import { html } from "hono/html";
import type { Context, Hono } from "hono";
import { formatDate } from "../../domain/vi/format.js";
import { formPeriods, periodLabel } from "../../domain/periods.js";
import { currentLanguage, t } from "../../i18n.js";
import { listSetAside, retrySetAside } from "../../outbox/index.js";
import type { Plan } from "../../plan/schema.js";
import { listPaused, pauseRule, resumeRule } from "../../scheduler/index.js";
import { isProvinceAdmin } from "../admin-check.js";
import { recentAdminChanges, recordAdminChange } from "../admin-log.js";
import type { Viewer, WebEnv } from "../context.js";
import { checkedForm } from "../csrf.js";
import { when } from "../format.js";
import { csrfField, messagePage, page } from "../layout.js";
import { endSession, liveSessions } from "../sessions.js";

/** A pausable key of a plan and what it is. */
export interface PausableItem {
  key: string;
  kind: "reminder" | "schedule" | "content";
  title: string;
}

/** Every key an admin may pause, across the plans (a key pauses it in each plan that has it), as /tamdung. */
export function pausableItems(plans: readonly Plan[]): PausableItem[] {
  const out = new Map<string, PausableItem>();
  for (const p of plans) {
    for (const r of p.reminders) {
      const target =
        "form" in r.target
          ? (p.forms.find((f) => f.key === (r.target as { form: string }).form)?.title ?? r.target.form)
          : (p.milestones.find((m) => m.key === (r.target as { milestone: string }).milestone)?.name ?? r.target.milestone);
      out.set(r.key, { key: r.key, kind: "reminder", title: target });
    }
    for (const s of p.content.schedules) out.set(s.key, { key: s.key, kind: "schedule", title: s.cron });
    for (const i of p.content.items) out.set(i.key, { key: i.key, kind: "content", title: i.title });
  }
  return [...out.values()];
}

/** The admin viewer, or the response refusing the page. */
async function adminViewer(c: Context<WebEnv>): Promise<Viewer | Response> {
  const viewer = c.get("viewer");
  if (!viewer) return c.html(messagePage(t("web:signed_out.title"), t("web:signed_out.how"), null), 401);
  if (!isProvinceAdmin(viewer.grants, c.get("opts").app.tree())) return c.html(messagePage(t("web:denied.title"), t("web:denied.admin"), viewer), 403);
  return viewer;
}

function plansSection(plans: readonly Plan[]) {
  const lng = currentLanguage();
  return plans.map(
    (p) => html`<section class="card"><h3>${p.title}</h3>
      <p class="meta">${p.id} · ${p.reference} · ${formatDate(p.start)} – ${formatDate(p.end)}</p>
      <ul>${p.forms.map((f) => {
        const periods = formPeriods(f, p);
        const first = periods[0];
        const last = periods[periods.length - 1];
        return html`<li>${f.title}: ${t("web:admin.periods", { count: periods.length, first: first ? periodLabel(first, lng) : "–", last: last ? periodLabel(last, lng) : "–" })}</li>`;
      })}</ul></section>`,
  );
}

/** Registers the admin page and its actions. */
export function adminRoutes(web: Hono<WebEnv>): void {
  web.get("/web/quantri", async (c) => {
    const viewer = await adminViewer(c);
    if (viewer instanceof Response) return viewer;
    const { app } = c.get("opts");
    const [paused, setAside, sessions, changes] = await Promise.all([
      listPaused(app.store),
      listSetAside(app.store, { limit: 20 }),
      liveSessions(app.store.sql, app.now()),
      recentAdminChanges(app.store.sql, 20),
    ]);
    const pausedKeys = new Map(paused.map((p) => [p.key, p]));
    const items = pausableItems(app.plans).map((item) => {
      const p = pausedKeys.get(item.key);
      return html`<tr data-key="${item.key}"><td><code>${item.key}</code></td><td>${t(`web:admin.kind.${item.kind}`)}</td><td>${item.title}</td>
        <td>${p ? html`<span class="paused">${t("web:admin.paused_since", { at: when(new Date(p.pausedAt)) })}</span>` : t("web:admin.running")}</td>
        <td><form method="post" action="/web/quantri/${p ? "tieptuc" : "tamdung"}" class="inline">${csrfField(viewer)}<input type="hidden" name="key" value="${item.key}">
          <button type="submit">${p ? t("web:admin.resume") : t("web:admin.pause")}</button></form></td></tr>`;
    });
    const roots = app.tree().roots;
    const body = html`<h1>${t("web:admin.title")}</h1>
      <p>${roots.map((r) => html`<a class="button" href="/web/donvi/${encodeURIComponent(r.code)}/nguoi">${t("web:admin.people", { unit: r.name })}</a> `)}</p>
      <h2>${t("web:admin.rules")}</h2>
      <div class="table-wrap"><table class="rules"><thead><tr><th>${t("web:admin.key")}</th><th>${t("web:admin.kind_header")}</th><th>${t("web:admin.about")}</th><th>${t("web:admin.state")}</th><th></th></tr></thead><tbody>${items}</tbody></table></div>
      <h2>${t("web:admin.set_aside")}</h2>
      ${setAside.length
        ? html`<div class="table-wrap"><table><thead><tr><th>#</th><th>${t("web:admin.chat")}</th><th>${t("web:admin.error")}</th><th>${t("web:admin.text")}</th><th></th></tr></thead><tbody>
          ${setAside.map((m) => html`<tr><td>${m.id}</td><td>${m.channel} ${m.chatId}</td><td>${m.lastError ?? "?"} (${m.attempts})</td><td>${m.text.slice(0, 120)}</td>
            <td><form method="post" action="/web/quantri/tinloi/${m.id}/guilai" class="inline">${csrfField(viewer)}<button type="submit">${t("web:admin.retry")}</button></form></td></tr>`)}
          </tbody></table></div>`
        : html`<p>${t("web:admin.no_set_aside")}</p>`}
      <h2>${t("web:admin.sessions")}</h2>
      <div class="table-wrap"><table><thead><tr><th>${t("web:admin.person")}</th><th>${t("web:admin.since")}</th><th>${t("web:admin.until")}</th><th></th></tr></thead><tbody>
        ${sessions.map((s) => html`<tr><td>${s.displayName} (${s.channel})</td><td>${when(new Date(s.createdAt))}</td><td>${when(new Date(s.expiresAt))}</td>
          <td>${s.id === viewer.session.id ? t("web:admin.this_session") : html`<form method="post" action="/web/quantri/phien/${s.id}/ketthuc" class="inline">${csrfField(viewer)}<button type="submit">${t("web:admin.end_session")}</button></form>`}</td></tr>`)}
      </tbody></table></div>
      <h2>${t("web:admin.plans")}</h2>
      ${plansSection(app.plans)}
      <h2>${t("web:admin.changes")}</h2>
      ${changes.length
        ? html`<ul class="changes">${changes.map((ch) => html`<li>${when(new Date(ch.at))} — ${ch.displayName}: ${ch.action} ${JSON.stringify(ch.detail)}</li>`)}</ul>`
        : html`<p>${t("web:admin.no_changes")}</p>`}`;
    return c.html(page(t("web:admin.title"), body, viewer, { admin: true }));
  });

  /** Runs one admin change: the CSRF check, the change, its record; then back to the admin page. */
  const change = (path: string, act: (c: Context<WebEnv>, viewer: Viewer, form: Record<string, string>) => Promise<{ action: string; detail: Record<string, unknown> } | Response>) =>
    web.post(path, async (c) => {
      const viewer = await adminViewer(c);
      if (viewer instanceof Response) return viewer;
      const form = await checkedForm(c);
      if (!form) return c.html(messagePage(t("web:denied.title"), t("web:denied.form"), viewer), 403);
      const done = await act(c, viewer, form);
      if (done instanceof Response) return done;
      const { app } = c.get("opts");
      await recordAdminChange(app.store.sql, app.log, { personId: viewer.personId, at: app.now(), ...done });
      return c.redirect("/web/quantri", 303);
    });

  change("/web/quantri/tamdung", async (c, viewer, form) => {
    const { app } = c.get("opts");
    const key = form.key ?? "";
    if (!pausableItems(app.plans).some((i) => i.key === key)) return c.html(messagePage(t("web:admin.title"), t("bot:pause.unknown", { key }), viewer), 400);
    await pauseRule(app.store, key, { by: viewer.personId });
    return { action: "pause", detail: { key } };
  });

  change("/web/quantri/tieptuc", async (c, _viewer, form) => {
    const key = form.key ?? "";
    const resumed = await resumeRule(c.get("opts").app.store, key);
    return { action: "resume", detail: { key, resumed } };
  });

  change("/web/quantri/tinloi/:id/guilai", async (c) => {
    const id = Number(c.req.param("id"));
    const retried = Number.isSafeInteger(id) ? await retrySetAside(c.get("opts").app.store, id) : false;
    return { action: "retry_set_aside", detail: { id, retried } };
  });

  change("/web/quantri/phien/:id/ketthuc", async (c, viewer) => {
    const { app } = c.get("opts");
    const id = Number(c.req.param("id"));
    const ended = Number.isSafeInteger(id) ? await endSession(app.store.sql, id, app.now(), viewer.personId) : false;
    return { action: "end_session", detail: { session: id, ended } };
  });
}
