/**
 * The help offer after three answers the bot could not read: a valid answer to the question wins
 * over a choice typed as a number, and only the word "hủy" (or the tapped button) cancels — a
 * report is never lost to a typed "3". Table-driven: each row is a question kind, what she types
 * in the offer, and what must happen.
 */
import { describe, expect, it } from "vitest";
import type { AnswerValue } from "../plan/schema.js";
import { handleButton, handleInput, startReport } from "./engine.js";
import { CTX, drive, monthlyForm, said } from "./test-helpers.js";

/** One question of each kind before a last yes/no question, so that an answer moves on. */
const QUESTIONS = {
  yes_no: { key: "q", type: "yes_no", text: "Chi hội có họp không chị?" },
  count: { key: "q", type: "integer", text: "Mấy buổi ạ?", min: 1, max: 31, unit: "buổi" },
  count_from_ten: { key: "q", type: "integer", text: "Bao nhiêu người ạ?", min: 10, max: 500, unit: "người" },
  single_choice: {
    key: "q",
    type: "single_choice",
    text: "Hình thức nào ạ?",
    choices: [
      { key: "a", label: "Truyền thông" },
      { key: "b", label: "Biểu dương" },
      { key: "c", label: "Hỗ trợ" },
    ],
  },
  part_of_total: { key: "q", type: "part_of_total", text: "Bao nhiêu trên tổng số ạ?", partLabel: "được hỗ trợ", totalLabel: "được phát hiện" },
  date: { key: "q", type: "date", text: "Ngày nào ạ?" },
  text: { key: "q", type: "text", text: "Chị ghi chú gì ạ?", maxLength: 10 },
} as const;

/** Three answers that each question cannot take. */
const BAD: Record<keyof typeof QUESTIONS, string> = {
  yes_no: "hmm",
  count: "nhiều lắm",
  count_from_ten: "nhiều lắm",
  single_choice: "cái khác",
  part_of_total: "nhiều lắm",
  date: "hôm kia kìa",
  text: "một câu quá dài so với giới hạn",
};

type Outcome =
  | { answer: AnswerValue }
  | { guide: true }
  | { retry: true }
  | { kept: "cancelByWord" | "again" | "againWords" }
  | { cancelled: true };

const CASES: Array<{ kind: keyof typeof QUESTIONS; input: string; expect: Outcome }> = [
  // A number that answers the question is her answer, whatever the offer's lines are numbered.
  { kind: "count", input: "3", expect: { answer: 3 } },
  { kind: "count", input: "1", expect: { answer: 1 } },
  { kind: "count", input: "2 buổi", expect: { answer: 2 } },
  { kind: "single_choice", input: "3", expect: { answer: "c" } },
  { kind: "single_choice", input: "1", expect: { answer: "a" } },
  { kind: "text", input: "3", expect: { answer: "3" } },
  { kind: "part_of_total", input: "1/3", expect: { answer: { part: 1, total: 3 } } },
  // A bare "3" that is not an answer keeps the report and asks for the word.
  { kind: "yes_no", input: "3", expect: { kept: "cancelByWord" } },
  { kind: "count_from_ten", input: "3", expect: { kept: "cancelByWord" } },
  { kind: "count_from_ten", input: "chọn 3", expect: { kept: "cancelByWord" } },
  { kind: "part_of_total", input: "3", expect: { kept: "cancelByWord" } },
  // 1 and 2 are the guide and answering again when they are not answers.
  { kind: "yes_no", input: "1", expect: { answer: true } },
  { kind: "yes_no", input: "2", expect: { retry: true } },
  { kind: "date", input: "1", expect: { guide: true } },
  { kind: "count_from_ten", input: "1", expect: { guide: true } },
  { kind: "count_from_ten", input: "2", expect: { retry: true } },
  // Words are choices on every kind, even where any text is an answer.
  { kind: "count", input: "xem hướng dẫn", expect: { guide: true } },
  { kind: "text", input: "trả lời lại", expect: { retry: true } },
  { kind: "text", input: "?", expect: { guide: true } },
  // Cancelling takes the word.
  { kind: "count", input: "hủy", expect: { cancelled: true } },
  { kind: "yes_no", input: "huy", expect: { cancelled: true } },
  { kind: "text", input: "Hủy báo cáo", expect: { cancelled: true } },
  // A valid answer after three bad ones.
  { kind: "yes_no", input: "có", expect: { answer: true } },
  { kind: "count_from_ten", input: "45", expect: { answer: 45 } },
  { kind: "date", input: "8/6", expect: { answer: "2024-06-08" } },
  // Something else repeats the offer.
  { kind: "count_from_ten", input: "hả", expect: { kept: "again" } },
  { kind: "yes_no", input: "hả", expect: { kept: "againWords" } },
];

