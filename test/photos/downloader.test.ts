/**
 * The photo download job against the photo sources' stand-in (file-server.ts): a good photo is
 * copied under the data folder with a safe name; a hung download and a 502 are tried again later
 * with a growing delay; an expired Telegram file_path is asked again; getFile's 20 MB refusal, a
 * body over the cap, a non-image, an expired Zalo link and the data folder's total cap end as
 * failed with the file id kept; two downloaders at once fetch each photo once.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { PhotoDownloader, type PhotoDownloaderOptions } from "../../src/photos/downloader.js";
import type { Store } from "../../src/store/database.js";
import { photoById, recordPhotoIn } from "../../src/store/photos.js";
import { freshStore, tempDir } from "../helpers/db.js";
import { jpeg, PhotoSources } from "./file-server.js";

const TOKEN = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";

describe("photo downloads", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let sources: PhotoSources;
  let dir: { dir: string; remove: () => void };
  let now: number;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
    sources = await new PhotoSources(TOKEN).listen();
    dir = tempDir();
    // The job's clock starts at the real time: a recorded photo is due at once (the database's clock).
    now = Date.now() + 1000;
  });
  afterEach(async () => {
    await sources.close();
    dir.remove();
    await cleanup();
  });

  const downloader = (o: Partial<PhotoDownloaderOptions> = {}) =>
    new PhotoDownloader({
      store,
      log: createLogger("silent"),
      dataDir: dir.dir,
      telegram: { apiRoot: sources.root, token: TOKEN },
      // The CDN stand-in is on loopback over http (in production only https on Zalo's CDN).
      zaloUrlAllowed: (u: URL) => u.hostname === "127.0.0.1",
      // Generous: the machine running the tests may be loaded (the hang test sets its own).
      timeoutMs: 5000,
      maxBytes: 50_000,
      baseDelayMs: 30_000,
      now: () => now,
      instance: "test-1",
      ...o,
    });

  async function telegramPhoto(fileId: string, file: Parameters<PhotoSources["telegram"]["set"]>[1], unitId = 12): Promise<number> {
    sources.telegram.set(fileId, file);
    return recordPhotoIn(store, { ref: { channel: "telegram", fileId, uniqueId: file.uniqueId, ...(file.size ? { size: file.size } : {}) }, unitId });
  }

  it("copies a photo under the data folder: photos/<unit>/<id>.jpg, owner-only, the bytes as sent", async () => {
    const bytes = jpeg(12_345);
    const id = await telegramPhoto("FILE-A", { bytes, uniqueId: "UA" });
    expect(await downloader().runOnce()).toEqual({ done: 1, retried: 0, failed: 0 });
    const row = (await photoById(store, id))!;
    expect(row).toMatchObject({ status: "done", path: `photos/12/${id}.jpg`, bytes: 12_345, mime: "image/jpeg", storedBy: "test-1", fileId: "FILE-A" });
    const file = join(dir.dir, row.path!);
    expect(new Uint8Array(readFileSync(file))).toEqual(bytes);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The real request shapes: getFile on /bot<token>/getFile, the bytes on /file/bot<token>/<file_path>.
    expect(sources.requests.map((r) => `${r.method} ${r.path.replace(TOKEN, "<token>")}`)).toEqual([
      "POST /bot<token>/getFile",
      "GET /file/bot<token>/photos/file_0.jpg",
    ]);
    // Nothing left to do.
    expect(await downloader().runOnce()).toEqual({ done: 0, retried: 0, failed: 0 });
  });

  it("a download that hangs is abandoned at the time limit and tried again later, with a growing delay", async () => {
    const id = await telegramPhoto("FILE-H", { bytes: jpeg(5000), uniqueId: "UH", hang: true });
    const d = downloader({ timeoutMs: 300 });
    const started = Date.now();
    expect(await d.runOnce()).toEqual({ done: 0, retried: 1, failed: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await photoById(store, id)).toMatchObject({ status: "pending", attempts: 1, reason: expect.stringMatching(/timeout/) });
    // Not due yet: nothing is claimed.
    now += 29_000;
    expect(await d.runOnce()).toEqual({ done: 0, retried: 0, failed: 0 });
    now += 1_000;
    expect(await d.runOnce()).toEqual({ done: 0, retried: 1, failed: 0 });
    // The second delay is twice the first.
    now += 59_000;
    expect(await d.runOnce()).toEqual({ done: 0, retried: 0, failed: 0 });
    sources.telegram.get("FILE-H")!.hang = false;
    now += 1_000;
    // The answering download under the generous limit: 300 ms is for the hang, not for a loaded machine.
    expect(await downloader().runOnce()).toEqual({ done: 1, retried: 0, failed: 0 });
    expect(await photoById(store, id)).toMatchObject({ status: "done", attempts: 3 });
  });

  it("a 502, and a file_path that expired (404), are tried again; getFile is asked again each time", async () => {
    const id = await telegramPhoto("FILE-R", { bytes: jpeg(3000), uniqueId: "UR", fail5xx: 1 });
    const d = downloader({ baseDelayMs: 1000 });
    expect(await d.runOnce()).toMatchObject({ retried: 1 });
    sources.pathTtlMs = -1; // every path handed out is already an hour old
    now += 1000;
    expect(await d.runOnce()).toMatchObject({ retried: 1 });
    expect((await photoById(store, id))!.reason).toMatch(/404/);
    sources.pathTtlMs = 3_600_000;
    now += 2000;
    expect(await d.runOnce()).toMatchObject({ done: 1 });
    expect(sources.requests.filter((r) => r.path.endsWith("/getFile"))).toHaveLength(3);
  });

  it("getFile's 20 MB refusal, a body over the cap without a length, and a non-image end as failed; the file id stays", async () => {
    const big = await telegramPhoto("FILE-BIG", { bytes: jpeg(10), uniqueId: "UBIG", size: 21 * 1024 * 1024 });
    const liar = await telegramPhoto("FILE-LIAR", { bytes: jpeg(80_000), uniqueId: "ULIAR", size: 1000, chunked: true });
    sources.telegram.set("FILE-TXT", { bytes: new TextEncoder().encode("<html>not a photo</html>"), uniqueId: "UTXT" });
    const text = await recordPhotoIn(store, { ref: { channel: "telegram", fileId: "FILE-TXT", uniqueId: "UTXT" }, unitId: 12 });
    // A file the channel already said is over the cap is not even asked for.
    const declared = await recordPhotoIn(store, { ref: { channel: "telegram", fileId: "FILE-DECL", uniqueId: "UDECL", size: 60_000 }, unitId: 12 });
    expect(await downloader().runOnce()).toEqual({ done: 0, retried: 0, failed: 4 });
    expect(await photoById(store, big)).toMatchObject({ status: "failed", reason: "too_big", fileId: "FILE-BIG", path: null });
    expect(await photoById(store, liar)).toMatchObject({ status: "failed", reason: "too_big", path: null });
    expect(await photoById(store, text)).toMatchObject({ status: "failed", reason: "not_image" });
    expect(await photoById(store, declared)).toMatchObject({ status: "failed", reason: "too_big" });
    expect(sources.requests.some((r) => r.path.includes("FILE-DECL"))).toBe(false);
    expect(existsSync(join(dir.dir, "photos"))).toBe(false);
  });

  it("a Zalo link is downloaded while it lives; once expired (403) the photo ends as failed", async () => {
    sources.zalo.set("live", { bytes: jpeg(2000), uniqueId: "m1" });
    sources.zalo.set("old", { bytes: jpeg(2000), uniqueId: "m2", expired: true });
    const live = await recordPhotoIn(store, { ref: { channel: "zalo", fileId: sources.zaloUrl("live"), uniqueId: "m1" }, unitId: 3 });
    const old = await recordPhotoIn(store, { ref: { channel: "zalo", fileId: sources.zaloUrl("old"), uniqueId: "m2" }, unitId: 3 });
    expect(await downloader().runOnce()).toEqual({ done: 1, retried: 0, failed: 1 });
    expect(await photoById(store, live)).toMatchObject({ status: "done", path: `photos/3/${live}.jpg` });
    expect(await photoById(store, old)).toMatchObject({ status: "failed", reason: "expired" });
  });

  it("by default only https links on Zalo's CDN are fetched: a link to anything else is never requested", async () => {
    sources.zalo.set("inside", { bytes: jpeg(2000), uniqueId: "m3" });
    const id = await recordPhotoIn(store, { ref: { channel: "zalo", fileId: sources.zaloUrl("inside"), uniqueId: "m3" }, unitId: 3 });
    expect(await downloader({ zaloUrlAllowed: undefined }).runOnce()).toEqual({ done: 0, retried: 0, failed: 1 });
    expect(await photoById(store, id)).toMatchObject({ status: "failed", reason: "not_found" });
    expect(sources.requests).toEqual([]);
  });

  it("the data folder's total cap: photos beyond it keep only their file id", async () => {
    const a = await telegramPhoto("FILE-1", { bytes: jpeg(30_000), uniqueId: "U1" });
    const b = await telegramPhoto("FILE-2", { bytes: jpeg(30_000), uniqueId: "U2" });
    expect(await downloader({ totalMaxBytes: 50_000 }).runOnce()).toEqual({ done: 1, retried: 0, failed: 1 });
    expect(await photoById(store, a)).toMatchObject({ status: "done" });
    expect(await photoById(store, b)).toMatchObject({ status: "failed", reason: "over_total", path: null });
  });

  it("gives up after the last attempt", async () => {
    const id = await telegramPhoto("FILE-X", { bytes: jpeg(100), uniqueId: "UX", fail5xx: 99 });
    const d = downloader({ maxAttempts: 3, baseDelayMs: 10 });
    for (let i = 0; i < 3; i++) {
      await d.runOnce();
      now += 1000;
    }
    expect(await photoById(store, id)).toMatchObject({ status: "failed", reason: "gave_up: download 502", attempts: 3 });
  });

  it("two downloaders at once (two instances) fetch each photo once; a recorded photo sent again keeps its row", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await telegramPhoto(`FILE-${i}`, { bytes: jpeg(1000 + i), uniqueId: `U${i}` }));
    expect(await recordPhotoIn(store, { ref: { channel: "telegram", fileId: "FILE-0-again", uniqueId: "U0" }, unitId: 12 })).toBe(ids[0]);
    const [x, y] = await Promise.all([downloader({ instance: "a" }).runOnce(), downloader({ instance: "b" }).runOnce()]);
    expect(x.done + y.done).toBe(6);
    expect([...sources.downloads.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    for (const id of ids) expect((await photoById(store, id))!.status).toBe("done");
  });
});
