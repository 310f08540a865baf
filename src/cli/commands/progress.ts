/** `progress [unit] [period]`: the /tiendo text for a unit and period, from the store. */
import { currentPeriod, localIsoDate, periodLabel, splitPeriodText, startOfLocalDate, type Period } from "../../domain/periods.js";
import type { UnitNode } from "../../domain/types.js";
import type { UnitTree } from "../../domain/units/tree.js";
import type { Store } from "../../store/database.js";
import { DEFAULT_UNITS_PATH } from "../../domain/units/import.js";
import { defaultPlan, planById, planOn } from "../../plan/calendar.js";
import { DEFAULT_PLANS_DIR, PlanError } from "../../plan/load.js";
import { loadPlanSet } from "../../plan/set.js";
import type { Plan } from "../../plan/schema.js";
import { defaultProgressForm, progressText } from "../../progress/index.js";
import { counterpartsIn, treeForPeriod } from "../../progress/tree.js";
import { findUnit, loadUnitTree, seedUnitsIfEmpty, UnitFileError } from "../../store/units.js";
import { withStore } from "../store.js";
import { envValue, EXIT, type CliCommand, type CliContext, type ExitCode } from "../types.js";

/** "2024-05-25" (noon, Việt Nam time) or any instant Date understands; null when invalid. */
export function parseNow(text: string): Date | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) {
    try {
      return new Date(startOfLocalDate(text.trim()).getTime() + 12 * 3_600_000);
    } catch {
      return null;
    }
  }
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

export const progressCommand: CliCommand = {
  words: ["progress"],
  id: "progress",
  args: { min: 0, max: Infinity },
  options: {
    form: { type: "string", help: "cli:commands.progress.optForm" },
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
      const { tree, root, split, text } = scope;
      const plan = planFor(setup, split.period);

      let form = null;
      if (typeof options.form === "string") {
        form = plan.forms.find((f) => f.key === options.form) ?? null;
        if (!form) {
          ctx.err(ctx.t("cli:progress.unknownForm", { form: options.form }));
          return EXIT.invalid;
        }
      } else form = defaultProgressForm(plan, tree, root.id, split.period?.kind);
      if (!form) {
        const period = split.period ? ctx.t("cli:progress.forPeriod", { period: periodLabel(split.period, ctx.lng) }) : "";
        ctx.err(ctx.t("cli:progress.noForm", { unit: root.name, period }));
        return EXIT.invalid;
      }
      // Read the period again with the form's kind ("kỳ này", "kỳ trước" depend on it).
      const period = split.period ? (splitPeriodText(text, form.period, now, currentPeriod(form, now, plan)).period ?? split.period) : undefined;
      // A period before a reorganisation rolls up on the tree of its last day (src/progress/tree.ts).
      const shown = period ?? currentPeriod(form, now, plan);
      const periodTree = await treeForPeriod(store, shown, tree);
      const roots = await counterpartsIn(store, periodTree, root.id);
      if (roots.length === 0) {
        ctx.err(ctx.t("cli:progress.noUnitInPeriod", { unit: root.name, period: periodLabel(shown, ctx.lng) }));
        return EXIT.invalid;
      }
      const texts: string[] = [];
      for (const unit of roots) {
        texts.push(await progressText(store, { plan, tree: periodTree, rootId: unit.id, form, period: shown, now, render: { lng: ctx.lng } }));
      }
      ctx.out(texts.join("\n\n"));
      return EXIT.ok;
    });
  },
};

/** What progress and export read: the time, every plan, and the plan named by --plan (else the one current at `now`). */
export interface NowAndPlans {
  now: Date;
  plans: Plan[];
  /** --plan, or the plan current at `now` (else the one that ended last). */
  plan: Plan;
  /** True when --plan named it. */
  named: boolean;
}

/** The plan of a command: --plan, else the one covering the period named, else the default. */
export function planFor(setup: NowAndPlans, period: Period | null): Plan {
  if (setup.named || !period) return setup.plan;
  return planOn(setup.plans, localIsoDate(period.start)) ?? setup.plan;
}

/** `--now` (or the real time), the plans (PLAN_FILE or the plans/ folder) and `--plan`, or the exit code of a bad one. */
export function loadNowAndPlan(ctx: CliContext, options: Record<string, string | boolean | undefined>): NowAndPlans | ExitCode {
  const now = typeof options.now === "string" ? parseNow(options.now) : new Date();
  if (!now) {
    ctx.err(ctx.t("cli:progress.badNow", { text: options.now }));
    return EXIT.usage;
  }
  try {
    const plans = loadPlanSet(envValue(ctx, "PLAN_FILE") ?? DEFAULT_PLANS_DIR, { language: ctx.lng, scheduleCheck: false }).plans;
    if (typeof options.plan === "string") {
      const plan = planById(plans, options.plan);
      if (!plan) {
        ctx.err(ctx.t("cli:progress.unknownPlan", { plan: options.plan, plans: plans.map((p) => p.id).join(", ") }));
        return EXIT.invalid;
      }
      return { now, plans, plan, named: true };
    }
    return { now, plans, plan: defaultPlan(plans, localIsoDate(now)), named: false };
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    ctx.err(err.message);
    return EXIT.invalid;
  }
}

/** The unit tree (seeded when the store is empty) and the unit and period named by the arguments. */
export async function resolveScope(
  ctx: CliContext,
  store: Store,
  unitsFile: string,
  args: string[],
  now: Date,
): Promise<{ tree: UnitTree; root: UnitNode; split: { rest: string; period: Period | null }; text: string } | ExitCode> {
  try {
    const seeded = await seedUnitsIfEmpty(store, unitsFile);
    if (seeded) ctx.err(ctx.t("cli:progress.seeded", { total: seeded.total, file: unitsFile }));
  } catch (err) {
    if (!(err instanceof UnitFileError)) throw err;
    ctx.err(err.message);
    return EXIT.invalid;
  }
  let tree = await loadUnitTree(store);
  const top = tree.roots[0];
  if (!top) {
    ctx.err(ctx.t("cli:progress.noUnits"));
    return EXIT.invalid;
  }
  // "Ý Yên tháng 5/2024" in one or several arguments: a unit, then (or before) a period.
  const text = args.join(" ").trim();
  const split = splitPeriodText(text, "monthly", now);
  let root = top;
  if (split.rest) {
    let found = findUnit(tree, split.rest);
    if (found.kind === "none" && split.period) {
      // A unit that ended in a reorganisation, named with a period before it: from that period's tree.
      const then = await treeForPeriod(store, split.period, tree);
      const before = findUnit(then, split.rest);
      if (before.kind !== "none") [tree, found] = [then, before];
    }
    if (found.kind === "none") {
      ctx.err(ctx.t("cli:progress.unitNotFound", { text: split.rest }));
      return EXIT.invalid;
    }
    if (found.kind === "ambiguous") {
      printAmbiguity(ctx, split.rest, found.candidates, found.more);
      return EXIT.invalid;
    }
    root = found.unit;
  }
  if (text && !split.period && !split.rest) {
    ctx.err(ctx.t("cli:progress.periodNotUnderstood", { text }));
    return EXIT.usage;
  }
  return { tree, root, split, text };
}

function printAmbiguity(ctx: CliContext, text: string, candidates: readonly { code: string; name: string }[], more: number): void {
  ctx.err(ctx.t("cli:progress.unitAmbiguous", { text }));
  for (const u of candidates) ctx.err(ctx.t("cli:progress.candidate", { code: u.code, name: u.name }));
  if (more > 0) ctx.err(ctx.t("cli:progress.moreCandidates", { count: more }));
}
