import { describe, expect, it } from "vitest";
import { handleInput, resumeText, startCorrection, startFromPaste, startReport } from "./engine.js";
import { isCancel, splitNumbered } from "./intents.js";
import { looksLikePastedReport, parsePastedReport } from "./paste.js";
import { translator } from "./render.js";
import { CTX, deepFreeze, drive, FORM, OPTS, prng, TODAY } from "./test-helpers.js";
import { PHASES, type ConversationState, type Step } from "./types.js";

const TOKENS = [
  "co", "ko", "k", "có", "không", "dạ", "ạ", "ok", "oke", "rồi", "chưa", "5 ho", "năm", "1.234", "1,234", "12/15",
  "1,3", "1tr", "86,4%", "giao duc cha me", "bo qua", "bỏ qua", "-", "sửa", "sua", "câu", "3", "0", "-1", "999999",
  "1e9", "NaN", "Infinity", "null", "undefined", "{}", "[]", "__proto__", "constructor", "?", "giup", "gửi", "gui",
  "huy?", "hủy bỏ không", ":", ".", ")", "/", "\n", "\n\n", "\t", " ", "  ", "😀", "🇻🇳", "\u200b", "\u0301", "ạ̀",
  "tất cả", "cả 3", "hôm nay", "31/02/2024", "1/2/3", "thành", "là", "=", "%", "http://x.y", "@bot", "/baocao",
  "Câu 3: ", "2) ", "1. ", "Số buổi:", "ghi chú:",
];
const CHARS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậ0123456789 .,:;/()-+*?!\n\"'`~@#$%^&_=[]{}<>|\\";

function randomString(rand: () => number): string {
  const kind = rand();
  if (kind < 0.1) return "x".repeat(Math.floor(rand() * 3000));
  let out = "";
  const parts = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < parts; i++) {
    if (rand() < 0.6) out += TOKENS[Math.floor(rand() * TOKENS.length)];
    else for (let j = Math.floor(rand() * 8); j > 0; j--) out += CHARS[Math.floor(rand() * CHARS.length)];
    if (rand() < 0.5) out += " ";
  }
  if (rand() < 0.05) out += String.fromCharCode(0xd800); // a lone surrogate
  return out;
}

const rand = prng(20240518);
const INPUTS = Array.from({ length: 500 }, () => randomString(rand));
const FALLBACK = translator("vi")("fallback");

/** States in every phase, with answers that must survive random input. */
function bases(): Array<{ name: string; state: ConversationState }> {
  const toSummary = ["co", "3", "40", "1,3", "2", "bo qua", "ko", "bo qua"];
  const get = (step: Step, inputs: string[]) => drive(step, inputs).state!;
  const list = [
    { name: "asking q3", state: get(startReport(FORM, CTX), ["co", "3"]) },
    { name: "help_offer", state: get(startReport(FORM, CTX), ["co", "3", "x", "y", "z"]) },
    { name: "confirm", state: get(startReport(FORM, CTX), toSummary) },
    { name: "pick_change", state: get(startReport(FORM, CTX), [...toSummary, "ko"]) },
    { name: "change_answer q3", state: get(startReport(FORM, CTX), [...toSummary, "sua 3"]) },
    { name: "correction", state: startCorrection(FORM, { ...CTX, existing: { tuyen_truyen: false, ho_dat_moi: 1, phat_hien_blgd: false } }).state! },
  ];
  expect(list.map((b) => b.state.phase)).toEqual(["asking", "help_offer", "confirm", "pick_change", "change_answer", "pick_change"]);
  return list;
}

describe("fuzz: 500 random strings", () => {
  it.each(bases())("$name: never throws, never loses earlier answers", ({ state }) => {
    deepFreeze(state);
    for (const input of INPUTS) {
      let step: Step | undefined;
      expect(() => {
        step = handleInput(state, input, OPTS);
      }, JSON.stringify(input)).not.toThrow();
      const s = step!;
      expect(s.replies.map((r) => r.text), JSON.stringify(input)).not.toContain(FALLBACK);
      if (s.state === null) {
        // Only a cancel or a send may end it.
        expect(s.effect === undefined || ["cancelled", "submit", "correct"].includes(s.effect.type)).toBe(true);
        if (state.phase === "asking" || state.phase === "change_answer") expect(isCancel(input), JSON.stringify(input)).toBe(true);
        continue;
      }
      expect(s.replies.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(PHASES).toContain(s.state.phase);
      expect(JSON.parse(JSON.stringify(s.state))).toEqual(s.state);
      // Earlier answers stay, unless the message deliberately changed them (a numbered edit or a paste).
      const deliberate = splitNumbered(input) !== null || looksLikePastedReport(input, FORM);
      if (!deliberate) {
        for (const [key, value] of Object.entries(state.answers)) {
          if (key === state.changeKey) continue;
          expect(s.state.answers[key], `${key} after ${JSON.stringify(input)}`).toEqual(value);
        }
      }
    }
  });

  it("a whole random conversation is the same with and without JSON round-trips", () => {
    const r = prng(7);
    const inputs = Array.from({ length: 200 }, () => randomString(r));
    let a: Step = startReport(FORM, CTX);
    let b: Step = startReport(FORM, CTX);
    for (const input of inputs) {
      if (!a.state) {
        a = startReport(FORM, CTX);
        b = startReport(FORM, CTX);
      }
      a = handleInput(a.state!, input, OPTS);
      b = handleInput(JSON.parse(JSON.stringify(b.state)) as ConversationState, input, OPTS);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  it("paste functions and resumeText never throw", () => {
    for (const input of INPUTS) {
      expect(() => parsePastedReport(FORM, input, { today: TODAY })).not.toThrow();
      expect(() => looksLikePastedReport(input)).not.toThrow();
      const step = startFromPaste(FORM, CTX, input, { today: TODAY });
      expect(step.state).not.toBeNull();
      expect(resumeText(step.state!, { form: FORM }).length).toBeGreaterThan(0);
    }
  });
});
