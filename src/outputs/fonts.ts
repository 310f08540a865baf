/**
 * The font of every picture the bot draws, loaded explicitly so that a chart looks the same on
 * every machine (no system font is ever used), and its advance widths so that ECharts lays text
 * out with the widths resvg will draw.
 *
 * Choice: Be Vietnam Pro (SIL Open Font License 1.1), a sans-serif designed in Việt Nam for
 * Vietnamese: every precomposed letter with its stacked diacritics (ế, ặ, ữ…) is drawn as one
 * designed glyph, legible at the small sizes of a phone screen. It comes as plain TTF files in the
 * npm package `@expo-google-fonts/be-vietnam-pro` (pinned exactly; fonts only, no code run at
 * install, nothing downloaded at run time), which resvg reads directly (resvg does not read WOFF2,
 * the only format of the @fontsource packages). Licence: node_modules/@expo-google-fonts/
 * be-vietnam-pro/LICENSE_FONT (OFL 1.1: free to use, embed and redistribute).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The family name the SVGs ask for (the name inside the TTFs). */
export const FONT_FAMILY = "Be Vietnam Pro";

const PACKAGE = "@expo-google-fonts/be-vietnam-pro";

/** The weights the charts use: 400 for text, 700 for titles ("bold"). */
export const FONT_FILES = {
  regular: require.resolve(`${PACKAGE}/400Regular/BeVietnamPro_400Regular.ttf`),
  bold: require.resolve(`${PACKAGE}/700Bold/BeVietnamPro_700Bold.ttf`),
} as const;

/** resvg's font options: only our files, never the system's. */
export function resvgFontOptions(): {
  fontFiles: string[];
  loadSystemFonts: false;
  defaultFontFamily: string;
  sansSerifFamily: string;
  serifFamily: string;
  monospaceFamily: string;
} {
  return {
    fontFiles: [FONT_FILES.regular, FONT_FILES.bold],
    loadSystemFonts: false,
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
    serifFamily: FONT_FAMILY,
    monospaceFamily: FONT_FAMILY,
  };
}

// ---------------------------------------------------------------------------------------------
// Advance widths from the TTF (cmap format 4 + hmtx): enough to measure a line of text.

export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width (font units) of a code point; the .notdef width when the font lacks it. */
  advance(codePoint: number): number;
  /** True when the font maps the code point to a glyph. */
  has(codePoint: number): boolean;
}

/** Reads the tables a width needs from a TrueType/OpenType file. */
export function parseFontMetrics(data: Uint8Array): FontMetrics {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const numTables = view.getUint16(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    const tag = String.fromCharCode(data[rec]!, data[rec + 1]!, data[rec + 2]!, data[rec + 3]!);
    tables.set(tag, view.getUint32(rec + 8));
  }
  const need = (tag: string): number => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`font has no ${tag} table`);
    return off;
  };
  const unitsPerEm = view.getUint16(need("head") + 18);
  const numberOfHMetrics = view.getUint16(need("hhea") + 34);
  const hmtx = need("hmtx");
  const widthOfGlyph = (g: number) => view.getUint16(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));

  // cmap: the Unicode BMP subtable (platform 3 encoding 1, or platform 0), format 4.
  const cmap = need("cmap");
  const subtables = view.getUint16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < subtables; i++) {
    const platform = view.getUint16(cmap + 4 + 8 * i);
    const encoding = view.getUint16(cmap + 6 + 8 * i);
    const off = cmap + view.getUint32(cmap + 8 + 8 * i);
    if (view.getUint16(off) !== 4) continue;
    if ((platform === 3 && encoding === 1) || (platform === 0 && sub < 0)) sub = off;
  }
  if (sub < 0) throw new Error("font has no format 4 Unicode cmap");
  const segX2 = view.getUint16(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  const glyphCache = new Map<number, number>();
  const glyphOf = (cp: number): number => {
    if (cp > 0xffff) return 0;
    const hit = glyphCache.get(cp);
    if (hit !== undefined) return hit;
    let glyph = 0;
    for (let s = 0; s < segX2; s += 2) {
      if (view.getUint16(ends + s) < cp) continue;
      const start = view.getUint16(starts + s);
      if (start > cp) break;
      const delta = view.getInt16(deltas + s);
      const rangeOffset = view.getUint16(ranges + s);
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const g = view.getUint16(ranges + s + rangeOffset + 2 * (cp - start));
        glyph = g === 0 ? 0 : (g + delta) & 0xffff;
      }
      break;
    }
    glyphCache.set(cp, glyph);
    return glyph;
  };
  return {
    unitsPerEm,
    advance: (cp) => widthOfGlyph(glyphOf(cp)),
    has: (cp) => glyphOf(cp) !== 0,
  };
}

let metrics: { regular: FontMetrics; bold: FontMetrics } | null = null;

export function fontMetrics(): { regular: FontMetrics; bold: FontMetrics } {
  if (!metrics) {
    metrics = {
      regular: parseFontMetrics(readFileSync(FONT_FILES.regular)),
      bold: parseFontMetrics(readFileSync(FONT_FILES.bold)),
    };
  }
  return metrics;
}

/**
 * Width in px of one line of text in a CSS font shorthand as ECharts writes it
 * ("bold 36px Be Vietnam Pro", "24px sans-serif"). Text is NFC-normalised first, as resvg draws
 * precomposed letters. Kerning is ignored (a pixel or two over a long line).
 */
export function measureText(text: string, font = `12px ${FONT_FAMILY}`): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
  const bold = /\b(?:bold(?:er)?|[6-9]00)\b/.test(font);
  const m = bold ? fontMetrics().bold : fontMetrics().regular;
  let units = 0;
  for (const ch of text.normalize("NFC")) units += m.advance(ch.codePointAt(0)!);
  return (units * size) / m.unitsPerEm;
}
