/**
 * Long answers: every question kind has a cap (limits.ts); past it the answer is "too_long" with
 * the question's expected form, at once. Under the cap every parser must still give a result (no
 * hang, no throw) on long, random input. Results are asserted, never speed.
 */
import { describe, expect, it } from "vitest";
import type { Question } from "../../plan/schema.js";
import { parseAnswer, PARSE_ERROR_CODES } from "./answers.js";
import { matchChoices } from "./choices.js";
import { ANSWER_LIMITS, answerLimit } from "./limits.js";
import { explainError, describeExpected } from "./messages.js";
import { MODELS, Q } from "./test-fixtures.js";
import { t } from "../../i18n.js";

const TODAY = "2024-03-15";
const LENGTH = 4096;
const fill = (unit: string, n = LENGTH) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** Shapes of a 4,096-character answer: each is tried against every question kind. */
const LONG_SHAPES: Array<[string, string]> = [
  ["digits", fill("1")],
  ["digits and dots", fill("1.")],
  ["digits and commas", fill("1,")],
  ["part of total", fill("12/15 ")],
  ["one letter", fill("a")],
  ["letters and commas", fill("a,")],
  ["labels and commas", fill("Giáo dục cha mẹ, ")],
  ["labels and và", fill("giao duc va ")],
  ["lines", fill("1\n")],
  ["spaces around a word", `3${" ".repeat(LENGTH - 2)}x`],
  ["words", fill("hai mươi ")],
  ["yes", fill("có ")],
  ["dates", fill("05/08/2023 ")],
  ["Vietnamese text", fill("Chi hội đã tổ chức tuyên truyền. ")],
];

/** Every question kind of the fixtures: [name, question, cap]. */
const KINDS: Array<[string, Question, number]> = [
  ["integer", Q.households, ANSWER_LIMITS.integer],
  ["decimal", Q.share, ANSWER_LIMITS.decimal],
  ["percent (part of total)", Q.victims, ANSWER_LIMITS.part_of_total],
  ["date", Q.heldOn, ANSWER_LIMITS.date],
  ["yes/no", Q.held, ANSWER_LIMITS.yes_no],
  ["choice", Q.model, answerLimit(Q.model)],
  ["multi-choice", Q.models, answerLimit(Q.models)],
  ["text", Q.story, 500],
];

describe("a 4,096-character answer of every kind is too_long, with the expected form", () => {
  const table = KINDS.flatMap(([kind, q, cap]) => LONG_SHAPES.map(([shape, text]) => [kind, shape, q, cap, text] as const));
  it.each(table)("%s ← %s", (_kind, _shape, q, cap, text) => {
    const r = parseAnswer(q, text, { today: TODAY });
    expect(r).toEqual({ ok: false, error: { code: "too_long", params: { length: [...text.trim()].length, maxLength: cap } } });
    if (r.ok) return;
    const reply = explainError(q, r.error, t);
    const expected = describeExpected(q);
    expect(reply).toContain(t(expected.key, expected.params));
  });

  it("the Vietnamese reply names the cap and the expected form", () => {
    const r = parseAnswer(Q.households, fill("5"), { today: TODAY });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(explainError(Q.households, r.error, t)).toBe(
        "Dạ, câu trả lời dài 4.096 ký tự, quá giới hạn 200 ký tự ạ. Chị trả lời giúp em một số nguyên từ 0 đến 500 (đơn vị: hộ) ạ.",
      );
  });
});

/** Answers just under each cap that must still be read (the cap never refuses a real answer). */
const AT_THE_CAP: Array<[string, Question, string, unknown]> = [
  ["integer with words", Q.households, `Dạ có tổng cộng ${" ".repeat(150)}12 hộ ạ`, 12],
  ["every model typed out", Q.models, MODELS.map((m) => m.label).join(", "), MODELS.map((m) => m.key)],
  ["every model with và", Q.models, MODELS.map((m) => m.label.toLowerCase()).join(" và "), MODELS.map((m) => m.key)],
  ["the longest label twice", Q.model, `${MODELS[3]!.label} ạ`, MODELS[3]!.key],
  ["yes with a long reason", Q.held, `Dạ có ạ, ${fill("chi hội đã họp ", 250)}`, true],
];

describe("answers under the caps are still read", () => {
  it.each(AT_THE_CAP)("%s", (_what, q, text, value) => {
    expect(text.length).toBeLessThanOrEqual(answerLimit(q));
    expect(parseAnswer(q, text, { today: TODAY })).toEqual({ ok: true, value });
  });
});

/** A small deterministic generator (tests must be repeatable). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [..."aăâbcdđeêgiklmnoôơpqrstuưvxyàáạ0123456789 .,;:/+&-%\n"];
const WORDS = ["có", "không", "và", "với", "1", "2,5", "12/15", "hai", "mươi", "tr", "Giáo dục cha mẹ", "ấm no", "hạnh phúc", "dạ", "ạ", "05/08"];

function randomLong(rand: () => number, length: number): string {
  let out = "";
  while (out.length < length) out += rand() < 0.5 ? ALPHABET[Math.floor(rand() * ALPHABET.length)] : `${WORDS[Math.floor(rand() * WORDS.length)]} `;
  return out.slice(0, length);
}

describe("fuzz: long random answers", () => {
  const rand = prng(4096);
  const inputs = Array.from({ length: 60 }, () => randomLong(rand, 100 + Math.floor(rand() * 4000)));

  it.each(KINDS)("%s: a result for every input; too_long exactly when over the cap", (_kind, q, cap) => {
    for (const text of inputs) {
      const r = parseAnswer(q, text, { today: TODAY });
      const length = [...text.trim()].length;
      if (length > cap) expect(r, text.slice(0, 40)).toMatchObject({ ok: false, error: { code: "too_long" } });
      else if (!r.ok) expect(PARSE_ERROR_CODES).toContain(r.error.code);
    }
  });

  it("matchChoices (no cap of its own) gives valid keys or a known failure on 4,096 characters", () => {
    const keys = MODELS.map((m) => m.key);
    for (const text of [...inputs, ...LONG_SHAPES.map(([, s]) => s)]) {
      const m = matchChoices(MODELS, text);
      if (m.ok) for (const k of m.keys) expect(keys).toContain(k);
      else expect(["unknown_choice", "choice_out_of_range", "ambiguous_choice"]).toContain(m.code);
    }
  });
});
