/**
 * Parsing and validation of a unit-tree import file (CSV or YAML). Pure: text in, rows or errors
 * out; the store decides what to do with the rows.
 *
 * All-or-nothing: either every row is valid and the whole tree is consistent (`ok: true`, rows
 * ordered so that a parent always comes before its children), or every problem found is reported
 * with its file and line (`ok: false`), in Vietnamese (locales/<lng>/units.json).
 *
 * CSV: a header row `code,name,kind,parent` (or `ma,ten,loai,cap_tren`, with or without
 * diacritics), then one unit per row; UTF-8 with or without BOM; quoted fields; `,` `;` or tab
 * as separator (detected from the header). Extra columns are ignored.
 *
 * YAML: a list of units, either flat (`- { code, name, kind, parent }`) or nested
 * (`- code: X` … `children: [ … ]`, the children get the parent implicitly), or both mixed.
 * The list may also be wrapped in a top-level `units:` key.
 *
 * Kinds: the English kind names or Vietnamese words, with or without diacritics
 * (tỉnh, huyện / thành phố / quận / thị xã, xã / phường / thị trấn / cơ sở, chi hội,
 * đặc biệt / trực thuộc).
 * Codes: ASCII letters, digits, '-' and '_', at most 64 characters; compared case-insensitively
 * and returned in upper case.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { t } from "../../i18n.js";
import { normalize } from "../vi/normalize.js";
import type { UnitKind, UnitNode } from "../types.js";

export interface UnitRow {
  /** Upper case. */
  code: string;
  name: string;
  kind: UnitKind;
  /** Upper case; null for the root. May name a unit that is not in the file (`existingCodes`). */
  parentCode: string | null;
  /** 1-based line of the unit in the source file (for generated trees: position in the list). */
  line: number;
  /** A pilot unit of the plan (đơn vị điểm); column/key `pilot` or `diem`. */
  pilot?: boolean;
  /** New-countryside status of its area; column/key `ntm`. */
  ntm?: NtmStatus | null;
}

/** NTM nâng cao, NTM kiểu mẫu, đô thị văn minh. */
export const NTM_STATUSES = ["nang_cao", "kieu_mau", "do_thi_van_minh"] as const;
export type NtmStatus = (typeof NTM_STATUSES)[number];

const NTM_WORDS: Record<string, NtmStatus> = {
  "nang cao": "nang_cao", "ntm nang cao": "nang_cao", nang_cao: "nang_cao",
  "kieu mau": "kieu_mau", "ntm kieu mau": "kieu_mau", kieu_mau: "kieu_mau",
  "do thi van minh": "do_thi_van_minh", do_thi_van_minh: "do_thi_van_minh",
};
const YES_WORDS = new Set(["true", "yes", "co", "x", "1", "diem"]);
const NO_WORDS = new Set(["false", "no", "khong", "0", ""]);

export interface UnitImportError {
  file: string;
  /** 1-based; 0 when the error concerns the whole file (e.g. an unknown format). */
  line: number;
  message: string;
}

export type UnitImportResult = { ok: true; units: UnitRow[] } | { ok: false; errors: UnitImportError[] };

export type UnitFileFormat = "csv" | "yaml";

export const UNIT_CODE_MAX_LENGTH = 64;
const CODE_RE = new RegExp(`^[A-Za-z0-9_-]{1,${UNIT_CODE_MAX_LENGTH}}$`);

/** True for a syntactically valid unit code (letters, digits, '-', '_', at most 64 characters). */
export function isValidUnitCode(code: string): boolean {
  return CODE_RE.test(code);
}

/** normalize() (lower case, no diacritics, đ → d) with '_', '-', '.' also counted as spaces. */
function fold(text: string): string {
  return normalize(text.replace(/[_.-]+/g, " "));
}

const KIND_WORDS: Record<UnitKind, readonly string[]> = {
  province: ["province", "tinh", "cap tinh"],
  district: ["district", "huyen", "cap huyen", "thanh pho", "tp", "quan", "thi xa"],
  commune: ["commune", "xa", "cap xa", "phuong", "thi tran", "co so", "co so hoi"],
  branch: ["branch", "chi hoi"],
  special: ["special", "dac biet", "truc thuoc", "don vi dac biet", "don vi truc thuoc"],
};
const KIND_BY_WORD = new Map<string, UnitKind>();
for (const [kind, words] of Object.entries(KIND_WORDS) as [UnitKind, readonly string[]][]) {
  for (const w of words) KIND_BY_WORD.set(w, kind);
}

