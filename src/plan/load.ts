/**
 * Loading a plan file: YAML → schema (zod) → cross-checks. A plan with any problem is rejected
 * whole: `PlanError` lists every problem found with its file, line and path, in Vietnamese by
 * default, because the people who edit plans are union officers, not programmers.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type YAMLError,
} from "yaml";
import { DEFAULT_LANGUAGE, hasKey, type Language, t } from "../i18n.js";
import { checkPlan, formatPath, type PathSegment } from "./check.js";
import { type Plan, planSchema } from "./schema.js";

export { checkPlan, formatPath } from "./check.js";
export type { CheckIssue, PathSegment } from "./check.js";

/** The folder of plans shipped with the project (every `*.yaml` in it is loaded by default). */
export const DEFAULT_PLANS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "plans");

/** The seed plan shipped with the project (plan 52/KH-BTV of the Nam Định union, 2023–2025). */
export const DEFAULT_PLAN_PATH = join(DEFAULT_PLANS_DIR, "2023-2025-52-KH-BTV.yaml");

export interface PlanIssue {
  file: string;
  /** Where in the plan, e.g. "forms[0].questions[2].max"; "" for the whole file. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

export interface ParsePlanOptions {
  /** Language of the problem messages (Vietnamese by default). */
  language?: Language;
}

/** "file:line: path: problem" (line and path left out when unknown). */
export function formatPlanIssue(issue: PlanIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export class PlanError extends Error {
  readonly issues: PlanIssue[];

  constructor(issues: PlanIssue[], lng: Language = DEFAULT_LANGUAGE) {
    const file = issues[0]?.file ?? "";
    const header = t("plan:error.header", { file, count: issues.length }, lng);
    super([header, ...issues.map(formatPlanIssue)].join("\n"));
    this.name = "PlanError";
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------
// Positions in the YAML document

type YamlNode = unknown;

function resolveAlias(doc: Document, node: YamlNode): YamlNode {
  return isAlias(node) ? node.resolve(doc) : node;
}

function nodeStart(node: YamlNode): number | undefined {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range ? range[0] : undefined;
  }
  return undefined;
}

/** The offset of the deepest node on `path` that exists (a key's own position for map entries). */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: YamlNode = doc.contents;
  let best = nodeStart(node);
  for (const segment of path) {
    node = resolveAlias(doc, node);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      best = nodeStart(pair.key) ?? nodeStart(pair.value) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item: YamlNode = node.items[segment];
      if (item === undefined) break;
      best = nodeStart(item) ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function contains(node: YamlNode, offset: number): boolean {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return !!range && offset >= range[0] && offset <= range[2];
  }
  return false;
}

/** The path of the deepest map entry or list item around an offset (for YAML syntax errors). */
function pathAt(doc: Document, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: YamlNode = doc.contents;
  for (let depth = 0; depth < 100; depth++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const start = nodeStart(p.key);
        if (start === undefined || offset < start) return false;
        return contains(p.value, offset) || contains(p.key, offset);
      });
      // In a broken document a "key" may be a whole mangled line: stop at anything not key-like.
      if (!pair || !isScalar(pair.key) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(pair.key.value))) break;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else {
      break;
    }
  }
  return path;
}

// ---------------------------------------------------------------------------------------------
// Schema issues → readable messages

const EXPECTED_KEYS = new Set(["number", "int", "string", "boolean", "array", "object"]);

function expectedName(expected: string, lng: Language): string {
  return EXPECTED_KEYS.has(expected) ? t(`plan:expected.${expected}`, {}, lng) : expected;
}

function receivedName(input: unknown, lng: Language): string {
  if (Array.isArray(input)) return t("plan:received.array", {}, lng);
  if (typeof input === "string") return t("plan:received.string", { value: input }, lng);
  if (typeof input === "number" || typeof input === "boolean") return t(`plan:received.${typeof input}`, { value: String(input) }, lng);
  if (typeof input === "object") return t("plan:received.object", {}, lng);
  return typeof input;
}

interface RawIssue {
  code?: string;
  input?: unknown;
  [key: string]: unknown;
}