function formOf(kind: keyof typeof QUESTIONS) {
  return monthlyForm("thu", "Báo cáo thử", [QUESTIONS[kind], { key: "cuoi", type: "yes_no", text: "Câu cuối ạ?" }]);
}

function offered(kind: keyof typeof QUESTIONS) {
  const form = formOf(kind);
  const opts = { form, today: "2024-06-18" };
  const run = drive(startReport(form, CTX), [BAD[kind], BAD[kind], BAD[kind]], { options: opts });
  expect(run.state?.phase).toBe("help_offer");
  return { form, opts, state: run.state! };
}

describe("the help offer never loses a report to a number", () => {
  it.each(CASES)("$kind: “$input” → $expect", ({ kind, input, expect: outcome }) => {
    const { opts, state } = offered(kind);
    const step = handleInput(state, input, opts);
    if ("answer" in outcome) {
      expect(step.state?.answers).toEqual({ q: outcome.answer });
      expect(step.state?.questionKey).toBe("cuoi");
    } else if ("guide" in outcome) {
      expect(step.state).toMatchObject({ phase: "asking", questionKey: "q", failures: 0 });
      expect(said(step)).toContain("em giải thích câu 1");
    } else if ("retry" in outcome) {
      expect(step.state).toMatchObject({ phase: "asking", questionKey: "q", failures: 0 });
      expect(said(step)).toMatch(/^Câu 1\/2:/);
    } else if ("kept" in outcome) {
      expect(step.effect).toBeUndefined();
      expect(step.state).toEqual(state);
      const why = { cancelByWord: "gõ chữ “hủy” nếu thật sự muốn hủy", again: "chị gõ 1 hoặc 2 giúp em", againWords: "vẫn chưa đọc được" };
      expect(said(step)).toContain(why[outcome.kept]);
      expect(said(step)).toContain("Muốn hủy báo cáo thì chị gõ chữ “hủy” ạ.");
    } else {
      expect(step.state).toBeNull();
      expect(step.effect).toEqual({ type: "cancelled" });
    }
  });

  it("the offer is numbered only where 1 and 2 cannot be answers", () => {
    for (const kind of ["count_from_ten", "date"] as const) {
      const { opts, state } = offered(kind);
      expect(said(handleInput(state, "hả", opts))).toContain("1. Xem hướng dẫn\n2. Trả lời lại\nMuốn hủy báo cáo");
    }
    for (const kind of ["yes_no", "count", "single_choice", "text"] as const) {
      const { opts, state } = offered(kind);
      const text = said(handleInput(state, "hả hả hả hả hả hả", opts));
      expect(text).not.toContain("1. Xem hướng dẫn");
      expect(text).toContain("gõ lại câu trả lời cho câu 1");
    }
  });

  it("the tapped “Hủy báo cáo” button still cancels (a tap is deliberate)", () => {
    const { opts, state } = offered("count");
    expect(handleButton(state, "o3", opts)?.effect).toEqual({ type: "cancelled" });
  });
});
