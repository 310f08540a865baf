/**
 * The map file of `units reorganise`: which unit of the new tree takes over each unit that ends.
 * Pure: text in, entries or line-numbered errors out (messages in locales/<lng>/units.json).
 *
 * One mapping per line, `OLD -> NEW` (also `→`, `,`, `;`, a tab or spaces between the codes);
 * blank lines and lines starting with `#` are skipped. Codes are compared case-insensitively and
 * returned in upper case. Whether the codes exist is checked later (reorganise.ts).
 */
import { t } from "../../i18n.js";
import { isValidUnitCode, UNIT_CODE_MAX_LENGTH, type UnitImportError } from "./import.js";

/** One line of the map: `from` ends, `to` (a unit of the new tree) takes over. */
export interface UnitMapEntry {
  /** Upper case. */
  from: string;
  /** Upper case. */
  to: string;
  /** 1-based line in the map file. */
  line: number;
}

/** The entries, or every problem found. */
export type UnitMapResult = { ok: true; entries: UnitMapEntry[] } | { ok: false; errors: UnitImportError[] };

const SEPARATOR = /\s*(?:->|→|=>|,|;|\t)\s*|\s+/;

/** Parse a map file; duplicate old codes and malformed lines are errors. */
export function parseUnitMap(text: string, fileName: string): UnitMapResult {
  const errors: UnitImportError[] = [];
  const entries: UnitMapEntry[] = [];
  const firstLine = new Map<string, number>();
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  body.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (!s || s.startsWith("#")) return;
    const parts = s.split(SEPARATOR).filter((p) => p.length > 0);
    if (parts.length !== 2) {
      errors.push({ file: fileName, line, message: t("units:reorganise.mapSyntax", { text: s }) });
      return;
    }
    const [from, to] = parts.map((p) => p.toUpperCase()) as [string, string];
    let bad = false;
    for (const code of [from, to]) {
      if (!isValidUnitCode(code)) {
        errors.push({ file: fileName, line, message: t("units:import.badCode", { code, max: UNIT_CODE_MAX_LENGTH }) });
        bad = true;
      }
    }
    if (bad) return;
    const seen = firstLine.get(from);
    if (seen !== undefined) {
      errors.push({ file: fileName, line, message: t("units:reorganise.mapDuplicate", { code: from, firstLine: seen }) });
      return;
    }
    firstLine.set(from, line);
    entries.push({ from, to, line });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, entries };
}
