/**
 * An inbound update's commit in ONE statement: `SELECT vundap_commit($1::jsonb)` (the plpgsql
 * function of migration 20261202010000_lean_commit), outside any explicit transaction, so the
 * statement is the transaction on PostgreSQL and PGlite alike. The update's claim, the
 * conversation's save or end (checked against the version read), a new report (refused on a
 * locked period or an existing report), the sender's new display name and the replies' outbox rows
 * commit together, or none of them does.
 *
 * It covers the expected outcome only: when something is not as the handler assumed (a report sent
 * meanwhile, a locked period, the conversation changed by another answer), the function writes
 * nothing and answers "retry", and the app handles the update again on the general path
 * (src/app/unit-of-work.ts), which decides those cases as it always did. Outbox rows wake the
 * other instances by NOTIFY on "vundap_outbox" (OUTBOX_NOTIFY_CHANNEL), as enqueueIn's do.
 *
 * Commits of messages arriving together go as ONE statement (coalesce.ts, vundap_commit_many of
 * migration 20261203010000_batched_hot_path): one transaction in which each message's part is
 * its own subtransaction, so a "retry" of one undoes only its own writes. If that statement fails
 * because the database refused it (a deadlock between two such statements, a constraint), nothing
 * of it was kept and each message commits alone; on an outage every message fails as its own
 * statement would have, and its update is handled again when redelivered (its claim decides).
 */
import { coalescerPerStore, isStatementRefused } from "./coalesce.js";
import type { Store } from "./database.js";

/** A report a finishing conversation stores (new; never a correction). */
export interface LeanReport {
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
  answers: unknown;
  personId: number | null;
  at: Date;
}

/** The conversation's save (a new state) or end. */
export type LeanConversation =
  | { op: "save"; channel: string; chatId: string; personKey: string; state: unknown; expiresAt: Date; expectedVersion: number | null }
  | { op: "delete"; channel: string; chatId: string; personKey: string; expectedVersion: number | null };

/** A report that must not exist (what a /baocao assumed instead of reading it first). */
export interface ReportKey {
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
}

/** One outbox row (a message part), its payload as JSON text. */
export interface LeanOutboxRow {
  channel: string;
  chatId: string;
  payload: string;
}

/** Everything one update commits. */
export interface LeanCommitInput {
  claim: { channel: string; updateId: string } | null;
  noReport: ReportKey | null;
  report: LeanReport | null;
  conv: LeanConversation | null;
  person: { id: number; displayName: string } | null;
  outbox: LeanOutboxRow[];
  /** In the payloads, `text` becomes `prefix` + "<id>.<version>." of the conversation saved. */
  template: { text: string; prefix: string } | null;
}

/** What the statement did. */
export type LeanCommitResult =
  | { kind: "committed"; conversation: { id: number; version: number } | null }
  | { kind: "duplicate" }
  | { kind: "retry"; reason: string };

/** The commit's coalescer (coalesce.ts), one per store connection. */
const coalescer = coalescerPerStore<string, LeanCommitResult>((sql) => ({
  name: "vundap_commit",
  one: async (param) => {
    const [row] = await sql.query<{ r: unknown }>(`SELECT vundap_commit($1::jsonb) AS r`, [param]);
    if (!row) throw new Error("vundap_commit returned nothing");
    return resultOf(row.r);
  },
  many: async (params) => {
    const [row] = await sql.query<{ r: unknown }>(`SELECT vundap_commit_many($1::jsonb) AS r`, [`[${params.join(",")}]`]);
    const answers = (typeof row?.r === "string" ? JSON.parse(row.r) : row?.r) as unknown[] | undefined;
    if (!Array.isArray(answers)) throw new Error("vundap_commit_many returned no array");
    return answers.map(resultOf);
  },
  retryAlone: isStatementRefused,
}));

/**
 * Commits `input` in one statement on the store's own connection (not inside a transaction),
 * shared with the commits of other messages waiting at the same time (see the file comment).
 */
export async function leanCommit(store: Store, input: LeanCommitInput): Promise<LeanCommitResult> {
  const param = {
    claim: input.claim,
    expect: input.noReport ? { noReport: input.noReport } : null,
    report: input.report
      ? { ...input.report, at: undefined, atMs: input.report.at.getTime() }
      : null,
    conv: input.conv
      ? input.conv.op === "save"
        ? { ...input.conv, expiresAt: undefined, expiresMs: input.conv.expiresAt.getTime() }
        : input.conv
      : null,
    person: input.person,
    outbox: input.outbox,
    template: input.template,
  };
  return coalescer(store).run(JSON.stringify(param));
}

/** vundap_commit's answer as a result. */
function resultOf(value: unknown): LeanCommitResult {
  const r = (typeof value === "string" ? JSON.parse(value) : value) as
    | { duplicate?: boolean; retry?: string; conv?: { id: number; version: number } | null }
    | null
    | undefined;
  if (!r) throw new Error("vundap_commit returned nothing");
  if (r.duplicate) return { kind: "duplicate" };
  if (r.retry !== undefined) return { kind: "retry", reason: r.retry };
  return { kind: "committed", conversation: r.conv ? { id: Number(r.conv.id), version: Number(r.conv.version) } : null };
}
