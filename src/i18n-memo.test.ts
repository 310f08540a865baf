/**
 * The translation memo (src/i18n-memo.ts) gives i18next's own text: every key of every locale,
 * with plain values, counts, and values a template must not take (placeholder syntax, "$"
 * patterns, empty), each asked twice (the second time from the memo or a template).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanResources, TranslationMemo } from "./i18n-memo.js";
import { LOCALES_DIR, t, translateUncached, type Language } from "./i18n.js";

/** Every "namespace:key" of a language (plural forms by their base key) and the variables its texts use. */
function keysOf(lng: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of readdirSync(join(LOCALES_DIR, lng))) {
    if (!file.endsWith(".json")) continue;
    const ns = file.replace(/\.json$/, "");
    const walk = (v: unknown, path: string[]): void => {
      if (typeof v === "string") {
        const key = `${ns}:${path.join(".").replace(/_(zero|one|two|few|many|other)$/, "")}`;
        const vars = out.get(key) ?? new Set<string>();
        for (const m of v.matchAll(/\{\{\s*-?\s*([^,}]*?)\s*(?:,[^}]*)?\}\}/g)) vars.add(m[1]!);
        out.set(key, vars);
      } else if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      }
    };
    walk(JSON.parse(readFileSync(join(LOCALES_DIR, lng, file), "utf8")), []);
  }
  return out;
}

const FORMATTED = scanResources(
  Object.fromEntries(readdirSync(LOCALES_DIR).map((l) => [l, readdirSync(join(LOCALES_DIR, l)).map((f) => JSON.parse(readFileSync(join(LOCALES_DIR, l, f), "utf8")))])),
).formatted;

const TEXTS = ["Chi hội điểm (xã Yên Phương)", "Chị Lan 👍", "", "$& $1 $$", "{{unit}}", "a } b { c", "tháng 11/2025", "12"];

describe("t: the memo gives i18next's own text", () => {
  for (const lng of readdirSync(LOCALES_DIR) as Language[]) {
    it(`every key of "${lng}", with plain and odd values, twice`, () => {
      let checked = 0;
      for (const [key, vars] of keysOf(lng)) {
        for (let round = 0; round < TEXTS.length; round++) {
          const options: Record<string, unknown> = {};
          for (const v of vars) {
            options[v] = v === "count" ? [0, 1, 2, 5, 21, 100, 3, 7][round] : FORMATTED.has(v) ? 1000 + round : TEXTS[round];
          }
          const expected = translateUncached(key, options, lng);
          expect(t(key, options, lng)).toBe(expected);
          expect(t(key, options, lng)).toBe(expected);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(500);
    });
  }
});

describe("TranslationMemo", () => {
  it("fills a template only for shapes whose first text it matched, and never with unsafe values", () => {
    const calls: Record<string, unknown>[] = [];
    // A stand-in that formats {{n}} and upper-cases {{loud}}: neither may be templated.
    const raw = (key: string, o: Record<string, unknown>) => {
      calls.push(o);
      if (key === "loud") return `LOUD ${String(o.loud).toUpperCase()}`;
      return `${String(o.name)} has ${String(o.n)}`;
    };
    const memo = new TranslationMemo(raw, { formatted: new Set(["n"]), nests: false });
    expect(memo.translate("k", { name: "Lan", n: 1 }, "vi")).toBe("Lan has 1");
    expect(calls.length).toBe(2); // the text and its template
    expect(memo.translate("k", { name: "Hoa", n: 1 }, "vi")).toBe("Hoa has 1");
    expect(calls.length).toBe(2); // filled
    expect(memo.translate("k", { name: "Hoa", n: 2 }, "vi")).toBe("Hoa has 2");
    expect(memo.translate("k", { name: "a$b", n: 1 }, "vi")).toBe("a$b has 1");
    expect(calls.at(-1)).toEqual({ name: "a$b", n: 1, lng: "vi" }); // asked, not filled
    expect(memo.translate("loud", { loud: "lan" }, "vi")).toBe("LOUD LAN");
    expect(memo.translate("loud", { loud: "hoa" }, "vi")).toBe("LOUD HOA");
    expect(calls.at(-1)).toEqual({ loud: "hoa", lng: "vi" }); // the check failed: i18next asked again
  });

  it("keeps no text when an option is an object", () => {
    let n = 0;
    const memo = new TranslationMemo(() => `text ${++n}`, { formatted: new Set(), nests: false });
    expect(memo.translate("k", { list: ["a"] }, "vi")).toBe("text 1");
    expect(memo.translate("k", { list: ["a"] }, "vi")).toBe("text 2");
  });
});
