/**
 * The photos of photo answers (ảnh minh chứng), served from the copy the downloader made in the
 * data folder (src/photos/downloader.ts), to a signed-in officer whose subtree holds the photo's
 * unit — anyone else, and a photo that does not exist, get the same "not found". A photo without a
 * copy here (still downloading, failed, or stored by another instance of a PostgreSQL
 * deployment) gets a page that says so.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Hono } from "hono";
import { canOversee } from "../../domain/permissions.js";
import { t } from "../../i18n.js";
import { mimeOfPath } from "../../photos/image-type.js";
import { photoById } from "../../store/photos.js";
import type { WebEnv } from "../context.js";
import { messagePage } from "../layout.js";

/** The dashboard path of a photo (what the workbook and the report page link to). */
export function photoPath(id: number): string {
  return `/web/anh/${id}`;
}

/** Only names the downloader gives: photos/<unit id>/<photo id>.<ext>. */
const STORED = /^photos\/\d{1,10}\/\d{1,10}\.(jpg|png|webp|gif|heic)$/;

/** Registers GET /web/anh/:id. */
export function photoRoutes(web: Hono<WebEnv>): void {
  web.get("/web/anh/:id", async (c) => {
    const viewer = c.get("viewer");
    if (!viewer) return c.html(messagePage(t("web:signed_out.title"), t("web:signed_out.how"), null), 401);
    const opts = c.get("opts");
    const { app } = opts;
    const notFound = () => c.html(messagePage(t("web:not_found.title"), t("web:photos.not_found"), viewer), 404);
    const id = /^\d{1,10}$/.test(c.req.param("id")) ? Number(c.req.param("id")) : NaN;
    const photo = Number.isSafeInteger(id) ? await photoById(app.store, id) : null;
    const tree = app.tree();
    if (!photo || !tree.byId(photo.unitId) || !canOversee(viewer.grants, tree, photo.unitId)) {
      app.log.info({ personId: viewer.personId, photoId: c.req.param("id") }, "web: photo not found or outside the viewer's subtree");
      return notFound();
    }
    const noCopy = (key: string) => c.html(messagePage(t("web:photos.title"), t(`web:photos.${key}`), viewer), 404);
    if (photo.status === "pending") return noCopy("pending");
    if (photo.status === "failed" || !photo.path || !opts.dataDir) return noCopy("failed");
    if (!STORED.test(photo.path)) return noCopy("failed");
    const root = resolve(opts.dataDir);
    const abs = resolve(join(root, photo.path));
    const rel = relative(root, abs);
    if (rel.startsWith("..") || isAbsolute(rel)) return noCopy("failed");
    let data: Buffer;
    try {
      data = await readFile(abs);
    } catch {
      // Stored by another instance (its own data folder), or removed.
      return noCopy("elsewhere");
    }
    app.log.info({ personId: viewer.personId, photoId: photo.id, unitId: photo.unitId }, "web: photo viewed");
    return c.body(new Uint8Array(data), 200, {
      "Content-Type": mimeOfPath(photo.path) ?? "application/octet-stream",
      "Content-Disposition": `inline; filename="anh-${photo.id}.${photo.path.split(".").pop()}"`,
      "Cache-Control": "private, max-age=300",
      "X-Content-Type-Options": "nosniff",
    });
  });
}
