import { describe, expect, it } from "vitest";
import { formSchema, type Answers } from "../plan/schema.js";
import { expiredNotice, handleInput, resumeText, startCorrection, startReport } from "./engine.js";
import { correctionReceiptText, receiptText } from "./receipts.js";
import { CTX, deepFreeze, drive, FORM, OPTS, said, TODAY } from "./test-helpers.js";
import type { ConversationState, Step } from "./types.js";

const start = () => startReport(FORM, CTX);
const keysOf = (s: ConversationState | null) => Object.keys(s?.answers ?? {}).sort();

/** Full conversations typed the way branch leaders type, with the report they must produce. */
const CONVERSATIONS: Array<{ name: string; inputs: string[]; answers: Answers }> = [
  {
    name: "yes branch, no diacritics",
    inputs: ["co", "3 buoi", "năm", "1,3", "5 ho", "giao duc cha me", "ko", "bo qua", "gui"],
    answers: {
      tuyen_truyen: true,
      so_buoi: 3,
      so_nguoi: 5,
      gia_tri: ["an_toan", "thinh_vuong"],
      ho_dat_moi: 5,
      mo_hinh: ["giao_duc_cha_me"],
      phat_hien_blgd: false,
    },
  },
  {
    name: "no branch, polite words",
    inputs: ["Dạ không ạ", "chưa có hộ nào", "bỏ qua", "k", "Dạ thôn em tháng này mưa nhiều nên ít họp ạ", "ok"],
    answers: {
      tuyen_truyen: false,
      ho_dat_moi: 0,
      phat_hien_blgd: false,
      ghi_chu: "Dạ thôn em tháng này mưa nhiều nên ít họp ạ",
    },
  },
  {
    name: "thousands, part of total, all choices",
    inputs: ["rồi ạ", "hai", "1.234", "tất cả", "2", "1, 7 va 11", "co", "12/15", "-", "Gửi"],
    answers: {
      tuyen_truyen: true,
      so_buoi: 2,
      so_nguoi: 1234,
      gia_tri: ["an_toan", "trach_nhiem", "thinh_vuong", "binh_dang"],
      ho_dat_moi: 2,
      mo_hinh: ["dich_vu_gia_dinh", "dia_chi_tin_cay", "phong_chong_bao_luc_gia_dinh"],
      phat_hien_blgd: true,
      nan_nhan_blgd: { part: 12, total: 15 },
    },
  },
  {
    name: "labels typed without diacritics",
    inputs: ["uh", "4", "1,234 nguoi", "an toan, binh dang", "0", "dia chi tin cay; giao duc truoc hon nhan", "hông", "khong co gi", "co"],
    answers: {
      tuyen_truyen: true,
      so_buoi: 4,
      so_nguoi: 1234,
      gia_tri: ["an_toan", "binh_dang"],
      ho_dat_moi: 0,
      mo_hinh: ["giao_duc_truoc_hon_nhan", "dia_chi_tin_cay"],
      phat_hien_blgd: false,
      ghi_chu: "khong co gi",
    },
  },
];

describe("full conversations on chi_hoi_thang", () => {
  it.each(CONVERSATIONS)("$name", ({ inputs, answers }) => {
    const run = drive(start(), inputs);
    expect(run.last.state).toBeNull();
    expect(run.last.effect).toEqual({ type: "submit", answers });
    expect(run.last.replies).toEqual([]);
    // Every step before the end is waiting for an answer.
    for (const step of run.steps.slice(0, -1)) {
      expect(step.replies.at(-1)?.expectsAnswer).toBe(true);
    }
  });

  it.each(CONVERSATIONS)("$name: identical after a JSON round-trip of the state between every step", ({ inputs }) => {
    const direct = drive(start(), inputs);
    const stored = drive(start(), inputs, { roundTrip: true });
    expect(JSON.stringify(stored.steps)).toBe(JSON.stringify(direct.steps));
    for (const step of direct.steps) {
      if (step.state) expect(JSON.parse(JSON.stringify(step.state))).toEqual(step.state);
    }
  });
});

