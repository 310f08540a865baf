/** The /tiendo picture: a PNG of the right size whose Vietnamese labels are really drawn. */
import { Resvg } from "@resvg/resvg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeProgress, type Progress } from "../../src/domain/progress.js";
import { makePeriod } from "../../src/domain/periods.js";
import type { ReportFact, UnitNode } from "../../src/domain/types.js";
import { UnitTree } from "../../src/domain/units/tree.js";
import { CHART_WIDTH, chartFileName, MAX_CHILDREN, progressChartSvg, renderProgressChart, shortUnitName, svgToPng } from "../../src/outputs/chart.js";
import { FONT_FAMILY, fontMetrics, measureText, resvgFontOptions } from "../../src/outputs/fonts.js";
import { loadProgress } from "../../src/progress/index.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { NOW, plan, seedOutputs } from "./fixture.js";

let store: Store;
let cleanup: () => Promise<void>;
let progress: Progress;

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  const tree = await seedOutputs(store);
  progress = await loadProgress(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: makePeriod("monthly", 2024, 5), now: NOW });
});
afterAll(() => cleanup());

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) }; // IHDR
}

/** Non-white pixels of an SVG rendered by resvg, optionally inside a box. */
function ink(svg: string, withFont: boolean, box?: { x0: number; y0: number; x1: number; y1: number }): number {
  const font = withFont ? resvgFontOptions() : { loadSystemFonts: false };
  const img = new Resvg(svg, { font, background: "#ffffff" }).render();
  const px = img.pixels;
  const { x0 = 0, y0 = 0, x1 = img.width, y1 = img.height } = box ?? {};
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = 4 * (y * img.width + x);
      if (px[i]! < 200 || px[i + 1]! < 200 || px[i + 2]! < 200) n++;
    }
  return n;
}

function labelSvg(text: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80"><text x="10" y="55" style="font-size:40px;font-family:${FONT_FAMILY};">${text}</text></svg>`;
}

