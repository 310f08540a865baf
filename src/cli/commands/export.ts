/** `export [unit] [period] [--out file]`: the /xuat workbook, written to a file. */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_UNITS_PATH } from "../../domain/units/import.js";
import { NoExportFormError } from "../../outputs/data.js";
import { withStore } from "../store.js";
import { periodLabel } from "../../domain/periods.js";
import { counterpartsIn, treeForPeriod } from "../../progress/tree.js";
import { EXIT, type CliCommand } from "../types.js";
import { loadNowAndPlan, planFor, resolveScope } from "./progress.js";

export const exportCommand: CliCommand = {
  words: ["export"],
  id: "export",
  args: { min: 0, max: Infinity },
  options: {
    out: { type: "string", help: "cli:commands.export.optOut" },
    now: { type: "string", help: "cli:commands.progress.optNow" },
    plan: { type: "string", help: "cli:commands.progress.optPlan" },
  },
  async run(ctx, { args, options }) {
    const setup = loadNowAndPlan(ctx, options);
    if (typeof setup === "number") return setup;
    const { now } = setup;
    return withStore(ctx, async (store, env) => {
      const scope = await resolveScope(ctx, store, env.UNITS_FILE ?? DEFAULT_UNITS_PATH, args, now);
      if (typeof scope === "number") return scope;
      // A named period before a reorganisation is read on the tree of its last day.
      const period = scope.split.period;
      let { tree, root } = scope;
      if (period) {
        tree = await treeForPeriod(store, period, tree);
        const first = (await counterpartsIn(store, tree, root.id))[0];
        if (!first) {
          ctx.err(ctx.t("cli:progress.noUnitInPeriod", { unit: root.name, period: periodLabel(period, ctx.lng) }));
          return EXIT.invalid;
        }
        root = first;
      }
      const plan = planFor(setup, scope.split.period);
      try {
        const { exportWorkbook } = await import("../../outputs/workbook.js"); // exceljs only for this command
        const book = await exportWorkbook(store, {
          plan,
          tree,
          rootId: root.id,
          period: scope.split.period ?? undefined,
          now,
          lng: ctx.lng,
        });
        const path = resolve(typeof options.out === "string" ? options.out : book.fileName);
        writeFileSync(path, book.data);
        ctx.out(ctx.t("cli:export.done", { path, unit: root.name }));
        return EXIT.ok;
      } catch (err) {
        if (!(err instanceof NoExportFormError)) throw err;
        ctx.err(err.message);
        return EXIT.invalid;
      }
    });
  },
};