describe("asking", () => {
  it("starts with an introduction and question 1 with its number, hint and expected answer", () => {
    const s = start();
    expect(s.replies).toHaveLength(2);
    expect(s.replies[0]!.expectsAnswer).toBe(false);
    expect(s.replies[0]!.text).toContain("Chi hội Xóm 3");
    expect(s.replies[0]!.text).toContain("tháng 5/2024");
    const q = s.replies[1]!;
    expect(q.expectsAnswer).toBe(true);
    expect(q.text).toMatch(/^Câu 1\/9: /);
    expect(q.text).toContain("Lồng ghép trong buổi sinh hoạt");
    expect(q.text).toContain("Có hoặc Không");
    expect(s.state).toMatchObject({
      v: 1,
      mode: "report",
      formKey: "chi_hoi_thang",
      periodKey: "2024-05",
      unitId: 42,
      phase: "asking",
      questionKey: "tuyen_truyen",
      failures: 0,
      answers: {},
      skipped: [],
    });
  });

  it("shows the range of numbers and numbered choices", () => {
    const run = drive(start(), ["co"]);
    expect(said(run.last)).toMatch(/^Câu 2\/9: /);
    expect(said(run.last)).toContain("một số nguyên từ 1 đến 31 (đơn vị: buổi)");
    const choices = drive(start(), ["co", "2", "30"]);
    expect(said(choices.last)).toContain("Câu 4/9");
    expect(said(choices.last)).toContain("1. An toàn\n2. Trách nhiệm\n3. Thịnh vượng\n4. Bình đẳng");
  });

  it("skips the questions whose condition is false (and stores nothing for them)", () => {
    const run = drive(start(), ["ko"]);
    expect(run.state?.questionKey).toBe("ho_dat_moi");
    expect(said(run.last)).toMatch(/^Câu 5\/9: /);
    expect(keysOf(run.state)).toEqual(["tuyen_truyen"]);
    const blgd = drive(start(), ["ko", "0", "bo qua", "ko"]);
    expect(blgd.state?.questionKey).toBe("ghi_chu");
  });

  it("asks the conditional questions when the condition holds", () => {
    const run = drive(start(), ["ko", "0", "bo qua", "có"]);
    expect(run.state?.questionKey).toBe("nan_nhan_blgd");
    expect(said(run.last)).toContain("Câu 8/9");
  });

  it("lets optional questions be skipped and shows them as — in the summary", () => {
    const run = drive(start(), ["ko", "0", "bo qua", "ko", "bỏ qua"]);
    expect(run.state?.phase).toBe("confirm");
    expect(run.state?.skipped.sort()).toEqual(["ghi_chu", "mo_hinh"]);
    expect(run.state?.answers).not.toHaveProperty("mo_hinh");
    const text = said(run.last);
    expect(text).toMatch(/^6\. .*: —$/m);
    expect(text).toMatch(/^9\. .*: —$/m);
    expect(text).not.toMatch(/^2\. /m);
  });

  it("does not let a required question be skipped", () => {
    const run = drive(start(), ["bo qua"]);
    expect(run.state?.questionKey).toBe("tuyen_truyen");
    expect(run.state?.failures).toBe(1);
    expect(said(run.last)).toContain("không bỏ qua được");
  });

  it("explains a bad answer in Vietnamese with what is expected, and keeps earlier answers", () => {
    const run = drive(start(), ["co", "3", "600000"]);
    expect(run.state?.questionKey).toBe("so_nguoi");
    expect(said(run.last)).toContain("nằm ngoài khoảng cho phép");
    expect(said(run.last)).toMatch(/Chị trả lời giúp em một số nguyên từ 1 đến 5\.?000 \(đơn vị: lượt người\)/);
    expect(run.last.replies[0]!.expectsAnswer).toBe(true);
    expect(run.state?.answers).toEqual({ tuyen_truyen: true, so_buoi: 3 });
  });

  it("shows the current question's help on “?” or “giúp”, without counting a failure", () => {
    for (const word of ["?", "giup", "giúp", "Dạ giúp em với ạ", "huong dan"]) {
      const run = drive(start(), ["co", "x", word]);
      expect(run.state?.questionKey).toBe("so_buoi");
      expect(run.state?.failures).toBe(0);
      expect(said(run.last)).toContain("em giải thích câu 2");
      expect(said(run.last)).toContain("Ví dụ chị có thể gõ");
    }
  });
});

