import { describe, expect, it } from "vitest";
import { handleButton, handleInput, startCorrection, startReport } from "./engine.js";
import { formSchema } from "../plan/schema.js";
import { CTX, deepFreeze, drive, FORM, OPTS, TODAY } from "./test-helpers.js";
import type { ConversationState, Step } from "./types.js";

/** The state after the typed inputs, asking (or summing up) what comes next. */
function after(inputs: readonly string[]): ConversationState {
  const run = drive(startReport(FORM, CTX), inputs, { roundTrip: true });
  return run.last.state!;
}
const labels = (step: Step | null) => step?.replies.at(-1)?.buttons?.rows.flat().map((b) => b.label) ?? [];
const tap = (state: ConversationState, action: string) => handleButton(deepFreeze(JSON.parse(JSON.stringify(state)) as ConversationState), action, OPTS);

// The monthly report: 1 yes/no, 2–3 numbers, 4 multiple choice, 5 number, 6 optional multiple
// choice, 7 yes/no, 8 part of total (if 7), 9 optional text.
const AT = {
  q1: [] as string[],
  q2: ["co"],
  q4: ["co", "3", "45"],
  q6: ["co", "3", "45", "1", "2"],
  q7: ["co", "3", "45", "1", "2", "bo qua"],
  q9: ["co", "3", "45", "1", "2", "bo qua", "khong"],
  summary: ["co", "3", "45", "1", "2", "bo qua", "khong", "bo qua"],
};

describe("the buttons of each prompt", () => {
  const cases: { name: string; inputs: string[]; labels: string[]; extra?: boolean }[] = [
    { name: "yes/no", inputs: AT.q1, labels: ["Có", "Không"] },
    { name: "a number that must be answered: none", inputs: AT.q2, labels: [] },
    { name: "multiple choice: ticks and Xong", inputs: AT.q4, labels: ["◻️ 1. An toàn", "◻️ 2. Trách nhiệm", "◻️ 3. Thịnh vượng", "◻️ 4. Bình đẳng", "Xong"] },
    { name: "optional text: only Bỏ qua (typing is the way)", inputs: AT.q9, labels: ["Bỏ qua"], extra: true },
    { name: "the summary: Gửi / Sửa / Hủy", inputs: AT.summary, labels: ["Gửi", "Sửa", "Hủy"] },
    { name: "changing an answer: the question's and Giữ nguyên", inputs: [...AT.summary, "sửa 1"], labels: ["Có", "Không", "Giữ nguyên"] },
    { name: "a bad answer asks again with the buttons", inputs: ["hmm"], labels: ["Có", "Không"] },
    { name: "which answer to change: the summary's numbers and Giữ nguyên", inputs: [...AT.summary, "sửa"], labels: ["1", "2", "3", "4", "5", "6", "7", "9", "Giữ nguyên"] },
  ];
  it.each(cases)("$name", ({ inputs, labels: expected, extra }) => {
    const run = drive(startReport(FORM, CTX), inputs);
    expect(labels(run.last)).toEqual(expected);
    if (expected.length > 0) expect(run.last.replies.at(-1)!.buttons!.extra).toBe(extra ?? false);
  });

  it("a long choice label is shortened on its button, never the action", () => {
    const step = drive(startReport(FORM, CTX), AT.q6).last;
    const rows = step.replies.at(-1)!.buttons!.rows.flat();
    const choiceText = (label: string) => label.replace(/^◻️ \d+\. /u, "");
    expect(rows.every((b) => [...choiceText(b.label)].length <= 40)).toBe(true);
    expect(rows.at(-1)).toEqual({ label: "Bỏ qua", action: "s" });
    expect(rows.find((b) => b.action === "t3")!.label).toBe("◻️ 4. Xây dựng gia đình ấm no, hạnh phúc…");
  });
});

