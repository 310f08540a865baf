/**
 * The photos of photo answers (ảnh minh chứng) and the jobs that download their copies. A row is
 * written in the update's transaction together with the answer that holds the photo (so a photo
 * that is in a stored conversation or report always has its row); the download happens later,
 * outside any update (src/photos/downloader.ts), claimed under a short lease so that two
 * instances never fetch the same file at once. The channel's file id stays whatever becomes of
 * the copy.
 */
import type { PhotoRef } from "../plan/schema.js";
import { sqlOf, type Db } from "./db.js";

/** A photo's row. */
export interface PhotoFile {
  id: number;
  channel: string;
  uniqueId: string;
  fileId: string;
  unitId: number;
  personId: number | null;
  mime: string | null;
  size: number | null;
  /** pending: to download; done: `path` holds the copy; failed: `reason` says why. */
  status: "pending" | "done" | "failed";
  reason: string | null;
  attempts: number;
  /** Relative to the data folder ("photos/12/34.jpg"); only when done. */
  path: string | null;
  bytes: number | null;
  /** The instance (host and process) whose data folder holds the copy. */
  storedBy: string | null;
}

const COLUMNS = `id, channel, "uniqueId", "fileId", "unitId", "personId", mime, size, status, reason, attempts, path, bytes, "storedBy"`;

function row(r: Record<string, unknown>): PhotoFile {
  return {
    id: Number(r.id),
    channel: String(r.channel),
    uniqueId: String(r.uniqueId),
    fileId: String(r.fileId),
    unitId: Number(r.unitId),
    personId: r.personId === null || r.personId === undefined ? null : Number(r.personId),
    mime: (r.mime as string | null) ?? null,
    size: r.size === null || r.size === undefined ? null : Number(r.size),
    status: r.status as PhotoFile["status"],
    reason: (r.reason as string | null) ?? null,
    attempts: Number(r.attempts),
    path: (r.path as string | null) ?? null,
    bytes: r.bytes === null || r.bytes === undefined ? null : Number(r.bytes),
    storedBy: (r.storedBy as string | null) ?? null,
  };
}

/**
 * Records a photo to download, in the caller's transaction (the update that took the photo). A
 * photo already recorded (the same file sent again) keeps its row; resolves to its id either way.
 */
export async function recordPhotoIn(db: Db, input: { ref: PhotoRef; unitId: number; personId?: number | null }): Promise<number> {
  const sql = sqlOf(db);
  const { ref } = input;
  const size = typeof ref.size === "number" && Number.isFinite(ref.size) && ref.size >= 0 && ref.size < 2 ** 31 ? Math.floor(ref.size) : null;
  const inserted = await sql.query<{ id: number }>(
    `INSERT INTO "PhotoFile" (channel, "uniqueId", "fileId", "unitId", "personId", mime, size)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (channel, "uniqueId") DO NOTHING RETURNING id`,
    [ref.channel, ref.uniqueId, ref.fileId, input.unitId, input.personId ?? null, ref.mime ?? null, size],
  );
  if (inserted[0]) return Number(inserted[0].id);
  const existing = await sql.query<{ id: number }>(`SELECT id FROM "PhotoFile" WHERE channel = $1 AND "uniqueId" = $2`, [ref.channel, ref.uniqueId]);
  return Number(existing[0]!.id);
}

/**
 * Claims up to `limit` photos due for a download: pending, their next attempt due, no live lease.
 * The lease (`leaseMs`) keeps other instances off them; a process that dies leaves them to be
 * claimed again when it ends. Each claim counts as an attempt.
 */
export async function claimDuePhotos(db: Db, nowMs: number, limit: number, leaseMs: number): Promise<PhotoFile[]> {
  const rows = await sqlOf(db).query(
    `UPDATE "PhotoFile" SET "leaseUntil" = to_timestamp($2::double precision / 1000), attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM "PhotoFile"
       WHERE status = 'pending' AND "nextAttemptAt" <= to_timestamp($1::double precision / 1000)
         AND ("leaseUntil" IS NULL OR "leaseUntil" < to_timestamp($1::double precision / 1000))
       ORDER BY "nextAttemptAt", id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [nowMs, nowMs + leaseMs, limit],
  );
  return rows.map(row).sort((a, b) => a.id - b.id);
}

/** The copy is stored: where, how big, its type, by which instance. */
export async function markPhotoDone(
  db: Db,
  id: number,
  done: { path: string; bytes: number; mime: string; storedBy: string; nowMs: number },
): Promise<void> {
  await sqlOf(db).query(
    `UPDATE "PhotoFile" SET status = 'done', reason = NULL, path = $2, bytes = $3, mime = $4, "storedBy" = $5,
       "doneAt" = to_timestamp($6::double precision / 1000), "leaseUntil" = NULL WHERE id = $1`,
    [id, done.path, done.bytes, done.mime, done.storedBy, done.nowMs],
  );
}

/** Try again at `nextMs` (a timeout, a 5xx, a network error); `reason` says what went wrong last. */
export async function retryPhotoLater(db: Db, id: number, nextMs: number, reason: string): Promise<void> {
  await sqlOf(db).query(
    `UPDATE "PhotoFile" SET "nextAttemptAt" = to_timestamp($2::double precision / 1000), reason = $3, "leaseUntil" = NULL WHERE id = $1`,
    [id, nextMs, reason],
  );
}

/** No copy will be made (too big, over the data folder's total, the link expired, gave up); the file id stays. */
export async function markPhotoFailed(db: Db, id: number, reason: string): Promise<void> {
  await sqlOf(db).query(`UPDATE "PhotoFile" SET status = 'failed', reason = $2, "leaseUntil" = NULL WHERE id = $1`, [id, reason]);
}

/** Bytes of the copies stored so far by this instance (`storedBy`), for the data folder's total cap. */
export async function storedPhotoBytes(db: Db, storedBy: string): Promise<number> {
  const rows = await sqlOf(db).query<{ total: string | number | null }>(
    `SELECT COALESCE(SUM(bytes), 0) AS total FROM "PhotoFile" WHERE status = 'done' AND "storedBy" = $1`,
    [storedBy],
  );
  return Number(rows[0]?.total ?? 0);
}

/** One photo by id. */
export async function photoById(db: Db, id: number): Promise<PhotoFile | null> {
  const rows = await sqlOf(db).query(`SELECT ${COLUMNS} FROM "PhotoFile" WHERE id = $1`, [id]);
  return rows[0] ? row(rows[0]) : null;
}

/** The rows of these photo references, keyed "channel|uniqueId" (what an answer holds). */
export async function photosOf(db: Db, refs: readonly Pick<PhotoRef, "channel" | "uniqueId">[]): Promise<Map<string, PhotoFile>> {
  const out = new Map<string, PhotoFile>();
  if (refs.length === 0) return out;
  const keys = [...new Set(refs.map((r) => photoKey(r)))];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = await sqlOf(db).query(`SELECT ${COLUMNS} FROM "PhotoFile" WHERE channel || '|' || "uniqueId" = ANY($1::text[])`, [chunk]);
    for (const r of rows.map(row)) out.set(photoKey(r), r);
  }
  return out;
}

/** The key of a photo in maps: "channel|uniqueId". */
export function photoKey(ref: Pick<PhotoRef, "channel" | "uniqueId">): string {
  return `${ref.channel}|${ref.uniqueId}`;
}
