/** /tiendo [đơn vị] [kỳ]: progress of the asker's subtree, or of a unit / period she names inside it. */
import { canOversee, overseenRoots } from "../domain/permissions.js";
import { splitPeriodText } from "../domain/periods.js";
import type { UnitNode } from "../domain/types.js";
import { t } from "../i18n.js";
import { renderProgressText } from "../domain/progress-text.js";
import { chartFileName, renderProgressChart } from "../outputs/chart.js";
import { defaultProgressForm, loadProgress } from "../progress/index.js";
import { findUnit } from "../store/units.js";
import type { Command } from "./types.js";

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
    const form = defaultProgressForm(ctx.app.plan, tree, root.id, period?.kind);
    if (!form) return ctx.reply(t("bot:progress.no_form", { unit: root.name }));
    const progress = await loadProgress(ctx.app.store, {
      plan: ctx.app.plan,
      tree,
      rootId: root.id,
      form,
      period: period ?? undefined,
      now,
    });
    await ctx.reply(renderProgressText(progress));
    // The same figures as a picture, for officers who would rather look than read.
    try {
      const chart = await renderProgressChart(progress);
      await ctx.sendFile({ name: chartFileName(progress), data: chart.png, mime: "image/png" });
    } catch (err) {
      ctx.app.log.error({ err, unit: root.code }, "progress chart failed; the text was sent");
    }
  },
};
