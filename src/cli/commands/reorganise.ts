/** `units reorganise <new tree> --map <file> --from <date>`: see src/store/reorganise.ts. */
import { readFileSync } from "node:fs";
import { parseUnits, type UnitImportError } from "../../domain/units/import.js";
import { parseReorganisationDay } from "../../domain/units/reorganise.js";
import { parseUnitMap } from "../../domain/units/reorganise-map.js";
import { ReorganisationError, reorganiseUnits, type ReorganisationSummary } from "../../store/reorganise.js";
import { formatUnitImportErrors } from "../../domain/units/import.js";
import { withStore } from "../store.js";
import { EXIT, type CliCommand, type CliContext, type ExitCode } from "../types.js";

function readText(ctx: CliContext, path: string, errors: UnitImportError[]): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const detail = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    errors.push({ file: path, line: 0, message: ctx.t("cli:units.unreadable", { detail }) });
    return null;
  }
}

function invalid(ctx: CliContext, errors: readonly UnitImportError[]): ExitCode {
  ctx.err(ctx.t("cli:units.reorganiseInvalid", { count: errors.length }));
  ctx.err(formatUnitImportErrors(errors));
  return EXIT.invalid;
}

/** What happened to the pilot and NTM marks (nothing when no merger touched any). */
function marksLines(ctx: CliContext, summary: ReorganisationSummary): string[] {
  const m = summary.marks;
  if (!m) return [];
  const status = (s: string | null) => (s ? ctx.t(`progress:marks.${s}`) : ctx.t("cli:units.reorganiseNoStatus"));
  const lines = [
    ...m.pilotMerged.map((x) => ctx.t("cli:units.reorganiseMarkPilot", { code: x.code, from: x.from.join(", ") })),
    ...m.ntmMerged.map((x) => ctx.t("cli:units.reorganiseMarkNtm", { code: x.code, status: status(x.ntm), from: x.from.join(", ") })),
    ...m.ntmConflicts.map((x) =>
      ctx.t("cli:units.reorganiseMarkConflict", { code: x.code, from: x.from.map((f) => `${f.code}: ${status(f.ntm)}`).join("; ") }),
    ),
    ...m.dropped.map((x) =>
      ctx.t("cli:units.reorganiseMarkDropped", {
        code: x.code,
        successor: x.successor,
        marks: [x.marks.pilot ? ctx.t("progress:marks.pilot") : null, x.marks.ntm ? status(x.marks.ntm) : null].filter(Boolean).join(", "),
      }),
    ),
  ];
  return lines.length > 0 ? [ctx.t("cli:units.reorganiseMarks"), ...lines] : [];
}

/** The command: files and the day are checked first; the store applies all or nothing. */
export const unitsReorganiseCommand: CliCommand = {
  words: ["units", "reorganise"],
  id: "unitsReorganise",
  args: { min: 1, max: 1 },
  options: {
    map: { type: "string", help: "cli:commands.unitsReorganise.optMap" },
    from: { type: "string", help: "cli:commands.unitsReorganise.optFrom" },
  },
  async run(ctx, { args, options }) {
    const treeFile = args[0]!;
    const mapFile = typeof options.map === "string" ? options.map : null;
    const fromText = typeof options.from === "string" ? options.from : null;
    if (!mapFile || !fromText) {
      ctx.err(ctx.t("cli:errors.tooFewArgs", { command: "units reorganise" }));
      return EXIT.usage;
    }
    const from = parseReorganisationDay(fromText);
    if (!from) {
      ctx.err(ctx.t("cli:units.reorganiseBadFrom", { text: fromText }));
      return EXIT.usage;
    }
    const errors: UnitImportError[] = [];
    const treeText = readText(ctx, treeFile, errors);
    const mapText = readText(ctx, mapFile, errors);
    const tree = treeText === null ? null : parseUnits(treeText, treeFile);
    const map = mapText === null ? null : parseUnitMap(mapText, mapFile);
    if (tree && !tree.ok) errors.push(...tree.errors);
    if (map && !map.ok) errors.push(...map.errors);
    if (errors.length > 0 || !tree?.ok || !map?.ok) return invalid(ctx, errors);
    return withStore(ctx, async (store) => {
      try {
        const res = await reorganiseUnits(store, { from, rows: tree.units, treeFile, map: map.entries, mapFile });
        if (res.kind === "already") ctx.out(ctx.t("cli:units.reorganiseAlready", { at: res.appliedAt.toISOString() }));
        else {
          ctx.out(ctx.t("cli:units.reorganiseDone", { ...res.summary }));
          for (const line of marksLines(ctx, res.summary)) ctx.out(line);
        }
        return EXIT.ok;
      } catch (err) {
        if (err instanceof ReorganisationError) return invalid(ctx, err.errors);
        throw err;
      }
    });
  },
};
