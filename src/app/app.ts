/**
 * The app core: every inbound message from any channel comes here. Commands go to the command
 * table (with role checks), answers go to the person's open conversation, everything the bot says
 * goes out through `dispatch` (the outbox in production).
 */
import type { InboundMessage, OutboundMessage } from "../channels/types.js";
import { COMMANDS, findCommand } from "../commands/index.js";
import type { AppServices, Command, CommandContext } from "../commands/types.js";
import {
  expiredNotice,
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
import type { Plan } from "../plan/schema.js";
import { loadConversation, deleteConversation, takeExpiredConversations } from "../store/conversations.js";
import type { Store } from "../store/database.js";
import { linkedUnitOf, personWithRoles } from "../store/people.js";
import { loadUnitTree } from "../store/units.js";
import { applyStep, conversationKey, formOf } from "./conversation-runner.js";
import { startFromPasteFor } from "./paste.js";
import { deleteMessageWith, type Deleters } from "./delete-message.js";
import { answerNonText, chatSenderNote } from "./inbound-notes.js";
import { sanitizeInbound } from "../channels/sanitize.js";

export interface AppOptions {
  store: Store;
  /** The plans (several: each with its own dates). At least one of `plans` and `plan`. */
  plans?: readonly Plan[];
  /** A single plan (tests, benchmarks): the same as `plans: [plan]`. */
  plan?: Plan;
  log: Logger;
  dispatch: (msg: OutboundMessage) => Promise<void>;
  now?: () => Date;
  conversationTtlHours?: number;
  inviteValidHours?: number;
  commands?: readonly Command[];
  /** Channels that can delete a message (Telegram); may be filled after the App is made. */
  deleters?: Deleters;
}

/** "/tiendo thang 5" → ["tiendo", "thang 5"]; null when the text is not a command. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const m = /^\/([a-z_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), args: (m[2] ?? "").trim() };
}

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
    };
  }

  async init(): Promise<void> {
    await this.reloadTree();
  }

  async reloadTree(): Promise<void> {
    this.unitTree = await loadUnitTree(this.opts.store);
  }

  /**
   * Handle one inbound message. Never throws: a failure is logged and the person gets an apology.
   * Messages of one person in one chat are handled one after another (two answers arriving at once,
   * e.g. through a webhook, must not both read the same conversation state).
   */
  async handleInbound(raw: InboundMessage): Promise<void> {
    // Channels clean their messages already; this also covers callers that build one by hand.
    const msg = sanitizeInbound(raw);
    const key = `${msg.channel}|${msg.chatId}|${msg.sender.id}`;
    const run = (this.inFlight.get(key) ?? Promise.resolve()).then(() => this.handleOne(msg));
    const tail = run.catch(() => undefined);
    this.inFlight.set(key, tail);
    try {
      await run;
    } finally {
      if (this.inFlight.get(key) === tail) this.inFlight.delete(key);
    }
  }

  private async handleOne(msg: InboundMessage): Promise<void> {
    let ctx: CommandContext | null = null;
    try {
      // Sent as a chat (anonymous admin, channel): no person to register or give a role to.
      if (msg.senderIsChat) return await this.noteToChatSender(msg);
      ctx = await this.context(msg);
      await this.route(ctx);
    } catch (err) {
      // The text is not logged: it may hold an invite code or personal details.
      this.opts.log.error(
        { err, channel: msg.channel, chatId: msg.chatId, command: parseCommand(msg.text)?.name ?? null },
        "failed to handle a message",
      );
      await ctx?.reply(t("bot:error.internal")).catch(() => undefined);
    }
  }

  private async noteToChatSender(msg: InboundMessage): Promise<void> {
    const note = chatSenderNote(msg);
    if (!note) return;
    this.opts.log.info({ channel: msg.channel, chatId: msg.chatId }, "message sent as a chat; refused");
    await this.opts.dispatch({ channel: msg.channel, chatId: msg.chatId, chatType: msg.chatType, text: note, replyToMessageId: msg.messageId });
  }

  private async context(msg: InboundMessage): Promise<CommandContext> {
    const s = this.services;
    const { person, grants } = await personWithRoles(s.store, msg.channel, msg.sender.id, msg.sender.name);
    const chatUnitId = msg.chatType === "group" ? await linkedUnitOf(s.store, msg.channel, msg.chatId) : null;
    const dispatch = this.opts.dispatch;
    return {
      app: s,
      msg,
      person,
      grants,
      args: "",
      chatUnitId,
      async reply(text, opts) {
        await dispatch({
          channel: msg.channel,
          chatId: msg.chatId,
          text,
          chatType: msg.chatType,
          replyToMessageId: msg.messageId,
          ...(opts?.ask ? { askPerson: { id: msg.sender.id, name: msg.sender.name } } : {}),
        });
      },
      async sendFile(file, caption) {
        await dispatch({ channel: msg.channel, chatId: msg.chatId, chatType: msg.chatType, text: caption ?? "", file });
      },
    };
  }

  private async route(ctx: CommandContext): Promise<void> {
    const { msg } = ctx;
    if (msg.kind === "edited" || msg.kind === "media") return answerNonText(ctx, this.isAddressedToBot(msg));
    const command = parseCommand(msg.text);
    if (command) return this.runCommand(ctx, command.name, command.args);

    const key = conversationKey(msg);
    const open = await loadConversation<ConversationState>(ctx.app.store, key);
    if (open) {
      if (!this.isAddressedToBot(msg)) return;
      if (open.expiresAt.getTime() < ctx.app.now().getTime()) {
        await deleteConversation(ctx.app.store, key);
        await ctx.reply(expiredNotice(open.state));
        return;
      }
      // Her role may have been removed since the conversation began.
      if (!ctx.grants.some((g) => g.role === "leader" && g.unitId === open.state.unitId)) {
        await deleteConversation(ctx.app.store, key);
        await ctx.reply(t("bot:report.no_longer_leader", { unit: open.state.unitName }));
        return;
      }
      const form = formOf(ctx.app, open.state.formKey, open.state);
      if (!form) {
        await deleteConversation(ctx.app.store, key);
        await ctx.reply(t("bot:error.form_gone"));
        return;
      }
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

  /** Close conversations nobody answered in time, with a polite note in their chat. */
  async expireConversations(): Promise<number> {
    const expired = await takeExpiredConversations<ConversationState>(this.opts.store, this.services.now());
    for (const c of expired) {
      await this.opts.dispatch({
        channel: c.channel as OutboundMessage["channel"],
        chatId: c.chatId,
        // A conversation in a person's own chat is a private chat (Zalo must be told which).
        chatType: c.chatId === c.personKey ? "private" : "group",
        text: expiredNotice(c.state),
      });
    }
    if (expired.length) this.opts.log.info({ count: expired.length }, "conversations expired");
    return expired.length;
  }

  get commandNames(): string[] {
    return this.commands.map((c) => c.name);
  }
}

export { COMMANDS };