describe("a tap acts like the typed answer", () => {
  const cases: { name: string; inputs: string[]; action: string; typed: string; ack: RegExp }[] = [
    { name: "Có", inputs: AT.q1, action: "y", typed: "có", ack: /^✓ Câu 1: Có\n/ },
    { name: "Không", inputs: AT.q7, action: "n", typed: "không", ack: /^✓ Câu 7: Không\n/ },
    { name: "Bỏ qua", inputs: AT.q6, action: "s", typed: "bỏ qua", ack: /^✓ Câu 6: bỏ qua\n/ },
    { name: "Bỏ qua on text", inputs: AT.q9, action: "s", typed: "bỏ qua", ack: /^✓ Câu 9: bỏ qua\n/ },
  ];
  it.each(cases)("$name", ({ inputs, action, typed, ack }) => {
    const state = after(inputs);
    const tapped = tap(state, action)!;
    const written = handleInput(state, typed, OPTS);
    expect(tapped.state).toEqual(written.state);
    expect(tapped.replies).toHaveLength(1);
    expect(tapped.replies[0]!.text).toMatch(ack);
    expect(tapped.replies[0]!.text.replace(ack, "")).toBe(written.replies.at(-1)!.text);
  });

  it("ticks toggle and Xong records them in the form's order; Xong with none ticked only says so", () => {
    let state = after(AT.q4);
    const none = tap(state, "d")!;
    expect(none.replies).toEqual([]);
    expect(none.notice).toMatch(/chọn ít nhất một/);
    for (const a of ["t3", "t0", "t1", "t1"]) {
      const step = tap(state, a)!;
      expect(step.replies).toEqual([]);
      state = step.state!;
      expect(step.buttons!.rows.flat().filter((b) => b.label.startsWith("✅")).length).toBe(state.picked!.length);
    }
    expect(state.picked).toEqual(["an_toan", "binh_dang"]);
    const done = tap(state, "d")!;
    expect(done.state!.answers.gia_tri).toEqual(["an_toan", "binh_dang"]);
    expect(done.state!.picked).toBeUndefined();
    expect(done.replies[0]!.text).toMatch(/^✓ Câu 4: An toàn; Bình đẳng\nCâu 5\/9/);
  });

  it("at the summary: Gửi submits, Sửa asks which one, Hủy cancels", () => {
    const state = after(AT.summary);
    expect(tap(state, "g")).toMatchObject({ state: null, effect: { type: "submit" } });
    expect(tap(state, "e")!.state!.phase).toBe("pick_change");
    expect(tap(state, "x")).toMatchObject({ state: null, effect: { type: "cancelled" } });
  });

  it("correcting a sent report: the changed answer by tap, then Gửi stores the correction", () => {
    const sentReport = tap(after(AT.summary), "g")!;
    const effect = sentReport.effect;
    const answers = effect?.type === "submit" ? effect.answers : {};
    const correcting = startCorrection(FORM, { ...CTX, existing: answers });
    expect(labels(correcting)).toEqual(["1", "2", "3", "4", "5", "6", "7", "9", "Giữ nguyên"]);
    const picking = tap(correcting.state!, "p7")!.state!;
    const changed = tap(picking, "y")!;
    expect(changed.replies[0]!.text).toMatch(/^✓ Câu 7: Có\n/);
    expect(labels(changed)).toEqual([]); // question 8 (now asked) is typed
    const summary = handleInput(changed.state!, "1/2", OPTS);
    expect(labels(summary)).toEqual(["Gửi", "Sửa", "Hủy"]);
    expect(tap(summary.state!, "g")).toMatchObject({ state: null, effect: { type: "correct", changes: [{ key: "phat_hien_blgd" }, { key: "nan_nhan_blgd" }] } });
  });

  it("Sửa, then a number: that answer's question, with its buttons", () => {
    const picking = tap(after(AT.summary), "e")!;
    expect(labels(picking)).toEqual(["1", "2", "3", "4", "5", "6", "7", "9", "Giữ nguyên"]);
    const changing = tap(picking.state!, "p7")!;
    expect(changing.state).toMatchObject({ phase: "change_answer", changeKey: "phat_hien_blgd" });
    expect(labels(changing)).toEqual(["Có", "Không", "Giữ nguyên"]);
    expect(tap(picking.state!, "p8")).toBeNull(); // question 8 is not asked: not in the summary
    expect(tap(picking.state!, "k")!.state!.phase).toBe("confirm");
  });

  it("after three bad answers, the help offer's three choices", () => {
    const offered = drive(startReport(FORM, CTX), ["hmm", "hmm", "hmm"]).last;
    expect(labels(offered)).toEqual(["Xem hướng dẫn", "Trả lời lại", "Hủy báo cáo"]);
    const state = offered.state!;
    // Question 1 is yes/no, where a typed "1" is "có": the taps match the typed words.
    expect(tap(state, "o1")).toEqual(handleInput(state, "xem hướng dẫn", OPTS));
    expect(tap(state, "o2")).toEqual(handleInput(state, "trả lời lại", OPTS));
    // The tap is explicit; typed, cancelling takes the word (a bare "3" never cancels).
    expect(tap(state, "o3")).toEqual(handleInput(state, "hủy", OPTS));
    expect(handleInput(state, "3", OPTS).state?.phase).toBe("help_offer");
    expect(tap(state, "o4")).toBeNull();
    expect(tap(state, "y")).toBeNull();
  });

  it("Giữ nguyên while changing goes back to the summary unchanged", () => {
    const state = after([...AT.summary, "sửa 1"]);
    const kept = tap(state, "k")!;
    expect(kept.state).toMatchObject({ phase: "confirm", answers: state.answers });
  });
});

