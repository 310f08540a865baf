/**
 * The app core: every inbound message from any channel comes here. Commands go to the command
 * table (with role checks), answers go to the person's open conversation. Each message is one unit
 * of work (unit-of-work.ts): its claim (the channel's update id), its conversation and report
 * writes and its replies (outbox rows) commit in one transaction — exactly once or not at all.
 */
import type { InboundMessage, OutboundMessage, TapOutcome } from "../channels/types.js";
import { COMMANDS, findCommand } from "../commands/index.js";
import type { AppServices, Command, CommandContext } from "../commands/types.js";
import {
  expiredNotice,
  handleButton,
  handleInput,
  looksLikePastedReport,
  type ConversationState,
} from "../conversation/index.js";
import { actionsOf } from "../domain/permissions.js";
import { vietnamToday } from "../domain/vi/index.js";
import type { UnitTree } from "../domain/units/tree.js";
import { t } from "../i18n.js";
import type { Logger } from "../log.js";
import { defaultPlan, planOn, sortPlans } from "../plan/calendar.js";
import type { Form, Plan } from "../plan/schema.js";
import { deleteConversation, takeExpiredConversations, type LoadedConversation } from "../store/conversations.js";
import type { Store } from "../store/database.js";
import { enqueueIn, notifyEnqueued } from "../outbox/queue.js";
import { isStoreUnavailable, StoreUnavailableError } from "../store/unavailable.js";
import { UnitOfWork, type CommitOutcome, type UpdateClaim } from "./unit-of-work.js";
import type { ChannelName } from "../channels/types.js";
import { createPerson, loadInbound, type InboundView } from "../store/inbound.js";
import { loadUnitTree } from "../store/units.js";
import { applyStep, conversationKey, formOf } from "./conversation-runner.js";
import { startFromPasteFor } from "./paste.js";
import { deleteMessageWith, type Deleters } from "./delete-message.js";
import { answerNonText, chatSenderNote } from "./inbound-notes.js";
import { sanitizeInbound } from "../channels/sanitize.js";
import { parseTapData } from "./tap-data.js";
import { answerPhoto, isPhotoQuestionTap } from "./photo-answer.js";

/** What the app core needs. Replies are written to the store's outbox (no dispatch function). */
export interface AppOptions {
  store: Store;
  /** The plans (several: each with its own dates). At least one of `plans` and `plan`. */
  plans?: readonly Plan[];
  /** A single plan (tests, benchmarks): the same as `plans: [plan]`. */
  plan?: Plan;
  log: Logger;
  /** Told, after each commit, of the replies it wrote to the outbox (tests observe replies this way). */
  onCommitted?: (replies: OutboundMessage[]) => void;
  now?: () => Date;
  conversationTtlHours?: number;
  inviteValidHours?: number;
  commands?: readonly Command[];
  /** Channels that can delete a message (Telegram); may be filled after the App is made. */
  deleters?: Deleters;
  /** The web dashboard's base URL (for /web links); absent: /web says the dashboard is not set up. */
  webBaseUrl?: string;
}

/** "/tiendo thang 5" → ["tiendo", "thang 5"]; null when the text is not a command. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const m = /^\/([a-z_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), args: (m[2] ?? "").trim() };
}

/** The app core (see the file comment). */
export class App {
  readonly services: AppServices;
  private unitTree: UnitTree | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly commands: readonly Command[];

  constructor(private readonly opts: AppOptions) {
    this.commands = opts.commands ?? COMMANDS;
    const self = this;
    const plans = sortPlans(opts.plans ?? (opts.plan ? [opts.plan] : []));
    if (plans.length === 0) throw new Error("App needs at least one plan");
    const now = opts.now ?? (() => new Date());
    this.services = {
      store: opts.store,
      plans,
      get plan() {
        return defaultPlan(plans, vietnamToday(now()));
      },
      currentPlan: () => planOn(plans, vietnamToday(now())),
      log: opts.log,
      now,
      tree() {
        if (!self.unitTree) throw new Error("App.init() was not awaited");
        return self.unitTree;
      },
      reloadTree: () => this.reloadTree(),
      conversationTtlHours: opts.conversationTtlHours ?? 24,
      inviteValidHours: opts.inviteValidHours ?? 72,
      deleteMessage: deleteMessageWith(opts.deleters),
      ...(opts.webBaseUrl ? { webBaseUrl: opts.webBaseUrl } : {}),
    };
  }

  /** Loads the unit tree; await before the first message. */
  async init(): Promise<void> {
    await this.reloadTree();
  }

  /** Reloads the unit tree (after an import). */
  async reloadTree(): Promise<void> {
    this.unitTree = await loadUnitTree(this.opts.store);
  }

