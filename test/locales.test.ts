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
/** i18next plural forms: English has "_one" and "_other" where Vietnamese has one form. */
const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseKeys = (o: Record<string, string>) => [...new Set(Object.keys(o).map((k) => k.replace(PLURAL, "")))].sort();
const pick = (o: Record<string, string>, key: string) => o[key] ?? o[`${key}_other`] ?? "";
/** Keys whose languages use different (both supplied) parameters on purpose: "05/2024" vs "tháng 5/2024". */
const OWN_PARAMETERS = new Set(["progress.json:period.monthly"]);
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
    expect(baseKeys(en)).toEqual(baseKeys(vi));
    for (const key of baseKeys(vi)) {
      if (OWN_PARAMETERS.has(`${file}:${key}`)) continue;
      expect(placeholders(pick(en, key)), `${file}:${key}`).toEqual(placeholders(pick(vi, key)));
    }
  });
});

/**
 * Classes of wording mistakes a reader of the bot's Vietnamese catches, checked on every sentence
 * people read in a chat or a document (operator-facing namespaces — the CLI, configuration and
 * units-file errors that quote file syntax — are left out, except the units' notices to people).
 */
describe("wording of what people read", () => {
  const PEOPLE = ["bot.json", "conversation.json", "reminders.json", "progress.json", "outputs.json", "parse.json", "telegram.json", "zalo.json", "local.json", "web.json"];
  const sentences = (lng: string): Array<[string, string]> => [
    ...PEOPLE.flatMap((file) => Object.entries(load(lng, file)).map(([k, v]) => [`${file}:${k}`, v] as [string, string])),
    ...Object.entries(load(lng, "units.json"))
      .filter(([k]) => k.startsWith("reorganise.notice"))
      .map(([k, v]) => [`units.json:${k}`, v] as [string, string]),
  ];

  it.each(["vi", "en"])("%s: quotes are “…”, never straight, and an ellipsis is one character", (lng) => {
    for (const [key, text] of sentences(lng)) {
      expect(text, key).not.toMatch(/"/);
      expect(text, key).not.toMatch(/\.\.\./);
    }
  });

  it("vi: no doubled honorific, one spelling of domain words, “huyện, thành phố”", () => {
    for (const [key, text] of sentences("vi")) {
      expect(text, key).not.toMatch(/(?<!\p{L})(chị|cô)\s+(chị|cô)(?!\p{L})/iu);
      expect(text, key).not.toMatch(/huỷ|Huỷ|thuỷ|huyện\s*\/\s*(thành phố|TP)|5 không 3 sạch|5 có 3 sạch/u);
      // A report after its deadline is "trễ hạn" (beside "đúng hạn"), in the chat, /tiendo, the web and the documents alike.
      expect(text, key).not.toMatch(/muộn/iu);
    }
  });

  it("vi: “Dạ” opens only a reply to her, never a reminder or a notice she did not ask for", () => {
    const unsolicited = sentences("vi").filter(([key]) => key.startsWith("reminders.json:") || key.startsWith("units.json:reorganise.notice"));
    expect(unsolicited.length).toBeGreaterThan(10);
    for (const [key, text] of unsolicited) expect(text, key).not.toMatch(/^Dạ\b/u);
  });
});