describe("a tap that does not belong to the prompt changes nothing", () => {
  const cases: { name: string; inputs: string[]; action: string }[] = [
    { name: "yes on a number question", inputs: AT.q2, action: "y" },
    { name: "a choice that does not exist", inputs: AT.q4, action: "t9" },
    { name: "a single choice on a multiple choice", inputs: AT.q4, action: "c0" },
    { name: "Bỏ qua on a question that must be answered", inputs: AT.q1, action: "s" },
    { name: "Gửi while a question is asked", inputs: AT.q1, action: "g" },
    { name: "a yes/no button at the summary", inputs: AT.summary, action: "y" },
    { name: "Giữ nguyên when not changing", inputs: AT.q1, action: "k" },
    { name: "garbage", inputs: AT.q1, action: "constructor" },
    { name: "an index without a letter", inputs: AT.q4, action: "7" },
  ];
  it.each(cases)("$name", ({ inputs, action }) => {
    expect(tap(after(inputs), action)).toBeNull();
  });
});

describe("a single choice", () => {
  const form = formSchema.parse({
    key: "thu",
    title: "Biểu mẫu thử",
    period: "once",
    due: { date: "2024-06-28" },
    unitKinds: ["district"],
    questions: [
      { key: "hinh_thuc", type: "single_choice", text: "Hình thức?", choices: [{ key: "truc_tiep", label: "Trực tiếp" }, { key: "truc_tuyen", label: "Trực tuyến" }] },
      { key: "muc", type: "single_choice", text: "Mức?", optional: true, choices: [{ key: "a", label: "A" }, { key: "b", label: "B" }] },
    ],
  });
  const opts = { form, today: TODAY };

  it("is one button per choice; a tap records that choice like its number typed", () => {
    const start = startReport(form, CTX);
    expect(labels(start)).toEqual(["1. Trực tiếp", "2. Trực tuyến"]);
    const tapped = handleButton(start.state!, "c1", opts)!;
    expect(tapped.state).toEqual(handleInput(start.state!, "2", opts).state);
    expect(tapped.replies[0]!.text).toMatch(/^✓ Câu 1: Trực tuyến\nCâu 2\/2/);
    expect(labels(tapped)).toEqual(["1. A", "2. B", "Bỏ qua"]);
    expect(handleButton(start.state!, "c2", opts)).toBeNull();
    expect(handleButton(start.state!, "t0", opts)).toBeNull();
    const skipped = handleButton(tapped.state!, "s", opts)!;
    expect(skipped.state).toMatchObject({ phase: "confirm", answers: { hinh_thuc: "truc_tuyen" }, skipped: ["muc"] });
  });
});
