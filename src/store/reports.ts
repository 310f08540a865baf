/**
 * Reports in the store: one per (plan, form, period, unit) — the plan key keeps two plans with
 * the same form and period keys apart; corrections bump the version and keep one
 * ReportChange row per changed answer; a locked period takes no new report and no correction.
 *
 * The errors are typed so that the app can answer in the chat: ReportExistsError → offer /sua,
 * PeriodLockedError → "kỳ này đã khóa sổ", ReportVersionConflictError → someone else corrected it.
 */
import { Prisma } from "../generated/prisma/client.js";
import type { Answers, AnswerValue } from "../plan/schema.js";
import type { Store } from "./database.js";
import type { SqlConnection } from "./sql.js";
import { utcFromMs } from "./db.js";

export interface StoredReport {
  id: number;
  /** The id of the plan the form belongs to. */
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
  answers: Answers;
  submittedById: number | null;
  submittedAt: Date;
  updatedAt: Date;
  /** 1 when sent, +1 per correction. */
  version: number;
}

export interface ReportChangeRecord {
  id: number;
  reportId: number;
  personId: number | null;
  changedAt: Date;
  questionKey: string;
  /** null when the question had no answer before (or has none after). */
  oldValue: AnswerValue | null;
  newValue: AnswerValue | null;
}

export class ReportExistsError extends Error {
  override name = "ReportExistsError";
  constructor(readonly existing: StoredReport) {
    super(`A report of ${existing.planKey}/${existing.formKey} for ${existing.periodKey} already exists for unit ${existing.unitId} (id ${existing.id})`);
  }
}

export class PeriodLockedError extends Error {
  override name = "PeriodLockedError";
  constructor(readonly planKey: string, readonly formKey: string, readonly periodKey: string) {
    super(`The period ${periodKey} of ${planKey}/${formKey} is locked`);
  }
}

export class ReportNotFoundError extends Error {
  override name = "ReportNotFoundError";
  constructor(readonly planKey: string, readonly formKey: string, readonly periodKey: string, readonly unitId: number) {
    super(`No report of ${planKey}/${formKey} for ${periodKey} for unit ${unitId}`);
  }
}

/** The report was corrected by someone else since it was read (see `expectedVersion`). */
export class ReportVersionConflictError extends Error {
  override name = "ReportVersionConflictError";
  constructor(readonly current: StoredReport, readonly expectedVersion: number) {
    super(`Report ${current.id} is at version ${current.version}, not ${expectedVersion}`);
  }
}

/** A report as written by saveReport or correctReport in this process. */
export interface ReportWriteEvent {
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
  submittedAt: Date;
  answers: Answers;
}

const writeListeners = new WeakMap<Store, Set<(e: ReportWriteEvent) => void>>();

