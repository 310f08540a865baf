import { describe, expect, it } from "vitest";
import { startFromPaste } from "./engine.js";
import { looksLikePastedReport, parsePastedReport, resolveKey } from "./paste.js";
import { CTX, drive, FORM, said, TODAY } from "./test-helpers.js";

const opts = { today: TODAY };
const paste = (text: string) => startFromPaste(FORM, CTX, text, opts);

const FULL = [
  "Dạ em gửi báo cáo tháng 5 chi hội Xóm 3 ạ",
  "1. co",
  "2) 3 buoi",
  "3: 1.234",
  "4. 1,3",
  "5. 2 ho",
  "6. giao duc cha me, dia chi tin cay",
  "7. ko",
  "9. Thiếu kinh phí",
].join("\n");

const FULL_ANSWERS = {
  tuyen_truyen: true,
  so_buoi: 3,
  so_nguoi: 1234,
  gia_tri: ["an_toan", "thinh_vuong"],
  ho_dat_moi: 2,
  mo_hinh: ["giao_duc_cha_me", "dia_chi_tin_cay"],
  phat_hien_blgd: false,
  ghi_chu: "Thiếu kinh phí",
};

describe("parsePastedReport", () => {
  it("reads numbered lines, ignoring a greeting line", () => {
    const r = parsePastedReport(FORM, FULL, opts);
    expect(r.answers).toEqual(FULL_ANSWERS);
    expect(r.problems).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.recognized).toBe(8);
  });

  it("reads key: value lines by key or by words of the question, without diacritics", () => {
    const r = parsePastedReport(
      FORM,
      ["Tuyen truyen: co", "so_buoi: 2", "Số người tham dự: 45", "Giá trị: tat ca", "ho dat moi: 0", "Phát hiện BLGĐ: ko"].join("\n"),
      opts,
    );
    expect(r.answers).toEqual({
      tuyen_truyen: true,
      so_buoi: 2,
      so_nguoi: 45,
      gia_tri: ["an_toan", "trach_nhiem", "thinh_vuong", "binh_dang"],
      ho_dat_moi: 0,
      phat_hien_blgd: false,
    });
    expect(r.skipped.sort()).toEqual(["ghi_chu", "mo_hinh"]);
    expect(r.problems).toEqual([]);
  });

  it("reports wrong answers with their number and message, and missing required ones", () => {
    const r = parsePastedReport(FORM, "1. co\n2. 3\n3. nhieu lam\n4. 1,3\n7. khong", opts);
    expect(r.answers).toEqual({ tuyen_truyen: true, so_buoi: 3, gia_tri: ["an_toan", "thinh_vuong"], phat_hien_blgd: false });
    expect(r.problems).toEqual([{ key: "so_nguoi", questionNumber: 3, message: expect.stringContaining("em chưa đọc được số") }]);
    expect(r.missing).toEqual(["ho_dat_moi"]);
  });

  it("drops answers to questions whose condition is false", () => {
    const r = parsePastedReport(FORM, "1. ko\n2. 3\n3. 40\n5. 1\n7. k", opts);
    expect(r.answers).toEqual({ tuyen_truyen: false, ho_dat_moi: 1, phat_hien_blgd: false });
  });

  it("keeps a multi-line note and choices one per line", () => {
    const r = parsePastedReport(FORM, "1. ko\n5. 0\n6. Giáo dục cha mẹ\nĐịa chỉ tin cậy\n7. ko\n9. Khó khăn:\n- thiếu kinh phí", opts);
    expect(r.answers.mo_hinh).toEqual(["giao_duc_cha_me", "dia_chi_tin_cay"]);
    expect(r.answers.ghi_chu).toBe("Khó khăn:\n- thiếu kinh phí");
  });

  it("lists numbers beyond the form as ignored", () => {
    const r = parsePastedReport(FORM, "1. ko\n12. 5", opts);
    expect(r.ignored).toEqual(["12. 5"]);
  });

  it("resolveKey refuses ambiguous keys", () => {
    expect(resolveKey(FORM, "blgd")).toBeNull();
    expect(resolveKey(FORM, "nan nhan")?.key).toBe("nan_nhan_blgd");
    expect(resolveKey(FORM, "Ghi chú")?.key).toBe("ghi_chu");
  });
});

