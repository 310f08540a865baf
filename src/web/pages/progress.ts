/**
 * The progress page of a unit for a period — what /tiendo says, as a page: reporting and on-time
 * rates, one row per child unit (each a link one level down), the indicators against their
 * targets, the /tiendo chart, and who has not reported, under the unit above them with their chat
 * group's link state. Periods before and after; downloads of the workbook and the draft report.
 */
import { html } from "hono/html";
import type { Hono } from "hono";
import { periodLabel } from "../../domain/periods.js";
import type { UnitNode } from "../../domain/types.js";
import type { Progress } from "../../domain/progress.js";
import { currentLanguage, t } from "../../i18n.js";
import { indicatorCells } from "../../outputs/indicator-cells.js";
import { loadProgress } from "../../progress/index.js";
import type { SqlConnection } from "../../store/sql.js";
import type { AppServices } from "../../commands/types.js";
import type { WebEnv } from "../context.js";
import { count, share, when } from "../format.js";
import { unitPage, type UnitPage } from "../guard.js";
import { isProvinceAdmin } from "../admin-check.js";
import { page, type Html } from "../layout.js";
import { scopeQuery } from "../period.js";
import { viewableAncestors } from "../unit-access.js";

/** At most this many units are listed as missing (the counts stay whole). */
export const MISSING_SHOWN = 500;

/** The progress of the page's unit, period and form. */
export function pageProgress(app: AppServices, p: UnitPage): Promise<Progress> {
  const { plan, form, period, tree, root } = p.scope;
  return loadProgress(app.store, { plan, tree, rootId: root.id, form, period, now: app.now() });
}

/** Which of these units have a group chat linked. */
async function linkedUnits(sql: SqlConnection, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await sql.query<{ unitId: number }>(`SELECT DISTINCT "unitId" FROM "ChatLink" WHERE "unitId" = ANY($1::int[])`, [ids]);
  return new Set(rows.map((r) => r.unitId));
}

function rateCell(fraction: number | null): Html {
  return html`<td class="num"><progress max="1" value="${fraction ?? 0}"></progress> ${share(fraction)}</td>`;
}

function indicatorsTable(progress: Progress): Html {
  if (progress.indicators.length === 0) return html``;
  const lng = currentLanguage();
  const rows = progress.indicators.map((r) => {
    const cells = indicatorCells(r, lng);
    const value = cells.value === null ? "–" : cells.percent ? share(cells.value) : count(cells.value);
    const target = typeof cells.target === "number" ? (cells.percent ? share(cells.target) : count(cells.target)) : cells.target;
    const cls = r.met === null ? "" : r.met ? "met" : "not-met";
    return html`<tr><td>${r.indicator.name}${cells.detail ? html`<div class="changes">${cells.detail}</div>` : ""}</td><td class="num">${value}</td><td class="num">${target}</td><td class="${cls}">${cells.verdict}</td></tr>`;
  });
  return html`<h2>${t("web:progress.indicators")}</h2>
    <div class="table-wrap"><table class="indicators">
      <thead><tr><th>${t("web:progress.indicator")}</th><th class="num">${t("web:progress.value")}</th><th class="num">${t("web:progress.target")}</th><th>${t("web:progress.verdict")}</th></tr></thead>
      <tbody>${rows}</tbody></table></div>`;
}

