/**
 * The photo download job: copies the photos of photo answers into the data folder
 * (DATA_DIR/photos/<unit id>/<photo id>.<ext>), never on the way of a reply. Rows come from the
 * store (store/photos.ts: written with the answer, in the update's transaction); each is claimed
 * under a lease, fetched with a time limit and a size cap (PHOTO_MAX_BYTES, 10 MB by default),
 * checked to be an image by its first bytes, written to a temporary name and renamed. A timeout or
 * a 5xx is tried again later (30 s, then doubling, at most an hour; PHOTO_MAX_ATTEMPTS tries); a
 * file too big, a Zalo link that expired, an unknown file id, a non-image, or the data folder's
 * total cap (PHOTO_TOTAL_MAX_BYTES) ends it as failed, logged — the answer keeps the file id.
 *
 * Several instances on PostgreSQL: whichever instance claims a photo stores the copy in ITS data
 * folder and records itself (`storedBy`); the dashboard serves a copy only from the instance
 * that holds it (a shared folder for DATA_DIR/photos, or one instance running the downloads, keeps
 * every copy reachable).
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { Logger } from "../log.js";
import type { Store } from "../store/database.js";
import { claimDuePhotos, markPhotoDone, markPhotoFailed, retryPhotoLater, storedPhotoBytes, type PhotoFile } from "../store/photos.js";
import { fetchPhoto, PhotoGoneError, PhotoRetryError, type FetchPhotoOptions } from "./fetch.js";
import { imageType } from "./image-type.js";

/** The downloader's settings. */
export interface PhotoDownloaderOptions {
  store: Store;
  log: Logger;
  /** The data folder; copies go to `<dataDir>/photos`. */
  dataDir: string;
  /** Per photo (default 10 MB). */
  maxBytes?: number;
  /** All copies this instance stores (default 2 GB). */
  totalMaxBytes?: number;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Tries before giving up (default 8). */
  maxAttempts?: number;
  /** First retry delay, doubled each time (default 30 s), at most `maxDelayMs` (default 1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How often to look for due photos when not woken (default 5 s). */
  pollMs?: number;
  telegram?: FetchPhotoOptions["telegram"];
  /** Which Zalo links may be fetched (default: https on Zalo's CDN, see fetch.ts). */
  zaloUrlAllowed?: FetchPhotoOptions["zaloUrlAllowed"];
  fetch?: typeof fetch;
  now?: () => number;
  /** Whose data folder holds a copy, in `storedBy` (default host:absolute data folder: the same after a restart). */
  instance?: string;
}

/** What one pass did. */
export interface PhotoPass {
  done: number;
  retried: number;
  failed: number;
}

const LEASE_MS = 5 * 60_000;
const BATCH = 4;

/** The job (see the file comment): `start()` runs it in the background, `runOnce()` one pass (tests). */
export class PhotoDownloader {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  private readonly abort = new AbortController();
  readonly instance: string;

  constructor(private readonly opts: PhotoDownloaderOptions) {
    this.instance = opts.instance ?? `${hostname()}:${resolve(opts.dataDir)}`;
  }

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Runs passes every `pollMs` until stop(). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Look now (a photo was just recorded). */
  wake(): void {
    if (this.stopped || this.running) return;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err) => this.opts.log.warn({ err: (err as Error)?.message }, "photo downloads: pass failed"))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.opts.pollMs ?? 5000);
        });
    }, ms);
    this.timer.unref?.();
  }

  /** Stops after the current pass (its requests are aborted; their photos are tried again later). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running;
  }

  /** One pass: claims the due photos (a few at a time) until none is left. */
  async runOnce(): Promise<PhotoPass> {
    const pass: PhotoPass = { done: 0, retried: 0, failed: 0 };
    for (;;) {
      if (this.abort.signal.aborted) return pass;
      const batch = await claimDuePhotos(this.opts.store, this.now, BATCH, LEASE_MS);
      if (batch.length === 0) return pass;
      for (const photo of batch) pass[await this.download(photo)]++;
    }
  }

  private async download(photo: PhotoFile): Promise<keyof PhotoPass> {
    const { store, log } = this.opts;
    const maxBytes = this.opts.maxBytes ?? 10 * 1024 * 1024;
    const totalMax = this.opts.totalMaxBytes ?? 2 * 1024 * 1024 * 1024;
    const where = { photoId: photo.id, channel: photo.channel, unitId: photo.unitId, attempt: photo.attempts };
    const fail = async (reason: string) => {
      await markPhotoFailed(store, photo.id, reason);
      log.warn({ ...where, reason }, "photo not copied; its file id stays");
      return "failed" as const;
    };
    try {
      if (photo.size !== null && photo.size > maxBytes) return await fail("too_big");
      const stored = await storedPhotoBytes(store, this.instance);
      if (stored + (photo.size ?? 0) > totalMax) return await fail("over_total");
      const fetched = await fetchPhoto(
        { channel: photo.channel, fileId: photo.fileId, uniqueId: photo.uniqueId },
        {
          maxBytes,
          timeoutMs: this.opts.timeoutMs ?? 30_000,
          signal: this.abort.signal,
          ...(this.opts.telegram ? { telegram: this.opts.telegram } : {}),
          ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
          ...(this.opts.zaloUrlAllowed ? { zaloUrlAllowed: this.opts.zaloUrlAllowed } : {}),
        },
      );
      const type = imageType(fetched.data);
      if (!type) return await fail("not_image");
      if (stored + fetched.data.byteLength > totalMax) return await fail("over_total");
      const rel = join("photos", String(photo.unitId), `${photo.id}.${type.ext}`);
      const abs = join(this.opts.dataDir, rel);
      await mkdir(join(this.opts.dataDir, "photos", String(photo.unitId)), { recursive: true, mode: 0o700 });
      const tmp = `${abs}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, fetched.data, { mode: 0o600 });
        await rename(tmp, abs);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      await markPhotoDone(store, photo.id, { path: rel, bytes: fetched.data.byteLength, mime: type.mime, storedBy: this.instance, nowMs: this.now });
      log.info({ ...where, bytes: fetched.data.byteLength }, "photo copied");
      return "done";
    } catch (err) {
      if (err instanceof PhotoGoneError) return fail(err.reason);
      const reason = err instanceof PhotoRetryError ? err.message : "write failed";
      if (!(err instanceof PhotoRetryError)) log.error({ ...where, err: (err as Error)?.message }, "photo copy failed");
      if (photo.attempts >= (this.opts.maxAttempts ?? 8)) return fail(`gave_up: ${reason}`);
      const base = this.opts.baseDelayMs ?? 30_000;
      const delay = Math.min(base * 2 ** (photo.attempts - 1), this.opts.maxDelayMs ?? 3_600_000);
      await retryPhotoLater(store, photo.id, this.now + delay, reason);
      log.info({ ...where, reason, retryInMs: delay }, "photo download will be tried again");
      return "retried";
    }
  }
}
