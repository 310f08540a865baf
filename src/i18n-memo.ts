/**
 * Remembering translations (used by src/i18n.ts). The locale resources are loaded once and never
 * change afterwards, so a translation is a pure function of its language, key and options:
 * - the same call again (language, key and every option equal, all of them primitives) gets the
 *   text made the first time;
 * - a call that differs only in the values of plain text options — a unit's name, a time — gets
 *   the text by filling the template of its shape: i18next run once with a marker in each such
 *   value's place. i18next inserts such a value as it is when the option is used only as a plain
 *   {{name}} (never formatted, as the resources are checked to show) and holds no "{", "}" or "$"
 *   (no nesting, no placeholder syntax in it); the first filled template of each shape is checked
 *   against i18next's own text, and a shape whose check fails is never filled again.
 * Both maps are emptied when they grow past their limit (5,000 texts: a few megabytes at most;
 * interpolated values vary).
 */

/** i18next's own translation of a key with its options (the language among them). */
export type RawTranslate = (key: string, options: Record<string, unknown>) => unknown;

/** Options i18next reads itself (plurals, context, namespaces…): never template markers. */
const RESERVED = new Set([
  "count",
  "context",
  "ordinal",
  "lng",
  "lngs",
  "ns",
  "defaultValue",
  "replace",
  "interpolation",
  "returnObjects",
  "returnDetails",
  "joinArrays",
  "postProcess",
  "keySeparator",
  "nsSeparator",
  "fallbackLng",
  "skipInterpolation",
  "tpl",
]);

/** What a templated value may not hold: placeholder and nesting syntax, the marker's character. */
const UNSAFE_VALUE = /[{}$\u0000]/;
const MARKER = /\u0000(\d+)\u0000/g;

function fill(template: string, values: readonly string[]): string {
  return template.replace(MARKER, (_, i: string) => values[Number(i)] ?? "");
}

/** The variables some resource formats ("{{max, number}}"), and whether any resource nests ("$t("). */
export function scanResources(resources: unknown): { formatted: Set<string>; nests: boolean } {
  const formatted = new Set<string>();
  let nests = false;
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.includes("$t(")) nests = true;
      for (const m of v.matchAll(/\{\{\s*-?\s*([^,}]*?)\s*,/g)) formatted.add(m[1]!);
    } else if (typeof v === "object" && v !== null) {
      for (const x of Object.values(v)) visit(x);
    }
  };
  visit(resources);
  return { formatted, nests };
}

/** The memo of one i18next instance (see the file comment). */
export class TranslationMemo {
  private readonly exact = new Map<string, string>();
  /** A shape's template, or null when its check failed. */
  private readonly templates = new Map<string, string | null>();

  constructor(
    private readonly raw: RawTranslate,
    private readonly resources: { formatted: ReadonlySet<string>; nests: boolean },
    private readonly limit = 5_000,
  ) {}

  /** Option names already judged: a plain identifier, not reserved, never formatted. */
  private readonly names = new Map<string, boolean>();

  /** Whether a text option's value may be a template marker. */
  private templatable(name: string, value: string): boolean {
    let ok = this.names.get(name);
    if (ok === undefined) {
      ok = !this.resources.nests && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name) && !this.resources.formatted.has(name);
      if (this.names.size < 1000) this.names.set(name, ok);
    }
    return ok && !UNSAFE_VALUE.test(value);
  }

  /** The translation, as i18next makes it. */
  translate(key: string, options: Record<string, unknown> | undefined, lng: string): string {
    let exactKey = `${lng}\u0000${key}`;
    let shapeKey = exactKey;
    let values: string[] | undefined;
    if (options) {
      for (const name in options) {
        const v = options[name];
        const type = typeof v;
        if (v !== null && (type === "object" || type === "function" || type === "symbol")) {
          return this.raw(key, { ...options, lng }) as string;
        }
        // The type's initial keeps 1 and "1" (and null and "null") apart.
        const part = `\u0000${name}\u0001${v === null ? "n" : type[0]}`;
        exactKey += part + String(v);
        if (type === "string" && this.templatable(name, v as string)) {
          (values ??= []).push(v as string);
          shapeKey += `${part}\u0002`;
        } else {
          shapeKey += part + String(v);
        }
      }
    }
    const hit = this.exact.get(exactKey);
    if (hit !== undefined) return hit;
    let text: unknown;
    const template = values ? this.templates.get(shapeKey) : null;
    if (values && typeof template === "string") {
      text = fill(template, values);
    } else {
      text = this.raw(key, { ...options, lng });
      if (values && template === undefined) this.learn(shapeKey, key, options!, lng, values, text);
    }
    if (typeof text === "string") {
      if (this.exact.size >= this.limit) this.exact.clear();
      this.exact.set(exactKey, text);
    }
    return text as string;
  }

  /** Makes the shape's template and keeps it when it gives i18next's text for these values. */
  private learn(shapeKey: string, key: string, options: Record<string, unknown>, lng: string, values: readonly string[], text: unknown): void {
    const marked: Record<string, unknown> = {};
    let i = 0;
    for (const name in options) {
      const v = options[name];
      marked[name] = typeof v === "string" && this.templatable(name, v) ? `\u0000${i++}\u0000` : v;
    }
    const template = this.raw(key, { ...marked, lng });
    const good = typeof template === "string" && typeof text === "string" && fill(template, values) === text;
    if (this.templates.size >= this.limit) this.templates.clear();
    this.templates.set(shapeKey, good ? template : null);
  }
}
