/**
 * The unit tree in the store: bulk import (all-or-nothing), loading the tree into memory, seeding,
 * and resolving what an officer types after /tiendo ("Ý Yên", "y yen", "NDI-YYE") to a unit.
 *
 * Import cost: three set-based statements whatever the size (one multi-row upsert from arrays
 * through `unnest`, one parent update, one recursive path update), in one transaction: 100,000
 * units take a few seconds, not 100,000 round trips.
 */
import { readFileSync } from "node:fs";
import { t } from "../i18n.js";
import { formatUnitImportErrors, parseUnits, type UnitImportError, type UnitRow } from "../domain/units/import.js";
import { UnitTree } from "../domain/units/tree.js";
import type { UnitKind, UnitNode } from "../domain/types.js";
import { comparable } from "../domain/vi/normalize.js";
import { localIsoDate } from "../domain/periods.js";
import type { Store } from "./database.js";
import { announceUnitChange } from "./unit-changes.js";

export interface UnitImportCounts {
  /** Codes that were not in the store. */
  inserted: number;
  /** Codes already in the store whose name, kind or parent changed. */
  updated: number;
  /** Codes already in the store, identical in the file. */
  unchanged: number;
  /** Units in the store after the import. */
  total: number;
}

/** A unit file that cannot be imported; `message` is the line-numbered list of problems. */
export class UnitFileError extends Error {
  override name = "UnitFileError";
  constructor(readonly errors: UnitImportError[]) {
    super(formatUnitImportErrors(errors));
  }
}

/** The rows would make the stored tree inconsistent (a cycle through existing units, an unknown parent). */
export class UnitTreeError extends Error {
  override name = "UnitTreeError";
}

/**
 * Insert new codes and update name, kind and parent of existing ones, then recompute every
 * unit's `path`; all in one transaction (nothing is written when anything fails).
 * Rows must come parents first or name parents that already exist (as `parseUnits` and the
 * generators guarantee). Units of the store that are not in `rows` are left as they are.
 */
export async function importUnits(store: Store, rows: readonly UnitRow[]): Promise<UnitImportCounts> {
  const codes = rows.map((r) => r.code.toUpperCase());
  const names = rows.map((r) => r.name);
  const kinds = rows.map((r) => r.kind);
  const parents = rows.map((r) => (r.parentCode === null ? null : r.parentCode.toUpperCase()));
  // Raw SQL on the store's own transaction (no Prisma: a first start seeds the tree without loading it).
  return store.sql.transaction(async (tx) => {
    const q = <T>(text: string, ...params: unknown[]) => tx.query<T>(text, params);
    // 0. Units that ended in a reorganisation are history: neither updated nor given children.
    const endedCodes = await q<{ code: string }>(`SELECT "code" FROM "Unit" WHERE "validUntil" IS NOT NULL`);
    if (endedCodes.length > 0) {
      const named = new Set([...codes, ...parents]);
      const ended = endedCodes.map((e) => e.code).filter((c) => named.has(c)).sort().slice(0, 20);
      if (ended.length > 0) throw new UnitTreeError(ended.map((code) => t("units:import.endedUnit", { code })).join("\n"));
    }
    // 1. Upsert names and kinds. `xmax = 0` tells an inserted row from an updated one.
    const upserted = await q<{ code: string; inserted: boolean }>(
      `INSERT INTO "Unit" ("code", "name", "kind", "path", "updatedAt")
       SELECT x.code, x.name, x.kind, '', now() FROM unnest($1::text[], $2::text[], $3::text[]) AS x(code, name, kind)
       ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "kind" = EXCLUDED."kind", "updatedAt" = now()
         WHERE "Unit"."name" IS DISTINCT FROM EXCLUDED."name" OR "Unit"."kind" IS DISTINCT FROM EXCLUDED."kind"
       RETURNING "code", (xmax = 0) AS inserted`,
      codes,
      names,
      kinds,
    );
    // 1b. Pilot and new-countryside marks, for the rows that give them.
    const marked = rows.filter((r) => r.pilot !== undefined || r.ntm !== undefined);
    if (marked.length > 0) {
      await q(
        `UPDATE "Unit" u SET "pilot" = COALESCE(x.pilot, u."pilot"),
                "ntmStatus" = CASE WHEN x.setntm THEN x.ntm ELSE u."ntmStatus" END
         FROM unnest($1::text[], $2::bool[], $3::bool[], $4::text[]) AS x(code, pilot, setntm, ntm) WHERE u."code" = x.code`,
        marked.map((r) => r.code.toUpperCase()),
        marked.map((r) => r.pilot ?? null),
        marked.map((r) => r.ntm !== undefined),
        marked.map((r) => r.ntm ?? null),
      );
    }
    // 2. Parents, by code (a parent may be earlier in the file or already in the store).
    const unknown = await q<{ code: string; parent: string }>(
      `SELECT x.code, x.parent FROM unnest($1::text[], $2::text[]) AS x(code, parent)
       WHERE x.parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Unit" p WHERE p."code" = x.parent) LIMIT 20`,
      codes,
      parents,
    );
    if (unknown.length > 0) {
      throw new UnitTreeError(
        unknown.map((u) => t("units:import.unknownParentExisting", { parent: u.parent, code: u.code })).join("\n"),
      );
    }
    const reparented = await q<{ code: string }>(
      `UPDATE "Unit" u SET "parentId" = p."id", "updatedAt" = now()
       FROM unnest($1::text[], $2::text[]) AS x(code, parent) LEFT JOIN "Unit" p ON p."code" = x.parent
       WHERE u."code" = x.code AND u."parentId" IS DISTINCT FROM p."id"
       RETURNING u."code"`,
      codes,
      parents,
    );
    // 3. Paths of every unit, from the roots down; a unit not reached hangs in a cycle.
    const paths = await recomputeUnitPaths(q);
    if (paths.unreached.length > 0) {
      throw new UnitTreeError(t("units:import.cycle", { cycle: paths.unreached.join(", ") }));
    }
    const inserted = new Set<string>();
    const updated = new Set<string>();
    for (const r of upserted) (r.inserted ? inserted : updated).add(r.code);
    for (const r of reparented) if (!inserted.has(r.code)) updated.add(r.code);
    const distinct = new Set(codes).size;
    if (inserted.size + updated.size > 0) await announceUnitChange((text) => q(text));
    return { inserted: inserted.size, updated: updated.size, unchanged: distinct - inserted.size - updated.size, total: paths.total };
  });
}

