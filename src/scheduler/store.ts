/**
 * The scheduler's rows: claimed occurrences (exactly-once across instances), paused rules and
 * the content history. Thin Prisma wrappers; raw SQL where a write may join an inbound update's
 * transaction (pause, resume).
 */
import type { Store } from "../store/database.js";
import { type Db, sqlOf } from "../store/db.js";
import type { Occurrence, OccurrenceData, OccurrenceKind } from "./occurrences.js";
import type { ContentHistoryEntry } from "./rotation.js";

export type OccurrenceOutcome = "claimed" | "sent" | "skipped" | "dropped" | "paused";

// ---------------------------------------------------------------------------------------------
// Pause / resume (admins)

/**
 * Pause a reminder rule, a content schedule or a content item, by its key (again: no change).
 * Given a transaction (an admin's /tamdung), it commits with the reply.
 */
export async function pauseRule(db: Db, key: string, opts: { by?: number } = {}): Promise<void> {
  await sqlOf(db).query(`INSERT INTO "PausedRule" (key, "pausedById") VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, opts.by ?? null]);
}

/** Resume it; false when it was not paused. Given a transaction (/tieptuc), it commits with the reply. */
export async function resumeRule(db: Db, key: string): Promise<boolean> {
  const rows = await sqlOf(db).query(`DELETE FROM "PausedRule" WHERE key = $1 RETURNING key`, [key]);
  return rows.length > 0;
}

export interface PausedEntry {
  key: string;
  pausedAt: Date;
  pausedById: number | null;
}

export async function listPaused(store: Store): Promise<PausedEntry[]> {
  return store.prisma.pausedRule.findMany({ orderBy: { key: "asc" } });
}

export async function pausedKeys(store: Store): Promise<Set<string>> {
  // Raw SQL here and in the other reads of every tick: an idle tick does not load Prisma.
  const rows = await store.sql.query<{ key: string }>(`SELECT "key" FROM "PausedRule"`);
  return new Set(rows.map((r) => r.key));
}

// ---------------------------------------------------------------------------------------------
// Claims

export interface ClaimRow {
  occ: Occurrence;
  outcome: OccurrenceOutcome;
  detail?: string;
}

/** Keys of these occurrences that are already recorded. */
export async function existingKeys(store: Store, keys: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await store.sql.query<{ key: string }>(`SELECT "key" FROM "ScheduledOccurrence" WHERE "key" = ANY($1::text[])`, [
      keys.slice(i, i + 1000),
    ]);
    for (const r of rows) out.add(r.key);
  }
  return out;
}

/**
 * INSERT … ON CONFLICT DO NOTHING: returns the keys this call inserted. Only the instance whose
 * insert succeeded handles an occurrence.
 */
export async function claimOccurrences(store: Store, rows: readonly ClaimRow[], now: Date, by: string): Promise<Set<string>> {
  const won = new Set<string>();
  for (let i = 0; i < rows.length; i += 500) {
    const created = await store.prisma.scheduledOccurrence.createManyAndReturn({
      data: rows.slice(i, i + 500).map(({ occ, outcome, detail }) => ({
        key: occ.key,
        ruleKey: occ.ruleKey,
        kind: occ.kind,
        unitId: occ.unitId,
        dueAt: occ.dueAt,
        sendAt: occ.sendAt,
        data: occ.data as object,
        outcome,
        detail: detail ?? null,
        claimedBy: by,
        claimedAt: now,
        doneAt: outcome === "claimed" ? null : now,
      })),
      skipDuplicates: true,
      select: { key: true },
    });
    for (const c of created) won.add(c.key);
  }
  return won;
}

export async function finishOccurrence(
  store: Store,
  key: string,
  res: { outcome: OccurrenceOutcome; detail?: string; itemKey?: string },
  now: Date,
): Promise<void> {
  await store.prisma.scheduledOccurrence.update({
    where: { key },
    data: { outcome: res.outcome, detail: res.detail ?? null, ...(res.itemKey ? { itemKey: res.itemKey } : {}), doneAt: now },
  });
}

export async function setItemKey(store: Store, key: string, itemKey: string): Promise<void> {
  await store.prisma.scheduledOccurrence.update({ where: { key }, data: { itemKey } });
}

/**
 * Claims still "claimed" since before `olderThan` (their instance died while handling them):
 * re-claims them for `by` (one instance wins each) and returns them as occurrences.
 */
export async function reclaimStuck(store: Store, olderThan: Date, now: Date, by: string): Promise<Occurrence[]> {
  // Nearly always none: looked for in raw SQL first.
  const any = await store.sql.query(
    `SELECT 1 FROM "ScheduledOccurrence" WHERE "outcome" = 'claimed' AND "claimedAt" < to_timestamp($1::double precision / 1000) LIMIT 1`,
    [olderThan.getTime()],
  );
  if (any.length === 0) return [];
  const rows = await store.prisma.scheduledOccurrence.findMany({
    where: { outcome: "claimed", claimedAt: { lt: olderThan } },
    orderBy: { sendAt: "asc" },
    take: 1000,
  });
  const out: Occurrence[] = [];
  for (const r of rows) {
    const res = await store.prisma.scheduledOccurrence.updateMany({
      where: { key: r.key, outcome: "claimed", claimedAt: r.claimedAt },
      data: { claimedAt: now, claimedBy: by },
    });
    if (res.count === 0) continue;
    out.push({
      key: r.key,
      ruleKey: r.ruleKey,
      kind: r.kind as OccurrenceKind,
      unitId: r.unitId,
      dueAt: r.dueAt,
      nominalAt: r.sendAt,
      sendAt: r.sendAt,
      data: (r.data ?? {}) as OccurrenceData,
    });
  }
  return out;
}

/** Content items sent (or being sent) to a unit since `since`, oldest first. */
export async function contentHistory(store: Store, unitId: number, since: Date): Promise<ContentHistoryEntry[]> {
  const rows = await store.prisma.scheduledOccurrence.findMany({
    where: { unitId, kind: "content", itemKey: { not: null }, outcome: { in: ["sent", "claimed"] }, sendAt: { gte: since } },
    orderBy: { sendAt: "asc" },
    select: { itemKey: true, sendAt: true },
  });
  return rows.map((r) => ({ itemKey: r.itemKey!, at: r.sendAt }));
}
