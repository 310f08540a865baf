/**
 * The photos of photo answers on the dashboard: served from the data folder's copy to a signed-in
 * officer whose subtree holds the photo's unit; an officer of another subtree, a photo that does
 * not exist and a forged id get the same "not found"; without a session, the sign-in help; a photo
 * still downloading, one without a copy, and one whose copy is on another instance each get a
 * page that says so. The unit's reports page links each photo of an answer.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markPhotoDone, markPhotoFailed, recordPhotoIn } from "../../src/store/photos.js";
import { tempDir } from "../helpers/db.js";
import { jpeg } from "../photos/file-server.js";
import { OFFICER_XTR, OFFICER_YYE, startWebFixture, type WebFixture } from "./fixture.js";

let f: WebFixture;
let dir: { dir: string; remove: () => void };
const ids: Record<string, number> = {};
const BYTES = jpeg(4321);

async function signIn(link: string): Promise<string> {
  const token = new URL(link).searchParams.get("t")!;
  const res = await fetch(`${f.baseUrl}/web/dangnhap`, { method: "POST", body: new URLSearchParams({ t: token }), redirect: "manual" });
  expect(res.status).toBe(303);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}
const get = (path: string, cookie?: string) => fetch(`${f.baseUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

beforeAll(async () => {
  dir = tempDir();
  f = await startWebFixture({ signInLimit: 1000, dataDir: dir.dir });
  const tree = f.app.services.tree();
  const unit = (code: string) => tree.byCode(code)!.id;
  const photo = async (name: string, code: string) =>
    (ids[name] = await recordPhotoIn(f.store, { ref: { channel: "telegram", fileId: `F-${name}`, uniqueId: `U-${name}` }, unitId: unit(code) }));
  const stored = async (name: string, code: string, storedBy = "here") => {
    const id = await photo(name, code);
    const rel = `photos/${unit(code)}/${id}.jpg`;
    if (storedBy === "here") {
      mkdirSync(join(dir.dir, "photos", String(unit(code))), { recursive: true });
      writeFileSync(join(dir.dir, rel), BYTES);
    }
    await markPhotoDone(f.store, id, { path: rel, bytes: BYTES.length, mime: "image/jpeg", storedBy, nowMs: Date.now() });
  };
  await stored("yye", "NDI-YYE-YTHO-CH02");
  await stored("xtr", "NDI-XTR");
  await stored("elsewhere", "NDI-YYE-YTHO-CH02", "other-host:1");
  await photo("pending", "NDI-YYE-YTHO-CH02");
  await photo("failed", "NDI-YYE-YTHO-CH02");
  await markPhotoFailed(f.store, ids.failed!, "too_big");
  // Ngọc Chử's May report holds two of them as its photo answer.
  await f.store.sql.query(
    `UPDATE "Report" SET answers = answers || jsonb_build_object('anh_minh_chung', $2::jsonb) WHERE "unitId" = $1 AND "periodKey" = '2024-05'`,
    [unit("NDI-YYE-YTHO-CH02"), JSON.stringify([{ channel: "telegram", fileId: "F-yye", uniqueId: "U-yye" }, { channel: "telegram", fileId: "F-pending", uniqueId: "U-pending" }])],
  );
});
afterAll(async () => {
  await f?.close();
  dir?.remove();
});

describe("photos on the dashboard", () => {
  it("serves a photo of her subtree: the copy's bytes, as an image, not cached by others", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    const res = await get(`/web/anh/${ids.yye}`, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(BYTES);
  });

  it("another subtree's photo, an unknown id and a forged one get the same not-found; no session gets the sign-in help", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    const outside = await get(`/web/anh/${ids.xtr}`, cookie);
    const unknown = await get(`/web/anh/999999`, cookie);
    const forged = await get(`/web/anh/..%2F..%2Fetc%2Fpasswd`, cookie);
    expect([outside.status, unknown.status, forged.status]).toEqual([404, 404, 404]);
    const texts = await Promise.all([outside.text(), unknown.text()]);
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toMatch(/Không có ảnh này trong phạm vi chị theo dõi/);
    // The other district's officer sees hers, not Ý Yên's.
    const other = await signIn(await f.signInLink(OFFICER_XTR));
    expect((await get(`/web/anh/${ids.xtr}`, other)).status).toBe(200);
    expect((await get(`/web/anh/${ids.yye}`, other)).status).toBe(404);
    expect((await get(`/web/anh/${ids.yye}`)).status).toBe(401);
  });

  it("says when there is no copy: still downloading, failed, or on another instance", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    expect(await (await get(`/web/anh/${ids.pending}`, cookie)).text()).toMatch(/đang được tải về/);
    expect(await (await get(`/web/anh/${ids.failed}`, cookie)).text()).toMatch(/không có bản lưu/);
    expect(await (await get(`/web/anh/${ids.elsewhere}`, cookie)).text()).toMatch(/máy chủ khác/);
  });

  it("the unit's reports page counts the photos and links each one", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    const page = await (await get(`/web/donvi/NDI-YYE-YTHO-CH02/baocao`, cookie)).text();
    expect(page).toMatch(/2 ảnh/);
    expect(page).toContain(`href="/web/anh/${ids.yye}"`);
    expect(page).toContain(`href="/web/anh/${ids.pending}"`);
  });
});