describe("three bad answers", () => {
  const threeBad = ["co", "nhieu lam", "khong nho", "chua dem"];

  it("offers help or cancel, keeping the answers so far", () => {
    const run = drive(start(), threeBad);
    expect(run.state?.phase).toBe("help_offer");
    // Question 2 is a count: "1" and "2" are answers, so the offer names its choices in words.
    expect(said(run.last)).toContain("gõ “hướng dẫn” để xem hướng dẫn");
    expect(said(run.last)).toContain("gõ chữ “hủy”");
    expect(run.state?.answers).toEqual({ tuyen_truyen: true });
  });

  it("counts consecutive failures only", () => {
    const run = drive(start(), ["xx", "yy", "co", "zz", "ww"]);
    expect(run.state?.phase).toBe("asking");
    expect(run.state?.failures).toBe(2);
  });

  it("“hướng dẫn” → the guide, then the conversation continues", () => {
    const guided = drive(start(), [...threeBad, "huong dan", "4 buổi"]);
    expect(said(guided.steps.at(-2)!)).toContain("em giải thích câu 2");
    expect(guided.state?.questionKey).toBe("so_nguoi");
    expect(guided.state?.answers).toEqual({ tuyen_truyen: true, so_buoi: 4 });
  });

  it("typed words work too: “xem huong dan”, “tra loi lai”", () => {
    expect(drive(start(), [...threeBad, "xem huong dan"]).state?.phase).toBe("asking");
    const retry = drive(start(), [...threeBad, "tra loi lai"]);
    expect(retry.state?.phase).toBe("asking");
    expect(retry.state?.failures).toBe(0);
    expect(said(retry.last)).toMatch(/^Câu 2\/9/);
  });

  it("an answer typed instead of a choice is accepted, a bare number too", () => {
    const run = drive(start(), [...threeBad, "7 buoi"]);
    expect(run.state?.answers).toEqual({ tuyen_truyen: true, so_buoi: 7 });
    expect(run.state?.questionKey).toBe("so_nguoi");
    expect(drive(start(), [...threeBad, "3"]).state?.answers).toEqual({ tuyen_truyen: true, so_buoi: 3 });
  });

  it("something else repeats the offer", () => {
    const run = drive(start(), [...threeBad, "hả"]);
    expect(run.state?.phase).toBe("help_offer");
    expect(said(run.last)).toContain("chưa đọc được");
  });

  it.each(["huy", "Hủy báo cáo"])("%s → cancelled", (word) => {
    const run = drive(start(), [...threeBad, word]);
    expect(run.last.state).toBeNull();
    expect(run.last.effect).toEqual({ type: "cancelled" });
  });
});

describe("cancel", () => {
  it.each(["/huy", "huy", "hủy", "Huỷ", "dạ hủy ạ", "/huy@VunDapBot"])("%s at any point cancels politely", (word) => {
    for (const before of [[], ["co", "3"], ["ko", "0", "bo qua", "ko", "bo qua"], ["ko", "0", "bo qua", "ko", "bo qua", "sua 5"]]) {
      const run = drive(start(), [...before, word]);
      expect(run.last.state).toBeNull();
      expect(run.last.effect).toEqual({ type: "cancelled" });
      expect(run.last.replies[0]!.text).toContain("em đã hủy");
      expect(run.last.replies[0]!.expectsAnswer).toBe(false);
    }
  });
});

