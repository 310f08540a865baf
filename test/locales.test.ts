/** Every user-visible sentence exists in Vietnamese and English, with the same placeholders. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES_DIR } from "../src/i18n.js";

function flatten(obj: unknown, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof obj === "string") out[prefix] = obj;
  else if (Array.isArray(obj)) obj.forEach((v, i) => Object.assign(out, flatten(v, `${prefix}[${i}]`)));
  else if (obj && typeof obj === "object")
    for (const [k, v] of Object.entries(obj)) Object.assign(out, flatten(v, prefix ? `${prefix}.${k}` : k));
  return out;
}

const load = (lng: string, file: string) => flatten(JSON.parse(readFileSync(join(LOCALES_DIR, lng, file), "utf8")));
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

describe("locales", () => {
  const viFiles = readdirSync(join(LOCALES_DIR, "vi")).filter((f) => f.endsWith(".json"));
  const enFiles = readdirSync(join(LOCALES_DIR, "en")).filter((f) => f.endsWith(".json"));

  it("has the same namespaces in vi and en", () => {
    expect(enFiles.sort()).toEqual(viFiles.sort());
  });

  it.each(viFiles)("%s has the same keys and placeholders in en", (file) => {
    const vi = load("vi", file);
    const en = load("en", file);
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    for (const key of Object.keys(vi)) expect(placeholders(en[key] ?? ""), `${file}:${key}`).toEqual(placeholders(vi[key]!));
  });
});
