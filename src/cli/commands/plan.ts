/**
 * `plan check [file|folder…]`: validate the plans (each file, then all together) and say which
 * is current today, which ended when and which comes next.
 * `plan extend <file> --until <date> --out <file>`: carry a plan forward as a new draft plan.
 */
import { writeFileSync } from "node:fs";
import { Document } from "yaml";
import { localIsoDate } from "../../domain/periods.js";
import { formatDate } from "../../domain/vi/index.js";
import { planStatus } from "../../plan/calendar.js";
import { isRealDate } from "../../plan/check.js";
import { extendPlan } from "../../plan/extend.js";
import { DEFAULT_PLANS_DIR, loadPlanFile, parsePlan, PlanError } from "../../plan/load.js";
import { loadPlanSet } from "../../plan/set.js";
import { envValue, EXIT, type CliCommand } from "../types.js";
import { parseNow } from "./progress.js";

export const planCheckCommand: CliCommand = {
  words: ["plan", "check"],
  id: "planCheck",
  args: { min: 0, max: Infinity },
  options: { now: { type: "string", help: "cli:commands.progress.optNow" } },
  async run(ctx, { args, options }) {
    const sources = args.length > 0 ? args : (envValue(ctx, "PLAN_FILE") ?? DEFAULT_PLANS_DIR);
    const now = typeof options.now === "string" ? parseNow(options.now) : new Date();
    if (!now) {
      ctx.err(ctx.t("cli:progress.badNow", { text: options.now }));
      return EXIT.usage;
    }
    let set;
    try {
      set = loadPlanSet(sources, { language: ctx.lng });
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      ctx.err(err.message);
      return EXIT.invalid;
    }
    const today = localIsoDate(now);
    for (const plan of set.plans) {
      ctx.out(ctx.t("cli:plan.ok", { file: set.files.get(plan.id) }));
      ctx.out(ctx.t("cli:plan.title", { title: plan.title }));
      ctx.out(ctx.t("cli:plan.dates", { id: plan.id, start: formatDate(plan.start), end: formatDate(plan.end) }));
      if (plan.status === "draft") ctx.out(ctx.t("cli:plan.draft", { continues: plan.continues ?? "—" }));
      ctx.out(
        ctx.t("cli:plan.summary", {
          forms: plan.forms.length,
          indicators: plan.indicators.length,
          milestones: plan.milestones.length,
          reminders: plan.reminders.length,
          content: plan.content.items.length,
        }),
      );
    }
    const status = planStatus(set.plans, today);
    const day = formatDate(today);
    if (status.current) ctx.out(ctx.t("cli:plan.current", { day, id: status.current.id, end: formatDate(status.current.end) }));
    else ctx.out(ctx.t("cli:plan.noCurrent", { day }));
    if (status.ended) ctx.out(ctx.t("cli:plan.ended", { id: status.ended.id, end: formatDate(status.ended.end) }));
    if (status.next) ctx.out(ctx.t("cli:plan.next", { id: status.next.id, start: formatDate(status.next.start) }));
    else if (!status.current) ctx.out(ctx.t("cli:plan.noNext"));
    return EXIT.ok;
  },
};

export const planExtendCommand: CliCommand = {
  words: ["plan", "extend"],
  id: "planExtend",
  args: { min: 1, max: 1 },
  options: {
    until: { type: "string", help: "cli:commands.planExtend.optUntil" },
    out: { type: "string", help: "cli:commands.planExtend.optOut" },
  },
  async run(ctx, { args, options }) {
    const until = typeof options.until === "string" ? options.until.trim() : "";
    const out = typeof options.out === "string" ? options.out : "";
    if (!isRealDate(until) || !out) {
      ctx.err(ctx.t("cli:planExtend.usage"));
      return EXIT.usage;
    }
    try {
      const plan = loadPlanFile(args[0]!, { language: ctx.lng });
      if (until <= plan.end) {
        ctx.err(ctx.t("cli:planExtend.untilTooEarly", { until: formatDate(until), end: formatDate(plan.end) }));
        return EXIT.usage;
      }
      const texts = {
        title: ctx.t("cli:planExtend.newTitle", { title: plan.title, until: formatDate(until) }),
        note: ctx.t("cli:planExtend.note", { id: plan.id, start: formatDate(plan.start), end: formatDate(plan.end), today: formatDate(localIsoDate(new Date())) }),
      };
      const { plan: extended, summary } = extendPlan(plan, until, texts);
      const doc = new Document(extended);
      doc.commentBefore = ` ${ctx.t("cli:planExtend.header", { file: args[0], id: plan.id, until: formatDate(until) })}`;
      const text = doc.toString({ lineWidth: 0 });
      parsePlan(text, out, { language: ctx.lng }); // what is written passes plan check
      writeFileSync(out, text);
      ctx.out(ctx.t("cli:planExtend.done", { out, id: String(extended.id), start: formatDate(String(extended.start)), until: formatDate(until) }));
      if (summary.repeated.length) ctx.out(ctx.t("cli:planExtend.repeated", { keys: summary.repeated.join(", ") }));
      if (summary.dropped.length) ctx.out(ctx.t("cli:planExtend.dropped", { keys: summary.dropped.join(", ") }));
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      ctx.err(err.message);
      return EXIT.invalid;
    }
  },
};
