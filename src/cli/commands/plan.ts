/** `plan check [file]`: validate a plan file and summarise it. */
import { DEFAULT_PLAN_PATH, loadPlanFile, PlanError } from "../../plan/load.js";
import { envValue, EXIT, type CliCommand } from "../types.js";

export const planCheckCommand: CliCommand = {
  words: ["plan", "check"],
  id: "planCheck",
  args: { min: 0, max: 1 },
  async run(ctx, { args }) {
    const file = args[0] ?? envValue(ctx, "PLAN_FILE") ?? DEFAULT_PLAN_PATH;
    try {
      const plan = loadPlanFile(file, { language: ctx.lng });
      ctx.out(ctx.t("cli:plan.ok", { file }));
      ctx.out(ctx.t("cli:plan.title", { title: plan.title }));
      ctx.out(
        ctx.t("cli:plan.summary", {
          forms: plan.forms.length,
          indicators: plan.indicators.length,
          milestones: plan.milestones.length,
          reminders: plan.reminders.length,
          content: plan.content.items.length,
        }),
      );
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      ctx.err(err.message);
      return EXIT.invalid;
    }
  },
};
