/**
 * Which part of the tree an officer's command is about (/tiendo, /xuat, /baocaotonghop): the chat's
 * unit when she oversees it, else her first overseen unit; a unit she names must lie in her subtree.
 * A period phrase among the arguments ("tháng 5") is split off, and a plan id
 * ("vun_dap_gia_dinh_2023_2025"). The plan: the one named, else the one covering the period
 * named, else the plan current today (or the one that ended last).
 */
import { canOversee, overseenRoots } from "../domain/permissions.js";
import { localIsoDate, splitPeriodText, type Period } from "../domain/periods.js";
import { planById, planOn } from "../plan/calendar.js";
import type { Plan } from "../plan/schema.js";
import type { UnitNode } from "../domain/types.js";
import { t } from "../i18n.js";
import { findUnit } from "../store/units.js";
import type { UnitTree } from "../domain/units/tree.js";
import { counterpartsIn, treeForPeriod } from "../progress/tree.js";
import type { CommandContext } from "./types.js";

export type Scope = { ok: true; root: UnitNode; period: Period | null; plan: Plan } | { ok: false; text: string };

/** Splits a plan id off the arguments: the plan named (null when none is) and the other words. */
export function splitPlanWord(plans: readonly Plan[], args: string): { plan: Plan | null; rest: string } {
  const words = args.split(/\s+/).filter(Boolean);
  let plan: Plan | null = null;
  const rest = words.filter((w) => {
    const found = plan ? null : planById(plans, w);
    if (found) plan = found;
    return !found;
  });
  return { plan, rest: rest.join(" ") };
}

/** The unit, period and plan an officer's command is about, or the refusal to send. */
export function resolveScope(ctx: CommandContext, args: string): Scope {
  const tree = ctx.app.tree();
  const roots = overseenRoots(ctx.grants, tree);
  let root: UnitNode | undefined =
    ctx.chatUnitId !== null && canOversee(ctx.grants, tree, ctx.chatUnitId) ? tree.byId(ctx.chatUnitId) : roots[0];
  if (!root) return { ok: false, text: t("bot:denied.no_role") };
  const named = splitPlanWord(ctx.app.plans, args);
  const { rest, period } = splitPeriodText(named.rest, "monthly", ctx.app.now());
  const plan = named.plan ?? (period ? planOn(ctx.app.plans, localIsoDate(period.start)) : null) ?? ctx.app.plan;
  if (rest) {
    const found = findUnit(tree, rest, roots.length === 1 ? { withinId: roots[0]!.id } : {});
    if (found.kind === "none") return { ok: false, text: t("bot:progress.unit_not_found", { text: rest }) };
    if (found.kind === "ambiguous")
      return {
        ok: false,
        text: t("bot:progress.unit_ambiguous", { text: rest, list: found.candidates.map((u) => `• ${u.code} — ${u.name}`).join("\n") }),
      };
    if (!canOversee(ctx.grants, tree, found.unit.id)) return { ok: false, text: t("bot:denied.outside", { unit: found.unit.name }) };
    root = found.unit;
  }
  return { ok: true, root, period, plan };
}

/**
 * The tree a command about `period` reads (the tree of the period's last day, src/progress/tree.ts)
 * and the units of that tree standing for `root`: `root` itself, or for a period before a
 * reorganisation the units that ended into it (two merged communes, for instance). Empty `roots`:
 * `root` had no counterpart then.
 */
export async function periodScope(ctx: CommandContext, root: UnitNode, period: Period): Promise<{ tree: UnitTree; roots: UnitNode[] }> {
  const tree = await treeForPeriod(ctx.app.store, period, ctx.app.tree());
  return { tree, roots: await counterpartsIn(ctx.app.store, tree, root.id) };
}

/**
 * resolveScope, also finding a unit that no longer exists: when the officer names a unit that is
 * not in the latest tree together with a period before a reorganisation ("/tiendo Ý Yên tháng
 * 6/2025" after the districts ended), the unit is looked up in that period's tree, and allowed
 * when it lies under a unit of that tree standing for one she oversees. `tree` is then that tree.
 */
export async function resolveScopeAsOf(ctx: CommandContext, args: string): Promise<Scope | (Scope & { ok: true; tree: UnitTree })> {
  const scope = resolveScope(ctx, args);
  if (scope.ok) return scope;
  const named = splitPlanWord(ctx.app.plans, args);
  const { rest, period } = splitPeriodText(named.rest, "monthly", ctx.app.now());
  if (!period || !rest) return scope;
  const plan = named.plan ?? planOn(ctx.app.plans, localIsoDate(period.start)) ?? ctx.app.plan;
  const latest = ctx.app.tree();
  const tree = await treeForPeriod(ctx.app.store, period, latest);
  if (tree === latest) return scope;
  const found = findUnit(tree, rest);
  if (found.kind !== "found") return scope;
  for (const g of ctx.grants) {
    if (g.role === "leader") continue;
    const mine = await counterpartsIn(ctx.app.store, tree, g.unitId);
    if (mine.some((m) => tree.isWithin(found.unit.id, m.id))) return { ok: true, root: found.unit, period, plan, tree };
  }
  return scope;
}