  /**
   * Handle one inbound message: claim its update id (when it has one), act, and write its replies
   * to the outbox, in one transaction. A redelivery of a claimed update does nothing.
   * Throws StoreUnavailableError — and only that — when the store cannot be reached: the channel
   * must then not confirm the update (it is redelivered and handled when the store is back).
   * Any other failure is logged, the person gets an apology and the update counts as handled.
   * Messages of one person in one chat are handled one after another (two answers arriving at once,
   * e.g. through a webhook, must not both read the same conversation state).
   * A tap on a button (msg.kind "tap") goes through the same unit of work and resolves what the
   * channel tells her and does with the tapped buttons (a redelivered tap: nothing).
   */
  async handleInbound(raw: InboundMessage): Promise<TapOutcome | void> {
    // Channels clean their messages already; this also covers callers that build one by hand.
    const msg = sanitizeInbound(raw);
    const key = `${msg.channel}|${msg.chatId}|${msg.sender.id}`;
    const tap: TapOutcome | undefined = msg.kind === "tap" ? {} : undefined;
    const run = (this.inFlight.get(key) ?? Promise.resolve()).then(() => this.handleOne(msg, tap));
    const tail = run.catch(() => undefined);
    this.inFlight.set(key, tail);
    try {
      await run;
    } finally {
      if (this.inFlight.get(key) === tail) this.inFlight.delete(key);
    }
    return tap;
  }

  /**
   * One message, in two round trips on the hot path: one statement reads what it needs
   * (loadInbound: the claim, the sender and her roles, the chat's unit, her open conversation),
   * one statement commits (UnitOfWork, lean). When the commit finds something other than what
   * the handling assumed (see unit-of-work.ts), the message is handled again on the general path.
   */
  private async handleOne(msg: InboundMessage, tap?: TapOutcome): Promise<void> {
    const claim: UpdateClaim | undefined = msg.updateId ? { channel: msg.channel, updateId: msg.updateId } : undefined;
    const log = this.opts.log;
    try {
      for (let lean = true; ; lean = false) {
        const view = await loadInbound<ConversationState>(this.opts.store, {
          channel: msg.channel,
          ...(msg.updateId ? { updateId: msg.updateId } : {}),
          externalId: msg.sender.id,
          chatId: msg.chatId,
        });
        // A known redelivery is skipped before any work; the claim in the commit decides races.
        if (claim && view.claimed) {
          log.info({ channel: msg.channel, updateId: msg.updateId }, "update already handled; skipped");
          return;
        }
        // Sent as a chat (anonymous admin, channel): no person to register or give a role to.
        if (msg.senderIsChat) {
          const note = chatSenderNote(msg);
          const refusal = new UnitOfWork();
          if (note) {
            log.info({ channel: msg.channel, chatId: msg.chatId }, "message sent as a chat; refused");
            refusal.reply({ ...replyAddress(msg), text: note });
          }
          this.committed(msg, await refusal.commit(this.opts.store, claim));
          return;
        }
        const uow = new UnitOfWork();
        try {
          const ctx = await this.context(msg, uow, view, lean);
          if (tap) ctx.tapOutcome = tap;
          await this.route(ctx);
          const outcome = await uow.commit(this.opts.store, claim, { lean });
          // Handled meanwhile elsewhere: that handling answered; this one leaves the buttons alone.
          if (tap && outcome.kind !== "committed") for (const k of Object.keys(tap)) delete tap[k as keyof TapOutcome];
          if (outcome.kind === "retry" && lean) {
            log.debug({ channel: msg.channel, updateId: msg.updateId, reason: outcome.reason }, "not as read; handling the message again");
            continue;
          }
          this.committed(msg, outcome);
          return;
        } catch (err) {
          if (isStoreUnavailable(err)) throw err;
          // The text is not logged: it may hold an invite code or personal details.
          log.error(
            { err, channel: msg.channel, chatId: msg.chatId, updateId: msg.updateId, command: parseCommand(msg.text)?.name ?? null },
            "failed to handle a message",
          );
        }
        break;
      }
      // A bug or bad input: apologise and record the update as handled, so that it is not
      // redelivered forever (nothing the failed handler recorded is written).
      if (tap) for (const k of Object.keys(tap)) delete tap[k as keyof TapOutcome];
      const apology = new UnitOfWork();
      apology.reply({ ...replyAddress(msg), text: t("bot:error.internal") });
      this.committed(msg, await apology.commit(this.opts.store, claim));
    } catch (err) {
      if (isStoreUnavailable(err)) throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError(err);
      log.error({ err, channel: msg.channel, chatId: msg.chatId, updateId: msg.updateId }, "failed to record a failed message");
    }
  }