/** Be told of every report written through this module on a store (caches); returns an unsubscribe function. */
export function onReportWrite(store: Store, listener: (e: ReportWriteEvent) => void): () => void {
  let set = writeListeners.get(store);
  if (!set) writeListeners.set(store, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Tell the listeners of `onReportWrite` about a report written through a caller's transaction
 * (`insertReportIn`, `correctReportIn`); call it after the commit.
 */
export function reportWritten(store: Store, e: ReportWriteEvent): void {
  const set = writeListeners.get(store);
  if (!set) return;
  for (const l of set) l(e);
}

function emitWrite(store: Store, r: StoredReport): void {
  const set = writeListeners.get(store);
  if (!set) return;
  const e: ReportWriteEvent = { planKey: r.planKey, formKey: r.formKey, periodKey: r.periodKey, unitId: r.unitId, submittedAt: r.submittedAt, answers: r.answers };
  for (const l of set) l(e);
}

type ReportRow = {
  id: number;
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
  answers: Prisma.JsonValue;
  submittedById: number | null;
  submittedAt: Date;
  updatedAt: Date;
  version: number;
};

function toReport(r: ReportRow): StoredReport {
  return {
    id: r.id,
    planKey: r.planKey,
    formKey: r.formKey,
    periodKey: r.periodKey,
    unitId: r.unitId,
    answers: (r.answers ?? {}) as Answers,
    submittedById: r.submittedById,
    submittedAt: r.submittedAt,
    updatedAt: r.updatedAt,
    version: r.version,
  };
}

type Db = Pick<Store["prisma"], "report" | "reportChange" | "periodLock">;

function findReport(db: Db, planKey: string, formKey: string, periodKey: string, unitId: number) {
  return db.report.findUnique({ where: { planKey_formKey_periodKey_unitId: { planKey, formKey, periodKey, unitId } } });
}

/** The unit's report of a plan's form for a period, or null. */
export async function getReport(store: Store, planKey: string, formKey: string, periodKey: string, unitId: number): Promise<StoredReport | null> {
  const r = await findReport(store.prisma, planKey, formKey, periodKey, unitId);
  return r ? toReport(r) : null;
}

export async function getReportById(store: Store, id: number): Promise<StoredReport | null> {
  const r = await store.prisma.report.findUnique({ where: { id } });
  return r ? toReport(r) : null;
}

export interface SaveReportInput {
  /** The id of the plan the form belongs to. */
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
  answers: Answers;
  /** Who sent it (a Person id); null for imports. */
  personId: number | null;
  submittedAt: Date;
}

function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return true;
  const e = err as { code?: unknown; cause?: { code?: unknown }; meta?: { code?: unknown } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505" || e?.meta?.code === "23505";
}

/**
 * Store a new report. Throws ReportExistsError when the unit already has one for the form and
 * period (the app then offers a correction), PeriodLockedError when the period is locked.
 */
export async function saveReport(store: Store, input: SaveReportInput): Promise<StoredReport> {
  const { planKey, formKey, periodKey, unitId } = input;
  if (await isPeriodLocked(store, planKey, formKey, periodKey)) throw new PeriodLockedError(planKey, formKey, periodKey);
  try {
    const r = await store.prisma.report.create({
      data: {
        planKey,
        formKey,
        periodKey,
        unitId,
        answers: input.answers as Prisma.InputJsonObject,
        submittedById: input.personId,
        submittedAt: input.submittedAt,
      },
    });
    const saved = toReport(r);
    emitWrite(store, saved);
    return saved;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await getReport(store, planKey, formKey, periodKey, unitId);
    if (!existing) throw err;
    throw new ReportExistsError(existing);
  }
}

export interface AnswerChange {
  key: string;
  oldValue: AnswerValue | null | undefined;
  newValue: AnswerValue | null | undefined;
}

export interface CorrectReportInput {
  planKey: string;
  formKey: string;
  periodKey: string;
  unitId: number;
  personId: number | null;
  /** One history row each. */
  changes: readonly AnswerChange[];
  /** The whole answer set after the correction. */
  answers: Answers;
  at: Date;
  /** When given, the correction applies only if the report is still at this version. */
  expectedVersion?: number;
}

function jsonOrNull(v: AnswerValue | null | undefined): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return v === null || v === undefined ? Prisma.DbNull : (v as Prisma.InputJsonValue);
}

/**
 * Correct a sent report: new answers, version + 1, one ReportChange per change, in one
 * transaction. Throws PeriodLockedError, ReportNotFoundError, or ReportVersionConflictError.
 */
export async function correctReport(store: Store, input: CorrectReportInput): Promise<StoredReport> {
  const { planKey, formKey, periodKey, unitId } = input;
  const updated = await store.prisma.$transaction(async (tx) => {
    const lock = await tx.periodLock.findUnique({ where: { planKey_formKey_periodKey: { planKey, formKey, periodKey } } });
    if (lock) throw new PeriodLockedError(planKey, formKey, periodKey);
    const current = await findReport(tx, planKey, formKey, periodKey, unitId);
    if (!current) throw new ReportNotFoundError(planKey, formKey, periodKey, unitId);
    const expected = input.expectedVersion ?? current.version;
    // The version guard makes two concurrent corrections of one report fail instead of interleave.
    const done = await tx.report.updateMany({
      where: { id: current.id, version: expected },
      data: { answers: input.answers as Prisma.InputJsonObject, version: { increment: 1 }, updatedAt: input.at },
    });
    if (done.count !== 1) {
      const now = await tx.report.findUniqueOrThrow({ where: { id: current.id } });
      throw new ReportVersionConflictError(toReport(now), expected);
    }
    if (input.changes.length > 0) {
      await tx.reportChange.createMany({
        data: input.changes.map((c) => ({
          reportId: current.id,
          personId: input.personId,
          changedAt: input.at,
          questionKey: c.key,
          oldValue: jsonOrNull(c.oldValue),
          newValue: jsonOrNull(c.newValue),
        })),
      });
    }
    return toReport(await tx.report.findUniqueOrThrow({ where: { id: current.id } }));
  });
  emitWrite(store, updated);
  return updated;
}

/** Every correction of a report, oldest first. */
export async function reportHistory(store: Store, reportId: number): Promise<ReportChangeRecord[]> {
  const rows = await store.prisma.reportChange.findMany({ where: { reportId }, orderBy: [{ changedAt: "asc" }, { id: "asc" }] });
  return rows.map((r) => ({
    id: r.id,
    reportId: r.reportId,
    personId: r.personId,
    changedAt: r.changedAt,
    questionKey: r.questionKey,
    oldValue: (r.oldValue ?? null) as AnswerValue | null,
    newValue: (r.newValue ?? null) as AnswerValue | null,
  }));
}

/** Close a period for new reports and corrections (idempotent). */
export async function lockPeriod(store: Store, planKey: string, formKey: string, periodKey: string, personId: number | null = null, at = new Date()): Promise<void> {
  await store.prisma.periodLock.upsert({
    where: { planKey_formKey_periodKey: { planKey, formKey, periodKey } },
    create: { planKey, formKey, periodKey, lockedById: personId, lockedAt: at },
    update: {},
  });
}

/** Reopen a period (idempotent). */
export async function unlockPeriod(store: Store, planKey: string, formKey: string, periodKey: string): Promise<void> {
  await store.prisma.periodLock.deleteMany({ where: { planKey, formKey, periodKey } });
}

/** Is the period of a plan's form closed? */
export async function isPeriodLocked(store: Store, planKey: string, formKey: string, periodKey: string): Promise<boolean> {
  const lock = await store.prisma.periodLock.findUnique({ where: { planKey_formKey_periodKey: { planKey, formKey, periodKey } } });
  return lock !== null;
}

/**
 * Units that have a report of the form for the period; only among `unitIds` when given (the
 * reminder job passes the units it would remind).
 */
export async function reportedUnitIds(store: Store, planKey: string, formKey: string, periodKey: string, unitIds?: readonly number[]): Promise<Set<number>> {
  if (unitIds && unitIds.length === 0) return new Set();
  const rows = unitIds
    ? await store.sql.query<{ unitId: number }>(
        `SELECT "unitId" FROM "Report" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3 AND "unitId" = ANY($4::int[])`,
        [planKey, formKey, periodKey, [...unitIds]],
      )
    : await store.sql.query<{ unitId: number }>(`SELECT "unitId" FROM "Report" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3`, [
        planKey,
        formKey,
        periodKey,
      ]);
  return new Set(rows.map((r) => r.unitId));
}

// ── Writes inside a caller's transaction ────────────────────────────────────────────────────────
// Raw SQL on the transaction's connection (an inbound update's claim, conversation, report and
// outbox rows commit together). They return an outcome instead of throwing: on PostgreSQL a failed
// statement would abort the whole transaction, the update's claim included.

/** What `insertReportIn` did. */
export type InsertReportOutcome = { ok: true; id: number } | { ok: false; reason: "exists" | "locked" };

/** Store a new report through `tx`; refused (not thrown) when the unit already has one or the period is locked. */
export async function insertReportIn(tx: SqlConnection, input: SaveReportInput): Promise<InsertReportOutcome> {
  const locked = await tx.query(`SELECT 1 FROM "PeriodLock" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3`, [
    input.planKey,
    input.formKey,
    input.periodKey,
  ]);
  if (locked.length > 0) return { ok: false, reason: "locked" };
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO "Report" ("planKey", "formKey", "periodKey", "unitId", answers, "submittedById", "submittedAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, ${utcFromMs(7)}, ${utcFromMs(7)})
     ON CONFLICT ("planKey", "formKey", "periodKey", "unitId") DO NOTHING RETURNING id`,
    [input.planKey, input.formKey, input.periodKey, input.unitId, JSON.stringify(input.answers), input.personId, input.submittedAt.getTime()],
  );
  return rows[0] ? { ok: true, id: Number(rows[0].id) } : { ok: false, reason: "exists" };
}

/** What `correctReportIn` did. */
export type CorrectReportOutcome = { ok: true } | { ok: false; reason: "locked" | "missing" | "conflict" };

/**
 * Correct a sent report through `tx`: new answers, version + 1, one ReportChange per change — only
 * if the report is still at `expectedVersion` (someone correcting at the same moment is refused).
 */
export async function correctReportIn(
  tx: SqlConnection,
  input: CorrectReportInput & { expectedVersion: number },
): Promise<CorrectReportOutcome> {
  const { planKey, formKey, periodKey, unitId } = input;
  const locked = await tx.query(`SELECT 1 FROM "PeriodLock" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3`, [
    planKey,
    formKey,
    periodKey,
  ]);
  if (locked.length > 0) return { ok: false, reason: "locked" };
  const updated = await tx.query<{ id: number }>(
    `UPDATE "Report" SET answers = $5::jsonb, version = version + 1, "updatedAt" = ${utcFromMs(6)}
      WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3 AND "unitId" = $4 AND version = $7 RETURNING id`,
    [planKey, formKey, periodKey, unitId, JSON.stringify(input.answers), input.at.getTime(), input.expectedVersion],
  );
  if (!updated[0]) {
    const exists = await tx.query(
      `SELECT 1 FROM "Report" WHERE "planKey" = $1 AND "formKey" = $2 AND "periodKey" = $3 AND "unitId" = $4`,
      [planKey, formKey, periodKey, unitId],
    );
    return { ok: false, reason: exists.length > 0 ? "conflict" : "missing" };
  }
  for (const c of input.changes) {
    await tx.query(
      `INSERT INTO "ReportChange" ("reportId", "personId", "changedAt", "questionKey", "oldValue", "newValue")
       VALUES ($1, $2, ${utcFromMs(3)}, $4, $5::jsonb, $6::jsonb)`,
      [
        Number(updated[0].id),
        input.personId,
        input.at.getTime(),
        c.key,
        c.oldValue === null || c.oldValue === undefined ? null : JSON.stringify(c.oldValue),
        c.newValue === null || c.newValue === undefined ? null : JSON.stringify(c.newValue),
      ],
    );
  }
  return { ok: true };
}
