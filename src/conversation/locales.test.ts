import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { handleInput, startReport } from "./engine.js";
import { CTX, drive, FORM, OPTS, said } from "./test-helpers.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const LOCALES = join(HERE, "..", "..", "locales");
const load = (lng: string) => JSON.parse(readFileSync(join(LOCALES, lng, "conversation.json"), "utf8")) as Record<string, unknown>;

/** "a.b.c" → string for every leaf, plural suffixes folded ("x_one", "x_other" → "x"). */
function leaves(json: Record<string, unknown>, prefix = ""): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(json)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") {
      const base = path.replace(/_(zero|one|two|few|many|other)$/, "");
      out.set(base, [...(out.get(base) ?? []), v]);
    } else if (v && typeof v === "object") {
      for (const [kk, vv] of leaves(v as Record<string, unknown>, path)) out.set(kk, [...(out.get(kk) ?? []), ...vv]);
    }
  }
  return out;
}

const VI = leaves(load("vi"));
const EN = leaves(load("en"));
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{\{\s*([a-zA-Z]+)/g)].map((m) => m[1]!))].sort();

describe("locales/*/conversation.json", () => {
  it("vi and en have the same keys and the same placeholders", () => {
    expect([...EN.keys()].sort()).toEqual([...VI.keys()].sort());
    for (const [key, texts] of VI) {
      for (const en of EN.get(key)!) expect(placeholders(en), key).toEqual(placeholders(texts[0]!));
    }
  });

  it("every key the code uses exists", () => {
    const used = new Set<string>();
    for (const file of readdirSync(HERE)) {
      if (!file.endsWith(".ts") || file.includes(".test.") || file.startsWith("test-")) continue;
      const src = readFileSync(join(HERE, file), "utf8");
      for (const m of src.matchAll(/\btr\(\s*"([a-zA-Z_.]+)"/g)) used.add(m[1]!);
      for (const m of src.matchAll(/"((?:summary|receipt|paste|pick|offer|help|question|change|example|confirm)\.[a-zA-Z_]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(30);
    for (const key of used) {
      expect(VI.has(key), `vi: ${key}`).toBe(true);
      expect(EN.has(key), `en: ${key}`).toBe(true);
    }
  });

  it("Vietnamese sentences are written with full diacritics and the chị/em/Dạ tone", () => {
    for (const [key, texts] of VI) {
      for (const text of texts) {
        const letters = text.replace(/\{\{[^}]*\}\}/g, "").replace(/[^\p{L}]/gu, "");
        if (letters.length >= 12) expect(/[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i.test(text), key).toBe(true);
      }
    }
    for (const key of ["intro", "cancelled", "receipt.text", "expired", "noChangeEnd", "summary.title", "offer.title"]) {
      expect(VI.get(key)![0], key).toMatch(/^Dạ, /);
    }
    expect(VI.get("intro")![0]).toContain("chị");
    expect(VI.get("intro")![0]).toContain("em");
  });
});

describe("odd inputs that once broke the parser", () => {
  it("“constructor” to a number question is a normal bad answer", () => {
    const s = drive(startReport(FORM, CTX), ["co"]).state!;
    const step = handleInput(s, "constructor", OPTS);
    expect(step.state?.failures).toBe(1);
    expect(said(step)).toContain("em chưa đọc được số");
  });
});
