/**
 * One inbound message's unit of work: everything it changes in the store — the update's claim, the
 * conversation, the report, the replies (outbox rows) — commits in ONE transaction, or none of it
 * does. Reads happen before, outside the transaction; the handler records its replies and the writes
 * that decide them, and `commit` replays them in order on the transaction's connection.
 *
 * Two ways to commit, with the same result:
 * - lean (the hot path: an answer, a tap, a /baocao start, a command that only replies): when every
 *   write recorded also has a declarative form (`LeanStep`, at most one), the whole commit is ONE
 *   statement (src/store/lean-commit.ts). It covers the expected outcome; when the store finds
 *   something else (a report sent meanwhile, a locked period, a conversation changed by another
 *   answer, an assumption that no longer holds) it writes nothing and `commit` answers "retry": the
 *   app then handles the message again on the general path.
 * - general: BEGIN, the claim, the writes (closures, which decide every outcome), the outbox rows,
 *   COMMIT — for commands that write anything else, and for a message handled again.
 *
 * A write must use only the `tx` it is given (on PGlite, the store's own connection waits for the
 * transaction to end: using it inside would never return).
 */
import type { OutboundMessage } from "../channels/types.js";
import { enqueueIn, notifyEnqueued, outboxRowsOf } from "../outbox/queue.js";
import type { Store } from "../store/database.js";
import { leanCommit, type LeanConversation, type LeanReport, type ReportKey } from "../store/lean-commit.js";
import { claimUpdateIn } from "../store/processed-updates.js";
import type { SqlConnection } from "../store/sql.js";

/** A write run inside the message's transaction; it may reply (its replies keep their place in order). */
export type TxWrite = (tx: SqlConnection) => Promise<void>;

/**
 * The declarative form of a write, for the one-statement commit: what it writes and replies when
 * everything is as the handler read it. `committed` runs after that commit with the saved
 * conversation's id and version (null when none was saved).
 */
export interface LeanStep {
  report?: LeanReport;
  conv?: LeanConversation;
  /** Its replies in that outcome, in order; button data may carry the conversation template (tap-data.ts). */
  replies: OutboundMessage[];
  /** The template text in `replies` and the prefix it stands after (see lean-commit.ts). */
  template?: { text: string; prefix: string };
  committed?(saved: { id: number; version: number } | null): void;
}

/** Which delivery this message is (the channel's update id); claimed once in the store. */
export interface UpdateClaim {
  channel: string;
  updateId: string;
}

/** What a commit did. */
export type CommitOutcome =
  | { kind: "committed"; replies: OutboundMessage[] }
  /** The claim existed: this delivery was handled before; nothing was written. */
  | { kind: "duplicate" }
  /** Not as assumed (see the file comment): nothing was written; handle the message again, in general mode. */
  | { kind: "retry"; reason: string };

type Action = { reply: OutboundMessage } | { write: TxWrite; lean?: LeanStep };

/** Thrown inside the general transaction to roll it back when an assumption does not hold. */
class AssumptionFailed extends Error {}

/** Buffers one message's replies and writes until `commit`. */
export class UnitOfWork {
  private readonly actions: Action[] = [];
  private readonly afterCommit: (() => void)[] = [];
  /** While committing: where replies go (straight into the transaction's list). */
  private committing: OutboundMessage[] | null = null;
  private noReport: ReportKey | null = null;
  private rename: { id: number; displayName: string } | null = null;

  /** Record a reply (an outbox row written at commit). */
  reply(msg: OutboundMessage): void {
    if (this.committing) this.committing.push(msg);
    else this.actions.push({ reply: msg });
  }

  /** Record a write for the transaction; with `lean`, its declarative form (see LeanStep). */
  write(fn: TxWrite, lean?: LeanStep): void {
    if (this.committing) throw new Error("UnitOfWork.write inside a write: write through the tx you were given");
    this.actions.push(lean ? { write: fn, lean } : { write: fn });
  }

  /**
   * The handler went on as if this report did not exist (instead of reading it first): the commit
   * checks it, and answers "retry" (nothing written) when it does exist. One per message.
   */
  assumeNoReport(key: ReportKey): void {
    if (this.noReport) throw new Error("UnitOfWork.assumeNoReport: one assumption per message");
    this.noReport = key;
  }

