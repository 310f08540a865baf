/**
 * /baocao (start a guided report), /sua (correct a report already sent), /huy (cancel).
 * The questions themselves are asked by the conversation engine (src/conversation/); this file
 * only decides which unit, form and period a report is for.
 */
import { reopenCommand, startCorrection, startReport, translator, type ConversationState } from "../conversation/index.js";
import { currentPeriod, formRange, parsePeriodText, periodLabel, previousPeriod, type Period } from "../domain/periods.js";
import { reportingUnits } from "../domain/permissions.js";
import type { UnitNode } from "../domain/types.js";
import { normalize, vietnamToday } from "../domain/vi/index.js";
import { t } from "../i18n.js";
import type { Form, Plan } from "../plan/schema.js";
import { noCurrentPlanText } from "./plan-status.js";
import { deleteConversation } from "../store/conversations.js";
import { getReport, isPeriodLocked } from "../store/reports.js";
import { beginConversation, conversationKey } from "../app/conversation-runner.js";
import { otherUnitsGroupNote } from "./group-unit.js";
import type { Command, CommandContext } from "./types.js";

interface Target {
  plan: Plan;
  unit: UnitNode;
  form: Form;
  period: Period;
}

/** Forms of the plan current today that a unit answers and that are open now (inside their from/until range). */
export function openForms(ctx: CommandContext, unit: UnitNode): Form[] {
  const now = ctx.app.now();
  const plan = ctx.app.currentPlan();
  if (!plan) return [];
  return plan.forms.filter((f) => {
    if (!f.unitKinds.includes(unit.kind)) return false;
    const range = formRange(f, plan);
    return (!range.start || range.start <= now) && (!range.end || now < range.end);
  });
}

function matchesForm(form: Form, word: string): boolean {
  const w = normalize(word);
  return normalize(form.key) === w || (form.shortTitle !== undefined && normalize(form.shortTitle) === w);
}

/**
 * Which unit, form and period a /baocao or /sua is for. Replies and returns null when it can't tell.
 * The unit: the group's unit when she reports for it, else her only reporting unit, else a code in the args.
 * In a group linked to another unit she is sent to her own group or a private chat instead.
 */
async function resolveTarget(ctx: CommandContext, wantExisting: boolean): Promise<Target | null> {
  const tree = ctx.app.tree();
  const units = reportingUnits(ctx.grants, tree);
  if (units.length === 0) {
    await ctx.reply(t("bot:report.not_leader"));
    return null;
  }
  const words = ctx.args.split(/\s+/).filter(Boolean);
  let unit = units.find((u) => u.id === ctx.chatUnitId);
  const named = words.map((w) => tree.byCode(w)).find((u) => u !== undefined);
  if (named) {
    if (!units.some((u) => u.id === named.id)) {
      await ctx.reply(t("bot:denied.not_your_unit", { unit: named.name }));
      return null;
    }
    unit = named;
  }
  if (!unit && units.length === 1) unit = units[0];
  if (!unit) {
    await ctx.reply(t("bot:report.pick_unit", { list: units.map((u) => `• ${u.code} — ${u.name}`).join("\n") }));
    return null;
  }
  const elsewhere = otherUnitsGroupNote(ctx, unit);
  if (elsewhere) {
    await ctx.reply(elsewhere);
    return null;
  }
  const now = ctx.app.now();
  // A period of an earlier plan ("/baocao tháng 12/2025" in January 2026, or after the last plan
  // ended): its late report, or its correction, belongs to the plan that covered that period.
  const earlier = earlierPlanOf(ctx, words.filter((w) => !tree.byCode(w)).join(" "), now);
  const plan = earlier ?? ctx.app.currentPlan();
  if (!plan) {
    await ctx.reply(noCurrentPlanText(ctx.app));
    return null;
  }
  const forms = earlier ? plan.forms.filter((f) => f.unitKinds.includes(unit.kind)) : openForms(ctx, unit);
  if (forms.length === 0) {
    await ctx.reply(t("bot:report.no_form", { unit: unit.name }));
    return null;
  }
  const wanted = forms.filter((f) => words.some((w) => matchesForm(f, w)));
  const candidates = wanted.length > 0 ? wanted : forms;
  // A period named in the args ("/baocao tháng 5", "/sua thang 5") picks a past period: late
  // reports and corrections after the month has rolled over.
  const periodText = words.filter((w) => !tree.byCode(w) && !candidates.some((f) => matchesForm(f, w))).join(" ");
  for (const form of candidates) {
    const current = currentPeriod(form, now, plan);
    const named = periodText ? parsePeriodText(periodText, form.period, now, current) : null;
    if (periodText && (!named || named.kind !== form.period)) continue;
    const range = formRange(form, plan);
    if (named && range.start && named.end.getTime() <= range.start.getTime()) continue;
    if (named && range.end && named.start.getTime() >= range.end.getTime()) continue;
    if (named && named.start.getTime() > now.getTime()) {
      await ctx.reply(t("bot:report.future_period", { period: periodLabel(named) }));
      return null;
    }
    // Without a named period: the current one; /sua also looks one period back (the month just closed).
    const choices = named ? [named] : wantExisting ? [current, previousPeriod(current)] : [current];
    for (const period of choices) {
      if (!period) continue;
      const where = { planKey: plan.id, formKey: form.key, periodKey: period.key, unitId: unit.id };
      // A new report: not read first on the hot path (the commit checks that none exists).
      const existing = wantExisting ? Boolean(await getReport(ctx.app.store, plan.id, form.key, period.key, unit.id)) : await ctx.reportExists(where);
      if (existing === wantExisting) return { plan, unit, form, period };
    }
  }
  if (periodText && !candidates.some((f) => parsePeriodText(periodText, f.period, now))) {
    await ctx.reply(t("bot:report.period_not_understood", { text: periodText }));
    return null;
  }
  const form = candidates[0]!;
  const period = (periodText ? parsePeriodText(periodText, form.period, now) : null) ?? currentPeriod(form, now, plan);
  await ctx.reply(
    wantExisting
      ? t("bot:report.nothing_to_correct", { form: form.title, period: periodLabel(period), unit: unit.name })
      : t("bot:report.already_sent", { form: form.title, period: periodLabel(period), unit: unit.name }),
  );
  return null;
}

