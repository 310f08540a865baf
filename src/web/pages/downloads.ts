/**
 * Downloads of a unit's page: the workbook of /xuat and the draft periodic report of
 * /baocaotonghop, for the page's plan and period, from src/outputs (nothing outside the subtree).
 */
import type { Hono } from "hono";
import type { AppServices } from "../../commands/types.js";
import { t } from "../../i18n.js";
import { NoExportFormError } from "../../outputs/data.js";
import { draftDocumentFromData, draftPeriodicReport, loadDraftData } from "../../outputs/periodic-report.js";
import { safeFilePart } from "../../outputs/files.js";
import type { WebEnv } from "../context.js";
import { unitPage, type UnitPage } from "../guard.js";
import { messagePage } from "../layout.js";

/** An attachment header for a file name (ASCII fallback and UTF-8 form). */
export function attachment(name: string): string {
  const ascii = name.normalize("NFD").replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A file to download: its name, type and content. */
interface Download {
  name: string;
  mime: string;
  body: Uint8Array | string;
}

/** What every output needs: the page's plan, tree, unit and period, and the time. */
type OutputInput = ReturnType<typeof outputInput>;

function outputInput(p: UnitPage, app: AppServices) {
  return { plan: p.scope.plan, tree: p.scope.tree, rootId: p.scope.root.id, period: p.scope.period, now: app.now() };
}

/**
 * Registers one download of a unit's page: the viewer's subtree is checked (unitPage), `produce`
 * builds the file for the page's plan and period, the download is logged as `what`, and a plan
 * with no form to export gets the chat's refusal as a page.
 */
function downloadRoute(web: Hono<WebEnv>, path: string, what: string, produce: (app: AppServices, input: OutputInput, p: UnitPage) => Promise<Download>): void {
  web.get(path, async (c) => {
    const p = await unitPage(c);
    if (p instanceof Response) return p;
    const { app } = c.get("opts");
    try {
      const file = await produce(app, outputInput(p, app), p);
      app.log.info({ personId: p.viewer.personId, unit: p.unit.code, period: p.scope.period.key }, `web: ${what} downloaded`);
      const body = typeof file.body === "string" ? file.body : (file.body as Uint8Array<ArrayBuffer>);
      return c.body(body, 200, { "Content-Type": file.mime, "Content-Disposition": attachment(file.name) });
    } catch (err) {
      if (err instanceof NoExportFormError) return c.html(messagePage(p.unit.name, t("outputs:export.noForm", { unit: p.unit.name }), p.viewer), 404);
      throw err;
    }
  });
}

/** Registers the downloads: the workbook, and the draft as .docx and as text. */
export function downloadRoutes(web: Hono<WebEnv>): void {
  downloadRoute(web, "/web/donvi/:code/xuat", "workbook", async (app, input) => {
    const out = await (await import("../../outputs/workbook.js")).exportWorkbook(app.store, { ...input, ...(app.webBaseUrl ? { photoBaseUrl: app.webBaseUrl } : {}) });
    return { name: out.fileName, mime: out.mime, body: out.data };
  });

  // The draft in the union's document form, the file /baocaotonghop sends in the chat.
  downloadRoute(web, "/web/donvi/:code/baocaotonghop.docx", "draft report (.docx)", async (app, input) => {
    const data = await loadDraftData(app.store, input);
    const file = await (await import("../../outputs/docx.js")).draftDocxFile(draftDocumentFromData(data), data);
    return { name: file.name, mime: file.mime, body: file.data };
  });

  downloadRoute(web, "/web/donvi/:code/baocaotonghop", "draft report", async (app, input, p) => ({
    name: `bao-cao-tong-hop_${safeFilePart(p.unit.code)}_${safeFilePart(p.scope.period.key)}.txt`,
    mime: "text/plain; charset=utf-8",
    body: await draftPeriodicReport(app.store, input),
  }));
}
