/**
 * De-duplication of inbound channel deliveries. Telegram may deliver the same update twice
 * (webhook timeouts, restarts) and grammY does not de-duplicate `update_id`, so every update is
 * claimed here before it is acted on: one INSERT ... ON CONFLICT DO NOTHING, atomic under any
 * concurrency (the primary key (channel, updateId) decides the single winner).
 */
import type { Store } from "./database.js";

/**
 * Claims an update. Resolves true the first time (the caller should process it) and false when
 * the (channel, updateId) pair was already recorded (a redelivery: do nothing).
 */
export async function markUpdateProcessed(store: Store, channel: string, updateId: string): Promise<boolean> {
  // Raw SQL: this runs for every inbound update (see bench:pipeline).
  const rows = await store.sql.query(
    `INSERT INTO "ProcessedUpdate" (channel, "updateId") VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS claimed`,
    [channel, updateId],
  );
  return rows.length === 1;
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