  /** The sender's display name changed: stored with the commit. */
  renamePerson(id: number, displayName: string): void {
    this.rename = { id, displayName };
  }

  /** Run `fn` once the transaction has committed (caches, wake-ups). */
  onCommitted(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Forget everything recorded (the handler failed; an apology replaces it). */
  discard(): void {
    this.actions.length = 0;
    this.afterCommit.length = 0;
    this.noReport = null;
  }

  /** Whether `commit` takes the one-statement path (every write has its lean form, at most one). */
  get isLean(): boolean {
    let steps = 0;
    for (const a of this.actions) {
      if ("reply" in a) continue;
      if (!a.lean) return false;
      steps++;
    }
    return steps <= 1;
  }

  /**
   * Commit (see the file comment). The claim (when given) decides first: an existing claim ends it
   * as "duplicate" with nothing written. `lean: false` takes the general path whatever was recorded
   * (a message handled again after a "retry": its closures decide every outcome, so it ends).
   */
  async commit(store: Store, claim?: UpdateClaim, opts: { lean?: boolean } = {}): Promise<CommitOutcome> {
    const lean = opts.lean !== false && this.isLean;
    const outcome = lean ? await this.commitLean(store, claim) : await this.commitGeneral(store, claim);
    if (outcome.kind === "committed") {
      if (outcome.replies.length > 0) notifyEnqueued();
      for (const fn of this.afterCommit) fn();
    }
    return outcome;
  }

  private async commitLean(store: Store, claim?: UpdateClaim): Promise<CommitOutcome> {
    const replies: OutboundMessage[] = [];
    let step: LeanStep | undefined;
    for (const a of this.actions) {
      if ("reply" in a) replies.push(a.reply);
      else {
        step = a.lean!;
        replies.push(...step.replies);
      }
    }
    const result = await leanCommit(store, {
      claim: claim ?? null,
      noReport: this.noReport,
      report: step?.report ?? null,
      conv: step?.conv ?? null,
      person: this.rename,
      outbox: outboxRowsOf(replies),
      template: step?.template ?? null,
    });
    if (result.kind !== "committed") return result;
    const saved = result.conversation;
    // The replies as written: the template in button data replaced as the store did.
    const written =
      step?.template && saved
        ? replies.map((m) => fillTemplate(m, step.template!.text, `${step.template!.prefix}${saved.id}.${saved.version}.`))
        : replies;
    step?.committed?.(saved);
    return { kind: "committed", replies: written };
  }

  private async commitGeneral(store: Store, claim?: UpdateClaim): Promise<CommitOutcome> {
    try {
      return await store.sql.transaction<CommitOutcome>(async (tx) => {
        if (claim && !(await claimUpdateIn(tx, claim.channel, claim.updateId))) return { kind: "duplicate" };
        if (this.noReport) {
          const k = this.noReport;
          const found = await tx.query(
            `SELECT 1 FROM "Report" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3 AND "unitId" = $4`,
            [k.planKey, k.formKey, k.periodKey, k.unitId],
          );
          if (found.length > 0) throw new AssumptionFailed("report exists");
        }
        if (this.rename) await tx.query(`UPDATE "Person" SET "displayName" = $2 WHERE id = $1`, [this.rename.id, this.rename.displayName]);
        const replies: OutboundMessage[] = [];
        this.committing = replies;
        try {
          for (const a of this.actions) {
            if ("reply" in a) replies.push(a.reply);
            else await a.write(tx);
          }
        } finally {
          this.committing = null;
        }
        if (replies.length > 0) await enqueueIn(tx, replies.map((msg) => ({ msg })));
        return { kind: "committed", replies };
      });
    } catch (err) {
      if (err instanceof AssumptionFailed) return { kind: "retry", reason: err.message };
      throw err;
    }
  }
}

/** `msg` with `text` replaced by `by` in its buttons' data (the only place the template appears). */
function fillTemplate(msg: OutboundMessage, text: string, by: string): OutboundMessage {
  if (!msg.choices) return msg;
  // The template includes the data's opening; data values start with it.
  const from = text.startsWith('"') ? text.slice(1) : text;
  const to = by.startsWith('"') ? by.slice(1) : by;
  return {
    ...msg,
    choices: { ...msg.choices, rows: msg.choices.rows.map((row) => row.map((c) => (c.data.startsWith(from) ? { ...c, data: to + c.data.slice(from.length) } : c))) },
  };
}