/** The unit kind for an English or Vietnamese kind word (any case, diacritics optional). */
export function parseUnitKind(text: string): UnitKind | undefined {
  return KIND_BY_WORD.get(fold(text));
}

type FieldName = "code" | "name" | "kind" | "parent" | "pilot" | "ntm";

const FIELD_ALIASES: Record<FieldName | "children", readonly string[]> = {
  code: ["code", "ma", "ma don vi"],
  name: ["name", "ten", "ten don vi"],
  kind: ["kind", "loai", "loai don vi"],
  parent: ["parent", "parent code", "cap tren", "ma cap tren", "don vi cap tren"],
  pilot: ["pilot", "diem", "don vi diem"],
  ntm: ["ntm", "nong thon moi"],
  children: ["children", "con", "don vi con", "cap duoi"],
};
const FIELD_BY_ALIAS = new Map<string, FieldName | "children">();
for (const [field, aliases] of Object.entries(FIELD_ALIASES) as [FieldName | "children", readonly string[]][]) {
  for (const a of aliases) FIELD_BY_ALIAS.set(a, field);
}

interface Field {
  value: string;
  line: number;
}

/** One unit as read from the file, before validation. */
interface RawRow {
  line: number;
  fields: Partial<Record<FieldName, Field>>;
  /** Fields whose value was already reported as malformed (do not also report them missing). */
  reported: Set<FieldName>;
  /** The unit this one is nested under (YAML children). */
  enclosing?: RawRow;
  /** A structural error was reported for the row: only its code is used (to avoid cascades). */
  broken: boolean;
}

function newRow(line: number, enclosing?: RawRow): RawRow {
  return { line, fields: {}, reported: new Set(), enclosing, broken: false };
}

class Errors {
  readonly list: UnitImportError[] = [];
  constructor(private readonly file: string) {}
  add(line: number, key: string, params?: Record<string, unknown>): void {
    this.list.push({ file: this.file, line, message: t(`units:import.${key}`, params) });
  }
}

function formatFromName(fileName: string): UnitFileFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  return undefined;
}

/**
 * Parse and validate a unit file. `format` defaults from the file extension (.csv, .yaml, .yml).
 * `existingCodes` are codes already in the store (any case): a row may name one as its parent,
 * so that a file can add units under an existing tree.
 */
export function parseUnits(
  text: string,
  fileName: string,
  format?: UnitFileFormat,
  existingCodes?: ReadonlySet<string>,
): UnitImportResult {
  const errors = new Errors(fileName);
  const fmt = format ?? formatFromName(fileName);
  if (!fmt) {
    errors.add(0, "unknownFormat", { file: fileName });
    return { ok: false, errors: errors.list };
  }
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows = fmt === "csv" ? extractCsv(body, errors) : extractYaml(body, errors);
  if (rows.length === 0 && errors.list.length === 0) errors.add(1, "empty");
  const existing = new Set<string>();
  if (existingCodes) for (const c of existingCodes) existing.add(c.trim().toUpperCase());
  const units = validate(rows, existing, errors);
  if (errors.list.length > 0 || !units) {
    const sorted = errors.list.map((e, i) => ({ e, i })).sort((a, b) => a.e.line - b.e.line || a.i - b.i);
    return { ok: false, errors: sorted.map((x) => x.e) };
  }
  return { ok: true, units };
}

/** One line per error: `file:line: message` (`file: message` for whole-file errors). */
export function formatUnitImportErrors(errors: readonly UnitImportError[]): string {
  return errors.map((e) => (e.line > 0 ? `${e.file}:${e.line}: ${e.message}` : `${e.file}: ${e.message}`)).join("\n");
}

// ---------------------------------------------------------------------------------------------
// CSV