function missingList(progress: Progress, p: UnitPage, linked: Set<number>): Html {
  if (progress.missing.length === 0) return html`<p>${t("web:progress.none_missing")}</p>`;
  const { tree } = p.scope;
  const groups = new Map<number | null, UnitNode[]>();
  for (const u of progress.missing.slice(0, MISSING_SHOWN)) {
    const key = u.parentId;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const blocks = [...groups].map(([parentId, units]) => {
    const parent = parentId === null ? null : tree.byId(parentId);
    return html`<div class="missing-group"><strong>${parent?.name ?? t("web:progress.no_parent")}</strong>
      <ul>${units.map(
        (u) => html`<li data-unit="${u.code}">${u.name} <span class="changes">(${u.code} · ${linked.has(u.id) ? t("web:progress.group_linked") : t("web:progress.group_not_linked")})</span></li>`,
      )}</ul></div>`;
  });
  const more = progress.missing.length - MISSING_SHOWN;
  return html`${blocks}${more > 0 ? html`<p>${t("web:progress.more_missing", { count: more })}</p>` : ""}`;
}

/** Registers the progress page and its chart. */
export function progressRoutes(web: Hono<WebEnv>): void {
  web.get("/web/donvi/:code", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { app } = c.get("opts");
    const progress = await pageProgress(c.get("opts").app, p);
    const { plan, form, period, previous, next } = p.scope;
    const q = scopeQuery(plan, period);
    const base = `/web/donvi/${encodeURIComponent(p.unit.code)}`;
    const linked = await linkedUnits(app.store.sql, progress.missing.slice(0, MISSING_SHOWN).map((u) => u.id));
    const crumbs = viewableAncestors(p.viewer, app.tree(), p.unit);
    const children = progress.children.map((ch) => {
      const childLink = app.tree().byCode(ch.unit.code) ? html`<a href="/web/donvi/${encodeURIComponent(ch.unit.code)}${q}">${ch.unit.name}</a>` : html`${ch.unit.name}`;
      return html`<tr data-unit="${ch.unit.code}"><td>${childLink}</td><td class="num">${count(ch.received)}/${count(ch.expected)}</td>${rateCell(ch.rate)}<td class="num hide-narrow">${count(ch.onTime)}</td>${rateCell(ch.expected ? ch.onTime / ch.expected : null)}</tr>`;
    });
    const body = html`
      ${crumbs.length ? html`<div class="crumbs">${crumbs.map((a) => html`<a href="/web/donvi/${encodeURIComponent(a.code)}${q}">${a.name}</a> › `)}</div>` : ""}
      <h1>${p.unit.name}</h1>
      <p class="meta">${form.title} — ${periodLabel(period, currentLanguage())}</p>
      <p class="meta">${t("web:progress.due", { at: when(progress.due) })}${progress.duePassed ? ` (${t("web:progress.due_passed")})` : ""}</p>
      <div class="periods">
        ${previous ? html`<a href="${base}${scopeQuery(plan, previous)}">‹ ${periodLabel(previous, currentLanguage())}</a>` : ""}
        ${next ? html`<a href="${base}${scopeQuery(plan, next)}">${periodLabel(next, currentLanguage())} ›</a>` : ""}
        <a href="${base}/baocao${q}">${t("web:progress.unit_reports")}</a>
        <a href="${base}/nguoi">${t("web:progress.people")}</a>
      </div>
      <div class="cards">
        <div class="card" id="reporting-rate"><div>${t("web:progress.reported")}</div><div class="big">${share(progress.reportingRate)}</div><div>${count(progress.received)}/${count(progress.expected)} ${t("web:progress.units")}</div></div>
        <div class="card" id="on-time-rate"><div>${t("web:progress.on_time")}</div><div class="big">${share(progress.onTimeRate)}</div><div>${count(progress.onTime)}/${count(progress.expected)} ${t("web:progress.units")}</div></div>
        <div class="card"><div>${t("web:progress.missing_count")}</div><div class="big" id="missing-count">${count(progress.missing.length)}</div><div>${t("web:progress.late_count", { count: progress.late })}</div></div>
      </div>
      <div class="downloads">
        <a href="${base}/xuat${q}" download>${t("web:downloads.workbook")}</a>
        <a href="${base}/baocaotonghop.docx${q}" download>${t("web:downloads.draftDocx")}</a>
        <a href="${base}/baocaotonghop${q}" download>${t("web:downloads.draft")}</a>
      </div>
      ${progress.children.length
        ? html`<h2>${t("web:progress.children")}</h2>
          <div class="table-wrap"><table class="children">
            <thead><tr><th>${t("web:progress.unit")}</th><th class="num">${t("web:progress.reported")}</th><th class="num">${t("web:progress.rate")}</th><th class="num hide-narrow">${t("web:progress.on_time")}</th><th class="num">${t("web:progress.on_time_rate")}</th></tr></thead>
            <tbody>${children}</tbody></table></div>`
        : ""}
      ${indicatorsTable(progress)}
      <h2>${t("web:progress.chart")}</h2>
      <p class="chart"><img src="${base}/bieudo.png${q}" alt="${t("web:progress.chart_alt", { unit: p.unit.name })}" width="1080"></p>
      <h2>${t("web:progress.missing")}</h2>
      ${missingList(progress, p, linked)}`;
    return c.html(page(p.unit.name, body, p.viewer, { admin: isProvinceAdmin(p.viewer.grants, app.tree()) }));
  });

  web.get("/web/donvi/:code/bieudo.png", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { renderProgressChart } = await import("../../outputs/chart.js");
    const chart = await renderProgressChart(await pageProgress(c.get("opts").app, p));
    return c.body(chart.png as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "image/png", "Cache-Control": "private, max-age=60" });
  });

  web.get("/web/donvi/:code/bieudo.svg", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { progressChartSvg } = await import("../../outputs/chart.js");
    const { svg } = progressChartSvg(await pageProgress(c.get("opts").app, p));
    return c.body(svg, 200, { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, max-age=60" });
  });
}
