/**
 * Every user-visible sentence lives in locales/<lng>/<namespace>.json. Vietnamese is the default.
 * Namespaces are loaded synchronously from disk at first use.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type TFunction } from "i18next";

export const LOCALES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "locales");
export const DEFAULT_LANGUAGE = "vi";
export type Language = "vi" | "en";

/** The language used when a caller names none: Vietnamese unless the deployment sets LANGUAGE. */
let processLanguage: Language = DEFAULT_LANGUAGE;

export function setProcessLanguage(lng: Language): void {
  processLanguage = lng;
}

export function currentLanguage(): Language {
  return processLanguage;
}

function loadResources(): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lng of readdirSync(LOCALES_DIR)) {
    const dir = join(LOCALES_DIR, lng);
    resources[lng] = {};
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".json")) continue;
      resources[lng]![file.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(dir, file), "utf8"));
    }
  }
  return resources;
}

let ready = false;
const instance = i18next.createInstance();

function ensureReady(): void {
  if (ready) return;
  const resources = loadResources();
  instance.init({
    initAsync: false,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    defaultNS: "common",
    ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
    resources: resources as never,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  ready = true;
}

/**
 * Translations already made, by language, key and options. The resources are loaded once and
 * never change afterwards (nothing outside this file reaches the instance), so the same call
 * always gives the same text. Only calls whose options are all primitives are kept; the map is
 * emptied when it grows past MEMO_LIMIT entries (interpolated values such as names vary).
 */
const memo = new Map<string, string>();
const MEMO_LIMIT = 50_000;

/** The memo's key of a call, or null when an option is not a primitive (an object, a function). */
function memoKey(key: string, options: Record<string, unknown> | undefined, lng: Language): string | null {
  let k = `${lng}\u0000${key}`;
  if (options) {
    for (const name in options) {
      const v = options[name];
      const type = typeof v;
      if (v !== null && (type === "object" || type === "function" || type === "symbol")) return null;
      // The type's initial keeps 1 and "1" (and null and "null") apart.
      k += `\u0000${name}\u0001${v === null ? "n" : type[0]}${String(v)}`;
    }
  }
  return k;
}

/** A translation function for a language (Vietnamese by default). Keys are "namespace:key.path". */
export function t(key: string, options?: Record<string, unknown>, lng: Language = processLanguage): string {
  ensureReady();
  const k = memoKey(key, options, lng);
  if (k !== null) {
    const hit = memo.get(k);
    if (hit !== undefined) return hit;
  }
  const text = instance.t(key, { ...options, lng }) as string;
  if (k !== null && typeof text === "string") {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(k, text);
  }
  return text;
}

/** A translation function fixed to a language: {@link t} with that language (memoised the same way). */
export function getT(lng: Language = processLanguage): TFunction {
  ensureReady();
  return ((key: string, options?: Record<string, unknown>) => t(key, options, lng)) as unknown as TFunction;
}

/** True when the key exists in the language (used by tests that check locales are complete). */
export function hasKey(key: string, lng: Language = DEFAULT_LANGUAGE): boolean {
  ensureReady();
  return instance.exists(key, { lng, fallbackLng: false } as never);
}
