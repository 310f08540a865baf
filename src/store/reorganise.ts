/**
 * `units reorganise` in the store: apply a new tree and a map of the units that end, from a first
 * day, in ONE transaction (nothing is written when anything fails).
 *
 * What the database keeps true afterwards (schema.prisma, migration 20261130050000_unit_history):
 *   - the latest tree is the units with validUntil null, linked by parentId (loadUnitTree);
 *   - the tree of an earlier day is the units existing that day (validFrom ≤ day < validUntil,
 *     a CHECK keeps the range non-empty) under the parents they had that day (UnitPastParent);
 *   - a unit that continues keeps its id, so its reports, chats and roles stay with it;
 *   - an ended unit keeps its reports (earlier periods show it) and names its successor (a CHECK:
 *     only an ended unit has one); its chat links, roles and unused invites moved to the successor;
 *   - a reorganisation is recorded once (its fingerprint is unique) and days only move forward
 *     (checked here, inside the transaction, against the latest recorded day).
 * Each person whose role moved gets one notice in her private chat, queued in the same
 * transaction with a dedupe key (reorganisation fingerprint + person): never twice.
 */
import { createHash } from "node:crypto";
import type { ChannelName } from "../channels/types.js";
import { formatUnitImportErrors, type UnitImportError, type UnitRow } from "../domain/units/import.js";
import { planReorganisation, type ReorganisationPlan } from "../domain/units/reorganise.js";
import { marksAfterReorganisation, type MarkedUnit, type MarksOutcome } from "../domain/units/reorganise-marks.js";
import type { NtmStatus } from "../domain/units/import.js";
import type { UnitMapEntry } from "../domain/units/reorganise-map.js";
import type { UnitKind, UnitNode } from "../domain/types.js";
import { t } from "../i18n.js";
import { enqueueIn, notifyEnqueued, type EnqueueItem } from "../outbox/queue.js";
import type { Store } from "./database.js";
import { recomputeUnitPaths } from "./units.js";
import type { SqlConnection } from "./sql.js";
import { announceUnitChange } from "./unit-changes.js";

/** The reorganisation is invalid; `message` is the line-numbered list of problems. Nothing was written. */
export class ReorganisationError extends Error {
  override name = "ReorganisationError";
  constructor(readonly errors: UnitImportError[]) {
    super(formatUnitImportErrors(errors));
  }
}

/** What `units reorganise` is asked to do. */
export interface ReorganisationRequest {
  /** First day of the new tree, YYYY-MM-DD. */
  from: string;
  /** The whole new tree (parseUnits rows, parents first). */
  rows: readonly UnitRow[];
  treeFile: string;
  map: readonly UnitMapEntry[];
  mapFile: string;
}

/** What a reorganisation did (also stored in UnitReorganisation.summary). */
export interface ReorganisationSummary {
  from: string;
  /** Units that continue (same id), of which `moved` under another parent. */
  kept: number;
  moved: number;
  added: number;
  ended: number;
  roles: number;
  links: number;
  invites: number;
  /** People told (one notice each). */
  notices: number;
  /**
   * The pilot / NTM marks carried by mergers (src/domain/units/reorganise-marks.ts): units that
   * became pilot units, units whose merged parts shared one NTM status, merged units whose NTM
   * status was cleared because their parts' differed, and marks of ended units of another kind
   * (a removed level) that were not carried. Absent in summaries recorded before marks were carried.
   */
  marks?: Pick<MarksOutcome, "pilotMerged" | "ntmMerged" | "ntmConflicts" | "dropped">;
}

/** The result: applied now, or the same files were applied before (nothing was done). */
export type ReorganisationResult =
  | { kind: "applied"; summary: ReorganisationSummary }
  | { kind: "already"; appliedAt: Date; summary: ReorganisationSummary };

/** A stable fingerprint of a request: the same day, tree and map give the same one. */
export function reorganisationFingerprint(req: Pick<ReorganisationRequest, "from" | "rows" | "map">): string {
  const h = createHash("sha256");
  h.update(`from ${req.from}\n`);
  for (const r of req.rows) {
    // Marks join the fingerprint only when the file gives them, so files without them keep the
    // fingerprint they had before marks were carried.
    const marks = r.pilot !== undefined || r.ntm !== undefined ? `\t${r.pilot ?? ""}\t${r.ntm === undefined ? "" : (r.ntm ?? "none")}` : "";
    h.update(`unit ${r.code}\t${r.name}\t${r.kind}\t${r.parentCode ?? ""}${marks}\n`);
  }
  for (const m of [...req.map].sort((a, b) => a.from.localeCompare(b.from))) h.update(`map ${m.from}\t${m.to}\n`);
  return h.digest("hex");
}

/**
 * Apply a reorganisation: see the module comment. Throws ReorganisationError (line-numbered, from
 * planReorganisation, or a day not after the latest reorganisation); returns "already" when the
 * same request was applied before.
 */