function detectDelimiter(text: string): string {
  const nl = text.indexOf("\n");
  const first = nl === -1 ? text : text.slice(0, nl);
  let best = ",";
  let bestCount = 0;
  for (const d of [",", ";", "\t"]) {
    const n = first.split(d).length - 1;
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

/** Line where the last still-open quote was opened (for a "quote not closed" error). */
function unclosedQuoteLine(text: string): number | undefined {
  let line = 1;
  let open: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) open = open === undefined ? line : undefined;
  }
  return open;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function extractCsv(text: string, errors: Errors): RawRow[] {
  const src = text.replace(/\r\n?/g, "\n");
  let records: CsvRecord[];
  try {
    records = parseCsv(src, {
      delimiter: detectDelimiter(src),
      record_delimiter: "\n",
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as CsvRecord[];
  } catch (e) {
    const err = e as { code?: string; lines?: number; message?: string };
    const line =
      (err.code === "CSV_QUOTE_NOT_CLOSED" ? unclosedQuoteLine(src) : undefined) ?? err.lines ?? 1;
    errors.add(line, "csvSyntax", { detail: String(err.message ?? e).split("\n")[0] });
    return [];
  }
  const withLines = records
    .map((r) => ({
      cells: r.record,
      line: r.info.lines - r.record.reduce((n, c) => n + countNewlines(c), 0),
    }))
    .filter((r) => r.cells.some((c) => c.trim() !== ""));
  const header = withLines[0];
  if (!header) return [];

  const columns = new Map<FieldName, number>();
  let headerOk = true;
  header.cells.forEach((cell, i) => {
    const field = FIELD_BY_ALIAS.get(fold(cell));
    if (!field || field === "children") return;
    if (columns.has(field)) {
      errors.add(header.line, "csvDuplicateColumn", { column: cell.trim() });
      headerOk = false;
    } else columns.set(field, i);
  });
  const missing = (["code", "name", "kind"] as const).filter((f) => !columns.has(f));
  if (missing.length > 0) {
    errors.add(header.line, "csvMissingColumns", { columns: missing.join(", ") });
    headerOk = false;
  }
  if (!headerOk) return [];

  const rows: RawRow[] = [];
  for (const { cells, line } of withLines.slice(1)) {
    const row = newRow(line);
    for (const [field, i] of columns) {
      const value = cells[i]?.trim();
      if (value) row.fields[field] = { value, line };
    }
    if (cells.length > header.cells.length && cells.slice(header.cells.length).some((c) => c.trim() !== "")) {
      errors.add(line, "csvTooManyFields", { count: cells.length, expected: header.cells.length });
      row.broken = true;
    }
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// YAML

function extractYaml(text: string, errors: Errors): RawRow[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      errors.add(lc.linePos(e.pos[0]).line, "yamlSyntax", { detail: e.message.split("\n")[0] });
    }
    return [];
  }
  const lineOf = (node: unknown, fallback = 1): number => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lc.linePos(range[0]).line : fallback;
  };

  let top: unknown = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return [];
  if (isMap(top) && top.items.length === 1) {
    const pair = top.items[0]!;
    if (isScalar(pair.key) && fold(String(pair.key.value)) === "units") top = pair.value;
  }
  if (!isSeq(top)) {
    errors.add(lineOf(top), "yamlNotList");
    return [];
  }

  const rows: RawRow[] = [];
  const walk = (items: readonly unknown[], enclosing: RawRow | undefined): void => {
    for (const item of items) {
      const line = lineOf(item, enclosing?.line ?? 1);
      if (!isMap(item)) {
        errors.add(line, "yamlItemNotMap");
        continue;
      }
      const row = newRow(line, enclosing);
      rows.push(row);
      let children: readonly unknown[] = [];
      for (const pair of item.items) {
        const keyText = isScalar(pair.key) ? String(pair.key.value ?? "") : "";
        const field = FIELD_BY_ALIAS.get(fold(keyText));
        const keyLine = lineOf(pair.key, line);
        if (!field) {
          errors.add(keyLine, "yamlUnknownKey", { key: keyText });
          continue;
        }
        const value = pair.value as YamlNode | null;
        const valueLine = lineOf(value, keyLine);
        if (field === "children") {
          if (value === null || (isScalar(value) && value.value === null)) continue;
          if (isSeq(value)) children = value.items;
          else errors.add(valueLine, "yamlChildrenNotList", { code: row.fields.code?.value ?? "?" });
          continue;
        }
        if (value === null || (isScalar(value) && value.value === null)) continue;
        if (!isScalar(value)) {
          errors.add(valueLine, "yamlNotScalar", { field: t(`units:import.fields.${field}`) });
          row.reported.add(field);
          continue;
        }
        const v = value.value;
        const str = (typeof v === "string" ? v : (value.source ?? String(v))).trim();
        if (str) row.fields[field] = { value: str, line: valueLine };
      }
      walk(children, row);
    }
  };
  walk(top.items, undefined);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Validation

type ParentRef = { kind: "none" } | { kind: "code"; code: string; line: number } | { kind: "unresolvable" };

interface Checked {
  row: RawRow;
  /** Upper case, or null when missing / malformed. */
  code: string | null;
  name: string | null;
  kind: UnitKind | null;
  parent: ParentRef;
  pilot?: boolean;
  ntm?: NtmStatus | null;
}

function validCode(row: RawRow): string | null {
  const v = row.fields.code?.value;
  return v !== undefined && CODE_RE.test(v) ? v.toUpperCase() : null;
}

function validate(rows: readonly RawRow[], existing: ReadonlySet<string>, errors: Errors): UnitRow[] | null {
  const fieldLabel = (f: FieldName) => t(`units:import.fields.${f}`);
  const checked: Checked[] = [];
  const byCode = new Map<string, Checked>();

  for (const row of rows) {
    const c: Checked = { row, code: null, name: null, kind: null, parent: { kind: "unresolvable" } };
    checked.push(c);
    const codeField = row.fields.code;
    if (!codeField) {
      if (!row.broken && !row.reported.has("code")) errors.add(row.line, "missingField", { field: fieldLabel("code") });
    } else if (!CODE_RE.test(codeField.value)) {
      errors.add(codeField.line, "badCode", { code: codeField.value, max: UNIT_CODE_MAX_LENGTH });
    } else {
      c.code = codeField.value.toUpperCase();
      const first = byCode.get(c.code);
      if (first) {
        errors.add(codeField.line, "duplicateCode", {
          code: c.code,
          firstLine: first.row.fields.code?.line ?? first.row.line,
          line: codeField.line,
        });
      } else byCode.set(c.code, c);
    }
    if (row.broken) continue;

    const nameField = row.fields.name;
    if (nameField) c.name = nameField.value.normalize("NFC");
    else if (!row.reported.has("name")) errors.add(row.line, "missingField", { field: fieldLabel("name") });

    const kindField = row.fields.kind;
    if (!kindField) {
      if (!row.reported.has("kind")) errors.add(row.line, "missingField", { field: fieldLabel("kind") });
    } else {
      c.kind = parseUnitKind(kindField.value) ?? null;
      if (!c.kind) errors.add(kindField.line, "unknownKind", { kind: kindField.value, allowed: t("units:import.allowedKinds") });
    }

    const pilotField = row.fields.pilot;
    if (pilotField) {
      const w = normalize(pilotField.value);
      if (YES_WORDS.has(w)) c.pilot = true;
      else if (NO_WORDS.has(w)) c.pilot = false;
      else errors.add(pilotField.line, "badPilot", { value: pilotField.value });
    }
    const ntmField = row.fields.ntm;
    if (ntmField) {
      const w = normalize(ntmField.value).replace(/[_-]/g, " ").trim();
      const status = NTM_WORDS[w] ?? NTM_WORDS[w.replace(/ /g, "_")];
      if (status) c.ntm = status;
      else if (!NO_WORDS.has(w)) errors.add(ntmField.line, "badNtm", { value: ntmField.value });
      else c.ntm = null;
    }

    const parentField = row.fields.parent;
    const enclosingCode = row.enclosing ? validCode(row.enclosing) : null;
    if (parentField) {
      if (!CODE_RE.test(parentField.value)) {
        errors.add(parentField.line, "badParentCode", { code: parentField.value, max: UNIT_CODE_MAX_LENGTH });
      } else {
        const code = parentField.value.toUpperCase();
        if (row.enclosing && enclosingCode !== null && enclosingCode !== code) {
          errors.add(parentField.line, "parentConflict", { code: c.code ?? "?", enclosing: enclosingCode, parent: code });
        } else c.parent = { kind: "code", code, line: parentField.line };
      }
    } else if (row.enclosing) {
      // An invalid enclosing code was already reported on the enclosing unit.
      if (enclosingCode !== null) c.parent = { kind: "code", code: enclosingCode, line: row.line };
    } else if (!row.reported.has("parent")) c.parent = { kind: "none" };
  }

  let root: Checked | undefined;
  for (const c of checked) {
    if (c.row.broken) continue;
    const p = c.parent;
    if (c.kind === "province" && p.kind === "code") {
      errors.add(p.line, "provinceWithParent", { code: c.code ?? "?", parent: p.code });
    }
    if (p.kind === "code" && !byCode.has(p.code) && !existing.has(p.code)) {
      errors.add(p.line, existing.size > 0 ? "unknownParentExisting" : "unknownParent", { parent: p.code, code: c.code ?? "?" });
    }
    // A duplicate row is reported as a duplicate, not also as a second root.
    if (p.kind === "none" && c.code !== null && byCode.get(c.code) === c) {
      if (!root) root = c;
      else {
        errors.add(c.row.line, "multipleRoots", {
          code: c.code,
          firstCode: root.code,
          firstLine: root.row.line,
        });
      }
    }
  }

  // Cycles: every unit has at most one parent, so walk up from each unit once.
  const state = new Map<Checked, 1 | 2>(); // 1 = on the current path, 2 = done
  const parentOf = (c: Checked): Checked | undefined => (c.parent.kind === "code" ? byCode.get(c.parent.code) : undefined);
  for (const start of byCode.values()) {
    const path: Checked[] = [];
    let cur: Checked | undefined = start;
    while (cur && !state.has(cur)) {
      state.set(cur, 1);
      path.push(cur);
      cur = parentOf(cur);
    }
    if (cur && state.get(cur) === 1) {
      const cycle = path.slice(path.indexOf(cur));
      // Start the cycle at the member that comes first in the file; report it on that line.
      let first = 0;
      for (let i = 1; i < cycle.length; i++) if (cycle[i]!.row.line < cycle[first]!.row.line) first = i;
      const ordered = [...cycle.slice(first), ...cycle.slice(0, first)];
      const codes = [...ordered, ordered[0]!].map((x) => x.code).join(" → ");
      errors.add(ordered[0]!.row.line, "cycle", { cycle: codes });
    }
    for (const c of path) state.set(c, 2);
  }

  if (errors.list.length > 0) return null;

  // Parents first, otherwise in file order.
  const out: UnitRow[] = [];
  const emitted = new Set<string>();
  for (const start of checked) {
    const chain: Checked[] = [];
    for (let cur: Checked | undefined = start; cur && !emitted.has(cur.code!); cur = parentOf(cur)) {
      chain.push(cur);
      emitted.add(cur.code!);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i]!;
      out.push({
        code: c.code!,
        name: c.name!,
        kind: c.kind!,
        parentCode: c.parent.kind === "code" ? c.parent.code : null,
        line: c.row.line,
        ...(c.pilot !== undefined ? { pilot: c.pilot } : {}),
        ...(c.ntm !== undefined ? { ntm: c.ntm } : {}),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Give rows ids (in order, from `firstId`) and resolve parent codes, e.g. to build a `UnitTree`
 * from an import or a generated tree. `existing` maps codes already in the store to their ids.
 * Throws when a parent is neither earlier in `rows` nor in `existing` (rows come from
 * `parseUnits` or the generators, which guarantee parents first).
 */
export function unitRowsToNodes(
  rows: readonly UnitRow[],
  firstId = 1,
  existing?: ReadonlyMap<string, number>,
): UnitNode[] {
  const ids = new Map<string, number>();
  const out: UnitNode[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const id = firstId + i;
    let parentId: number | null = null;
    if (r.parentCode !== null) {
      const p = ids.get(r.parentCode) ?? existing?.get(r.parentCode);
      if (p === undefined) throw new Error(`unitRowsToNodes: parent ${r.parentCode} of ${r.code} not found`);
      parentId = p;
    }
    ids.set(r.code, id);
    out[i] = { id, code: r.code, name: r.name, kind: r.kind, parentId };
  }
  return out;
}

/** The unit tree shipped with the project: Nam Định as plan 52/KH-BTV saw it. */
export const DEFAULT_UNITS_PATH = new URL("../../../prisma/seed/units-nam-dinh.yaml", import.meta.url).pathname;
