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
