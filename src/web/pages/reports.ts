/**
 * A unit's reports over time: every report of the unit (newest first, every plan), its answers,
 * who sent it and when, and each correction (who, when, old → new).
 */
import { html } from "hono/html";
import type { Hono } from "hono";
import { parsePeriodKey, periodLabel } from "../../domain/periods.js";
import { formatAnswer } from "../../domain/vi/format.js";
import { currentLanguage, t } from "../../i18n.js";
import { questionLabel } from "../../outputs/labels.js";
import { planById } from "../../plan/calendar.js";
import type { AnswerValue, Answers } from "../../plan/schema.js";
import type { WebEnv } from "../context.js";
import { when } from "../format.js";
import { unitPage } from "../guard.js";
import { isProvinceAdmin } from "../admin-check.js";
import { page } from "../layout.js";
import { scopeQuery } from "../period.js";
import { photoKey, photosOf } from "../../store/photos.js";
import type { PhotoRef } from "../../plan/schema.js";
import { photoPath } from "./photos.js";

/** At most this many reports are listed. */
export const REPORTS_SHOWN = 120;

interface ReportRow {
  id: number;
  planKey: string;
  formKey: string;
  periodKey: string;
  answers: Answers;
  submittedAt: Date;
  version: number;
  submitter: string | null;
}

interface ChangeRow {
  reportId: number;
  changedAt: Date;
  questionKey: string;
  oldValue: AnswerValue | null;
  newValue: AnswerValue | null;
  person: string | null;
}

/** Registers the reports page. */
export function reportRoutes(web: Hono<WebEnv>): void {
  web.get("/web/donvi/:code/baocao", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { app } = c.get("opts");
    const sql = app.store.sql;
    const reports = await sql.query<ReportRow>(
      `SELECT r.id, r."planKey", r."formKey", r."periodKey", r.answers, r."submittedAt", r.version, p."displayName" AS submitter
         FROM "Report" r LEFT JOIN "Person" p ON p.id = r."submittedById"
        WHERE r."unitId" = $1 ORDER BY r."periodKey" DESC, r."submittedAt" DESC LIMIT ${REPORTS_SHOWN}`,
      [p.unit.id],
    );
    const changes = reports.length
      ? await sql.query<ChangeRow>(
          `SELECT c."reportId", c."changedAt", c."questionKey", c."oldValue", c."newValue", p."displayName" AS person
             FROM "ReportChange" c LEFT JOIN "Person" p ON p.id = c."personId"
            WHERE c."reportId" = ANY($1::int[]) ORDER BY c."changedAt", c.id`,
          [reports.map((r) => r.id)],
        )
      : [];
    const lng = currentLanguage();
    // The photos of photo answers, linked to their copies (pages/photos.ts checks the subtree again).
    const refsOf = (v: unknown): PhotoRef[] =>
      Array.isArray(v) ? (v as unknown[]).filter((x): x is PhotoRef => typeof x === "object" && x !== null && "uniqueId" in x && "channel" in x) : [];
    const photoRows = await photosOf(
      app.store,
      reports.flatMap((r) => Object.values(typeof r.answers === "string" ? (JSON.parse(r.answers) as Answers) : r.answers).flatMap(refsOf)),
    );
    const photoLinks = (v: unknown) => {
      const links = refsOf(v).map((ref, i) => ({ row: photoRows.get(photoKey(ref)), n: i + 1 }));
      return links.length
        ? html` · ${links.map(({ row, n }, i) => html`${i > 0 ? " " : ""}${row ? html`<a href="${photoPath(row.id)}">${t("web:photos.link", { n })}</a>` : t("web:photos.link", { n })}`)}`
        : "";
    };
    const items = reports.map((r) => {
      const plan = planById(app.plans, r.planKey);
      const form = plan?.forms.find((f) => f.key === r.formKey);
      const period = form ? parsePeriodKey(form.period, r.periodKey) : null;
      const questions = form?.questions ?? [];
      const answers = typeof r.answers === "string" ? (JSON.parse(r.answers) as Answers) : r.answers;
      const mine = changes.filter((ch) => ch.reportId === r.id);
      const label = (key: string) => {
        const q = questions.find((x) => x.key === key);
        return q && form ? questionLabel(form, q, lng) : key;
      };
      const value = (key: string, v: AnswerValue | null) => {
        const q = questions.find((x) => x.key === key);
        return q ? formatAnswer(q, v) : JSON.stringify(v);
      };
      return html`<section class="card report" data-report="${r.id}">
        <h2>${form?.title ?? r.formKey} — ${period ? periodLabel(period, lng) : r.periodKey}</h2>
        <p class="meta">${t("web:reports.sent", { at: when(new Date(r.submittedAt)), by: r.submitter ?? "?" })}${r.version > 1 ? ` · ${t("web:reports.version", { version: r.version })}` : ""}</p>
        <div class="table-wrap"><table><tbody>
          ${questions.filter((q) => q.key in answers).map((q) => html`<tr><td>${label(q.key)}</td><td>${value(q.key, answers[q.key] ?? null)}${q.type === "photo" ? photoLinks(answers[q.key]) : ""}</td></tr>`)}
        </tbody></table></div>
        ${mine.length
          ? html`<h3>${t("web:reports.changes")}</h3><ul class="changes">${mine.map(
              (ch) => html`<li>${t("web:reports.change", { at: when(new Date(ch.changedAt)), by: ch.person ?? "?", question: label(ch.questionKey), old: value(ch.questionKey, ch.oldValue), new: value(ch.questionKey, ch.newValue) })}</li>`,
            )}</ul>`
          : ""}
      </section>`;
    });
    const back = `/web/donvi/${encodeURIComponent(p.unit.code)}${scopeQuery(p.scope.plan, p.scope.period)}`;
    const body = html`<div class="crumbs"><a href="${back}">‹ ${t("web:reports.back")}</a></div>
      <h1>${t("web:reports.title", { unit: p.unit.name })}</h1>
      ${items.length ? items : html`<p>${t("web:reports.none")}</p>`}`;
    return c.html(page(t("web:reports.title", { unit: p.unit.name }), body, p.viewer, { admin: isProvinceAdmin(p.viewer.grants, app.tree()) }));
  });
}
