/** /tiendo [đơn vị] [kỳ]: progress of the asker's subtree, or of a unit / period she names inside it. */
import { t } from "../i18n.js";
import { renderProgressText } from "../domain/progress-text.js";
import { chartFileName, renderProgressChart } from "../outputs/chart.js";
import { defaultProgressForm, loadProgress } from "../progress/index.js";
import { resolveScope } from "./scope.js";
import type { Command } from "./types.js";

export const progressCommand: Command = {
  name: "tiendo",
  needs: "view",
  async run(ctx) {
    const tree = ctx.app.tree();
    const now = ctx.app.now();
    const scope = resolveScope(ctx, ctx.args);
    if (!scope.ok) return ctx.reply(scope.text);
    const { root, period, plan } = scope;
    const form = defaultProgressForm(plan, tree, root.id, period?.kind);
    if (!form) return ctx.reply(t("bot:progress.no_form", { unit: root.name }));
    const progress = await loadProgress(ctx.app.store, {
      plan,
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
