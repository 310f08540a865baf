/**
 * One inbound message's unit of work: everything it changes in the store — the update's claim, the
 * conversation, the report, the replies (outbox rows) — commits in ONE transaction, or none of it
 * does. Reads happen before, outside the transaction; the handler records its replies and the writes
 * that decide them, and `commit` replays them in order on the transaction's connection.
 *
 * A write must use only the `tx` it is given (on PGlite, the store's own connection waits for the
 * transaction to end: using it inside would never return).
 */
import type { OutboundMessage } from "../channels/types.js";
import { enqueueIn, notifyEnqueued } from "../outbox/queue.js";
import type { Store } from "../store/database.js";
import { claimUpdateIn } from "../store/processed-updates.js";
import type { SqlConnection } from "../store/sql.js";

/** A write run inside the message's transaction; it may reply (its replies keep their place in order). */
export type TxWrite = (tx: SqlConnection) => Promise<void>;

/** Which delivery this message is (the channel's update id); claimed once in the store. */
export interface UpdateClaim {
  channel: string;
  updateId: string;
}

/** What a commit did. */
export type CommitOutcome =
  | { kind: "committed"; replies: OutboundMessage[] }
  /** The claim existed: this delivery was handled before; nothing was written. */
  | { kind: "duplicate" };

type Action = { reply: OutboundMessage } | { write: TxWrite };

/** Buffers one message's replies and writes until `commit`. */
export class UnitOfWork {
  private readonly actions: Action[] = [];
  private readonly afterCommit: (() => void)[] = [];
  /** While committing: where replies go (straight into the transaction's list). */
  private committing: OutboundMessage[] | null = null;

  /** Record a reply (an outbox row written at commit). */
  reply(msg: OutboundMessage): void {
    if (this.committing) this.committing.push(msg);
    else this.actions.push({ reply: msg });
  }

  /** Record a write for the transaction. */
  write(fn: TxWrite): void {
    if (this.committing) throw new Error("UnitOfWork.write inside a write: write through the tx you were given");
    this.actions.push({ write: fn });
  }

  /** Run `fn` once the transaction has committed (caches, wake-ups). */
  onCommitted(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Forget everything recorded (the handler failed; an apology replaces it). */
  discard(): void {
    this.actions.length = 0;
    this.afterCommit.length = 0;
  }

  /**
   * One transaction: the claim (when given) first — an existing claim ends it as "duplicate" with
   * nothing written — then the writes and replies in recorded order, then the replies' outbox rows.
   */
  async commit(store: Store, claim?: UpdateClaim): Promise<CommitOutcome> {
    const outcome = await store.sql.transaction<CommitOutcome>(async (tx) => {
      if (claim && !(await claimUpdateIn(tx, claim.channel, claim.updateId))) return { kind: "duplicate" };
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
    if (outcome.kind === "committed") {
      if (outcome.replies.length > 0) notifyEnqueued();
      for (const fn of this.afterCommit) fn();
    }
    return outcome;
  }
}
