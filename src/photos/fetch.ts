/**
 * Fetching a photo's bytes from its channel, as the channels serve them:
 * - Telegram: `getFile` (POST {root}/bot<token>/getFile) gives a `file_path` valid for an hour
 *   (and refuses files over 20 MB: "Bad Request: file is too big"), then the bytes come from
 *   {root}/file/bot<token>/<file_path>. `root` is TELEGRAM_API_ROOT or https://api.telegram.org.
 * - Zalo: the attachment's URL (zca-js hands the message's `content.href`, or the `hd` link of
 *   its `params`); it expires after a while (403/404/410), after which no copy can be made.
 * Every request has a time limit and the body is read up to the size cap, no further. Errors never
 * carry a URL (the Telegram ones hold the bot token).
 */
import type { PhotoRef } from "../plan/schema.js";

/** Retrying cannot help: the file is too big, the link expired, the file id is unknown. */
export class PhotoGoneError extends Error {
  override name = "PhotoGoneError";
  constructor(readonly reason: "too_big" | "expired" | "not_found" | "not_image") {
    super(reason);
  }
}

/** Worth another try later (a timeout, a 5xx, a network error, a 429). */
export class PhotoRetryError extends Error {
  override name = "PhotoRetryError";
}

/** What fetchers need. */
export interface FetchPhotoOptions {
  /** The most bytes a copy may have. */
  maxBytes: number;
  /** Longest wait for each request (getFile, the download), in ms. */
  timeoutMs: number;
  /** Telegram's Bot API root (no trailing slash) and the bot token; absent: Telegram photos cannot be fetched. */
  telegram?: { apiRoot: string; token: string };
  /** The fetch to use (tests pass none: the global one, pointed at a local stand-in). */
  fetch?: typeof fetch;
  /** Aborts every request (the downloader stopping). */
  signal?: AbortSignal;
  /**
   * Which Zalo attachment links may be fetched (a link comes inside a message, so this keeps a
   * forged one from pointing the bot at anything else). Default: https on Zalo's CDN
   * (*.zdn.vn, *.zadn.vn).
   */
  zaloUrlAllowed?: (url: URL) => boolean;
}

/** The default for {@link FetchPhotoOptions.zaloUrlAllowed}: https on Zalo's CDN. */
export function isZaloCdnUrl(url: URL): boolean {
  return url.protocol === "https:" && /(^|\.)(zdn|zadn)\.vn$/i.test(url.hostname);
}

/** The bytes of a photo and the type its channel said (checked against the bytes by the caller). */
export interface FetchedPhoto {
  data: Uint8Array;
  contentType: string | null;
}

/** Fetches the photo's bytes; throws PhotoGoneError or PhotoRetryError. */
export async function fetchPhoto(ref: PhotoRef, opts: FetchPhotoOptions): Promise<FetchedPhoto> {
  if (ref.channel === "telegram") return fetchTelegramPhoto(ref, opts);
  if (ref.channel === "zalo") {
    let url: URL;
    try {
      url = new URL(ref.fileId);
    } catch {
      throw new PhotoGoneError("not_found");
    }
    if (!(opts.zaloUrlAllowed ?? isZaloCdnUrl)(url)) throw new PhotoGoneError("not_found");
    return fetchUrlPhoto(url.href, opts, "expired");
  }
  throw new PhotoGoneError("not_found");
}

function signalFor(opts: FetchPhotoOptions): AbortSignal {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  return opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
}

async function request(url: string, init: RequestInit, opts: FetchPhotoOptions): Promise<Response> {
  const f = opts.fetch ?? fetch;
  try {
    return await f(url, { ...init, signal: signalFor(opts), redirect: "follow" });
  } catch (err) {
    const name = (err as Error)?.name;
    throw new PhotoRetryError(name === "TimeoutError" || name === "AbortError" ? "timeout" : "network error");
  }
}

async function fetchTelegramPhoto(ref: PhotoRef, opts: FetchPhotoOptions): Promise<FetchedPhoto> {
  if (!opts.telegram) throw new PhotoRetryError("no Telegram token configured");
  const { apiRoot, token } = opts.telegram;
  const root = apiRoot.replace(/\/+$/, "");
  const res = await request(
    `${root}/bot${token}/getFile`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ file_id: ref.fileId }) },
    opts,
  );
  let body: { ok?: boolean; description?: string; result?: { file_path?: string; file_size?: number } } = {};
  try {
    const bytes = await readCapped(res, 64 * 1024);
    body = bytes.length ? (JSON.parse(new TextDecoder().decode(bytes)) as typeof body) : {};
  } catch (err) {
    if (err instanceof PhotoRetryError) throw err;
    body = {};
  }
  if (!res.ok || body.ok !== true) {
    const description = String(body.description ?? "");
    if (/file is too big/i.test(description)) throw new PhotoGoneError("too_big");
    if (res.status === 400 && /file_id|file not found|wrong file/i.test(description)) throw new PhotoGoneError("not_found");
    throw new PhotoRetryError(`getFile ${res.status}`);
  }
  const path = body.result?.file_path;
  if (typeof path !== "string" || path === "") throw new PhotoRetryError("getFile without file_path");
  if (typeof body.result?.file_size === "number" && body.result.file_size > opts.maxBytes) throw new PhotoGoneError("too_big");
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  // A 404 here is a file_path that expired (an hour): the next attempt asks getFile again.
  return fetchUrlPhoto(`${root}/file/bot${token}/${encoded}`, opts, null);
}

async function fetchUrlPhoto(url: string, opts: FetchPhotoOptions, goneOn4xx: "expired" | null): Promise<FetchedPhoto> {
  if (!/^https?:\/\//i.test(url)) throw new PhotoGoneError("not_found");
  const res = await request(url, { method: "GET" }, opts);
  if (res.status === 429 || res.status >= 500) {
    await res.body?.cancel().catch(() => undefined);
    throw new PhotoRetryError(`download ${res.status}`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    if (goneOn4xx && (res.status === 403 || res.status === 404 || res.status === 410)) throw new PhotoGoneError(goneOn4xx);
    throw new PhotoRetryError(`download ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new PhotoGoneError("too_big");
  }
  const data = await readCapped(res, opts.maxBytes);
  return { data, contentType: res.headers.get("content-type") };
}

/** Reads a body, at most `max` bytes (more: PhotoGoneError too_big); a stalled body ends in the time limit. */
async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  {
    if (!res.body) return new Uint8Array();
    const reader = res.body.getReader();
    const parts: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > max) {
          await reader.cancel().catch(() => undefined);
          throw new PhotoGoneError("too_big");
        }
        parts.push(value);
      }
    } catch (err) {
      if (err instanceof PhotoGoneError) throw err;
      const name = (err as Error)?.name;
      throw new PhotoRetryError(name === "TimeoutError" || name === "AbortError" ? "timeout while reading" : "network error while reading");
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}