/** Per-parse zod error map: Vietnamese (or English) messages; messages set in the schema win. */
function errorMap(lng: Language) {
  return (raw: unknown): string => {
    const issue = raw as RawIssue;
    const n = (v: unknown): string => String(v);
    switch (issue.code) {
      case "invalid_type":
        if (issue.input === undefined) return t("plan:schema.required", {}, lng);
        if (issue.input === null) return t("plan:schema.empty", { expected: expectedName(n(issue.expected), lng) }, lng);
        return t("plan:schema.invalidType", {
          expected: expectedName(n(issue.expected), lng),
          received: receivedName(issue.input, lng),
        }, lng);
      case "too_small":
      case "too_big": {
        const small = issue.code === "too_small";
        const limit = n(small ? issue.minimum : issue.maximum);
        const origin = n(issue.origin);
        if (origin === "string") {
          if (small && limit === "1") return t("plan:schema.emptyString", {}, lng);
          return t(small ? "plan:schema.stringTooShort" : "plan:schema.stringTooLong", { limit }, lng);
        }
        if (origin === "array") return t(small ? "plan:schema.arrayTooShort" : "plan:schema.arrayTooLong", { limit }, lng);
        const inclusive = issue.inclusive !== false;
        const key = small ? (inclusive ? "numberMin" : "numberAbove") : inclusive ? "numberMax" : "numberBelow";
        return t(`plan:schema.${key}`, { limit, value: n(issue.input) }, lng);
      }
      case "invalid_format":
        return t("plan:schema.invalidFormat", {}, lng);
      case "invalid_value": {
        const values = (issue.values as unknown[]).map((v) => JSON.stringify(v));
        return values.length === 1
          ? t("plan:schema.mustBe", { value: values[0], received: JSON.stringify(issue.input) ?? "" }, lng)
          : t("plan:schema.mustBeOneOf", { values: values.join(", "), received: JSON.stringify(issue.input) ?? "" }, lng);
      }
      case "unrecognized_keys":
        return t("plan:schema.unknownField", { key: (issue.keys as string[]).join(", ") }, lng);
      case "invalid_union":
        return t("plan:schema.noVariant", { details: "" }, lng);
      default:
        return t("plan:schema.invalid", {}, lng);
    }
  };
}

interface FlatIssue {
  path: PropertyKey[];
  message: string;
  /** A required field is absent. */
  missing: boolean;
  /** For a value that is simply of the wrong kind: what would be accepted ("a number", "\"last\""). */
  alternative?: string;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  expected?: string;
  values?: unknown[];
  errors?: ZodIssueLike[][];
  discriminator?: string;
  options?: unknown[];
}

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/** A message set in the schema is a locale key ("plan:format.date"); others are already translated. */
function schemaMessage(message: string, lng: Language): string {
  return message.startsWith("plan:") && hasKey(message, lng) ? t(message, {}, lng) : message;
}

/** Flattens zod issues, resolving unions to the most plausible alternative. */
function flattenIssue(issue: ZodIssueLike, prefix: PropertyKey[], lng: Language): FlatIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    const errors = issue.errors ?? [];
    if (errors.length === 0) {
      if (issue.discriminator && issue.options) {
        const input = issue.input as Record<string, unknown> | undefined;
        const given = input && typeof input === "object" ? input[issue.discriminator] : undefined;
        const options = issue.options.map(String).join(", ");
        const message =
          given === undefined
            ? t("plan:schema.discriminatorMissing", { field: issue.discriminator, options }, lng)
            : t("plan:schema.discriminatorInvalid", { field: issue.discriminator, value: JSON.stringify(given), options }, lng);
        return [{ path, message, missing: given === undefined }];
      }
      return [{ path, message: schemaMessage(issue.message, lng), missing: false }];
    }
    const branches = errors.map((branch) => branch.flatMap((e) => flattenIssue(e, path, lng)));
    const score = (branch: FlatIssue[]): number => branch.reduce((s, f) => s + (f.missing ? 10 : 1), 0);
    const best = Math.min(...branches.map(score));
    const winners = branches.filter((b) => score(b) === best);
    if (winners.length === 1) return winners[0]!;
    const or = t("plan:or", {}, lng);
    if (winners.every((b) => b.length === 1 && samePath(b[0]!.path, path) && b[0]!.alternative !== undefined)) {
      const alternative = winners.map((b) => b[0]!.alternative).join(or);
      const missing = winners.every((b) => b[0]!.missing);
      const key = missing ? "plan:schema.required" : issue.input === null ? "plan:schema.empty" : "plan:schema.oneOf";
      return [{ path, message: t(key, { expected: alternative }, lng), missing, alternative }];
    }
    const relative = (f: FlatIssue): string => formatPath(f.path.slice(path.length)) || "…";
    if (winners.every((b) => b.every((f) => f.missing))) {
      const fields = winners.map((b) => b.map((f) => `“${relative(f)}”`).join(" + ")).join(or);
      return [{ path, message: t("plan:schema.needOneOfFields", { fields }, lng), missing: true }];
    }
    const details = winners.map((b, i) => `(${i + 1}) ${b.map((f) => `${relative(f)}: ${f.message}`).join("; ")}`).join(" ");
    return [{ path, message: t("plan:schema.noVariant", { details }, lng), missing: false }];
  }
  // YAML never yields `undefined`, so an undefined input means the field is absent.
  const missing = (issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined;
  let alternative: string | undefined;
  if (issue.code === "invalid_type" && issue.expected) alternative = expectedName(issue.expected, lng);
  if (issue.code === "invalid_value" && issue.values) alternative = issue.values.map((v) => JSON.stringify(v)).join(t("plan:or", {}, lng));
  return [{ path, message: schemaMessage(issue.message, lng), missing, ...(alternative !== undefined ? { alternative } : {}) }];
}