  private committed(msg: InboundMessage, outcome: CommitOutcome): void {
    if (outcome.kind === "duplicate") {
      this.opts.log.info({ channel: msg.channel, updateId: msg.updateId }, "update handled meanwhile elsewhere; skipped");
      return;
    }
    if (outcome.kind === "committed" && outcome.replies.length > 0) this.opts.onCommitted?.(outcome.replies);
  }

  /**
   * The command context of a message from what loadInbound read. `speculate`: the first handling,
   * where reportExists assumes "no" and the commit checks it (see CommandContext.reportExists).
   */
  private async context(msg: InboundMessage, uow: UnitOfWork, view: InboundView<ConversationState>, speculate: boolean): Promise<CommandContext> {
    const s = this.services;
    let person = view.person;
    if (!person) person = await createPerson(s.store, msg.channel, msg.sender.id, msg.sender.name);
    else if (person.displayName !== msg.sender.name) {
      // Her name as the channel shows it now; stored with the message's commit.
      uow.renamePerson(person.id, msg.sender.name);
      person = { ...person, displayName: msg.sender.name };
    }
    const message: CommandContext["message"] = (text, opts) => ({
      ...replyAddress(msg),
      text,
      ...(opts?.ask ? { askPerson: { id: msg.sender.id, name: msg.sender.name } } : {}),
      ...(opts?.choices ? { choices: opts.choices } : {}),
    });
    let assumed = false;
    return {
      app: s,
      msg,
      person,
      grants: view.person ? view.grants : [],
      args: "",
      chatUnitId: msg.chatType === "group" ? view.chatUnitId : null,
      conversation: view.conversation,
      async reply(text, opts) {
        uow.reply(message(text, opts));
      },
      message,
      async reportExists(key) {
        if (speculate && !assumed) {
          assumed = true;
          uow.assumeNoReport(key);
          return false;
        }
        const rows = await s.store.sql.query(
          `SELECT 1 FROM "Report" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3 AND "unitId" = $4`,
          [key.planKey, key.formKey, key.periodKey, key.unitId],
        );
        return rows.length > 0;
      },
      async sendFile(file, caption) {
        uow.reply({ channel: msg.channel, chatId: msg.chatId, chatType: msg.chatType, text: caption ?? "", file });
      },
      write: (fn, lean) => uow.write(fn, lean),
      onCommitted: (fn) => uow.onCommitted(fn),
    };
  }

  private async route(ctx: CommandContext): Promise<void> {
    const { msg } = ctx;
    if (msg.kind === "tap") return this.tap(ctx);
    // A photo may answer a photo question (photo-answer.ts); otherwise it gets the note below.
    if (msg.kind === "media" && msg.photo) return answerPhoto(ctx, this.isAddressedToBot(msg), (key, open) => this.formToContinue(ctx, key, open));
    if (msg.kind === "edited" || msg.kind === "media") return answerNonText(ctx, this.isAddressedToBot(msg));
    const command = parseCommand(msg.text);
    if (command) return this.runCommand(ctx, command.name, command.args);

    const key = conversationKey(msg);
    const open = ctx.conversation;
    if (open) {
      if (!this.isAddressedToBot(msg)) return;
      const form = await this.formToContinue(ctx, key, open);
      if (!form) return;
      const step = handleInput(open.state, msg.text, { form, today: vietnamToday(ctx.app.now()) });
      await applyStep(ctx, step, open);
      return;
    }
    if (looksLikePastedReport(msg.text) && actionsOf(ctx.grants).has("report")) {
      await startFromPasteFor(ctx, msg.text);
      return;
    }
    // Chatter in a group is none of the bot's business; in a private chat, point to the help.
    if (msg.chatType === "private" || msg.mentionsBot) await ctx.reply(t("bot:not_understood"));
  }

  /**
   * A tap on a conversation's button, handled as the typed answer would be, once. Only the person
   * asked can answer (others get a notice, the buttons stay); a tap on buttons of an earlier prompt
   * or of a finished conversation gets a notice, changes nothing and removes those buttons.
   */
  private async tap(ctx: CommandContext): Promise<void> {
    const { msg } = ctx;
    const out = ctx.tapOutcome ?? {};
    const stale = () => {
      out.notice = t("bot:tap.stale");
      out.choices = null;
    };
    const data = parseTapData(msg.tap?.data ?? "");
    if (!data) return stale();
    if (data.personId !== msg.sender.id) {
      out.notice = t("bot:tap.not_yours");
      return;
    }
    const key = conversationKey(msg);
    const open = ctx.conversation;
    if (!open || open.id !== data.conversationId) return stale();
    if (open.version !== data.version && !isPhotoQuestionTap(ctx, open.state, data.action)) return stale();
    // The buttons are answered: they go, whatever comes next.
    out.choices = null;
    const form = await this.formToContinue(ctx, key, open, open.version);
    if (!form) return;
    const step = handleButton(open.state, data.action, { form, today: vietnamToday(ctx.app.now()) });
    if (!step) return stale();
    if (step.notice !== undefined && step.replies.length === 0 && !step.buttons) {
      // Nothing changes (no tick yet at "Xong"): a note only; the buttons stay as they are.
      out.notice = step.notice;
      delete out.choices;
      return;
    }
    await applyStep(ctx, step, open);
  }

