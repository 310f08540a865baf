import { describe, expect, it } from "vitest";
import { jsonCopy } from "./json-copy.js";

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("jsonCopy", () => {
  const cases: [string, unknown][] = [
    ["answers of every kind", { q1: true, q2: 3, q3: 86.4, q4: "c1", q5: ["a", "b"], q6: { part: 1, total: 2 }, q7: [{ channel: "telegram", fileId: "f", uniqueId: "u", size: 12 }] }],
    ["-0, NaN and the infinities", { a: -0, b: NaN, c: Infinity, d: [-Infinity, -0, NaN] }],
    ["undefined in an object and in an array", { a: undefined, b: [1, undefined, 3] }],
    ["a sparse array", { a: [1, , 3] }],
    ["a Date and a class instance", { at: new Date("2024-05-20T01:02:03Z"), m: new Map([["a", 1]]) }],
    ["toJSON", { a: { toJSON: () => "x" } }],
    ["a function", { f: () => 1, g: [() => 1] }],
    ["a __proto__ key as JSON.parse makes it", JSON.parse('{"__proto__": {"x": 1}, "y": 2}')],
    ["an object without prototype", Object.assign(Object.create(null), { a: 1 })],
    ["integer-like keys", { b: 1, 2: "two", a: 3, 1: "one" }],
    ["lone surrogates and emoji", { s: "\ud800 x \udfff 👍 ạ" }],
    ["deep nesting", JSON.parse(`${"[".repeat(100)}1${"]".repeat(100)}`)],
    ["null and primitives at the top", null],
  ];
  for (const [name, value] of cases) {
    it(`${name}: the same as a JSON round trip`, () => {
      const copy = jsonCopy(value);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(roundTrip(value)));
      expect(copy).toStrictEqual(roundTrip(value));
    });
  }

  it("shares nothing with the original", () => {
    const original = { a: ["x"], b: { part: 1, total: 2 }, c: [{ fileId: "f" }] };
    const copy = jsonCopy(original);
    copy.a.push("y");
    copy.b.part = 2;
    copy.c[0]!.fileId = "g";
    expect(original).toEqual({ a: ["x"], b: { part: 1, total: 2 }, c: [{ fileId: "f" }] });
  });

  it("keeps what a JSON round trip keeps: the copy of an own __proto__ key is an own key, not a prototype", () => {
    const copy = jsonCopy(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("throws where the JSON round trip throws (a cycle, a BigInt)", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonCopy(cyclic)).toThrow();
    expect(() => jsonCopy({ n: 1n })).toThrow();
  });
});
