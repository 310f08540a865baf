/**
 * People, their roles in units, invite codes and group-chat links. Every command checks roles
 * through `rolesOf` and the unit tree (officers and admins act on their subtree only).
 */
import { randomInt } from "node:crypto";
import type { ChannelName } from "../channels/types.js";
import type { Store } from "./database.js";
import { type Db, sqlOf, utcFromMs } from "./db.js";
import type { SqlConnection } from "./sql.js";

import { isRoleName, type Grant, type RoleName } from "../domain/permissions.js";

export { isRoleName, type RoleName };

export interface PersonRecord {
  id: number;
  channel: string;
  externalId: string;
  displayName: string;
}


/** Find or create the person behind a channel sender; keeps the display name fresh. */
export async function upsertPerson(
  store: Store,
  channel: ChannelName,
  externalId: string,
  displayName: string,
): Promise<PersonRecord> {
  const [row] = await store.sql.query<PersonRecord>(
    `INSERT INTO "Person" (channel, "externalId", "displayName", "createdAt") VALUES ($1, $2, $3, timezone('UTC', now()))
     ON CONFLICT (channel, "externalId") DO UPDATE SET "displayName" = EXCLUDED."displayName"
     RETURNING id, channel, "externalId", "displayName"`,
    [channel, externalId, displayName],
  );
  return row!;
}

export async function rolesOf(store: Store, personId: number): Promise<Grant[]> {
  const rows = await store.prisma.role.findMany({ where: { personId }, select: { role: true, unitId: true } });
  return rows.filter((r) => isRoleName(r.role)).map((r) => ({ role: r.role as RoleName, unitId: r.unitId }));
}

export async function grantRole(store: Store, personId: number, unitId: number, role: RoleName): Promise<void> {
  await store.sql.query(
    `INSERT INTO "Role" ("personId", "unitId", role, "createdAt") VALUES ($1, $2, $3, timezone('UTC', now()))
     ON CONFLICT ("personId", "unitId", role) DO NOTHING`,
    [personId, unitId, role],
  );
}

/** People holding a role in a unit (e.g. the branch leaders to mention in a reminder). */
export async function holdersOf(store: Store, unitId: number, role: RoleName): Promise<PersonRecord[]> {
  const rows = await store.prisma.role.findMany({
    where: { unitId, role },
    select: { person: { select: { id: true, channel: true, externalId: true, displayName: true } } },
  });
  return rows.map((r) => r.person);
}

// Invite codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), easy to type on a phone.
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const INVITE_CODE_LENGTH = 8;

