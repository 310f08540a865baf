/**
 * Exactly one instance holds the Zalo session (a Zalo account allows one web session): the store's
 * leadership contest (src/store/leadership.ts) on its own advisory-lock key. When a holder's
 * connection drops, the older listener is closed by Zalo with code 3000 once the new one starts.
 * Non-leaders still enqueue Zalo messages in the outbox; only `isLeader()` instances send them.
 */
import type { Store } from "../../store/database.js";
import { acquireLeadership, type Leadership, type LeadershipOptions } from "../../store/leadership.js";

/** "ZALO" in ASCII; distinct from Prisma's migration lock (72707369). */
export const ZALO_LEADER_LOCK = 0x5a414c4f;

/** The Zalo session's leadership. */
export type ZaloLeadership = Leadership;

/** Options of acquireZaloLeadership (the lock key defaults to ZALO_LEADER_LOCK). */
export type ZaloLeadershipOptions = Omit<LeadershipOptions, "name" | "lockKey"> & { lockKey?: number };

/** Joins the contest for the Zalo session. */
export async function acquireZaloLeadership(store: Store, opts: ZaloLeadershipOptions): Promise<ZaloLeadership> {
  return acquireLeadership(store, { ...opts, name: "Zalo session", lockKey: opts.lockKey ?? ZALO_LEADER_LOCK });
}