  /**
   * The form an open conversation goes on with, or null after ending it with a note: it expired,
   * her role was removed since it began, or its form is no longer in the plans. `version`, when
   * given, deletes only that version of the conversation.
   */
  private async formToContinue(
    ctx: CommandContext,
    key: Parameters<typeof deleteConversation>[1],
    open: LoadedConversation<ConversationState>,
    version?: number,
  ): Promise<Form | null> {
    const end = async (text: string) => {
      ctx.write(async (tx) => void (await deleteConversation(tx, key, version)));
      await ctx.reply(text);
      return null;
    };
    if (open.expiresAt.getTime() < ctx.app.now().getTime()) return end(expiredNotice(open.state));
    // Her role may have been removed since the conversation began.
    if (!ctx.grants.some((g) => g.role === "leader" && g.unitId === open.state.unitId)) {
      return end(t("bot:report.no_longer_leader", { unit: open.state.unitName }));
    }
    const form = formOf(ctx.app, open.state.formKey, open.state);
    return form ?? end(t("bot:error.form_gone"));
  }

  /** In groups, an answer must be a reply to the bot or mention it (Telegram privacy mode); Zalo filters earlier. */
  private isAddressedToBot(msg: InboundMessage): boolean {
    if (msg.chatType === "private" || msg.channel !== "telegram") return true;
    return Boolean(msg.replyTo?.fromBot || msg.mentionsBot);
  }

  private async runCommand(ctx: CommandContext, name: string, args: string): Promise<void> {
    const command = findCommand(name, this.commands);
    if (!command) return ctx.reply(t("bot:unknown_command", { name }));
    if (command.groupOnly && ctx.msg.chatType !== "group") return ctx.reply(t("bot:denied.group_only", { name }));
    if (command.privateOnly && ctx.msg.chatType !== "private") return ctx.reply(t("bot:denied.private_only", { name }));
    if (command.needs && !actionsOf(ctx.grants).has(command.needs)) {
      this.opts.log.info({ personId: ctx.person.id, command: name }, "command refused: missing role");
      return ctx.reply(ctx.grants.length === 0 ? t("bot:denied.unregistered") : t(`bot:denied.${command.needs}`));
    }
    await command.run({ ...ctx, args });
  }

  /**
   * Close conversations nobody answered in time, with a polite note in their chat: the removal and
   * the notes' outbox rows commit together (a crash loses neither, nor sends a note twice).
   */
  async expireConversations(): Promise<number> {
    const notes: OutboundMessage[] = [];
    await this.opts.store.sql.transaction(async (tx) => {
      notes.length = 0;
      const expired = await takeExpiredConversations<ConversationState>(tx, this.services.now());
      for (const c of expired) {
        notes.push({
          channel: c.channel as OutboundMessage["channel"],
          chatId: c.chatId,
          // A conversation in a person's own chat is a private chat (Zalo must be told which).
          chatType: c.chatId === c.personKey ? "private" : "group",
          text: expiredNotice(c.state),
        });
      }
      if (notes.length > 0) await enqueueIn(tx, notes.map((msg) => ({ msg })));
    });
    if (notes.length > 0) {
      notifyEnqueued();
      this.opts.onCommitted?.(notes);
      this.opts.log.info({ count: notes.length }, "conversations expired");
    }
    return notes.length;
  }

  /** The command words this app answers. */
  get commandNames(): string[] {
    return this.commands.map((c) => c.name);
  }
}

/**
 * Where a reply to `msg` goes: its chat, quoting it — except a tap's, whose message is the bot's
 * own (a question after a tap names her instead, see the channel's askPerson).
 */
function replyAddress(msg: InboundMessage): Pick<OutboundMessage, "channel" | "chatId" | "chatType" | "replyToMessageId"> {
  if (msg.kind === "tap") return { channel: msg.channel, chatId: msg.chatId, chatType: msg.chatType };
  return { channel: msg.channel, chatId: msg.chatId, chatType: msg.chatType, replyToMessageId: msg.messageId };
}

export { COMMANDS };