describe("summary and changes", () => {
  const toSummary = ["co", "3", "40", "1,3", "2", "bo qua", "ko", "bo qua"];

  it("shows a numbered summary with formatted answers and how to confirm", () => {
    const run = drive(start(), toSummary);
    expect(run.state?.phase).toBe("confirm");
    const text = said(run.last);
    expect(text).toMatch(/^1\. .*: Có$/m);
    expect(text).toMatch(/^3\. .*: 40 lượt người$/m);
    expect(text).toMatch(/^4\. .*: An toàn; Thịnh vượng$/m);
    expect(text).not.toMatch(/^8\. /m);
    expect(text).toContain("“Gửi”");
  });

  it.each(["sửa 3", "sua 3", "3", "câu 3", "Dạ sửa câu 3 ạ"])("“%s” changes answer 3 and returns to the summary", (cmd) => {
    const run = drive(start(), [...toSummary, cmd]);
    expect(run.state?.phase).toBe("change_answer");
    expect(said(run.last)).toContain("Câu trả lời hiện tại: 40 lượt người");
    expect(said(run.last)).toContain("Câu 3/9");
    const after = drive(run.last, ["55"]);
    expect(after.state?.phase).toBe("confirm");
    expect(after.state?.answers.so_nguoi).toBe(55);
    expect(said(after.last)).toMatch(/^3\. .*: 55 lượt người$/m);
    expect(drive(after.last, ["gui"]).last.effect).toMatchObject({ type: "submit", answers: { so_nguoi: 55, so_buoi: 3 } });
  });

  it("changes in one message: “sửa 3: 200”, “3. 200”", () => {
    for (const cmd of ["sửa 3: 200", "3. 200", "sua cau 3 thanh 200"]) {
      const run = drive(start(), [...toSummary, cmd]);
      expect(run.state?.phase).toBe("confirm");
      expect(run.state?.answers.so_nguoi).toBe(200);
    }
    const bad = drive(start(), [...toSummary, "3: nhieu"]);
    expect(bad.state?.phase).toBe("change_answer");
    expect(said(bad.last)).toContain("em cần con số chính xác");
    expect(bad.state?.answers.so_nguoi).toBe(40);
  });

  it("“giữ nguyên” keeps the old answer", () => {
    const run = drive(start(), [...toSummary, "sua 3", "giu nguyen"]);
    expect(run.state?.phase).toBe("confirm");
    expect(run.state?.answers.so_nguoi).toBe(40);
  });

  it("a number not in the summary is refused with the valid numbers", () => {
    const run = drive(start(), ["ko", "0", "bo qua", "ko", "bo qua", "sua 3"]);
    expect(run.state?.phase).toBe("confirm");
    expect(said(run.last)).toContain("không có câu số 3");
    expect(said(run.last)).toContain("1, 5, 6, 7, 9");
  });

  it("“không” / “sửa” asks which number, then changes it", () => {
    const run = drive(start(), [...toSummary, "ko"]);
    expect(run.state?.phase).toBe("pick_change");
    expect(said(run.last)).toContain("câu số mấy");
    const pick = drive(run.last, ["5", "7"]);
    expect(pick.state?.phase).toBe("confirm");
    expect(pick.state?.answers.ho_dat_moi).toBe(7);
    expect(drive(start(), [...toSummary, "sửa"]).state?.phase).toBe("pick_change");
  });

  it("changing a condition to false drops the dependent answers", () => {
    const run = drive(start(), [...toSummary, "sửa 1", "không"]);
    expect(run.state?.phase).toBe("confirm");
    expect(keysOf(run.state)).toEqual(["ho_dat_moi", "phat_hien_blgd", "tuyen_truyen"]);
    expect(said(run.last)).not.toMatch(/^[234]\. /m);
    expect(drive(run.last, ["gui"]).last.effect).toEqual({
      type: "submit",
      answers: { tuyen_truyen: false, ho_dat_moi: 2, phat_hien_blgd: false },
    });
  });

  it("changing a condition to true asks the newly applicable questions, then the summary", () => {
    const run = drive(start(), [...toSummary, "sua 7", "co"]);
    expect(run.state?.phase).toBe("asking");
    expect(run.state?.questionKey).toBe("nan_nhan_blgd");
    const done = drive(run.last, ["1/2"]);
    expect(done.state?.phase).toBe("confirm");
    expect(done.state?.answers.nan_nhan_blgd).toEqual({ part: 1, total: 2 });
    expect(said(done.last)).toMatch(/^8\. .*: 1\/2$/m);
  });

  it("a skipped optional answer can be filled in, and an answer can be skipped later", () => {
    const run = drive(start(), [...toSummary, "sua 6", "2,7"]);
    expect(run.state?.answers.mo_hinh).toEqual(["giao_duc_cha_me", "dia_chi_tin_cay"]);
    expect(run.state?.skipped).not.toContain("mo_hinh");
    const again = drive(run.last, ["sua 6", "bo qua"]);
    expect(again.state?.answers).not.toHaveProperty("mo_hinh");
    expect(again.state?.skipped).toContain("mo_hinh");
  });

  it("something unclear at the summary explains the choices and changes nothing", () => {
    const run = drive(start(), [...toSummary, "để em xem"]);
    expect(run.state?.phase).toBe("confirm");
    expect(said(run.last)).toContain("em chưa hiểu");
    expect(run.state?.answers).toEqual(drive(start(), toSummary).state?.answers);
  });
});

