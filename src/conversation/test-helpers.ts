/** Shared by the tests of this folder (not a test file itself). */
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../plan/load.js";
import { formSchema, type Form } from "../plan/schema.js";
import { handleInput, type HandleOptions } from "./engine.js";
import type { ConversationState, Step } from "./types.js";

export const PLAN = loadPlanFile(DEFAULT_PLAN_PATH);
/**
 * The branch monthly form without its trailing photo question (ảnh minh chứng): the fixtures of
 * this folder were written for its nine typed questions; photos have their own tests
 * (photo.test.ts), and the app and end-to-end tests run the whole form.
 */
export const FORM: Form = (() => {
  const form = PLAN.forms.find((f) => f.key === "chi_hoi_thang")!;
  return { ...form, questions: form.questions.filter((q) => q.type !== "photo") };
})();
export const TODAY = "2024-05-18";
export const CTX = { unitId: 42, unitName: "Chi hội Xóm 3", periodKey: "2024-05", periodLabel: "tháng 5/2024" };
export const OPTS: HandleOptions = { form: FORM, today: TODAY };

/** A monthly branch form due on the 20th with these questions (as a plan file gives them), checked as a plan's forms are. */
export function monthlyForm(key: string, title: string, questions: unknown[]): Form {
  return formSchema.parse({ key, title, period: "monthly", due: { day: 20 }, unitKinds: ["branch"], questions });
}

/** Freezes a value deeply, so that any mutation by the engine would throw. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface Run {
  steps: Step[];
  last: Step;
  /** The last non-null state. */
  state: ConversationState | null;
}

/**
 * Feeds the inputs one by one. With `roundTrip`, the state goes through JSON.stringify/parse
 * before every message (what the store does); states are frozen to catch mutation.
 */
export function drive(start: Step, inputs: readonly string[], opts: { roundTrip?: boolean; options?: HandleOptions } = {}): Run {
  const steps: Step[] = [start];
  let step = start;
  let state = start.state;
  for (const input of inputs) {
    if (!step.state) throw new Error(`conversation ended before input ${JSON.stringify(input)}`);
    const current = opts.roundTrip ? (JSON.parse(JSON.stringify(step.state)) as ConversationState) : step.state;
    step = handleInput(deepFreeze(current), input, opts.options ?? OPTS);
    steps.push(step);
    if (step.state) state = step.state;
  }
  return { steps, last: step, state };
}

/** The text of all replies of a step. */
export const said = (step: Step): string => step.replies.map((r) => r.text).join("\n");

/** A small deterministic PRNG (mulberry32), the one the unit-tree generator uses. */
export { prng } from "../domain/units/generate.js";
