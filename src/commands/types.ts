/** What every command handler receives, and the command table's shape. */
import type { DeleteOutcome, InboundMessage, OutboundChoices, OutboundFile, OutboundMessage, TapOutcome } from "../channels/types.js";
import type { Action, Grant } from "../domain/permissions.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { LeanStep, TxWrite } from "../app/unit-of-work.js";
import type { ConversationState } from "../conversation/index.js";
import type { LoadedConversation } from "../store/conversations.js";
import type { ReportKey } from "../store/lean-commit.js";
import type { Logger } from "../log.js";
import type { Plan } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import type { PersonRecord } from "../store/people.js";

export interface AppServices {
  store: Store;
  /** Every loaded plan, sorted by start date (at most one covers a day). */
  plans: readonly Plan[];
  /**
   * The plan commands use when none is named: the one current today, else the one that ended
   * last, else the next one (plan/calendar.ts defaultPlan). Read anew at each use (the clock moves).
   */
  readonly plan: Plan;
  /** The plan covering today, or null when none does (the last one ended, the next not begun). */
  currentPlan(): Plan | null;
  log: Logger;
  now(): Date;
  tree(): UnitTree;
  /** Reload the unit tree after an import. */
  reloadTree(): Promise<void>;
  conversationTtlHours: number;
  inviteValidHours: number;
  /** The web dashboard's public base URL (https://…), absent when the dashboard is not served. */
  webBaseUrl?: string;
  /** Deletes a message someone sent (an invite code typed in a group); absent or "not_possible" where the channel cannot. */
  deleteMessage?(msg: InboundMessage): Promise<DeleteOutcome>;
}

export interface CommandContext {
  app: AppServices;
  msg: InboundMessage;
  person: PersonRecord;
  grants: Grant[];
  /** Text after the command word, trimmed. */
  args: string;
  /** The unit the chat is linked to, when any. */
  chatUnitId: number | null;
  /**
   * Answer in the chat (quoting the message; not a tap's). `ask` marks a question put to the
   * sender; `choices` are buttons she may tap instead of typing.
   */
  reply(text: string, opts?: { ask?: boolean; choices?: OutboundChoices }): Promise<void>;
  /** The message `reply` would send, without sending it (a lean write's replies, see LeanStep). */
  message(text: string, opts?: { ask?: boolean; choices?: OutboundChoices }): OutboundMessage;
  /** Her open conversation in this chat, read with the message (null: none). */
  conversation: LoadedConversation<ConversationState> | null;
  /**
   * Whether the unit has a report of the form for the period. On the first handling of a message
   * it is not read: the answer is "no", and the commit checks that (a report there makes the
   * message be handled again, reading it).
   */
  reportExists(key: ReportKey): Promise<boolean>;
  /** For a tap (msg.kind "tap"): what the channel tells her and does with the tapped buttons; filled by the handler. */
  tapOutcome?: TapOutcome;
  /** Send a file (a picture, a workbook) in the chat, with an optional caption. */
  sendFile(file: OutboundFile, caption?: string): Promise<void>;
  /**
   * A store write that must commit with this message's claim and replies (one transaction, see
   * src/app/unit-of-work.ts). It runs after the handler returns, in order with the replies; it may
   * reply, and must use only the `tx` it is given. With `lean`, its declarative form: the whole
   * message then commits in one statement (src/app/unit-of-work.ts).
   */
  write(fn: TxWrite, lean?: LeanStep): void;
  /** Run `fn` after the message's transaction committed (e.g. tell caches about a new report). */
  onCommitted(fn: () => void): void;
}

export interface Command {
  /** The command word without slash, a–z only (Telegram's rule). */
  name: string;
  /** The action a person needs; absent: anyone (registered or not). */
  needs?: Action;
  /** Only in group chats (e.g. /lienket). */
  groupOnly?: boolean;
  /** Only in a private chat with the bot: its answer is not for the whole group (invite codes). */
  privateOnly?: boolean;
  /** Other words for it (Telegram's Start button sends /start). */
  aliases?: readonly string[];
  run(ctx: CommandContext): Promise<void>;
}
