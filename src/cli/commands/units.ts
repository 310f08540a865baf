/** `units import <file>`: all-or-nothing import of a CSV or YAML unit tree. */
import { importUnitsFile, UnitFileError, UnitTreeError } from "../../store/units.js";
import { withStore } from "../store.js";
import { EXIT, type CliCommand } from "../types.js";

export const unitsImportCommand: CliCommand = {
  words: ["units", "import"],
  id: "unitsImport",
  args: { min: 1, max: 1 },
  async run(ctx, { args }) {
    const file = args[0]!;
    return withStore(ctx, async (store) => {
      try {
        const c = await importUnitsFile(store, file);
        ctx.out(ctx.t("cli:units.done", { file, ...c }));
        return EXIT.ok;
      } catch (err) {
        if (err instanceof UnitFileError) {
          ctx.err(ctx.t("cli:units.invalid", { file, count: err.errors.length }));
          ctx.err(err.message);
          return EXIT.invalid;
        }
        if (err instanceof UnitTreeError) {
          ctx.err(ctx.t("cli:units.treeError", { file }));
          ctx.err(err.message);
          return EXIT.invalid;
        }
        throw err;
      }
    });
  },
};