describe("correction mode", () => {
  const existing: Answers = {
    tuyen_truyen: true,
    so_buoi: 2,
    so_nguoi: 30,
    gia_tri: ["an_toan"],
    ho_dat_moi: 2,
    phat_hien_blgd: false,
    ghi_chu: "Ổn",
  };
  const begin = () => startCorrection(FORM, { ...CTX, existing });

  it("shows the stored report numbered and asks which number to change", () => {
    const s = begin();
    expect(s.state).toMatchObject({ mode: "correct", phase: "pick_change", original: existing, answers: existing });
    expect(s.state?.skipped).toEqual(["mo_hinh"]);
    expect(said(s)).toMatch(/^5\. .*: 2 hộ$/m);
    expect(said(s)).toContain("câu số mấy");
  });

  it("yields the exact changes with old and new values", () => {
    const run = drive(begin(), ["5", "3 ho", "sua 9", "Thiếu kinh phí", "gui"]);
    expect(run.last.state).toBeNull();
    expect(run.last.effect).toEqual({
      type: "correct",
      answers: { ...existing, ho_dat_moi: 3, ghi_chu: "Thiếu kinh phí" },
      changes: [
        { key: "ho_dat_moi", oldValue: 2, newValue: 3 },
        { key: "ghi_chu", oldValue: "Ổn", newValue: "Thiếu kinh phí" },
      ],
    });
    expect(said(run.steps.at(-2)!)).toContain("Câu 5: 2 hộ → 3 hộ");
  });

  it("dropped conditional answers are changes to null", () => {
    const run = drive(begin(), ["1", "ko", "gửi"]);
    expect(run.last.effect).toEqual({
      type: "correct",
      answers: { tuyen_truyen: false, ho_dat_moi: 2, phat_hien_blgd: false, ghi_chu: "Ổn" },
      changes: [
        { key: "tuyen_truyen", oldValue: true, newValue: false },
        { key: "so_buoi", oldValue: 2, newValue: null },
        { key: "so_nguoi", oldValue: 30, newValue: null },
        { key: "gia_tri", oldValue: ["an_toan"], newValue: null },
      ],
    });
  });

  it("no change → ends without an effect; cancel keeps the stored report", () => {
    const none = drive(begin(), ["5", "2", "gui"]);
    expect(none.last.state).toBeNull();
    expect(none.last.effect).toBeUndefined();
    expect(said(none.last)).toContain("không có gì thay đổi");
    const cancelled = drive(begin(), ["5", "huy"]);
    expect(cancelled.last.effect).toEqual({ type: "cancelled" });
    expect(said(cancelled.last)).toContain("vẫn giữ nguyên");
  });

  it("survives a JSON round-trip between steps", () => {
    const inputs = ["1", "ko", "sua 7", "co", "0/0", "gui"];
    const direct = drive(begin(), inputs);
    const stored = drive(begin(), inputs, { roundTrip: true });
    expect(JSON.stringify(stored.steps)).toBe(JSON.stringify(direct.steps));
    expect(direct.last.effect?.type).toBe("correct");
  });
});

