/** /tiendo [đơn vị] [kỳ]: progress of the asker's subtree, or of a unit / period she names inside it. */
import { t } from "../i18n.js";
import { renderProgressText } from "../domain/progress-text.js";
import { defaultProgressForm, loadProgress } from "../progress/index.js";
import { periodScope, resolveScopeAsOf } from "./scope.js";
import { currentPeriod, periodLabel } from "../domain/periods.js";
import type { Command } from "./types.js";

/** /tiendo: the progress text and chart of a subtree for a period (one per counterpart unit of an earlier tree). */
export const progressCommand: Command = {
  name: "tiendo",
  needs: "view",
  async run(ctx) {
    const tree = ctx.app.tree();
    const now = ctx.app.now();
    const scope = await resolveScopeAsOf(ctx, ctx.args);
    if (!scope.ok) return ctx.reply(scope.text);
    const { root, period, plan } = scope;
    // A unit named with a period before a reorganisation may come from that period's tree.
    const found = "tree" in scope ? scope.tree : null;
    const form = defaultProgressForm(plan, found ?? tree, root.id, period?.kind);
    if (!form) return ctx.reply(t("bot:progress.no_form", { unit: root.name }));
    const shown = period ?? currentPeriod(form, now, plan);
    // A period before a reorganisation is shown on the tree of its last day (src/progress/tree.ts).
    const { tree: periodTree, roots } = found ? { tree: found, roots: [root] } : await periodScope(ctx, root, shown);
    if (roots.length === 0) return ctx.reply(t("bot:progress.no_unit_in_period", { unit: root.name, period: periodLabel(shown) }));
    for (const unit of roots) {
      const progress = await loadProgress(ctx.app.store, { plan: plan, tree: periodTree, rootId: unit.id, form, period: shown, now });
      await ctx.reply(renderProgressText(progress));
      // The same figures as a picture, for officers who would rather look than read.
      try {
        // ECharts and resvg load on the first chart, not at start.
        const { chartFileName, renderProgressChart } = await import("../outputs/chart.js");
        const chart = await renderProgressChart(progress);
        await ctx.sendFile({ name: chartFileName(progress), data: chart.png, mime: "image/png" });
      } catch (err) {
        ctx.app.log.error({ err, unit: unit.code }, "progress chart failed; the text was sent");
      }
    }
  },
};
