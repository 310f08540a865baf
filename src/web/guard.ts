/**
 * The checks every unit page runs first: signed in (else the sign-in help), the unit in the viewer's
 * subtree (else the same "not found" for every other code), the plan and period of the query.
 */
import type { Context } from "hono";
import { t } from "../i18n.js";
import type { UnitNode } from "../domain/types.js";
import type { Viewer, WebEnv } from "./context.js";
import { messagePage } from "./layout.js";
import { pageScope, type PageScope } from "./period.js";
import { viewableUnit } from "./unit-access.js";

/** A unit page may go on: who asks, the unit of the URL, and the scope of the query. */
export interface UnitPage {
  viewer: Viewer;
  unit: UnitNode;
  scope: Extract<PageScope, { ok: true }>;
}

/** The viewer and the unit of the URL (`:code`) when she oversees it, or the response refusing it. */
export async function viewerUnit(c: Context<WebEnv>): Promise<{ viewer: Viewer; unit: UnitNode } | Response> {
  const viewer = c.get("viewer");
  if (!viewer) return c.html(messagePage(t("web:signed_out.title"), t("web:signed_out.how"), null), 401);
  const { app } = c.get("opts");
  const unit = viewableUnit(viewer, app.tree(), c.req.param("code") ?? "");
  if (!unit) {
    app.log.info({ personId: viewer.personId, code: c.req.param("code") }, "web: unit not found or outside the viewer's subtree");
    return c.html(messagePage(t("web:not_found.title"), t("web:not_found.unit"), viewer), 404);
  }
  return { viewer, unit };
}

/** The viewer, unit and scope of a unit page, or the response refusing it. */
export async function unitPage(c: Context<WebEnv>): Promise<UnitPage | Response> {
  const found = await viewerUnit(c);
  if (found instanceof Response) return found;
  const { viewer, unit } = found;
  const { app } = c.get("opts");
  const scope = await pageScope(app, unit, { kh: c.req.query("kh"), ky: c.req.query("ky") });
  if (!scope.ok) return c.html(messagePage(unit.name, t(`web:scope.${scope.reason}`, { unit: unit.name }), viewer), 404);
  return { viewer, unit, scope };
}