export function newInviteCode(): string {
  let s = "";
  for (let i = 0; i < INVITE_CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/**
 * A new invite code for `unitId` and `role`, valid `validForHours` from `now`. Given a transaction
 * (an inbound update's unit of work), it is created with the reply that shows it, or not at all.
 */
export async function createInvite(
  db: Db,
  input: { unitId: number; role: RoleName; createdById: number | null; now: Date; validForHours: number },
): Promise<{ code: string; expiresAt: Date }> {
  const expiresAt = new Date(input.now.getTime() + input.validForHours * 3600_000);
  // A taken code is skipped, not an error: inside a transaction an error would end it.
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newInviteCode();
    const rows = await sqlOf(db).query(
      `INSERT INTO "Invite" (code, "unitId", role, "createdById", "createdAt", "expiresAt")
       VALUES ($1, $2, $3, $4, ${utcFromMs(5)}, ${utcFromMs(6)})
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [code, input.unitId, input.role, input.createdById, input.now.getTime(), expiresAt.getTime()],
    );
    if (rows.length === 1) return { code, expiresAt };
  }
  throw new Error("five invite codes in a row were taken"); // a collision five times in a row is not a collision
}

export type RedeemResult =
  | { ok: true; unitId: number; role: RoleName }
  | { ok: false; reason: "unknown" | "used" | "expired" | "voided" };

/** An invite code as typed: upper case, spaces and dashes dropped ("abcd-2345" → "ABCD2345"). */
export function inviteCodeOf(codeText: string): string {
  return codeText.trim().toUpperCase().replace(/[\s-]/g, "");
}

/**
 * Makes an invite code unusable because it was shown to a whole group (typed there and not
 * deletable). True when a live code was voided; false for an unknown, used, expired or already
 * voided one.
 */
export async function voidInvite(db: Db, codeText: string, now: Date): Promise<boolean> {
  const rows = await sqlOf(db).query(
    `UPDATE "Invite" SET "voidedAt" = ${utcFromMs(2)}
     WHERE code = $1 AND "usedAt" IS NULL AND "voidedAt" IS NULL AND "expiresAt" >= ${utcFromMs(2)}
     RETURNING id`,
    [inviteCodeOf(codeText), now.getTime()],
  );
  return rows.length === 1;
}

/**
 * Use an invite code once: marks it used and grants the role, atomically. Given a transaction (the
 * update's unit of work) it commits with it, so the role exists only if the reply saying so is
 * queued; given the store it runs in its own transaction. The invite row is locked while it is
 * read, so of two people redeeming at once exactly one gets the role.
 */
export async function redeemInvite(db: Db, codeText: string, personId: number, now: Date): Promise<RedeemResult> {
  const code = inviteCodeOf(codeText);
  const run = async (q: SqlConnection): Promise<RedeemResult> => {
    const [invite] = await q.query<{ id: number; role: string; unitId: number; used: boolean; usedById: number | null; voided: boolean; expired: boolean }>(
      `SELECT id, role, "unitId", "usedAt" IS NOT NULL AS used, "usedById", "voidedAt" IS NOT NULL AS voided,
              "expiresAt" < ${utcFromMs(2)} AS expired
       FROM "Invite" WHERE code = $1 FOR UPDATE`,
      [code, now.getTime()],
    );
    if (!invite || !isRoleName(invite.role)) return { ok: false, reason: "unknown" };
    if (invite.voided) return { ok: false, reason: "voided" };
    // Used by this very person: the same registration again (a redelivered update whose first
    // handling was not recorded) — she is registered, so say so instead of "already used".
    if (invite.used) return invite.usedById === personId ? { ok: true, unitId: invite.unitId, role: invite.role } : { ok: false, reason: "used" };
    if (invite.expired) return { ok: false, reason: "expired" };
    await q.query(`UPDATE "Invite" SET "usedAt" = ${utcFromMs(2)}, "usedById" = $3 WHERE id = $1`, [invite.id, now.getTime(), personId]);
    await q.query(
      `INSERT INTO "Role" ("personId", "unitId", role) VALUES ($1, $2, $3) ON CONFLICT ("personId", "unitId", role) DO NOTHING`,
      [personId, invite.unitId, invite.role],
    );
    return { ok: true, unitId: invite.unitId, role: invite.role };
  };
  return "prisma" in db ? db.sql.transaction(run) : run(db);
}

/** Links a group chat to a unit (or moves its link); given a transaction, it commits with it. */
export async function linkChat(
  db: Db,
  channel: ChannelName,
  chatId: string,
  unitId: number,
  linkedById: number | null,
): Promise<void> {
  await sqlOf(db).query(
    `INSERT INTO "ChatLink" (channel, "chatId", "unitId", "linkedById", "createdAt")
     VALUES ($1, $2, $3, $4, timezone('UTC', now()))
     ON CONFLICT (channel, "chatId") DO UPDATE SET "unitId" = EXCLUDED."unitId", "linkedById" = EXCLUDED."linkedById"`,
    [channel, chatId, unitId, linkedById],
  );
}

export async function linkedUnitOf(store: Store, channel: ChannelName, chatId: string): Promise<number | null> {
  const [row] = await store.sql.query<{ unitId: number }>(`SELECT "unitId" FROM "ChatLink" WHERE channel = $1 AND "chatId" = $2`, [
    channel,
    chatId,
  ]);
  return row ? Number(row.unitId) : null;
}

/** Make sure the people named in the environment (ADMIN_TELEGRAM_IDS, ADMIN_ZALO_IDS) are admins of the root units. */
export async function ensureEnvAdmins(
  store: Store,
  channel: ChannelName,
  externalIds: readonly string[],
  rootUnitIds: readonly number[],
): Promise<void> {
  for (const externalId of externalIds) {
    const [person] = await store.sql.query<{ id: number }>(
      `INSERT INTO "Person" (channel, "externalId", "displayName", "createdAt") VALUES ($1, $2, $2, timezone('UTC', now()))
       ON CONFLICT (channel, "externalId") DO UPDATE SET "displayName" = "Person"."displayName"
       RETURNING id`,
      [channel, externalId],
    );
    for (const unitId of rootUnitIds) await grantRole(store, person!.id, unitId, "admin");
  }
}