describe("independence and purity", () => {
  it("two conversations interleaved do not affect each other", () => {
    let a: Step = startReport(FORM, { ...CTX, unitId: 1, unitName: "Xóm 1" });
    let b: Step = startReport(FORM, { ...CTX, unitId: 2, unitName: "Xóm 2" });
    const aIn = ["co", "3", "40", "1", "5", "bo qua", "ko", "bo qua"];
    const bIn = ["ko", "9", "2", "co", "3/4", "ghi chu B"];
    for (let i = 0; i < Math.max(aIn.length, bIn.length); i++) {
      if (aIn[i]) a = handleInput(a.state!, aIn[i]!, OPTS);
      if (bIn[i]) b = handleInput(b.state!, bIn[i]!, OPTS);
    }
    expect(a.state?.answers).toEqual(drive(start(), aIn).state?.answers);
    expect(b.state?.answers).toEqual({
      tuyen_truyen: false,
      ho_dat_moi: 9,
      mo_hinh: ["giao_duc_cha_me"],
      phat_hien_blgd: true,
      nan_nhan_blgd: { part: 3, total: 4 },
      ghi_chu: "ghi chu B",
    });
    expect(a.state?.unitId).toBe(1);
    expect(b.state?.unitId).toBe(2);
  });

  it("does not mutate the state it is given (frozen states work)", () => {
    const s = deepFreeze(drive(start(), ["co", "3"]).state!);
    const copy = JSON.stringify(s);
    const step = handleInput(s, "40", OPTS);
    expect(step.state?.answers.so_nguoi).toBe(40);
    expect(JSON.stringify(s)).toBe(copy);
  });

  it("the same state and input always give the same step", () => {
    const s = drive(start(), ["co"]).state!;
    expect(JSON.stringify(handleInput(s, "xx", OPTS))).toBe(JSON.stringify(handleInput(s, "xx", OPTS)));
  });
});

describe("stored states that no longer match", () => {
  it("a question that vanished from the plan: shows where we are instead of guessing", () => {
    const s = { ...drive(start(), ["co", "3"]).state!, questionKey: "cau_cu_da_xoa" };
    const step = handleInput(s, "40", OPTS);
    expect(step.state?.questionKey).toBe("so_nguoi");
    expect(step.state?.answers).toEqual({ tuyen_truyen: true, so_buoi: 3 });
    expect(said(step)).toContain("Câu 3/9");
  });

  it("garbage in the state does not throw", () => {
    const step = handleInput({ answers: 5, phase: "nope", skipped: "x" } as unknown as ConversationState, "co", OPTS);
    expect(step.state?.phase).toBe("asking");
    expect(step.replies.length).toBeGreaterThan(0);
  });
});

describe("resume, expiry, receipts", () => {
  it("resumeText repeats the current question or the summary", () => {
    const asking = drive(start(), ["co", "3"]).state!;
    const text = resumeText(asking, { form: FORM });
    expect(text).toContain("đang làm dở");
    expect(text).toContain("Câu 3/9");
    const confirm = drive(start(), ["ko", "0", "bo qua", "ko", "bo qua"]).state!;
    expect(resumeText(confirm, { form: FORM })).toContain("“Gửi”");
    const offer = drive(start(), ["xx", "yy", "zz"]).state!;
    expect(resumeText(offer, { form: FORM })).toContain("gõ “hướng dẫn” để xem hướng dẫn");
  });

  it("expiredNotice names the report and says it was not sent", () => {
    const s = drive(start(), ["co"]).state!;
    const text = expiredNotice(s);
    expect(text).toContain("Báo cáo tháng chi hội");
    expect(text).toContain("tháng 5/2024");
    expect(text).toContain("chưa được gửi");
    expect(expiredNotice(s, { lng: "en" })).toContain("was not sent");
  });

  it("receiptText says when and whether on time", () => {
    const base = { formTitle: "Báo cáo tháng chi hội", periodLabel: "tháng 5/2024", unitName: "Chi hội Xóm 3", submittedAtText: "20:15 18/05/2024", answersCount: 7 };
    const onTime = receiptText({ ...base, onTime: true });
    expect(onTime).toMatch(/^Dạ, em đã nhận/);
    expect(onTime).toContain("lúc 20:15 18/05/2024 (đúng hạn)");
    expect(onTime).toContain("7 câu trả lời");
    expect(receiptText({ ...base, onTime: false })).toContain("(trễ hạn)");
    expect(receiptText({ ...base, onTime: true, answersCount: 1, lng: "en" })).toContain("with 1 answer.");
  });

  it("correctionReceiptText counts and lists the changes", () => {
    const text = correctionReceiptText({
      form: FORM,
      formTitle: "Báo cáo tháng chi hội",
      periodLabel: "tháng 5/2024",
      unitName: "Chi hội Xóm 3",
      submittedAtText: "08:00 19/05/2024",
      changes: [{ key: "ho_dat_moi", oldValue: 2, newValue: 3 }],
    });
    expect(text).toContain("bản sửa");
    expect(text).toContain("(1 thay đổi)");
    expect(text).toContain("Câu 5: 2 hộ → 3 hộ");
    expect(correctionReceiptText({ ...{ formTitle: "F", periodLabel: "P", unitName: "U", submittedAtText: "T" }, changesCount: 2 })).toContain("2 thay đổi");
  });
});

