/**
 * Runs the pure conversation engine against the store: loads and saves each person's state,
 * turns the engine's effects (submit, correct) into stored reports, and answers with receipts.
 */
import type { InboundMessage } from "../channels/types.js";
import { correctionReceiptText, receiptText, type ConversationState, type Reply, type Step } from "../conversation/index.js";
import { dueDate, isOnTime, localIsoDate, localTimeText, parsePeriodKey, periodLabel } from "../domain/periods.js";
import { formatDate } from "../domain/vi/index.js";
import { t } from "../i18n.js";
import type { Form, Plan } from "../plan/schema.js";
import { deleteConversation, saveConversationRow, type ConversationKey } from "../store/conversations.js";
import { choicesFor, PROMPT_PLACEHOLDER, promptTemplate } from "./tap-data.js";
import type { LeanReport } from "../store/lean-commit.js";
import { isDeepStrictEqual } from "node:util";
import { correctReportIn, getReport, insertReportIn, reportWritten } from "../store/reports.js";
import type { TxWrite } from "./unit-of-work.js";
import type { AppServices, CommandContext } from "../commands/types.js";

/** The stored conversation's key for a message: its channel, chat and sender. */
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
 * The step's replies as ONE message (an introduction or a note and the next question travel
 * together: fewer messages against a group's limit of 20 a minute), or null when there are none.
 */
export function oneReply(replies: readonly Reply[]): Reply | null {
  const last = replies.at(-1);
  if (!last) return null;
  const text = replies.map((r) => r.text).join("\n\n");
  return last.buttons ? { text, expectsAnswer: last.expectsAnswer, buttons: last.buttons } : { text, expectsAnswer: last.expectsAnswer };
}

/**
 * Apply a step: store its effect (a report, a correction), save its state or end the conversation,
 * then send its replies as one message — all in the message's transaction (ctx.write), so that a
 * crash or a store outage leaves either all of it or none of it. `before` is the stored
 * conversation the step came from (its state names the form, unit and period of a finishing
 * step's effect; its version guards against two answers handled at once by two instances: the
 * later save is refused and she is asked to resend). The message's buttons carry the saved row's
 * id and new version (tap-data.ts); for a tap, ctx.tapOutcome says what becomes of the tapped
 * buttons (a tick replaces them).
 */
export async function applyStep(
  ctx: CommandContext,
  step: Step,
  before?: { state: ConversationState; version: number },
): Promise<void> {
  const key = conversationKey(ctx.msg);
  const now = ctx.app.now();
  const hasEffect = step.effect?.type === "submit" || step.effect?.type === "correct";
  const state = before?.state ?? step.state ?? undefined;
  // Reads first, outside the transaction.
  const effect = hasEffect && state ? await prepareEffect(ctx, state, step) : null;
  const expiresAt = new Date(now.getTime() + ctx.app.conversationTtlHours * 3600_000);
  const reply = oneReply(step.replies);
  const general: TxWrite = async (tx) => {
    // Stored first: a report is stored once whatever happens concurrently (unique per form,
    // period and unit); a refused one keeps its answer in the chat.
    if (effect) await effect.write(tx);
    const saved = step.state ? await saveConversationRow(tx, key, step.state, expiresAt, before?.version) : null;
    const written = step.state ? saved !== null : await deleteConversation(tx, key, before?.version);
    if (!written && before && !hasEffect) {
      ctx.app.log.warn({ channel: key.channel, chatId: key.chatId }, "conversation changed meanwhile; answer not applied");
      if (ctx.tapOutcome) {
        ctx.tapOutcome.notice = t("bot:tap.conflict");
        delete ctx.tapOutcome.choices;
        return;
      }
      await ctx.reply(t("bot:error.conflict"));
      return;
    }
    const prompt = saved ? { personId: key.personKey, conversationId: saved.id, version: saved.version } : null;
    if (step.buttons && ctx.tapOutcome && prompt) ctx.tapOutcome.choices = choicesFor(step.buttons, prompt) ?? null;
    if (!reply) return;
    const choices = reply.buttons && prompt ? choicesFor(reply.buttons, prompt) : undefined;
    await ctx.reply(reply.text, { ask: reply.expectsAnswer, ...(choices ? { choices } : {}) });
  };
  // The same step for the one-statement commit, in the outcome where everything is as read: the
  // report (if any) is new and its period open, the conversation still at the version read. The
  // buttons carry a placeholder for the saved row's id and version, filled in by the store.
  if (effect && !effect.lean) return ctx.write(general);
  const placeholder = { personId: key.personKey, ...PROMPT_PLACEHOLDER };
  const replies = effect?.lean ? [ctx.message(effect.lean.receipt)] : [];
  if (reply) {
    const choices = reply.buttons && step.state ? choicesFor(reply.buttons, placeholder) : undefined;
    replies.push(ctx.message(reply.text, { ask: reply.expectsAnswer, ...(choices ? { choices } : {}) }));
  }
  const version = before?.version ?? null;
  ctx.write(general, {
    ...(effect?.lean ? { report: effect.lean.report } : {}),
    conv: step.state
      ? { op: "save", ...key, state: step.state, expiresAt, expectedVersion: version }
      : { op: "delete", ...key, expectedVersion: version },
    replies,
    template: promptTemplate(key.personKey),
    committed(saved) {
      effect?.lean?.committed();
      const prompt = saved ? { personId: key.personKey, conversationId: saved.id, version: saved.version } : null;
      if (step.buttons && ctx.tapOutcome && prompt) ctx.tapOutcome.choices = choicesFor(step.buttons, prompt) ?? null;
    },
  });
}