export async function reorganiseUnits(store: Store, req: ReorganisationRequest): Promise<ReorganisationResult> {
  const fingerprint = reorganisationFingerprint(req);
  let notices = 0;
  const result = await store.sql.transaction(async (tx): Promise<ReorganisationResult> => {
    // One reorganisation at a time: a second one waits here, then sees the first one's rows.
    await tx.query(`LOCK TABLE "UnitReorganisation" IN SHARE ROW EXCLUSIVE MODE`);
    const [done] = await tx.query<{ appliedAt: Date; summary: ReorganisationSummary }>(
      `SELECT "appliedAt", "summary" FROM "UnitReorganisation" WHERE "fingerprint" = $1`,
      [fingerprint],
    );
    if (done) return { kind: "already", appliedAt: new Date(done.appliedAt), summary: done.summary };
    const [last] = await tx.query<{ d: string | null }>(`SELECT to_char(max("effectiveFrom"), 'YYYY-MM-DD') AS d FROM "UnitReorganisation"`);
    if (last?.d && last.d >= req.from) {
      throw new ReorganisationError([{ file: req.treeFile, line: 0, message: t("units:reorganise.notAfter", { from: req.from, last: last.d }) }]);
    }
    const units = await tx.query<{
      id: number;
      code: string;
      name: string;
      kind: string;
      parentId: number | null;
      ended: boolean;
      pilot: boolean;
      ntm: string | null;
    }>(`SELECT "id", "code", "name", "kind", "parentId", "validUntil" IS NOT NULL AS ended, "pilot", "ntmStatus" AS ntm FROM "Unit"`);
    const current: UnitNode[] = units
      .filter((u) => !u.ended)
      .map((u) => ({ id: u.id, code: u.code, name: u.name, kind: u.kind as UnitKind, parentId: u.parentId }));
    const endedCodes = new Set(units.filter((u) => u.ended).map((u) => u.code.toUpperCase()));
    const planned = planReorganisation({ current, endedCodes, rows: req.rows, treeFile: req.treeFile, map: req.map, mapFile: req.mapFile });
    if (!planned.ok) throw new ReorganisationError(planned.errors);
    const marked: MarkedUnit[] = units
      .filter((u) => !u.ended)
      .map((u) => ({ code: u.code.toUpperCase(), kind: u.kind as UnitKind, pilot: u.pilot, ntm: (u.ntm as NtmStatus | null) ?? null }));
    const marks = marksAfterReorganisation({
      rows: req.rows,
      current: marked,
      successors: new Map(planned.plan.ended.map((e) => [e.code, e.successorCode])),
    });
    const summary = await applyPlan(tx, planned.plan, req, marks);
    notices = summary.notices;
    await tx.query(`INSERT INTO "UnitReorganisation" ("effectiveFrom", "fingerprint", "summary") VALUES ($1::date, $2, $3::jsonb)`, [
      req.from,
      fingerprint,
      JSON.stringify(summary),
    ]);
    await announceUnitChange((text) => tx.query(text));
    return { kind: "applied", summary };
  });
  if (notices > 0) notifyEnqueued();
  return result;
}