describe("English", () => {
  it("speaks English when asked", () => {
    const s = startReport(FORM, CTX, { lng: "en" });
    expect(said(s)).toContain("Question 1/9:");
    const step = handleInput(s.state!, "maybe", { ...OPTS, lng: "en" });
    expect(said(step)).toContain("yes or no");
    const summary = drive(startReport(FORM, CTX, { lng: "en" }), ["ko", "0", "skip", "no", "skip"], {
      options: { ...OPTS, lng: "en" },
    });
    expect(said(summary.last)).toMatch(/^1\. .*: No$/m);
    expect(said(summary.last)).toContain("type “send”");
  });
});

describe("other question types and conditions", () => {
  const form = formSchema.parse({
    key: "thu",
    title: "Biểu mẫu thử",
    period: "once",
    due: { date: "2024-06-28" },
    unitKinds: ["district"],
    questions: [
      { key: "ngay", type: "date", text: "Ngày tổ chức?" },
      { key: "loai", type: "multi_choice", text: "Hoạt động?", choices: [{ key: "truyen_thong", label: "Truyền thông" }, { key: "ton_vinh", label: "Tôn vinh" }] },
      { key: "so_gia_dinh", type: "integer", text: "Số gia đình được tôn vinh?", max: 100, askIf: { question: "loai", op: "includes", value: "ton_vinh" } },
      { key: "lon", type: "yes_no", text: "Trên 10 gia đình?", askIf: { question: "so_gia_dinh", op: "gt", value: 10 } },
    ],
  });
  const opts = { form, today: TODAY };
  const begin = () => startReport(form, CTX);

  it("reads dates against the given today (no clock)", () => {
    const run = drive(begin(), ["hôm nay", "1"], { options: opts });
    expect(run.state?.answers).toEqual({ ngay: TODAY, loai: ["truyen_thong"] });
    expect(run.state?.phase).toBe("confirm");
    expect(said(run.last)).toContain("18/05/2024");
  });

  it("follows includes and gt conditions", () => {
    expect(drive(begin(), ["5/6/2024", "2", "12"], { options: opts }).state?.questionKey).toBe("lon");
    expect(drive(begin(), ["5/6/2024", "2", "8"], { options: opts }).state?.phase).toBe("confirm");
  });
});

describe("summary rows use the plan's short labels", () => {
  it("“2. Số buổi tuyên truyền: 3 buổi”, not the whole question", () => {
    const run = drive(start(), ["co", "3", "45", "1", "2", "bo qua", "ko", "bo qua"]);
    const text = said(run.last);
    expect(text).toContain("\n2. Số buổi tuyên truyền: 3 buổi\n");
    expect(text).toContain("\n3. Số lượt người tham gia: 45 lượt người\n");
    expect(text).not.toContain("Chị cho em hỏi");
  });

  it("a summary line copied back with its label is read as that answer", () => {
    const run = drive(start(), ["co", "3", "45", "1", "2", "bo qua", "ko", "bo qua", "Số buổi tuyên truyền: 4\nSố lượt người tham gia: 50"]);
    expect(run.state?.answers).toMatchObject({ so_buoi: 4, so_nguoi: 50 });
  });
});
