/** A whole report pasted in one message, without /baocao first: find her unit and form, then let the engine check it. */
import { startFromPaste } from "../conversation/index.js";
import { currentPeriod, periodLabel } from "../domain/periods.js";
import { reportingUnits } from "../domain/permissions.js";
import { vietnamToday } from "../domain/vi/index.js";
import { t } from "../i18n.js";
import { getReport } from "../store/reports.js";
import type { CommandContext } from "../commands/types.js";
import { openForms } from "../commands/report.js";
import { otherUnitsGroupNote } from "../commands/group-unit.js";
import { noCurrentPlanText } from "../commands/plan-status.js";
import { applyStep } from "./conversation-runner.js";

export async function startFromPasteFor(ctx: CommandContext, text: string): Promise<void> {
  const tree = ctx.app.tree();
  const units = reportingUnits(ctx.grants, tree);
  const unit = units.find((u) => u.id === ctx.chatUnitId) ?? (units.length === 1 ? units[0] : undefined);
  if (!unit) return ctx.reply(t("bot:report.paste_pick_unit"));
  const elsewhere = otherUnitsGroupNote(ctx, unit);
  if (elsewhere) return ctx.reply(elsewhere);
  const now = ctx.app.now();
  const plan = ctx.app.currentPlan();
  if (!plan) return ctx.reply(noCurrentPlanText(ctx.app));
  for (const form of openForms(ctx, unit)) {
    const period = currentPeriod(form, now, plan);
    if (await getReport(ctx.app.store, plan.id, form.key, period.key, unit.id)) continue;
    const step = startFromPaste(
      form,
      {
        planKey: plan.id,
        unitId: unit.id,
        unitName: unit.name,
        periodKey: period.key,
        periodLabel: periodLabel(period),
        periodPast: period.end.getTime() <= now.getTime(),
      },
      text,
      { today: vietnamToday(now) },
    );
    return applyStep(ctx, step);
  }
  await ctx.reply(t("bot:report.paste_nothing_open"));
}
