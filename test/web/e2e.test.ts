/**
 * The dashboard in a real browser (Debian's chromium, playwright-core): sign in by link, read the
 * progress, drill down, download the workbook and the draft, be refused another subtree by URL,
 * an expired link refused, sign out, and an admin pausing a reminder. With SCREENSHOTS=1 the main
 * pages are saved in docs/ (the README shows them).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./browser.js";
import { ADMIN, NOW, OFFICER_YYE, startWebFixture, type WebFixture } from "./fixture.js";

let f: WebFixture;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
const shots = process.env.SCREENSHOTS === "1";

async function shot(name: string, p: Page = page): Promise<void> {
  if (!shots) return;
  mkdirSync("docs", { recursive: true });
  await p.screenshot({ path: `docs/${name}.png`, fullPage: false });
}

beforeAll(async () => {
  f = await startWebFixture({ signInLimit: 1000 });
  browser = await launchBrowser({ width: 1000, height: 720 });
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe("web dashboard in chromium", () => {
  it("signs in by link and shows the officer's progress", async () => {
    const link = await f.signInLink(OFFICER_YYE);
    await page.goto(link);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.waitForURL(/\/web\/donvi\/NDI-YYE$/);
    await expect.poll(() => page.locator("h1").textContent()).toContain("Ý Yên");
    // May 2024: 4 of 5 branches reported, 3 on time; CH03 has not reported.
    expect(await page.locator("#reporting-rate").textContent()).toMatch(/80,0%[\s\S]*4\/5/);
    expect(await page.locator("#on-time-rate").textContent()).toMatch(/60,0%[\s\S]*3\/5/);
    expect(await page.locator('li[data-unit="NDI-YYE-YPHUONG-CH03"]').count()).toBe(1);
    // The chart (the /tiendo picture) loads under the page's CSP.
    const chart = page.locator(".chart img");
    await expect.poll(() => chart.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(500);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "vundap_session")!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Strict");
    await shot("web-progress");
  });

  it("drills down to a commune and to its reports", async () => {
    await page.locator('tr[data-unit="NDI-YYE-YTHO"] a').click();
    await page.waitForURL(/\/web\/donvi\/NDI-YYE-YTHO\?/);
    expect(await page.locator("h1").textContent()).toContain("Yên Thọ");
    expect(await page.locator("#reporting-rate").textContent()).toMatch(/100,0%[\s\S]*2\/2/);
    expect(await page.locator(".crumbs a").first().textContent()).toContain("Ý Yên");
    await page.locator('tr[data-unit="NDI-YYE-YTHO-CH02"] a').click();
    await page.waitForURL(/NDI-YYE-YTHO-CH02/);
    await page.getByRole("link", { name: "Các báo cáo của đơn vị" }).click();
    await page.waitForURL(/NDI-YYE-YTHO-CH02\/baocao/);
    expect(await page.locator("section.report").count()).toBe(1);
    // Sent by Chị Lan, corrected once: 20 → 25 people.
    const report = (await page.locator("section.report").textContent())!;
    expect(report).toContain("Chị Lan (Ngọc Chử)");
    expect(await page.locator("section.report ul.changes li").count()).toBe(1);
    expect(await page.locator("section.report ul.changes li").textContent()).toMatch(/20[^→]*→ 25/);
    await shot("web-reports");
  });

  it("downloads the workbook and the draft report", async () => {
    await page.goto(`${f.baseUrl}/web/donvi/NDI-YYE`);
    const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Tải bảng Excel" }).click()]);
    expect(xlsx.suggestedFilename()).toMatch(/NDI-YYE.*\.xlsx$/);
    const bytes = readFileSync((await xlsx.path())!);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    const [docx] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Tải dự thảo báo cáo tổng hợp (.docx)" }).click()]);
    expect(docx.suggestedFilename()).toMatch(/\.docx$/);
    expect(readFileSync((await docx.path())!).subarray(0, 2).toString("latin1")).toBe("PK");
    const [draft] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Tải dự thảo báo cáo tổng hợp (văn bản thường)" }).click()]);
    expect(draft.suggestedFilename()).toMatch(/NDI-YYE.*\.txt$/);
    expect(readFileSync((await draft.path())!, "utf8")).toContain("Ý Yên");
  });

  it("refuses another subtree by URL", async () => {
    const res = await page.goto(`${f.baseUrl}/web/donvi/NDI-XTR-XKIEN`);
    expect(res!.status()).toBe(404);
    const text = await page.locator("main").textContent();
    expect(text).toContain("Không có đơn vị này trong phạm vi chị theo dõi");
    expect(text).not.toContain("Xuân Kiên");
  });

  it("refuses an expired link with a clear page", async () => {
    const link = await f.signInLink(OFFICER_YYE);
    f.clock.now = new Date(NOW.getTime() + 11 * 60_000);
    try {
      const res = await page.goto(link);
      expect(res!.status()).toBe(410);
      expect(await page.locator("main").textContent()).toContain("đã hết hạn");
    } finally {
      f.clock.now = NOW;
    }
  });

  it("signs out, and an admin pauses and resumes a reminder", async () => {
    await page.goto(`${f.baseUrl}/web/donvi/NDI-YYE`);
    await page.getByRole("button", { name: "Đăng xuất" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Đã đăng xuất");
    expect((await context.cookies()).some((c) => c.name === "vundap_session")).toBe(false);

    await page.goto(await f.signInLink(ADMIN));
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.waitForURL(/\/web\/donvi\//);
    await page.getByRole("link", { name: "Quản trị" }).click();
    await page.waitForURL(/\/web\/quantri$/);
    const key = f.app.services.plans[0]!.reminders[0]!.key;
    const row = page.locator(`tr[data-key="${key}"]`);
    await row.getByRole("button", { name: "Tạm dừng" }).click();
    await page.waitForURL(/\/web\/quantri$/);
    expect(await page.locator(`tr[data-key="${key}"]`).textContent()).toContain("Tạm dừng từ");
    const paused = await f.store.sql.query<{ pausedById: number }>(`SELECT "pausedById" FROM "PausedRule" WHERE key = $1`, [key]);
    expect(paused).toHaveLength(1);
    const log = await f.store.sql.query<{ action: string }>(`SELECT action FROM "WebAdminChange" ORDER BY id DESC LIMIT 1`);
    expect(log[0]!.action).toBe("pause");
    await shot("web-admin");
    await page.locator(`tr[data-key="${key}"]`).getByRole("button", { name: "Chạy lại" }).click();
    await page.waitForURL(/\/web\/quantri$/);
    expect(await f.store.sql.query(`SELECT 1 FROM "PausedRule" WHERE key = $1`, [key])).toHaveLength(0);
    // The province's units, people and invites.
    await page.getByRole("link", { name: /Đơn vị, người dùng và mã mời/ }).click();
    await page.waitForURL(/\/nguoi$/);
    expect(await page.locator("table.roles").textContent()).toContain(ADMIN.name);
    await shot("web-people");
  });

  it("reads on a phone", async () => {
    const phone = await launchBrowser({ width: 390, height: 800 });
    try {
      const p = phone.context.pages()[0] ?? (await phone.context.newPage());
      await p.goto(await f.signInLink(OFFICER_YYE));
      await p.getByRole("button", { name: "Đăng nhập" }).click();
      await p.waitForURL(/\/web\/donvi\/NDI-YYE$/);
      // Nothing wider than the screen but the scrollable tables and the chart.
      const overflow = await p.evaluate("document.documentElement.scrollWidth - window.innerWidth");
      expect(overflow).toBeLessThanOrEqual(0);
      await shot("web-phone", p);
    } finally {
      await phone.close();
    }
  });
});
