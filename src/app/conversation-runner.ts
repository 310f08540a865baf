/**
 * Runs the pure conversation engine against the store: loads and saves each person's state,
 * turns the engine's effects (submit, correct) into stored reports, and answers with receipts.
 */
import type { InboundMessage } from "../channels/types.js";
import { correctionReceiptText, receiptText, type ConversationState, type Step } from "../conversation/index.js";
import { dueDate, isOnTime, localIsoDate, localTimeText, parsePeriodKey, periodLabel } from "../domain/periods.js";
import { formatDate } from "../domain/vi/index.js";
import { t } from "../i18n.js";
import type { Form, Plan } from "../plan/schema.js";
import { deleteConversation, saveConversation, type ConversationKey } from "../store/conversations.js";
import { isDeepStrictEqual } from "node:util";
import { correctReport, getReport, PeriodLockedError, ReportExistsError, ReportVersionConflictError, saveReport } from "../store/reports.js";
import type { AppServices, CommandContext } from "../commands/types.js";

export function conversationKey(msg: InboundMessage): ConversationKey {
  return { channel: msg.channel, chatId: msg.chatId, personKey: msg.sender.id };
}

/** The plan a conversation's report belongs to: its planKey, else (older states) the default plan. */
export function planOfState(app: AppServices, state: Pick<ConversationState, "planKey">): Plan | undefined {
  if (state.planKey === undefined) return app.plan;
  return app.plans.find((p) => p.id === state.planKey);
}

/** The form a conversation is about, in its plan. */
export function formOf(app: AppServices, key: string, state: Pick<ConversationState, "planKey"> = {}): Form | undefined {
  return planOfState(app, state)?.forms.find((f) => f.key === key);
}

/**
 * Apply a step: store its effect (a report, a correction), save its state or end the conversation,
 * then send its replies. `before` is the stored conversation the step came from (its state names
 * the form, unit and period of a finishing step's effect; its version guards against two answers
 * handled at once by two instances: the later save is refused and she is asked to resend).
 */
export async function applyStep(
  ctx: CommandContext,
  step: Step,
  before?: { state: ConversationState; version: number },
): Promise<void> {
  const key = conversationKey(ctx.msg);
  const now = ctx.app.now();
  const hasEffect = step.effect?.type === "submit" || step.effect?.type === "correct";
  if (hasEffect) {
    // Stored first: if storing fails the conversation is still there and "Gửi" can be sent again.
    // A report is stored once whatever happens concurrently (unique per form, period and unit).
    const state = before?.state ?? step.state ?? undefined;
    if (state) await storeEffect(ctx, state, step);
  }
  const written = step.state
    ? await saveConversation(
        ctx.app.store,
        key,
        step.state,
        new Date(now.getTime() + ctx.app.conversationTtlHours * 3600_000),
        before?.version,
      )
    : await deleteConversation(ctx.app.store, key, before?.version);
  if (!written && before && !hasEffect) {
    ctx.app.log.warn({ channel: key.channel, chatId: key.chatId }, "conversation changed meanwhile; answer not applied");
    await ctx.reply(t("bot:error.conflict"));
    return;
  }
  for (const r of step.replies) await ctx.reply(r.text, { ask: r.expectsAnswer });
}

export async function beginConversation(ctx: CommandContext, step: Step): Promise<void> {
  await applyStep(ctx, step);
}

async function storeEffect(ctx: CommandContext, state: ConversationState, step: Step): Promise<void> {
  const plan = planOfState(ctx.app, state);
  const form = formOf(ctx.app, state.formKey, state);
  if (!plan || !form || !step.effect) return;
  const now = ctx.app.now();
  const period = parsePeriodKey(form.period, state.periodKey, { form, plan });
  const due = period ? dueDate(form, period) : null;
  const common = {
    formTitle: form.title,
    periodLabel: period ? periodLabel(period) : state.periodKey,
    unitName: state.unitName,
    submittedAtText: `${localTimeText(now)} ${formatDate(localIsoDate(now))}`,
  };
  try {
    if (step.effect.type === "submit") {
      await saveReport(ctx.app.store, {
        planKey: plan.id,
        formKey: form.key,
        periodKey: state.periodKey,
        unitId: state.unitId,
        answers: step.effect.answers,
        personId: ctx.person.id,
        submittedAt: now,
      });
      ctx.app.log.info({ plan: plan.id, form: form.key, period: state.periodKey, unitId: state.unitId, personId: ctx.person.id }, "report stored");
      await ctx.reply(
        receiptText({ ...common, onTime: due ? isOnTime(now, due) : true, answersCount: Object.keys(step.effect.answers).length }),
      );
    } else if (step.effect.type === "correct") {
      // Someone else may have corrected the report since this /sua read it: refuse rather than
      // overwrite their change with answers read before it.
      const current = await getReport(ctx.app.store, plan.id, form.key, state.periodKey, state.unitId);
      if (!current || !isDeepStrictEqual(current.answers, state.original ?? {})) {
        await ctx.reply(t("bot:report.changed_meanwhile"));
        return;
      }
      await correctReport(ctx.app.store, {
        expectedVersion: current.version,
        planKey: plan.id,
        formKey: form.key,
        periodKey: state.periodKey,
        unitId: state.unitId,
        personId: ctx.person.id,
        changes: step.effect.changes,
        answers: step.effect.answers,
        at: now,
      });
      ctx.app.log.info(
        { form: form.key, period: state.periodKey, unitId: state.unitId, changes: step.effect.changes.length },
        "report corrected",
      );
      await ctx.reply(correctionReceiptText({ ...common, changesCount: step.effect.changes.length }));
    }
  } catch (err) {
    if (err instanceof ReportExistsError) await ctx.reply(t("bot:report.already_sent_now"));
    else if (err instanceof ReportVersionConflictError) await ctx.reply(t("bot:report.changed_meanwhile"));
    else if (err instanceof PeriodLockedError)
      await ctx.reply(t(step.effect.type === "submit" ? "bot:report.locked_new" : "bot:report.locked", { period: common.periodLabel }));
    else throw err;
  }
}
