/**
 * Loading several plans at once: a folder of `*.yaml` files, or a list of files and folders
 * (PLAN_FILE="a.yaml,plans/"). Each file is checked on its own (load.ts), then all together:
 * plan ids are unique (reports are keyed by plan id), dates do not overlap (on any day at most
 * one plan is current, so commands without a plan argument are never ambiguous), and every
 * reminder rule and content schedule expands the way the scheduler will expand it. A problem
 * anywhere rejects the whole set with every problem listed.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_LANGUAGE, t } from "../i18n.js";
import { scheduleProblems } from "../scheduler/validate.js";
import { sortPlans } from "./calendar.js";
import { DEFAULT_PLANS_DIR, loadPlanFile, type ParsePlanOptions, PlanError, type PlanIssue } from "./load.js";
import type { Plan } from "./schema.js";

/** Plans loaded together, sorted by start date, each with the file it came from. */
export interface PlanSet {
  plans: Plan[];
  /** The file of each plan, by plan id. */
  files: Map<string, string>;
}

/** The files a PLAN_FILE value (or `plan check` arguments) names: comma-separated files and folders (a folder: its *.yaml / *.yml, sorted). */
export function planFiles(sources: string | readonly string[] = DEFAULT_PLANS_DIR): string[] {
  const list = (typeof sources === "string" ? [sources] : [...sources]).flatMap((s) => s.split(","));
  const out: string[] = [];
  for (const raw of list) {
    const source = raw.trim();
    if (!source) continue;
    let isDir = false;
    try {
      isDir = statSync(source).isDirectory();
    } catch {
      // A missing file is reported by loadPlanFile, with the other problems.
    }
    if (!isDir) {
      out.push(source);
      continue;
    }
    const names = readdirSync(source).filter((n) => /\.ya?ml$/i.test(n)).sort();
    out.push(...names.map((n) => join(source, n)));
  }
  return out;
}

/**
 * Reads, checks and cross-checks every plan named by `sources` (default: the shipped folder).
 * Throws PlanError listing every problem of every file.
 */
export function loadPlanSet(
  sources?: string | readonly string[],
  options: ParsePlanOptions & {
    /** Expand every reminder and content schedule as the scheduler will (default true; readers like `progress` skip it). */
    scheduleCheck?: boolean;
  } = {},
): PlanSet {
  const lng = options.language ?? DEFAULT_LANGUAGE;
  const files = planFiles(sources);
  const issues: PlanIssue[] = [];
  if (files.length === 0) {
    const where = typeof sources === "string" ? sources : (sources ?? [DEFAULT_PLANS_DIR]).join(", ");
    throw new PlanError([{ file: where, path: "", message: t("plan:set.empty", {}, lng) }], lng);
  }
  const loaded: { plan: Plan; file: string }[] = [];
  for (const file of files) {
    try {
      const plan = loadPlanFile(file, options);
      loaded.push({ plan, file });
      if (options.scheduleCheck !== false) for (const p of scheduleProblems(plan, lng)) issues.push({ file, ...p });
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      issues.push(...err.issues);
    }
  }

  const byId = new Map<string, string>();
  for (const { plan, file } of loaded) {
    const first = byId.get(plan.id);
    if (first !== undefined) issues.push({ file, path: "id", message: t("plan:set.duplicateId", { id: plan.id, first }, lng) });
    else byId.set(plan.id, file);
  }
  const sorted = [...loaded].sort((a, b) => (a.plan.start < b.plan.start ? -1 : a.plan.start > b.plan.start ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.plan.start <= prev.plan.end) {
      issues.push({
        file: cur.file,
        path: "start",
        message: t("plan:set.overlap", { id: cur.plan.id, start: cur.plan.start, other: prev.plan.id, end: prev.plan.end, file: prev.file }, lng),
      });
    }
  }
  if (issues.length > 0) throw new PlanError(issues, lng);
  return { plans: sortPlans(loaded.map((l) => l.plan)), files: new Map(loaded.map((l) => [l.plan.id, l.file])) };
}