describe("renderProgressChart", () => {
  it("renders a PNG 1080 px wide whose height fits the rows", async () => {
    const chart = await renderProgressChart(progress);
    expect([...chart.png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(chart.width).toBe(CHART_WIDTH);
    expect(pngSize(chart.png)).toEqual({ width: chart.width, height: chart.height });
    expect(chart.height).toBeGreaterThan(600);
    expect(chart.height).toBeLessThan(1400);
    expect(chartFileName(progress)).toBe("tien-do_NDI-YYE_2024-05.png");
  });

  it("writes the title, the child units with X/Y and the indicators into the picture", () => {
    const { svg } = progressChartSvg(progress);
    expect(svg).toContain("Tiến độ báo cáo: Hội LHPN huyện Ý Yên");
    expect(svg).toContain("Báo cáo tháng chi hội, tháng 5/2024");
    expect(svg).toContain("Đã báo cáo 4/5 (80%) · Đúng hạn 3/5 (60%)");
    // Lowest rate first: Yên Phương 2/3 above Yên Thọ 2/2.
    expect(svg.indexOf("Xã Yên Phương")).toBeGreaterThan(0);
    expect(svg).toContain("2/3 · 66,7%");
    expect(svg).toContain("2/2 · 100%");
    expect(svg).toContain("60% / 100%");
    expect(svg).toContain("Chưa đạt");
  });

  it("has a glyph in the bundled font for every character it writes (no tofu)", () => {
    const { svg } = progressChartSvg(progress);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!).join("");
    const m = fontMetrics();
    const missing = [...new Set(texts.normalize("NFC"))].filter((ch) => ch.trim() && !m.regular.has(ch.codePointAt(0)!));
    expect(missing).toEqual([]);
    for (const ch of "ÝýỆệẶặỮữĐđƠơƯư") expect(m.bold.has(ch.codePointAt(0)!), ch).toBe(true);
  });

  it("draws the labels: ink in the label column with the font, none without", async () => {
    const { svg, height } = progressChartSvg(progress);
    // The left column holds only text (unit and indicator names).
    const labels = { x0: 0, y0: 0, x1: 200, y1: height };
    const withFont = ink(svg, true, labels);
    expect(withFont).toBeGreaterThan(5000);
    expect(ink(svg, false, labels)).toBe(0);
    // And the PNG the bot sends is the one with the font.
    const png = await svgToPng(svg);
    const noFont = await svgToPng(svg, { loadFonts: false });
    expect(png.png.length).toBeGreaterThan(noFont.png.length + 10_000);
  });

  it("draws Vietnamese diacritics as part of the letters", () => {
    const plain = ink(labelSvg("Y Yen"), true);
    const accented = ink(labelSvg("Ý Yên"), true);
    const tofu = ink(labelSvg("\uE000 \uE001\uE002\uE003"), true);
    expect(plain).toBeGreaterThan(300);
    // The accents add a little ink; a missing glyph would be a box (or nothing), not a letter.
    expect(accented).toBeGreaterThan(plain);
    expect(accented).toBeLessThan(plain * 1.5);
    expect(Math.abs(accented - tofu)).toBeGreaterThan(50);
    // The width ECharts lays out with is the font's: an "ệ" about as wide as an "e" (ECharts' own
    // guess would be a full em for any letter outside ASCII).
    expect(Math.abs(measureText("ệ", "40px x") / measureText("e", "40px x") - 1)).toBeLessThan(0.05);
    expect(measureText("Ý Yên", "bold 40px x")).toBeGreaterThan(measureText("Ý Yên", "40px x"));
  });

  it("lists at most MAX_CHILDREN children and says how many more", async () => {
    // A district with 40 communes of 2 branches each; half the branches of every other commune report.
    const nodes: UnitNode[] = [{ id: 1, code: "D", name: "Hội LHPN huyện Hải Hậu", kind: "district", parentId: null }];
    for (let c = 0; c < 40; c++) {
      const id = 100 + c;
      nodes.push({ id, code: `D-C${c}`, name: `Hội LHPN xã Hải Đông ${c + 1}`, kind: "commune", parentId: 1 });
      for (let b = 0; b < 2; b++) nodes.push({ id: 1000 + 2 * c + b, code: `D-C${c}-B${b}`, name: `Chi hội xóm ${b + 1}`, kind: "branch", parentId: id });
    }
    const tree = new UnitTree(nodes);
    const form = plan.forms.find((f) => f.key === "chi_hoi_thang")!;
    const period = makePeriod("monthly", 2024, 5);
    const reports: ReportFact[] = nodes
      .filter((u) => u.kind === "branch" && (u.id % 2 === 0 || u.id % 4 === 1))
      .map((u) => ({ unitId: u.id, formKey: form.key, periodKey: period.key, submittedAt: new Date("2024-05-10T02:00:00Z"), answers: { tuyen_truyen: true } }));
    const p = computeProgress({ tree, plan, form, period, rootId: 1, reports, now: NOW });
    expect(p.children).toHaveLength(40);
    const { svg } = progressChartSvg(p);
    expect(svg).toContain(`và ${40 - MAX_CHILDREN} đơn vị khác`);
    // The lowest rates are the ones drawn: every 1/2 commune is listed before any 2/2 one.
    expect(svg.match(/1\/2 · 50%/g)?.length).toBe(20);
    expect(svg.match(/2\/2 · 100%/g)?.length).toBe(MAX_CHILDREN - 20);
    const chart = await renderProgressChart(p);
    expect(chart.width).toBe(1080);
    expect(chart.height).toBeGreaterThan(MAX_CHILDREN * 56);
    expect(chart.height).toBeLessThanOrEqual(2800);
  });

  it("shortens unit names and renders English", async () => {
    expect(shortUnitName("Hội LHPN huyện Ý Yên")).toBe("Huyện Ý Yên");
    expect(shortUnitName("Chi hội thôn Phú Thứ")).toBe("Chi hội thôn Phú Thứ");
    const { svg } = progressChartSvg(progress, { lng: "en" });
    expect(svg).toContain("Reporting progress: Hội LHPN huyện Ý Yên");
  });
});