/**
 * The plan that covered a period named in the args, when that is not the plan current today (a
 * late report or a correction for the last months of a plan that has ended). Null when no period
 * is named, when it names a relative period ("kỳ trước": the current plan's), or when the current
 * plan covers it.
 */
function earlierPlanOf(ctx: CommandContext, text: string, now: Date): Plan | null {
  if (!text) return null;
  // Explicit phrases ("tháng 12/2025", "năm 2025", "6 tháng cuối năm 2025") name their own kind;
  // the kind passed only resolves relative ones, which stay with the current plan.
  const probe = parsePeriodText(text, "monthly", now);
  if (!probe) return null;
  const first = vietnamToday(probe.start);
  const last = vietnamToday(new Date(probe.end.getTime() - 1));
  const current = ctx.app.currentPlan();
  if (current && current.start <= last && first <= current.end) return null;
  const covering = ctx.app.plans.find((p) => p.start <= first && last <= p.end) ?? null;
  return covering && covering !== current && covering.start <= vietnamToday(now) ? covering : null;
}

export const reportCommand: Command = {
  name: "baocao",
  needs: "report",
  async run(ctx) {
    const target = await resolveTarget(ctx, false);
    if (!target) return;
    const step = startReport(target.form, {
      planKey: target.plan.id,
      unitId: target.unit.id,
      unitName: target.unit.name,
      periodKey: target.period.key,
      periodLabel: periodLabel(target.period),
      periodPast: target.period.end.getTime() <= ctx.app.now().getTime(),
    });
    await beginConversation(ctx, step);
  },
};

export const correctCommand: Command = {
  name: "sua",
  needs: "report",
  async run(ctx) {
    const target = await resolveTarget(ctx, true);
    if (!target) return;
    if (await isPeriodLocked(ctx.app.store, target.plan.id, target.form.key, target.period.key)) {
      await ctx.reply(t("bot:report.locked", { period: periodLabel(target.period) }));
      return;
    }
    const report = await getReport(ctx.app.store, target.plan.id, target.form.key, target.period.key, target.unit.id);
    const step = startCorrection(target.form, {
      planKey: target.plan.id,
      unitId: target.unit.id,
      unitName: target.unit.name,
      periodKey: target.period.key,
      periodLabel: periodLabel(target.period),
      periodPast: target.period.end.getTime() <= ctx.app.now().getTime(),
      existing: (report?.answers ?? {}) as never,
    });
    await beginConversation(ctx, step);
  },
};

export const cancelCommand: Command = {
  name: "huy",
  async run(ctx) {
    const key = conversationKey(ctx.msg);
    // The hint reopens the same period ("/baocao tháng 10/2024"), so read what is cancelled first.
    const open = ctx.conversation;
    const command = open ? reopenCommand(open.state, translator()) : "/baocao";
    ctx.write(async (tx) => {
      const deleted = await deleteConversation(tx, key);
      await ctx.reply(deleted ? t("bot:cancel.done", { command }) : t("bot:cancel.nothing"));
    });
  },
};
