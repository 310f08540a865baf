/**
 * bench:parse — how long each answer parser takes on a 4,096-character answer (Telegram's longest
 * message): through parseAnswer (which refuses it at the cap) and, to show the parsers themselves
 * are linear, the uncapped readers on 1,024 and 4,096 characters. Prints human lines, then one
 * JSON line.
 */
import { matchChoices, parseAnswer, parseDate, parseNumber, parsePartOfTotal, parseYesNo } from "../src/domain/vi/index.js";
import type { Question } from "../src/plan/schema.js";
import { MODELS, Q } from "../src/domain/vi/test-fixtures.js";

const ROUNDS = 20;
const SHAPES = ["1,", "1.", "a ", "Giáo dục cha mẹ, ", "12/15 ", "có ", "1\n", "hai mươi "];
const fill = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** Milliseconds per call, the worst over the shapes. */
function worst(fn: (text: string) => unknown, length: number): number {
  let max = 0;
  for (const shape of SHAPES) {
    const text = fill(shape, length);
    const start = performance.now();
    for (let i = 0; i < ROUNDS; i++) fn(text);
    max = Math.max(max, (performance.now() - start) / ROUNDS);
  }
  return Math.round(max * 1000) / 1000;
}

const KINDS: Record<string, Question> = {
  integer: Q.households,
  decimal: Q.share,
  percent: Q.victims,
  date: Q.heldOn,
  yes_no: Q.held,
  choice: Q.model,
  multi_choice: Q.models,
  text: Q.story,
};
const READERS: Record<string, (text: string) => unknown> = {
  parseNumber: (s) => parseNumber(s),
  parsePartOfTotal: (s) => parsePartOfTotal(s),
  parseDate: (s) => parseDate(s, "2024-03-15"),
  parseYesNo: (s) => parseYesNo(s),
  matchChoices: (s) => matchChoices(MODELS, s),
};

const capped: Record<string, number> = {};
for (const [kind, q] of Object.entries(KINDS)) {
  capped[kind] = worst((s) => parseAnswer(q, s, { today: "2024-03-15" }), 4096);
  console.log(`parseAnswer ${kind.padEnd(13)} 4096 chars: ${capped[kind]} ms`);
}
const uncapped: Record<string, { ms1024: number; ms4096: number }> = {};
for (const [name, fn] of Object.entries(READERS)) {
  uncapped[name] = { ms1024: worst(fn, 1024), ms4096: worst(fn, 4096) };
  console.log(`${name.padEnd(25)} 1024 chars: ${uncapped[name].ms1024} ms, 4096 chars: ${uncapped[name].ms4096} ms`);
}
console.log(JSON.stringify({ bench: "parse", length: 4096, parseAnswerMs: capped, readersMs: uncapped }));
