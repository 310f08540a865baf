/**
 * The dashboard over HTTP, without a browser: sign-in links (one use, 10 minutes, only a hash
 * stored), cookie flags, the Content-Security-Policy, CSRF on every change, the subtree boundary
 * by URL, the sign-in rate limit, sign-out and sessions ended by an admin, and the webhook kept
 * on every other path.
 */
import { createHash } from "node:crypto";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../../src/web/security-headers.js";
import { ADMIN, NOW, OFFICER_XTR, OFFICER_YYE, startWebFixture, type WebFixture } from "./fixture.js";

let f: WebFixture;

beforeAll(async () => {
  f = await startWebFixture({ signInLimit: 1000 });
});
afterAll(async () => {
  await f?.close();
});

/** Opens a sign-in link and presses the button: the session cookie ("name=value"). */
async function signIn(link: string): Promise<string> {
  const token = new URL(link).searchParams.get("t")!;
  const res = await fetch(`${f.baseUrl}/web/dangnhap`, { method: "POST", body: new URLSearchParams({ t: token }), redirect: "manual" });
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!;
  return cookie.split(";")[0]!;
}

const get = (path: string, cookie?: string) => fetch(`${f.baseUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
const csrfOf = async (path: string, cookie: string) => /name="_csrf" value="([^"]+)"/.exec(await (await get(path, cookie)).text())![1]!;
const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${f.baseUrl}${path}`, { method: "POST", body: new URLSearchParams(form), headers: { cookie, ...headers }, redirect: "manual" });

