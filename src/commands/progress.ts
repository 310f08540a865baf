/** /tiendo [đơn vị] [kỳ]: progress of the asker's subtree, or of a unit / period she names inside it. */
import { canOversee, overseenRoots } from "../domain/permissions.js";
import { splitPeriodText, type Period } from "../domain/periods.js";
import type { UnitNode } from "../domain/types.js";
import { t } from "../i18n.js";
import type { Form } from "../plan/schema.js";
import { progressText } from "../progress/index.js";
import { findUnit } from "../store/units.js";
import type { Command, CommandContext } from "./types.js";

/** The form to measure for a unit: one whose kind of period matches the asked period, preferring forms answered below. */
export function formForProgress(ctx: CommandContext, root: UnitNode, period: Period | null): Form | undefined {
  const tree = ctx.app.tree();
  const kindsBelow = new Set<string>();
  for (const u of tree.subtree(root.id)) kindsBelow.add(u.kind);
  const forms = ctx.app.plan.forms.filter((f) => f.unitKinds.some((k) => kindsBelow.has(k)));
  const byPeriod = period ? forms.filter((f) => f.period === period.kind) : forms;
  return byPeriod[0] ?? (period ? undefined : forms[0]);
}

export const progressCommand: Command = {
  name: "tiendo",
  needs: "view",
  async run(ctx) {
    const tree = ctx.app.tree();
    const now = ctx.app.now();
    const roots = overseenRoots(ctx.grants, tree);
    let root: UnitNode | undefined =
      ctx.chatUnitId !== null && canOversee(ctx.grants, tree, ctx.chatUnitId) ? tree.byId(ctx.chatUnitId) : roots[0];
    if (!root) return ctx.reply(t("bot:denied.no_role"));

    const { rest, period } = splitPeriodText(ctx.args, "monthly", now);
    if (rest) {
      const found = findUnit(tree, rest, roots.length === 1 ? { withinId: roots[0]!.id } : {});
      if (found.kind === "none") return ctx.reply(t("bot:progress.unit_not_found", { text: rest }));
      if (found.kind === "ambiguous")
        return ctx.reply(
          t("bot:progress.unit_ambiguous", { text: rest, list: found.candidates.map((u) => `• ${u.code} — ${u.name}`).join("\n") }),
        );
      if (!canOversee(ctx.grants, tree, found.unit.id)) return ctx.reply(t("bot:denied.outside", { unit: found.unit.name }));
      root = found.unit;
    }
    const form = formForProgress(ctx, root, period);
    if (!form) return ctx.reply(t("bot:progress.no_form", { unit: root.name }));
    const text = await progressText(ctx.app.store, {
      plan: ctx.app.plan,
      tree,
      rootId: root.id,
      form,
      period: period ?? undefined,
      now,
    });
    await ctx.reply(text);
  },
};
