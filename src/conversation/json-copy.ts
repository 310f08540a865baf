/**
 * A deep copy of plain JSON data that is what a round trip through JSON text gives
 * (`JSON.parse(JSON.stringify(value))`), without making the text: a stored conversation's answers
 * are copied on every message. Anything a JSON round trip would change in a way not mirrored here
 * (undefined, functions, class instances, toJSON, a "__proto__" key, a sparse array…) is copied
 * through JSON text instead, so the result is always the round trip's.
 */

/** Returned by `plain` when the value needs the JSON text round trip. */
const NOT_PLAIN = Symbol("not plain");

/** Depth past which the text round trip is used (it throws on cycles; this never loops). */
const MAX_DEPTH = 64;

function plain(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // JSON writes -0 as 0 and NaN and the infinities as null.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "object": {
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return NOT_PLAIN;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return NOT_PLAIN;
          const v = plain(value[i], depth + 1);
          if (v === NOT_PLAIN) return NOT_PLAIN;
          out[i] = v;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
      if ("toJSON" in value) return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (key === "__proto__") return NOT_PLAIN;
        const v = plain((value as Record<string, unknown>)[key], depth + 1);
        if (v === NOT_PLAIN) return NOT_PLAIN;
        out[key] = v;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
  }
}

/** A deep copy through JSON: what a stored value becomes (see the file comment). */
export function jsonCopy<T>(value: T): T {
  const copy = plain(value, 0);
  return (copy === NOT_PLAIN ? JSON.parse(JSON.stringify(value)) : copy) as T;
}
