/**
 * The photo question (ảnh minh chứng): photos arrive as inputs of their own (handlePhoto), "Xong"
 * ends the question, a maximum is kept, an album is acknowledged once, a photo delivered twice
 * counts once, a text instead of a photo gets a clear note. Table fixtures: each case is a list of
 * inputs (a typed text, a photo with an optional album id, a tap) and what must follow.
 */
import { describe, expect, it } from "vitest";
import { handleButton, handleInput, handlePhoto, startCorrection, startReport } from "./engine.js";
import type { Form, PhotoRef } from "../plan/schema.js";
import { deepFreeze, monthlyForm, TODAY } from "./test-helpers.js";
import { summaryLines, translator } from "./render.js";
import type { ConversationState, Step } from "./types.js";

function formWith(photo: { optional: boolean; max: number }): Form {
  return monthlyForm("thang", "Báo cáo tháng", [
    { key: "tuyen_truyen", type: "yes_no", text: "Chi hội có tuyên truyền không ạ?" },
    { key: "anh", type: "photo", text: "Chị gửi ảnh minh chứng giúp em ạ.", label: "Ảnh minh chứng", ...photo },
    { key: "so_buoi", type: "integer", text: "Mấy buổi ạ?", max: 31 },
  ]);
}
const OPTIONAL = formWith({ optional: true, max: 3 });
const REQUIRED = formWith({ optional: false, max: 3 });
const CTX = { unitId: 7, unitName: "Chi hội Xóm 3", periodKey: "2024-05", periodLabel: "tháng 5/2024" };

const photo = (n: number): PhotoRef => ({ channel: "telegram", fileId: `FILE-${n}`, uniqueId: `U${n}`, size: 1000 * n, mime: "image/jpeg" });

/** One input: a typed text, a photo (with its album), or a tap on a button. */
type Input = string | { photo: number; album?: string } | { tap: string };

interface Outcome {
  step: Step | null;
  state: ConversationState | null;
}

/** Runs the inputs from the photo question (question 1 answered "có"), the state through JSON each time. */
function run(form: Form, inputs: readonly Input[]): Outcome[] {
  const opts = { form, today: TODAY };
  let state = handleInput(startReport(form, CTX).state!, "co", opts).state!;
  const out: Outcome[] = [];
  for (const input of inputs) {
    const s = deepFreeze(JSON.parse(JSON.stringify(state)) as ConversationState);
    const step =
      typeof input === "string"
        ? handleInput(s, input, opts)
        : "tap" in input
          ? handleButton(s, input.tap, opts)
          : handlePhoto(s, { ref: photo(input.photo), ...(input.album ? { group: input.album } : {}) }, opts);
    out.push({ step, state: step?.state ?? null });
    if (step?.state) state = step.state;
  }
  return out;
}

const text = (o: Outcome) => o.step?.replies.map((r) => r.text).join("\n") ?? "";
const ids = (v: unknown) => (Array.isArray(v) ? (v as PhotoRef[]).map((p) => p.uniqueId) : v);

describe("a photo question, input by input", () => {
  const cases: {
    name: string;
    form: Form;
    inputs: Input[];
    /** After the last input: the question still asked, or the answer recorded (photo ids), or skipped. */
    expect: { asking: string[] } | { answered: string[] } | { skipped: true };
    /** Replies of each input: a text it contains, or "" for no reply at all. */
    replies?: (string | RegExp)[];
  }[] = [
    {
      name: "two photos then Xong",
      form: OPTIONAL,
      inputs: [{ photo: 1 }, { photo: 2 }, "xong"],
      expect: { answered: ["U1", "U2"] },
      replies: [/đã nhận 1 ảnh/, /đã nhận 2 ảnh/, /Câu 3\/3/],
    },
    { name: "“Xong rồi ạ” with diacritics", form: OPTIONAL, inputs: [{ photo: 1 }, "Xong rồi ạ"], expect: { answered: ["U1"] } },
    { name: "the button Xong", form: OPTIONAL, inputs: [{ photo: 1 }, { tap: "d" }], expect: { answered: ["U1"] }, replies: [/1 ảnh/, /✓ Câu 2: 1 ảnh/] },
    { name: "the maximum ends the question", form: OPTIONAL, inputs: [{ photo: 1 }, { photo: 2 }, { photo: 3 }], expect: { answered: ["U1", "U2", "U3"] }, replies: [/1 ảnh/, /2 ảnh/, /đủ 3 ảnh[\s\S]*Câu 3\/3/] },
    { name: "the same photo delivered twice counts once", form: OPTIONAL, inputs: [{ photo: 1 }, { photo: 1 }, "xong"], expect: { answered: ["U1"] }, replies: [/1 ảnh/, "", /Câu 3/] },
    {
      name: "an album is acknowledged once and each photo counted once",
      form: OPTIONAL,
      inputs: [{ photo: 1, album: "A" }, { photo: 2, album: "A" }, { photo: 2, album: "A" }, "xong"],
      expect: { answered: ["U1", "U2"] },
      replies: [/các ảnh chị gửi/, "", "", /Câu 3/],
    },
    {
      name: "an album longer than the maximum: the rest is ignored silently after the note",
      form: OPTIONAL,
      inputs: [{ photo: 1, album: "B" }, { photo: 2, album: "B" }, { photo: 3, album: "B" }, { photo: 4, album: "B" }],
      expect: { answered: ["U1", "U2", "U3"] },
      replies: [/các ảnh/, "", /không lưu/, ""],
    },
    { name: "optional: Xong without a photo skips", form: OPTIONAL, inputs: ["xong"], expect: { skipped: true } },
    { name: "optional: “bỏ qua” skips", form: OPTIONAL, inputs: ["bỏ qua"], expect: { skipped: true } },
    { name: "optional: the button Bỏ qua", form: OPTIONAL, inputs: [{ tap: "s" }], expect: { skipped: true } },
    { name: "required: Xong without a photo asks for one", form: REQUIRED, inputs: ["xong"], expect: { asking: [] }, replies: [/cần ít nhất một ảnh/] },
    { name: "required: “bỏ qua” is refused", form: REQUIRED, inputs: ["bo qua"], expect: { asking: [] }, replies: [/không bỏ qua được/] },
    {
      name: "a text instead of a photo gets a clear note, photos kept",
      form: REQUIRED,
      inputs: [{ photo: 1 }, "anh o tren a"],
      expect: { asking: ["U1"] },
      replies: [/1 ảnh/, /em cần ảnh chị chụp[\s\S]*bấm 📎/],
    },
    { name: "a number instead of a photo is no answer", form: REQUIRED, inputs: ["5"], expect: { asking: [] }, replies: [/em cần ảnh/] },
    { name: "a photo after a wrong text still counts", form: REQUIRED, inputs: ["abc", { photo: 2 }, "xong"], expect: { answered: ["U2"] } },
  ];
  it.each(cases)("$name", ({ form, inputs, expect: want, replies }) => {
    const outs = run(form, inputs);
    const last = outs.at(-1)!;
    expect(last.step).not.toBeNull();
    const state = last.state!;
    if ("asking" in want) {
      expect(state.questionKey).toBe("anh");
      expect(ids(state.photos ?? [])).toEqual(want.asking);
      expect(state.answers.anh).toBeUndefined();
    } else if ("answered" in want) {
      expect(ids(state.answers.anh)).toEqual(want.answered);
      expect(state.questionKey).toBe("so_buoi");
      expect(state.photos).toBeUndefined();
    } else {
      expect(state.skipped).toContain("anh");
      expect(state.answers.anh).toBeUndefined();
      expect(state.questionKey).toBe("so_buoi");
    }
    replies?.forEach((r, i) => {
      if (r === "") expect(outs[i]!.step!.replies).toEqual([]);
      else expect(text(outs[i]!)).toMatch(r);
    });
  });

  it("the required Xong button with no photo gives a notice and changes nothing", () => {
    const [o] = run(REQUIRED, [{ tap: "d" }]);
    expect(o!.step!.notice).toMatch(/ít nhất một ảnh/);
    expect(o!.step!.replies).toEqual([]);
  });
});