describe("web dashboard over HTTP", () => {
  it("/web answers a private chat with a one-time link whose token is stored only as a hash", async () => {
    const link = await f.signInLink(OFFICER_YYE);
    expect(link.startsWith(`${f.baseUrl}/web/dangnhap?t=`)).toBe(true);
    const token = new URL(link).searchParams.get("t")!;
    const rows = await f.store.sql.query<{ tokenHash: string; expiresAt: Date }>(`SELECT "tokenHash", "expiresAt" FROM "WebLoginLink" ORDER BY id DESC LIMIT 1`);
    expect(rows[0]!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(new Date(rows[0]!.expiresAt).getTime() - NOW.getTime()).toBe(10 * 60_000);
    const all = JSON.stringify(await f.store.sql.query(`SELECT * FROM "WebLoginLink"`));
    expect(all).not.toContain(token);
  });

  it("refuses /web in a group chat (the link is personal)", async () => {
    const before = f.sent.length;
    await f.app.handleInbound({
      channel: "telegram", chatId: "-100777", chatType: "group", sender: { id: OFFICER_YYE.id, name: OFFICER_YYE.name },
      text: "/web", messageId: "g1", receivedAt: f.clock.now,
    });
    const reply = f.sent.slice(before).map((m) => m.text).join("\n");
    expect(reply).not.toMatch(/dangnhap/);
    expect(reply.length).toBeGreaterThan(0);
  });

  it("the link page does not use the link; pressing the button does, once, with a strict session cookie", async () => {
    const link = await f.signInLink(OFFICER_YYE);
    const page = await get(new URL(link).pathname + new URL(link).search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/web/dangnhap"');
    const token = new URL(link).searchParams.get("t")!;
    const res = await fetch(`${f.baseUrl}/web/dangnhap`, { method: "POST", body: new URLSearchParams({ t: token }), redirect: "manual" });
    expect(res.status).toBe(303);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^vundap_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/web/);
    expect(cookie).toMatch(/Max-Age=43200/);
    // Used: a second press and a second opening are refused with a clear page.
    const again = await fetch(`${f.baseUrl}/web/dangnhap`, { method: "POST", body: new URLSearchParams({ t: token }), redirect: "manual" });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("đã được dùng");
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a link older than 10 minutes, and an unknown one", async () => {
    const link = await f.signInLink(OFFICER_YYE);
    f.clock.now = new Date(NOW.getTime() + 10 * 60_000 + 1000);
    try {
      const res = await get(new URL(link).pathname + new URL(link).search);
      expect(res.status).toBe(410);
      expect(await res.text()).toContain("hết hạn");
    } finally {
      f.clock.now = NOW;
    }
    const unknown = await get(`/web/dangnhap?t=${"A".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("không đúng");
  });

  it("sends a strict Content-Security-Policy and no script on every page", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    for (const path of ["/web/", "/web/donvi/NDI-YYE", "/web/donvi/NDI-YYE/baocao", "/web/donvi/NDI-XTR", "/web/dangnhap?t=x"]) {
      const res = await get(path, cookie);
      expect(res.headers.get("content-security-policy"), path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
      expect(await res.text()).not.toMatch(/<script|on(click|load)=|style="/i);
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
  });

  it("shows the officer her subtree with the store's figures, and nothing of another subtree by URL", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    const home = await get("/web/", cookie);
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe("/web/donvi/NDI-YYE");
    const page = await (await get("/web/donvi/NDI-YYE", cookie)).text();
    // May 2024 in Ý Yên: 4 of 5 branches reported, 3 on time (test/outputs/fixture.ts).
    expect(page).toMatch(/id="reporting-rate">[\s\S]*?80,0%[\s\S]*?4\/5/);
    expect(page).toMatch(/id="on-time-rate">[\s\S]*?60,0%[\s\S]*?3\/5/);
    expect(page).toContain('data-unit="NDI-YYE-YPHUONG-CH03"');
    for (const path of ["/web/donvi/NDI-XTR", "/web/donvi/NDI-XTR-XKIEN", "/web/donvi/NDI-XTR-XKIEN/xuat", "/web/donvi/NDI-XTR-XKIEN/baocaotonghop", "/web/donvi/NDI-XTR-XKIEN-CH01/baocao", "/web/donvi/NDI-XTR/bieudo.png", "/web/donvi/NDI/bieudo.svg"]) {
      const res = await get(path, cookie);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body, path).not.toContain("Xuân Kiên");
      expect(body, path).not.toContain("Xuân Trường");
    }
    // The same answer as for a code that does not exist.
    const none = await get("/web/donvi/NO-SUCH-UNIT", cookie);
    expect(none.status).toBe(404);
  });

  it("serves both downloads of the subtree", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    const xlsx = await get("/web/donvi/NDI-YYE/xuat?kh=" + encodeURIComponent("vun_dap_gia_dinh_2023_2025") + "&ky=2024-05", cookie);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-type")).toContain("spreadsheetml");
    expect(xlsx.headers.get("content-disposition")).toContain("attachment");
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // a zip (xlsx)
    const draft = await get("/web/donvi/NDI-YYE/baocaotonghop", cookie);
    expect(draft.status).toBe(200);
    expect(await draft.text()).toContain("Ý Yên");
    const docx = await get("/web/donvi/NDI-YYE/baocaotonghop.docx", cookie);
    expect(docx.status).toBe(200);
    expect(docx.headers.get("content-type")).toContain("wordprocessingml");
    const zip = await JSZip.loadAsync(new Uint8Array(await docx.arrayBuffer()));
    const body = await zip.file("word/document.xml")!.async("string");
    expect(body).toContain("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    expect(body).toContain("Ý Yên");
    // Another subtree's draft is refused as the page is.
    expect((await get("/web/donvi/NDI-XTR/baocaotonghop.docx", cookie)).status).toBe(404);
  });

  it("refuses a change without the CSRF token or from another site, and records an admin's change", async () => {
    const cookie = await signIn(await f.signInLink(ADMIN));
    const csrf = await csrfOf("/web/quantri", cookie);
    const key = f.app.services.plans[0]!.reminders[0]!.key;
    const paused = async () => (await f.store.sql.query(`SELECT 1 FROM "PausedRule" WHERE key = $1`, [key])).length > 0;
    expect((await post("/web/quantri/tamdung", cookie, { key })).status).toBe(403);
    expect((await post("/web/quantri/tamdung", cookie, { key, _csrf: "x".repeat(43) })).status).toBe(403);
    expect((await post("/web/quantri/tamdung", cookie, { key, _csrf: csrf }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await post("/web/quantri/tamdung", cookie, { key, _csrf: csrf }, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await paused()).toBe(false);
    const ok = await post("/web/quantri/tamdung", cookie, { key, _csrf: csrf }, { origin: f.baseUrl });
    expect(ok.status).toBe(303);
    expect(await paused()).toBe(true);
    const log = await f.store.sql.query<{ action: string; detail: { key: string }; personId: number }>(`SELECT action, detail, "personId" FROM "WebAdminChange" ORDER BY id DESC LIMIT 1`);
    expect(log[0]!.action).toBe("pause");
    expect(log[0]!.detail.key).toBe(key);
    expect((await post("/web/quantri/tieptuc", cookie, { key, _csrf: csrf })).status).toBe(303);
    expect(await paused()).toBe(false);
  });

  it("keeps admin pages from officers", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_XTR));
    expect((await get("/web/quantri", cookie)).status).toBe(403);
    const csrf = await csrfOf("/web/donvi/NDI-XTR", cookie);
    const key = f.app.services.plans[0]!.reminders[0]!.key;
    expect((await post("/web/quantri/tamdung", cookie, { key, _csrf: csrf })).status).toBe(403);
  });

  it("ends a session by sign-out and by an admin", async () => {
    const mine = await signIn(await f.signInLink(OFFICER_YYE));
    const csrf = await csrfOf("/web/donvi/NDI-YYE", mine);
    const out = await post("/web/dangxuat", mine, { _csrf: csrf });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/vundap_session=;/);
    expect((await get("/web/donvi/NDI-YYE", mine)).status).toBe(401);

    const victim = await signIn(await f.signInLink(OFFICER_XTR));
    expect((await get("/web/donvi/NDI-XTR", victim)).status).toBe(200);
    const admin = await signIn(await f.signInLink(ADMIN));
    const page = await (await get("/web/quantri", admin)).text();
    const ids = [...page.matchAll(/\/web\/quantri\/phien\/(\d+)\/ketthuc/g)].map((m) => Number(m[1]));
    const rows = await f.store.sql.query<{ id: number }>(`SELECT s.id FROM "WebSession" s JOIN "Person" p ON p.id = s."personId" WHERE p."externalId" = $1 AND s."endedAt" IS NULL ORDER BY s.id DESC`, [OFFICER_XTR.id]);
    const target = rows[0]!.id; // the newest: the victim's
    expect(ids).toContain(target);
    expect(target).toBeDefined();
    const csrfAdmin = await csrfOf("/web/quantri", admin);
    expect((await post(`/web/quantri/phien/${target}/ketthuc`, admin, { _csrf: csrfAdmin })).status).toBe(303);
    expect((await get("/web/donvi/NDI-XTR", victim)).status).toBe(401);
  });

  it("lists a unit's people and open invites, and creates an invite as /moi would, inside the subtree only", async () => {
    const cookie = await signIn(await f.signInLink(OFFICER_YYE));
    const people = await get("/web/donvi/NDI-YYE/nguoi", cookie);
    expect(people.status).toBe(200);
    const html = await people.text();
    expect(html).toContain(OFFICER_YYE.name);
    expect(html).not.toContain('value="admin"'); // an officer cannot invite admins
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    expect((await post("/web/donvi/NDI-YYE-YTHO/moi", cookie, { role: "leader" })).status).toBe(403);
    expect((await post("/web/donvi/NDI-YYE-YTHO/moi", cookie, { role: "admin", _csrf: csrf })).status).toBe(403);
    expect((await post("/web/donvi/NDI-XTR-XKIEN/moi", cookie, { role: "leader", _csrf: csrf })).status).toBe(404);
    expect((await get("/web/donvi/NDI-XTR/nguoi", cookie)).status).toBe(404);
    const before = await f.store.sql.query(`SELECT 1 FROM "Invite"`);
    const made = await post("/web/donvi/NDI-YYE-YTHO/moi", cookie, { role: "leader", _csrf: csrf });
    expect(made.status).toBe(200);
    const invites = await f.store.sql.query<{ code: string; role: string; unitId: number }>(`SELECT code, role, "unitId" FROM "Invite" ORDER BY id DESC`);
    expect(invites.length).toBe(before.length + 1);
    expect(invites[0]!.role).toBe("leader");
    expect(invites[0]!.unitId).toBe(f.app.services.tree().byCode("NDI-YYE-YTHO")!.id);
    expect(await made.text()).toContain(`/dangky ${invites[0]!.code}`);
    const log = await f.store.sql.query<{ action: string; detail: Record<string, string> }>(`SELECT action, detail FROM "WebAdminChange" ORDER BY id DESC LIMIT 1`);
    expect(log[0]).toEqual({ action: "invite", detail: { unit: "NDI-YYE-YTHO", role: "leader" } });
    // The open invite is listed, without its code.
    const after = await (await get("/web/donvi/NDI-YYE-YTHO/nguoi", cookie)).text();
    expect(after).not.toContain("Không có mã mời nào còn hiệu lực");
    expect(after).not.toContain(invites[0]!.code);
  });

  it("passes every other path to the webhook", async () => {
    const res = await fetch(`${f.baseUrl}/telegram-hook`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(f.webhookCalls).toContain("POST /telegram-hook");
  });
});

describe("web dashboard limits", () => {
  it("limits sign-in attempts per address", async () => {
    const g = await startWebFixture({ signInLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${g.baseUrl}/web/dangnhap?t=${"B".repeat(43)}`)).status);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      // The limit holds for a valid link too.
      const link = await g.signInLink(OFFICER_YYE);
      expect((await fetch(link)).status).toBe(429);
    } finally {
      await g.close();
    }
  });

  it("says so when the dashboard has no address", async () => {
    const g = await startWebFixture({ baseUrl: null });
    try {
      expect(await g.signInLink(OFFICER_YYE)).toContain("WEB_BASE_URL");
    } finally {
      await g.close();
    }
  });
});