async function applyPlan(tx: SqlConnection, plan: ReorganisationPlan, req: ReorganisationRequest, marks: MarksOutcome): Promise<ReorganisationSummary> {
  const q = <T>(text: string, params?: unknown[]) => tx.query<T>(text, params);
  const { from } = req;
  // 1. New units exist from the first day.
  if (plan.added.length > 0) {
    await q(
      `INSERT INTO "Unit" ("code", "name", "kind", "path", "validFrom", "updatedAt")
       SELECT x.code, x.name, x.kind, '', $4::date, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS x(code, name, kind)`,
      [plan.added.map((r) => r.code), plan.added.map((r) => r.name), plan.added.map((r) => r.kind), from],
    );
  }
  // 2. The parents continuing units had until the day before.
  const moved = plan.kept.filter((k) => k.movedFrom !== undefined);
  if (moved.length > 0) {
    await q(
      `INSERT INTO "UnitPastParent" ("unitId", "parentId", "validUntil")
       SELECT x.unit, x.parent, $3::date FROM unnest($1::int[], $2::int[]) AS x(unit, parent)`,
      [moved.map((k) => k.id), moved.map((k) => k.movedFrom ?? null), from],
    );
  }
  // 3. Name, kind and parent of every unit of the new tree, as the file says.
  const rows = [...plan.kept.map((k) => k.row), ...plan.added];
  await q(
    `UPDATE "Unit" u SET "name" = x.name, "kind" = x.kind, "parentId" = p."id", "updatedAt" = now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(code, name, kind, parent)
     LEFT JOIN "Unit" p ON p."code" = x.parent
     WHERE u."code" = x.code
       AND (u."name", u."kind", u."parentId") IS DISTINCT FROM (x.name, x.kind, p."id")`,
    [rows.map((r) => r.code), rows.map((r) => r.name), rows.map((r) => r.kind), rows.map((r) => r.parentCode)],
  );
  // 3b. Pilot and NTM marks: the file's, else carried by mergers (reorganise-marks.ts).
  if (marks.changes.size > 0) {
    const changed = [...marks.changes];
    await q(
      `UPDATE "Unit" u SET "pilot" = x.pilot, "ntmStatus" = x.ntm, "updatedAt" = now()
       FROM unnest($1::text[], $2::bool[], $3::text[]) AS x(code, pilot, ntm) WHERE u."code" = x.code`,
      [changed.map(([c]) => c), changed.map(([, m]) => m.pilot), changed.map(([, m]) => m.ntm)],
    );
  }
  // 4. Units that end, and who takes over.
  const endedIds = plan.ended.map((e) => e.id);
  const succ = await q<{ id: number; succ: number }>(
    `UPDATE "Unit" u SET "validUntil" = $3::date, "successorId" = s."id", "updatedAt" = now()
     FROM unnest($1::int[], $2::text[]) AS x(id, succ) JOIN "Unit" s ON s."code" = x.succ
     WHERE u."id" = x.id RETURNING u."id", s."id" AS succ`,
    [endedIds, plan.ended.map((e) => e.successorCode), from],
  );
  const succIds = endedIds.map((id) => succ.find((s) => s.id === id)!.succ);
  // 5. Paths of the latest tree (ended units keep the parent they ended under). A unit no root
  // reaches is not expected (parseUnits refuses cycles and the new tree names only its own
  // parents), but the transaction must not commit such a tree.
  const paths = await recomputeUnitPaths((text, ...params) => tx.query(text, params));
  if (paths.unreached.length > 0) {
    throw new ReorganisationError([{ file: req.treeFile, line: 0, message: t("units:import.cycle", { cycle: paths.unreached.join(", ") }) }]);
  }
  // 6. Roles, chat links and unused invites of the ended units go to their successors.
  const moves = await q<{ personId: number; role: string; fromName: string; toName: string; toKind: string; channel: string; externalId: string }>(
    `SELECT r."personId", r."role", o."name" AS "fromName", n."name" AS "toName", n."kind" AS "toKind", p."channel", p."externalId"
     FROM unnest($1::int[], $2::int[]) AS x(id, succ)
     JOIN "Role" r ON r."unitId" = x.id JOIN "Unit" o ON o."id" = x.id JOIN "Unit" n ON n."id" = x.succ
     JOIN "Person" p ON p."id" = r."personId"
     ORDER BY r."personId", r."id"`,
    [endedIds, succIds],
  );
  await q(
    `INSERT INTO "Role" ("personId", "unitId", "role")
     SELECT r."personId", x.succ, r."role" FROM unnest($1::int[], $2::int[]) AS x(id, succ) JOIN "Role" r ON r."unitId" = x.id
     ON CONFLICT ("personId", "unitId", "role") DO NOTHING`,
    [endedIds, succIds],
  );
  await q(`DELETE FROM "Role" WHERE "unitId" = ANY($1::int[])`, [endedIds]);
  const links = await q(
    `UPDATE "ChatLink" c SET "unitId" = x.succ FROM unnest($1::int[], $2::int[]) AS x(id, succ) WHERE c."unitId" = x.id RETURNING c."id"`,
    [endedIds, succIds],
  );
  const invites = await q(
    `UPDATE "Invite" i SET "unitId" = x.succ FROM unnest($1::int[], $2::int[]) AS x(id, succ)
     WHERE i."unitId" = x.id AND i."usedAt" IS NULL RETURNING i."id"`,
    [endedIds, succIds],
  );
  // 7. One notice per person, in her private chat.
  const fingerprint = reorganisationFingerprint(req);
  const byPerson = new Map<number, typeof moves>();
  for (const m of moves) {
    let list = byPerson.get(m.personId);
    if (!list) byPerson.set(m.personId, (list = []));
    list.push(m);
  }
  const day = `${from.slice(8, 10)}/${from.slice(5, 7)}/${from.slice(0, 4)}`;
  const items: EnqueueItem[] = [...byPerson.entries()].map(([personId, list]) => ({
    msg: {
      channel: list[0]!.channel as ChannelName,
      chatId: list[0]!.externalId,
      chatType: "private",
      text: [
        t("units:reorganise.notice", { date: day }),
        // A reporter's role is named by the level of the unit she now reports for ("chi hội
        // trưởng" only for a branch).
        ...list.map((m) =>
          t("units:reorganise.noticeItem", {
            role: t(m.role === "leader" ? `bot:roles.leader_${m.toKind}` : `bot:roles.${m.role}`),
            from: m.fromName,
            to: m.toName,
          }),
        ),
        t("units:reorganise.noticeFooter"),
      ].join("\n"),
    },
    dedupeKey: `reorganise|${fingerprint}|person|${personId}`,
  }));
  const notices = items.length > 0 ? await enqueueIn(tx, items) : 0;
  return {
    from,
    kept: plan.kept.length,
    moved: moved.length,
    added: plan.added.length,
    ended: plan.ended.length,
    roles: moves.length,
    links: links.length,
    invites: invites.length,
    notices,
    marks: { pilotMerged: marks.pilotMerged, ntmMerged: marks.ntmMerged, ntmConflicts: marks.ntmConflicts, dropped: marks.dropped },
  };
}