/** Start a conversation with its first step (the caller has checked she may). */
export async function beginConversation(ctx: CommandContext, step: Step): Promise<void> {
  await applyStep(ctx, step);
}

/** What a finishing step's effect writes: the general write, and for a new report its lean form too. */
interface PreparedEffect {
  write: TxWrite;
  lean?: { report: LeanReport; receipt: string; committed(): void };
}

/** Reads what a finishing step's effect needs; returns the write that stores it and replies. */
async function prepareEffect(ctx: CommandContext, state: ConversationState, step: Step): Promise<PreparedEffect | null> {
  const plan = planOfState(ctx.app, state);
  const form = formOf(ctx.app, state.formKey, state);
  const effect = step.effect;
  if (!plan || !form || !effect) return null;
  const now = ctx.app.now();
  const period = parsePeriodKey(form.period, state.periodKey, { form, plan });
  const due = period ? dueDate(form, period) : null;
  const common = {
    formTitle: form.title,
    periodLabel: period ? periodLabel(period) : state.periodKey,
    unitName: state.unitName,
    submittedAtText: `${localTimeText(now)} ${formatDate(localIsoDate(now))}`,
  };
  const where = { planKey: plan.id, formKey: form.key, periodKey: state.periodKey, unitId: state.unitId };
  if (effect.type === "submit") {
    const receipt = receiptText({ ...common, onTime: due ? isOnTime(now, due) : true, answersCount: Object.keys(effect.answers).length });
    const stored = () =>
      ctx.app.log.info({ plan: plan.id, form: form.key, period: state.periodKey, unitId: state.unitId, personId: ctx.person.id }, "report stored");
    const written = () => reportWritten(ctx.app.store, { ...where, submittedAt: now, answers: effect.answers });
    return {
      write: async (tx) => {
        const outcome = await insertReportIn(tx, { ...where, answers: effect.answers, personId: ctx.person.id, submittedAt: now });
        if (!outcome.ok) {
          await ctx.reply(outcome.reason === "exists" ? t("bot:report.already_sent_now") : t("bot:report.locked_new", { period: common.periodLabel }));
          return;
        }
        stored();
        ctx.onCommitted(written);
        await ctx.reply(receipt);
      },
      lean: {
        report: { ...where, answers: effect.answers, personId: ctx.person.id, at: now },
        receipt,
        committed() {
          stored();
          written();
        },
      },
    };
  }
  if (effect.type !== "correct") return null;
  // Someone else may have corrected the report since this /sua read it: refuse rather than
  // overwrite their change with answers read before it.
  const current = await getReport(ctx.app.store, plan.id, form.key, state.periodKey, state.unitId);
  if (!current || !isDeepStrictEqual(current.answers, state.original ?? {})) {
    return { write: async () => void (await ctx.reply(t("bot:report.changed_meanwhile"))) };
  }
  return {
    write: async (tx) => {
      const outcome = await correctReportIn(tx, {
        ...where,
        expectedVersion: current.version,
        personId: ctx.person.id,
        changes: effect.changes,
        answers: effect.answers,
        at: now,
      });
      if (!outcome.ok) {
        await ctx.reply(outcome.reason === "locked" ? t("bot:report.locked", { period: common.periodLabel }) : t("bot:report.changed_meanwhile"));
        return;
      }
      ctx.app.log.info({ form: form.key, period: state.periodKey, unitId: state.unitId, changes: effect.changes.length }, "report corrected");
      ctx.onCommitted(() => reportWritten(ctx.app.store, { ...where, submittedAt: current.submittedAt, answers: effect.answers }));
      await ctx.reply(correctionReceiptText({ ...common, changesCount: effect.changes.length }));
    },
  };
}