describe("around the photo question", () => {
  const opts = { form: OPTIONAL, today: TODAY };

  it("a photo when no photo is asked is not taken (the app answers with its note)", () => {
    const start = startReport(OPTIONAL, CTX);
    expect(handlePhoto(start.state!, { ref: photo(1) }, opts)).toBeNull();
  });

  it("the photo question shows Xong and Bỏ qua as extras (a group asks for a reply)", () => {
    const asked = handleInput(startReport(OPTIONAL, CTX).state!, "co", opts);
    const buttons = asked.replies.at(-1)!.buttons!;
    expect(buttons.rows.flat().map((b) => b.label)).toEqual(["Xong", "Bỏ qua"]);
    expect(buttons.extra).toBe(true);
    expect(asked.replies.at(-1)!.text).toMatch(/bằng ảnh \(bấm 📎 rồi chọn ảnh, tối đa 3 ảnh\)/);
  });

  it("the summary counts the photos: “Ảnh minh chứng: 2 ảnh”, and the answer is the references", () => {
    const outs = run(OPTIONAL, [{ photo: 1 }, { photo: 2 }, "xong", "4"]);
    const state = outs.at(-1)!.state!;
    expect(state.phase).toBe("confirm");
    expect(summaryLines(OPTIONAL, state, translator("vi")).join("\n")).toMatch(/2\. .*: 2 ảnh/);
    const sent = handleInput(state, "gui", opts);
    expect(sent.effect?.type).toBe("submit");
    expect(sent.effect?.type === "submit" && sent.effect.answers.anh).toEqual([photo(1), photo(2)]);
  });

  it("changing the photos: new photos replace the old, Xong with none keeps them", () => {
    const correction = startCorrection(OPTIONAL, { ...CTX, existing: { tuyen_truyen: true, anh: [photo(1)], so_buoi: 2 } });
    const picked = handleInput(correction.state!, "2", opts);
    expect(picked.state!.phase).toBe("change_answer");
    const kept = handleInput(picked.state!, "xong", opts);
    expect(ids(kept.state!.answers.anh)).toEqual(["U1"]);
    const withNew = handlePhoto(picked.state!, { ref: photo(5) }, opts)!;
    const done = handleInput(withNew.state!, "xong", opts);
    expect(ids(done.state!.answers.anh)).toEqual(["U5"]);
    const finished = handleInput(done.state!, "gui", opts);
    expect(finished.effect?.type).toBe("correct");
  });

  it("a forged photo reference is not taken", () => {
    const asked = handleInput(startReport(OPTIONAL, CTX).state!, "co", opts).state!;
    expect(handlePhoto(asked, { ref: { channel: "telegram", fileId: "", uniqueId: "x" } }, opts)).toBeNull();
    expect(handlePhoto(asked, { ref: null as unknown as PhotoRef }, opts)).toBeNull();
  });

  it("a stored state with more photos than the maximum keeps only the maximum", () => {
    const asked = handleInput(startReport(OPTIONAL, CTX).state!, "co", opts).state!;
    const forged = { ...asked, photos: [photo(1), photo(2), photo(3), photo(4)] };
    const done = handleInput(forged, "xong", opts);
    expect(ids(done.state!.answers.anh)).toEqual(["U1", "U2", "U3"]);
  });
});
