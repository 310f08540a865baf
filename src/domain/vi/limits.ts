/**
 * How long an answer to each kind of question may be before it is not read at all. Pure.
 *
 * Every parser is linear in its input, but a 4,096-character "number" is never a number: past
 * these caps parseAnswer answers "too_long" at once (with the question's expected form), without
 * trying to read it. The caps are generous for what people really type ("Dạ, chi hội em có tổng
 * cộng hai mươi lăm hộ đạt chuẩn rồi ạ" is 50 characters); choice caps grow with the labels so
 * that every label typed out in full, with separators and polite words, still fits.
 */
import type { Question } from "../../plan/schema.js";

/** Caps in characters (code points) of the trimmed answer, per question type. */
export const ANSWER_LIMITS = {
  integer: 200,
  decimal: 200,
  /** "part of total", the percentage questions ("12/15", "12 trên tổng số 15 hộ"). */
  part_of_total: 200,
  date: 100,
  yes_no: 300,
  /** At least this, or twice the longest label plus room for polite words. */
  single_choice: 200,
  /** At least this, or twice all labels together plus a separator each. */
  multi_choice: 500,
  /** "xong", "bỏ qua" and polite words (photos come as photos). */
  photo: 200,
} as const;

/** Room for polite words and separators around a typed choice. */
const CHOICE_SLACK = 40;

/** The most characters an answer to `question` may have (text questions: their own maxLength). */
export function answerLimit(question: Question): number {
  switch (question.type) {
    case "text":
      return question.maxLength;
    case "single_choice": {
      const longest = Math.max(...question.choices.map((c) => [...c.label].length));
      return Math.max(ANSWER_LIMITS.single_choice, 2 * longest + CHOICE_SLACK);
    }
    case "multi_choice": {
      const all = question.choices.reduce((sum, c) => sum + [...c.label].length + 5, 0);
      return Math.max(ANSWER_LIMITS.multi_choice, 2 * all + CHOICE_SLACK);
    }
    default:
      return ANSWER_LIMITS[question.type];
  }
}

/** The length of an answer as the caps count it: code points of the trimmed text. */
export function answerLength(text: string): number {
  let n = 0;
  for (const _ of text.trim()) n++;
  return n;
}
