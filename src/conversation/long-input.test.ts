/**
 * A 4,096-character message (Telegram's longest) at every question of the monthly form: the
 * person gets the too_long note and the question's expected form again, her earlier answers stay.
 */
import { describe, expect, it } from "vitest";
import { answerLimit } from "../domain/vi/limits.js";
import { describeExpected } from "../domain/vi/messages.js";
import { t } from "../i18n.js";
import { startReport } from "./engine.js";
import { questionByKey } from "./flow.js";
import { CTX, drive, FORM, said } from "./test-helpers.js";

const ANSWERS = ["co", "3", "40", "1,3", "2", "bo qua", "ko", "bo qua"];
const SHAPES: Array<[string, string]> = [
  ["digits and commas", "1,".repeat(2048)],
  ["one word", "a".repeat(4096)],
  ["numbered lines", "1\n".repeat(2048)],
];

/** [question number reached, shape, message]: every question the walk above asks, every shape. */
const TABLE = ANSWERS.flatMap((_, k) => SHAPES.map(([shape, text]) => [k, shape, text] as const));

describe("a 4,096-character answer in the conversation", () => {
  it.each(TABLE)("after %i answers, %s: too_long and the same question again", (k, _shape, text) => {
    const before = drive(startReport(FORM, CTX), ANSWERS.slice(0, k)).last.state!;
    expect(before.phase).toBe("asking");
    const q = questionByKey(FORM, before.questionKey)!;
    const step = drive({ state: before, replies: [] }, [text]).last;
    expect(step.state).toMatchObject({ phase: "asking", questionKey: q.key, answers: before.answers });
    const expected = describeExpected(q);
    const reply = said(step);
    expect(reply).toContain(t("parse:retry", { expected: t(expected.key, expected.params) }));
    if (q.type !== "text") expect(reply).toContain(t("parse:error.too_long", { length: [...text.trim()].length, maxLength: answerLimit(q) }));
  });
});