/** A raw query inside the caller's transaction. */
type TxQuery = <T>(text: string, ...params: unknown[]) => Promise<T[]>;

/**
 * Recompute every unit's path from the roots down, inside the caller's transaction (after units
 * were added or moved). Returns how many units there are and the codes (at most 10) of units no
 * root reaches — units hanging in a cycle, which the caller must refuse.
 */
export async function recomputeUnitPaths(q: TxQuery): Promise<{ total: number; unreached: string[] }> {
  const [paths] = await q<{ reached: number; total: number }>(
    `WITH RECURSIVE t(id, path) AS (
       SELECT "id", '/' || "id" || '/' FROM "Unit" WHERE "parentId" IS NULL
       UNION ALL
       SELECT u."id", t.path || u."id" || '/' FROM "Unit" u JOIN t ON u."parentId" = t.id
     ), upd AS (
       UPDATE "Unit" SET "path" = t.path FROM t WHERE "Unit"."id" = t.id AND "Unit"."path" IS DISTINCT FROM t.path
     )
     SELECT (SELECT count(*) FROM t)::int AS reached, (SELECT count(*) FROM "Unit")::int AS total`,
  );
  const total = Number(paths?.total ?? 0);
  if (paths && Number(paths.reached) === total) return { total, unreached: [] };
  const stuck = await q<{ code: string }>(
    `WITH RECURSIVE t(id) AS (SELECT "id" FROM "Unit" WHERE "parentId" IS NULL UNION ALL SELECT u."id" FROM "Unit" u JOIN t ON u."parentId" = t.id)
     SELECT "code" FROM "Unit" WHERE "id" NOT IN (SELECT id FROM t) ORDER BY "code" LIMIT 10`,
  );
  return { total, unreached: stuck.map((r) => r.code) };
}

/** Codes of every unit in the store (upper case). */
export async function unitCodes(store: Store): Promise<Set<string>> {
  const rows = await store.sql.query<{ code: string }>(`SELECT "code" FROM "Unit"`);
  return new Set(rows.map((r) => r.code));
}

/**
 * Read, validate (parents may be existing units) and import a CSV or YAML unit file.
 * Throws UnitFileError, whose message is the line-numbered problem list, when the file is invalid;
 * nothing is written then.
 */
export async function importUnitsFile(store: Store, path: string, displayName = path): Promise<UnitImportCounts> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const detail = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UnitFileError([{ file: displayName, line: 0, message: t("cli:units.unreadable", { detail }) }]);
  }
  const parsed = parseUnits(text, displayName, undefined, await unitCodes(store));
  if (!parsed.ok) throw new UnitFileError(parsed.errors);
  return importUnits(store, parsed.units);
}