describe("looksLikePastedReport", () => {
  it.each([
    ["1. co\n2. 3", true],
    ["1) co\n2) 3\n3) 40", true],
    ["Tuyen truyen: co\nSo buoi: 3", true],
    ["Câu 1: có\nCâu 5: 2", true],
    ["1. co", false],
    ["1.234", false],
    ["12/15", false],
    ["co", false],
    ["Dạ chị ơi\nmai em gửi ạ", false],
    ["1. co\n1. co", false],
  ])("%j → %s", (text, expected) => {
    expect(looksLikePastedReport(text)).toBe(expected);
  });

  it("with a form, key: value lines count only for known questions", () => {
    expect(looksLikePastedReport("Giờ họp: 8h\nĐịa điểm: nhà văn hóa")).toBe(true);
    expect(looksLikePastedReport("Giờ họp: 8h\nĐịa điểm: nhà văn hóa", FORM)).toBe(false);
    expect(looksLikePastedReport("So buoi: 3\nGhi chu: on", FORM)).toBe(true);
  });
});

describe("startFromPaste", () => {
  it("all valid → straight to the confirm summary", () => {
    const s = paste(FULL);
    expect(s.state?.phase).toBe("confirm");
    expect(s.state?.answers).toEqual(FULL_ANSWERS);
    expect(s.replies[0]!.text).toContain("em đã đọc đủ");
    expect(s.replies.at(-1)!.expectsAnswer).toBe(true);
    expect(said(s)).toMatch(/^3\. .*: 1\.234 lượt người$/m);
    const sent = drive(s, ["gui"]);
    expect(sent.last.effect).toEqual({ type: "submit", answers: FULL_ANSWERS });
  });

  it("some wrong or missing → says only that, then asks only those questions, then the summary", () => {
    const s = paste("1. co\n2. 3\n3. nhieu lam\n4. 1,3\n7. khong\n9. bo qua");
    const report = s.replies[0]!.text;
    expect(report).toContain("Câu 3:");
    expect(report).toContain("Câu 5: chị chưa trả lời");
    expect(report).not.toContain("Câu 1:");
    expect(report).not.toContain("Câu 2:");
    expect(s.state?.questionKey).toBe("so_nguoi");
    expect(said(s)).toContain("Câu 3/9");
    const next = drive(s, ["40"]);
    expect(next.state?.questionKey).toBe("ho_dat_moi");
    const done = drive(next.last, ["2"]);
    expect(done.state?.phase).toBe("confirm");
    expect(done.state?.answers).toEqual({
      tuyen_truyen: true,
      so_buoi: 3,
      so_nguoi: 40,
      gia_tri: ["an_toan", "thinh_vuong"],
      ho_dat_moi: 2,
      phat_hien_blgd: false,
    });
  });

  it("an unreadable condition answer keeps the dependent answers until it is fixed", () => {
    const text = "1. khong biet\n2. 3\n3. 40\n4. 1\n5. 2\n7. ko";
    const s = paste(text);
    expect(s.state?.questionKey).toBe("tuyen_truyen");
    const yes = drive(s, ["co"]);
    expect(yes.state?.phase).toBe("confirm");
    expect(yes.state?.answers).toMatchObject({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 40, gia_tri: ["an_toan"] });
    const no = drive(paste(text), ["ko"]);
    expect(no.state?.phase).toBe("confirm");
    expect(Object.keys(no.state!.answers).sort()).toEqual(["ho_dat_moi", "phat_hien_blgd", "tuyen_truyen"]);
  });

  it("nothing recognisable → asks from the first question", () => {
    const s = paste("chị ơi báo cáo nè");
    expect(s.state?.questionKey).toBe("tuyen_truyen");
    expect(s.replies[0]!.text).toContain("chưa đọc được câu trả lời nào");
  });

  it("a paste in the middle of a conversation fills in the answers (optional ones left out are skipped)", () => {
    const run = drive(paste("1. co\n2. 3"), ["5. 2\n7. ko\n3. 40\n4. 1"]);
    expect(run.state?.answers).toEqual({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 40, gia_tri: ["an_toan"], ho_dat_moi: 2, phat_hien_blgd: false });
    expect(run.state?.skipped.sort()).toEqual(["ghi_chu", "mo_hinh"]);
    expect(run.state?.phase).toBe("confirm");
  });

  it("a paste with a wrong answer keeps the earlier good one", () => {
    const run = drive(paste("1. co\n2. 3\n3. 40"), ["2. nhieu\n4. 1"]);
    expect(run.state?.answers.so_buoi).toBe(3);
    expect(said(run.last)).toContain("Em tạm giữ câu trả lời cũ: 3 buổi");
  });
});
