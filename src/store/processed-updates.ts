/**
 * De-duplication of inbound channel deliveries. Telegram may deliver the same update twice
 * (webhook timeouts, restarts) and grammY does not de-duplicate `update_id`, so every update is
 * claimed once: one INSERT ... ON CONFLICT DO NOTHING, atomic under any concurrency (the primary key
 * (channel, updateId) decides the single winner). The app claims inside the transaction that also
 * writes the update's effects (src/app/unit-of-work.ts), so an update is handled exactly once or
 * not at all.
 */
import type { Store } from "./database.js";
import type { SqlConnection } from "./sql.js";

/**
 * Claims an update inside a caller's transaction, so that the claim commits together with the
 * update's effects (or not at all). Resolves false when it was already claimed (a redelivery); under
 * concurrency the second claimant waits for the first one's transaction and then gets false.
 */
export async function claimUpdateIn(tx: SqlConnection, channel: string, updateId: string): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO "ProcessedUpdate" (channel, "updateId") VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS claimed`,
    [channel, updateId],
  );
  return rows.length === 1;
}

/** True when the update was already claimed (a cheap check before doing the work; the claim decides). */
export async function isUpdateClaimed(store: Store, channel: string, updateId: string): Promise<boolean> {
  const rows = await store.sql.query(`SELECT 1 FROM "ProcessedUpdate" WHERE channel = $1 AND "updateId" = $2`, [channel, updateId]);
  return rows.length > 0;
}

/**
 * Claims an update. Resolves true the first time (the caller should process it) and false when
 * the (channel, updateId) pair was already recorded (a redelivery: do nothing).
 */
export async function markUpdateProcessed(store: Store, channel: string, updateId: string): Promise<boolean> {
  return claimUpdateIn(store.sql, channel, updateId);
}

/**
 * Forgets claims recorded before `olderThan`; returns how many were deleted.
 * Telegram redelivers within hours, and after a week without updates it may restart update_id at
 * a random value, so keep at least a day and at most a few days.
 */
export async function pruneProcessedUpdates(store: Store, olderThan: Date): Promise<number> {
  const { count } = await store.prisma.processedUpdate.deleteMany({ where: { createdAt: { lt: olderThan } } });
  return count;
}