/** Imports `file` when the store has no unit yet; returns the counts, or null when units exist. */
export async function seedUnitsIfEmpty(store: Store, file: string): Promise<UnitImportCounts | null> {
  const [row] = await store.sql.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "Unit") AS any`);
  if (row?.any) return null;
  return importUnitsFile(store, file);
}

/** Options of loadUnitTree. */
export interface LoadUnitTreeOptions {
  /**
   * The tree as it was on this local day (YYYY-MM-DD, or an instant read in Asia/Ho_Chi_Minh):
   * the units that existed that day, under the parents they had that day. Default: the latest
   * tree (every unit that has not ended, after every recorded reorganisation).
   */
  at?: string | Date;
}

type UnitRowSql = { id: number; code: string; name: string; kind: string; parentId: number | null; pilot: boolean; ntm: string | null };

/**
 * The unit tree, for the bot to keep in memory (reload after an import or a reorganisation), or
 * the tree of a past day (`at`). The store keeps the history (schema.prisma: Unit.validFrom,
 * validUntil; UnitPastParent), so the tree of a day is one query.
 */
export async function loadUnitTree(store: Store, opts: LoadUnitTreeOptions = {}): Promise<UnitTree> {
  const toNode = (r: UnitRowSql): UnitNode => {
    const node: UnitNode = { id: r.id, code: r.code, name: r.name, kind: r.kind as UnitKind, parentId: r.parentId };
    if (r.pilot) node.pilot = true;
    if (r.ntm) node.ntm = r.ntm as NonNullable<UnitNode["ntm"]>;
    return node;
  };
  if (opts.at === undefined) {
    const rows = await store.sql.query<UnitRowSql>(`SELECT "id", "code", "name", "kind", "parentId", "pilot", "ntmStatus" AS ntm FROM "Unit" WHERE "validUntil" IS NULL`);
    return new UnitTree(rows.map(toNode));
  }
  const at = typeof opts.at === "string" ? opts.at : localIsoDate(opts.at);
  const rows = await store.sql.query<UnitRowSql>(
    `SELECT u."id", u."code", u."name", u."kind", u."pilot", u."ntmStatus" AS ntm,
            CASE WHEN h."unitId" IS NULL THEN u."parentId" ELSE h."parentId" END AS "parentId"
     FROM "Unit" u
     LEFT JOIN (SELECT DISTINCT ON ("unitId") "unitId", "parentId" FROM "UnitPastParent"
                WHERE "validUntil" > $1::date ORDER BY "unitId", "validUntil") h ON h."unitId" = u."id"
     WHERE (u."validFrom" IS NULL OR u."validFrom" <= $1::date) AND (u."validUntil" IS NULL OR u."validUntil" > $1::date)`,
    [at],
  );
  const latest = await latestReorganisationDay(store);
  return new UnitTree(rows.map(toNode), { at, historic: latest !== null && latest > at });
}

/** The first day of the latest reorganisation (YYYY-MM-DD), or null when the tree never changed. */
export async function latestReorganisationDay(store: Store): Promise<string | null> {
  const [row] = await store.sql.query<{ d: string | null }>(`SELECT to_char(max("effectiveFrom"), 'YYYY-MM-DD') AS d FROM "UnitReorganisation"`);
  return row?.d ?? null;
}

// ---------------------------------------------------------------------------------------------
// Finding a unit by what an officer types

export type FindUnitResult =
  | { kind: "found"; unit: UnitNode }
  /** Several units match equally well: the best ones, shallowest first, then by name. */
  | { kind: "ambiguous"; candidates: UnitNode[]; more: number }
  | { kind: "none" };

export interface FindUnitOptions {
  /** Search only this unit's subtree (the unit itself included). Default: the whole tree. */
  withinId?: number;
  /** How many candidates an ambiguity lists at most (default 8). */
  maxCandidates?: number;
}

/** Words that open a unit's name and that officers leave out: "Hội LHPN huyện", "Chi hội thôn". */
const NAME_PREFIXES = [
  "hoi lien hiep phu nu",
  "hoi lhpn",
  "hoi phu nu",
  "hlhpn",
  "hoi",
  "chi hoi",
  "co so hoi",
  "tinh",
  "thanh pho",
  "tp",
  "huyen",
  "quan",
  "thi xa",
  "tx",
  "xa",
  "phuong",
  "thi tran",
  "tt",
  "thon",
  "xom",
  "to dan pho",
  "tdp",
  "khu pho",
  "ap",
  "ban",
].sort((a, b) => b.length - a.length);

/** The name without its leading organisation and administrative words: "hoi lhpn huyen y yen" → "y yen". */
function coreName(folded: string): string {
  let s = folded;
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of NAME_PREFIXES) {
      if (s.startsWith(`${p} `) && s.length > p.length + 1) {
        s = s.slice(p.length + 1);
        changed = true;
        break;
      }
    }
  }
  return s;
}

interface NameIndex {
  full: string[];
  core: string[];
  depth: Int32Array;
  nodes: UnitNode[];
  pos: Map<number, number>;
}

const nameIndexCache = new WeakMap<UnitTree, NameIndex>();

function nameIndex(tree: UnitTree): NameIndex {
  let ix = nameIndexCache.get(tree);
  if (ix) return ix;
  const nodes: UnitNode[] = [];
  const depths: number[] = [];
  for (const root of tree.roots) {
    for (const u of tree.subtree(root.id)) {
      nodes.push(u);
      depths.push(0);
    }
  }
  const pos = new Map<number, number>();
  nodes.forEach((u, i) => pos.set(u.id, i));
  const depth = new Int32Array(nodes.length);
  nodes.forEach((u, i) => {
    const p = u.parentId === null ? undefined : pos.get(u.parentId);
    depth[i] = p === undefined ? 0 : depth[p]! + 1; // preorder: the parent is already set
  });
  const full = nodes.map((u) => comparable(u.name));
  ix = { full, core: full.map(coreName), depth, nodes, pos };
  nameIndexCache.set(tree, ix);
  return ix;
}

/** Tiers of a match, best first. */
const enum Tier {
  FullName = 0,
  CoreName = 1,
  CorePrefix = 2,
  WordPrefix = 3,
  Substring = 4,
  None = 5,
}

function wordStarts(hay: string, needle: string): boolean {
  const i = hay.indexOf(needle);
  if (i < 0) return false;
  for (let at = i; at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = at === 0 || hay[at - 1] === " ";
    const end = at + needle.length;
    const after = end === hay.length || hay[end] === " ";
    if (before && after) return true;
  }
  return false;
}

function tierOf(full: string, core: string, query: string): Tier {
  if (full === query) return Tier.FullName;
  if (core === query) return Tier.CoreName;
  if (core.startsWith(`${query} `)) return Tier.CorePrefix;
  if (wordStarts(full, query)) return Tier.WordPrefix;
  if (full.includes(query)) return Tier.Substring;
  return Tier.None;
}

/**
 * Resolve what an officer types to one unit of a subtree: a unit code (any case), or a name with
 * or without diacritics, whole or in part ("Ý Yên", "y yen", "huyen hai hau", "Hải Hậu").
 * Matches are ranked (whole name, name without "Hội LHPN huyện …", start of that name, whole
 * words, any part); the best rank wins, and several units at the best rank are an ambiguity.
 */
export function findUnit(tree: UnitTree, text: string, options: FindUnitOptions = {}): FindUnitResult {
  const max = options.maxCandidates ?? 8;
  const within = options.withinId;
  const raw = text.trim();
  if (!raw) return { kind: "none" };
  const byCode = tree.byCode(raw);
  if (byCode && (within === undefined || tree.isWithin(byCode.id, within))) return { kind: "found", unit: byCode };

  const query = comparable(raw);
  if (!query) return { kind: "none" };
  const ix = nameIndex(tree);
  let lo = 0;
  let hi = ix.nodes.length;
  if (within !== undefined) {
    const p = ix.pos.get(within);
    if (p === undefined) return { kind: "none" };
    // Preorder: the subtree of p is p and the following nodes deeper than p.
    lo = p;
    hi = p + 1;
    while (hi < ix.nodes.length && ix.depth[hi]! > ix.depth[p]!) hi++;
  }
  let best = Tier.None;
  let hits: number[] = [];
  for (let i = lo; i < hi; i++) {
    const tier = tierOf(ix.full[i]!, ix.core[i]!, query);
    if (tier > best) continue;
    if (tier < best) {
      best = tier;
      hits = [];
    }
    hits.push(i);
  }
  if (best === Tier.None) return { kind: "none" };
  if (hits.length === 1) return { kind: "found", unit: ix.nodes[hits[0]!]! };
  const collator = new Intl.Collator("vi");
  hits.sort((a, b) => ix.depth[a]! - ix.depth[b]! || collator.compare(ix.nodes[a]!.name, ix.nodes[b]!.name));
  return { kind: "ambiguous", candidates: hits.slice(0, max).map((i) => ix.nodes[i]!), more: Math.max(0, hits.length - max) };
}
