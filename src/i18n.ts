/**
 * Every user-visible sentence lives in locales/<lng>/<namespace>.json. Vietnamese is the default.
 * Namespaces are loaded synchronously from disk at first use.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type TFunction } from "i18next";
import { scanResources, TranslationMemo } from "./i18n-memo.js";

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
  // The resources never change after this: nothing outside this file reaches the instance.
  memo = new TranslationMemo((key, options) => instance.t(key, options), scanResources(resources));
  ready = true;
}

/** The memo in front of i18next (src/i18n-memo.ts); made with the instance. */
let memo: TranslationMemo | undefined;

/** A translation function for a language (Vietnamese by default). Keys are "namespace:key.path". */
export function t(key: string, options?: Record<string, unknown>, lng: Language = processLanguage): string {
  ensureReady();
  return memo!.translate(key, options, lng);
}

/** @internal i18next's own translation, without the memo (tests compare the two). */
export function translateUncached(key: string, options?: Record<string, unknown>, lng: Language = processLanguage): string {
  ensureReady();
  return instance.t(key, { ...options, lng }) as string;
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
