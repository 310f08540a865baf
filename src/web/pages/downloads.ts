/**
 * Downloads of a unit's page: the workbook of /xuat and the draft periodic report of
 * /baocaotonghop, for the page's plan and period, from src/outputs (nothing outside the subtree).
 */
import type { Hono } from "hono";
import { t } from "../../i18n.js";
import { NoExportFormError } from "../../outputs/data.js";
import { draftDocumentFromData, draftPeriodicReport, loadDraftData } from "../../outputs/periodic-report.js";
import { safeFilePart } from "../../outputs/files.js";
import type { WebEnv } from "../context.js";
import { unitPage } from "../guard.js";
import { messagePage } from "../layout.js";

/** An attachment header for a file name (ASCII fallback and UTF-8 form). */
export function attachment(name: string): string {
  const ascii = name.normalize("NFD").replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Registers the downloads: the workbook, and the draft as .docx and as text. */
export function downloadRoutes(web: Hono<WebEnv>): void {
  web.get("/web/donvi/:code/xuat", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { app } = c.get("opts");
    try {
      const out = await (await import("../../outputs/workbook.js")).exportWorkbook(app.store, { plan: p.scope.plan, tree: p.scope.tree, rootId: p.scope.root.id, period: p.scope.period, now: app.now() });
      app.log.info({ personId: p.viewer.personId, unit: p.unit.code, period: p.scope.period.key }, "web: workbook downloaded");
      return c.body(out.data as Uint8Array<ArrayBuffer>, 200, { "Content-Type": out.mime, "Content-Disposition": attachment(out.fileName) });
    } catch (err) {
      if (err instanceof NoExportFormError) return c.html(messagePage(p.unit.name, t("outputs:export.noForm", { unit: p.unit.name }), p.viewer), 404);
      throw err;
    }
  });

  // The draft in the union's document form, the file /baocaotonghop sends in the chat.
  web.get("/web/donvi/:code/baocaotonghop.docx", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { app } = c.get("opts");
    try {
      const data = await loadDraftData(app.store, { plan: p.scope.plan, tree: p.scope.tree, rootId: p.scope.root.id, period: p.scope.period, now: app.now() });
      const { draftDocxFile } = await import("../../outputs/docx.js");
      const file = await draftDocxFile(draftDocumentFromData(data), data);
      app.log.info({ personId: p.viewer.personId, unit: p.unit.code, period: p.scope.period.key }, "web: draft report (.docx) downloaded");
      return c.body(file.data as Uint8Array<ArrayBuffer>, 200, { "Content-Type": file.mime, "Content-Disposition": attachment(file.name) });
    } catch (err) {
      if (err instanceof NoExportFormError) return c.html(messagePage(p.unit.name, t("outputs:export.noForm", { unit: p.unit.name }), p.viewer), 404);
      throw err;
    }
  });

  web.get("/web/donvi/:code/baocaotonghop", async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { app } = c.get("opts");
    try {
      const text = await draftPeriodicReport(app.store, { plan: p.scope.plan, tree: p.scope.tree, rootId: p.scope.root.id, period: p.scope.period, now: app.now() });
      const name = `bao-cao-tong-hop_${safeFilePart(p.unit.code)}_${safeFilePart(p.scope.period.key)}.txt`;
      app.log.info({ personId: p.viewer.personId, unit: p.unit.code, period: p.scope.period.key }, "web: draft report downloaded");
      return c.body(text, 200, { "Content-Type": "text/plain; charset=utf-8", "Content-Disposition": attachment(name) });
    } catch (err) {
      if (err instanceof NoExportFormError) return c.html(messagePage(p.unit.name, t("outputs:export.noForm", { unit: p.unit.name }), p.viewer), 404);
      throw err;
    }
  });
}