/** Fields present in the file that the schema does not know (silently dropped by zod otherwise). */
function unknownFields(input: unknown, output: unknown, path: PathSegment[], found: PathSegment[][]): void {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((item, i) => unknownFields(item, output[i], [...path, i], found));
    return;
  }
  if (input && output && typeof input === "object" && typeof output === "object" && !Array.isArray(input)) {
    const out = output as Record<string, unknown>;
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      if (!(key in out)) found.push([...path, key]);
      else unknownFields(value, out[key], [...path, key], found);
    }
  }
}

// ---------------------------------------------------------------------------------------------

function yamlMessage(error: YAMLError, lng: Language): string {
  const key = `plan:yaml.${error.code}`;
  const detail = error.message.split("\n")[0] ?? "";
  return hasKey(key, lng) ? t(key, { detail }, lng) : t("plan:yaml.generic", { detail }, lng);
}

function sortByLine(issues: PlanIssue[]): PlanIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map((x) => x.issue);
}

/** Parses and validates a plan; throws PlanError listing every problem. */
export function parsePlan(text: string, fileName: string, options: ParsePlanOptions = {}): Plan {
  const lng = options.language ?? DEFAULT_LANGUAGE;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line || 1;
  function fail(issues: PlanIssue[]): never {
    throw new PlanError(sortByLine(issues), lng);
  }

  if (doc.errors.length > 0) {
    // One error per line: later errors on a line are usually consequences of the first.
    const seenLines = new Set<number>();
    const firstPerLine = doc.errors.filter((error) => {
      const line = lineAt(error.pos[0]) ?? 0;
      if (seenLines.has(line)) return false;
      seenLines.add(line);
      return true;
    });
    fail(
      firstPerLine.map((error) => {
        const line = lineAt(error.pos[0]);
        return {
          file: fileName,
          path: formatPath(pathAt(doc, error.pos[0])),
          ...(line !== undefined ? { line } : {}),
          message: yamlMessage(error, lng),
        };
      }),
    );
  }

  const issueAt = (path: readonly PropertyKey[], message: string): PlanIssue => {
    const line = lineAt(offsetOf(doc, path));
    return { file: fileName, path: formatPath(path), ...(line !== undefined ? { line } : {}), message };
  };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    fail([{ file: fileName, path: "", message: t("plan:yaml.generic", { detail: (error as Error).message }, lng) }]);
  }

  const result = planSchema.safeParse(data, { error: errorMap(lng), reportInput: true });
  if (!result.success) {
    const flat = (result.error.issues as unknown as ZodIssueLike[]).flatMap((issue) => flattenIssue(issue, [], lng));
    fail(flat.map((f) => issueAt(f.path, f.message)));
  }
  const plan = result.data;

  const extra: PathSegment[][] = [];
  unknownFields(data, plan, [], extra);
  const issues = [
    ...extra.map((path) => issueAt(path, t("plan:schema.unknownField", { key: String(path[path.length - 1]) }, lng))),
    ...checkPlan(plan, lng).map((issue) => issueAt(issue.path, issue.message)),
  ];
  if (issues.length > 0) fail(issues);
  return plan;
}

/** Reads and parses a plan file; throws PlanError (also when the file cannot be read). */
export function loadPlanFile(path: string, options: ParsePlanOptions = {}): Plan {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const lng = options.language ?? DEFAULT_LANGUAGE;
    const detail = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PlanError([{ file: path, path: "", message: t("plan:error.unreadable", { detail }, lng) }], lng);
  }
  return parsePlan(text, path, options);
}
