import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES_DIR } from "../i18n.js";
import { loadPlanFile, parsePlan, PlanError, type PlanIssue } from "./load.js";

/** A small valid plan; each test breaks one thing in it. */
const FIXTURE = `# test plan
id: test_plan
title: Kế hoạch thử
reference: "Số 1/KH-BTV"
organisation: Hội LHPN thử
place: Nam Định
start: 2023-01-01
end: 2023-12-31
values:
  - key: an_toan
    name: An toàn
    description: Gia đình an toàn.
  - key: binh_dang
    name: Bình đẳng
    description: Vợ chồng bình đẳng.
campaigns:
  - key: nam_khong
    name: 5 không, 3 sạch
    criteria: [Không đói nghèo, Sạch nhà]
forms:
  - key: thang
    title: Báo cáo tháng
    period: monthly
    due: { day: 20 }
    unitKinds: [branch]
    questions:
      - key: co_tuyen_truyen
        type: yes_no
        text: Chị có tuyên truyền không ạ?
      - key: so_buoi
        type: integer
        text: Mấy buổi ạ?
        min: 1
        max: 10
        askIf: { question: co_tuyen_truyen, value: true }
      - key: hinh_thuc
        type: single_choice
        text: Hình thức nào ạ?
        choices:
          - { key: truc_tiep, label: Trực tiếp }
          - { key: zalo, label: Zalo }
      - key: nan_nhan
        type: part_of_total
        text: Bao nhiêu người được hỗ trợ ạ?
        partLabel: được hỗ trợ
        totalLabel: được phát hiện
  - key: mot_lan
    title: Báo cáo một lần
    period: once
    due: { date: 2023-07-05 }
    unitKinds: [district]
    questions:
      - key: da_lam
        type: yes_no
        text: Đã làm chưa chị?
indicators:
  - key: ti_le
    name: Tỷ lệ chi hội tuyên truyền
    form: thang
    question: co_tuyen_truyen
    measure: yes_share
    target: { atLeast: 100 }
    source: "Chỉ tiêu 1"
milestones:
  - key: moc
    name: Mốc 28/6
    date: 2023-06-28
    unitKinds: [district]
reminders:
  - key: nhac_thang
    target: { form: thang }
    before: [3d]
  - key: nhac_moc
    target: { milestone: moc }
    before: [7d]
content:
  items:
    - key: bai_1
      topic: an_toan
      title: Bài 1
      text: Nội dung bài 1.
  schedules:
    - key: lich
      cron: "0 8 * * 1"
      unitKinds: [branch]
      topics: [an_toan]
`;

const FILE = "fixture.yaml";

/** Replaces `from` (which must occur exactly once) by `to`. */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`fixture: "${from}" must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line of the only line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const lines = text.split("\n");
  const found = lines.flatMap((line, i) => (line.includes(needle) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`fixture: "${needle}" must be on exactly one line, found ${found.length}`);
  return found[0]!;
}

function planError(text: string): PlanError {
  try {
    parsePlan(text, FILE);
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error("expected a PlanError, the plan was accepted");
}

/**
 * Asserts the plan is rejected with exactly one issue at `path` on the line holding `lineNeedle`,
 * that the message names the file in "file:line: path:" form, and returns the issue.
 */
function expectSingleIssue(text: string, path: string, lineNeedle: string, messagePart?: string): PlanIssue {
  const error = planError(text);
  expect(error.issues, error.message).toHaveLength(1);
  const issue = error.issues[0]!;
  expect(issue.file).toBe(FILE);
  expect(issue.path).toBe(path);
  const line = lineOf(text, lineNeedle);
  expect(issue.line).toBe(line);
  expect(error.message).toContain(`${FILE}:${line}: ${path}: `);
  if (messagePart) expect(issue.message).toContain(messagePart);
  return issue;
}

describe("parsePlan: valid input", () => {
  it("accepts the fixture and applies defaults", () => {
    const plan = parsePlan(FIXTURE, FILE);
    expect(plan.forms.map((f) => f.key)).toEqual(["thang", "mot_lan"]);
    const q = plan.forms[0]!.questions[1]!;
    expect(q).toMatchObject({ key: "so_buoi", optional: false, askIf: { op: "eq", value: true } });
    expect(plan.forms[0]!.due).toEqual({ day: 20, monthOffset: 0, time: "23:59" });
    expect(plan.timezone).toBe("Asia/Ho_Chi_Minh");
  });

  it("accepts YAML anchors and aliases", () => {
    const text = edit(FIXTURE, "    due: { day: 20 }\n    unitKinds: [branch]\n", "    due: { day: 20 }\n    unitKinds: &branches [branch]\n").replace(
      "      unitKinds: [branch]\n      topics",
      "      unitKinds: *branches\n      topics",
    );
    expect(parsePlan(text, FILE).content.schedules[0]!.unitKinds).toEqual(["branch"]);
  });
});

describe("parsePlan: YAML syntax errors", () => {
  it("reports an unclosed quote with its line", () => {
    const text = edit(FIXTURE, 'reference: "Số 1/KH-BTV"', 'reference: "Số 1/KH-BTV');
    const error = planError(text);
    const issue = error.issues[0]!;
    expect(issue.line).toBe(lineOf(text, "reference:"));
    expect(issue.path).toBe("reference");
    expect(issue.message).toContain("thiếu ký tự đóng");
    expect(error.message).toContain(`${FILE}:${issue.line}: reference: `);
  });

  it("reports a Tab used for indentation", () => {
    const text = edit(FIXTURE, "    name: Bình đẳng", "\tname: Bình đẳng");
    const issue = planError(text).issues[0]!;
    expect(issue.line).toBe(lineOf(text, "name: Bình đẳng"));
    expect(issue.message).toContain("Tab");
  });

  it("reports a field written twice in one entry", () => {
    const text = edit(FIXTURE, "    name: An toàn\n", "    name: An toàn\n    name: An toàn 2\n");
    const issue = planError(text).issues[0]!;
    expect(issue.line).toBe(lineOf(text, "name: An toàn 2"));
    expect(issue.path).toBe("values[0].name");
    expect(issue.message).toContain("hai lần");
  });
});

describe("parsePlan: schema violations", () => {
  it("reports a missing required field at the entry's line", () => {
    const text = edit(FIXTURE, "        max: 10\n", "");
    expectSingleIssue(text, "forms[0].questions[1].max", "- key: so_buoi", "thiếu trường bắt buộc");
  });

  it("reports a value of the wrong type", () => {
    const text = edit(FIXTURE, "        max: 10", '        max: "10"');
    expectSingleIssue(text, "forms[0].questions[1].max", 'max: "10"', "cần một số");
  });

  it("reports a non-integer bound of an integer question", () => {
    const text = edit(FIXTURE, "        max: 10", "        max: 10.5");
    expectSingleIssue(text, "forms[0].questions[1].max", "max: 10.5", "số nguyên");
  });

  it("reports an unknown question type with the accepted ones", () => {
    const text = edit(FIXTURE, "        type: single_choice", "        type: chon_mot");
    expectSingleIssue(text, "forms[0].questions[2].type", "type: chon_mot", "single_choice");
  });

  it("reports a key that is not lower-case ASCII", () => {
    const text = edit(FIXTURE, "  - key: thang\n", "  - key: Tháng\n");
    expectSingleIssue(text, "forms[0].key", "key: Tháng", "chữ thường không dấu");
  });

  it("reports an unknown period", () => {
    const text = edit(FIXTURE, "    period: monthly", "    period: quarterly");
    expectSingleIssue(text, "forms[0].period", "period: quarterly", "half_yearly");
  });

  it("reports a due rule with neither day nor date", () => {
    const text = edit(FIXTURE, "    due: { day: 20 }", "    due: { }");
    expectSingleIssue(text, "forms[0].due", "due: { }", "“day” hoặc “date”");
  });

  it("reports an empty question list", () => {
    const text = edit(FIXTURE, "    questions:\n      - key: da_lam\n        type: yes_no\n        text: Đã làm chưa chị?\n", "    questions: []\n");
    expectSingleIssue(text, "forms[1].questions", "questions: []", "ít nhất 1");
  });

  it("reports yes/no written as 'yes' instead of true", () => {
    const text = edit(FIXTURE, "        text: Hình thức nào ạ?\n", "        text: Hình thức nào ạ?\n        optional: yes\n");
    expectSingleIssue(text, "forms[0].questions[2].optional", "optional: yes", "true (có) hoặc false (không)");
  });

  it("reports a misspelt field instead of silently ignoring it", () => {
    const text = edit(FIXTURE, "        text: Hình thức nào ạ?\n", "        text: Hình thức nào ạ?\n        optinal: true\n");
    expectSingleIssue(text, "forms[0].questions[2].optinal", "optinal: true", "optinal");
  });

  it("reports an unquoted comma inside { } (which YAML reads as an extra field)", () => {
    const text = edit(FIXTURE, "label: Trực tiếp }", "label: Trực tiếp, tại nhà }");
    expectSingleIssue(text, "forms[0].questions[2].choices[0].tại nhà", "label: Trực tiếp, tại nhà", "không có trong mẫu");
  });
});

describe("parsePlan: cross-checks", () => {
  it.each([
    ["forms", "  - key: mot_lan\n", "  - key: thang  # dup\n", "forms[1].key", "forms[0]"],
    ["questions", "      - key: hinh_thuc\n", "      - key: so_buoi  # dup\n", "forms[0].questions[2].key", "forms[0].questions[1]"],
    ["choices", "{ key: zalo, label: Zalo }", "{ key: truc_tiep, label: Zalo }  # dup", "forms[0].questions[2].choices[1].key", "choices[0]"],
    ["values", "  - key: binh_dang\n", "  - key: an_toan  # dup\n", "values[1].key", "values[0]"],
    [
      "indicators",
      "milestones:\n",
      "  - key: ti_le  # dup\n    name: X\n    form: thang\n    question: co_tuyen_truyen\n    measure: yes_share\n    target: { atLeast: 90 }\nmilestones:\n",
      "indicators[1].key",
      "indicators[0]",
    ],
    ["milestones", "reminders:\n", "  - key: moc  # dup\n    name: M\n    date: 2023-06-20\n    unitKinds: [district]\nreminders:\n", "milestones[1].key", "milestones[0]"],
    ["reminders", "content:\n", "  - key: nhac_thang  # dup\n    target: { form: thang }\n    before: [1d]\ncontent:\n", "reminders[2].key", "reminders[0]"],
    [
      "content items",
      "  schedules:\n",
      "    - key: bai_1  # dup\n      topic: an_toan\n      title: Bài 1b\n      text: Nội dung.\n  schedules:\n",
      "content.items[1].key",
      "content.items[0]",
    ],
  ])("rejects duplicate keys: %s", (_what, from, to, path, first) => {
    expectSingleIssue(edit(FIXTURE, from, to), path, "# dup", first);
  });

  it("rejects duplicate content schedule keys", () => {
    const text = `${FIXTURE}    - key: lich  # dup\n      cron: "0 9 * * 1"\n      unitKinds: [branch]\n`;
    expectSingleIssue(text, "content.schedules[1].key", "# dup", "content.schedules[0]");
  });

  it("rejects min greater than max", () => {
    const text = edit(FIXTURE, "        min: 1\n", "        min: 12\n");
    expectSingleIssue(text, "forms[0].questions[1].max", "max: 10", "min = 12");
  });

  it("rejects askIf referring to an unknown question", () => {
    const text = edit(FIXTURE, "askIf: { question: co_tuyen_truyen, value: true }", "askIf: { question: co_tuyen, value: true }");
    expectSingleIssue(text, "forms[0].questions[1].askIf.question", "askIf:", "co_tuyen");
  });

  it("rejects askIf referring to a later question", () => {
    const text = edit(FIXTURE, "askIf: { question: co_tuyen_truyen, value: true }", 'askIf: { question: hinh_thuc, value: "zalo" }');
    expectSingleIssue(text, "forms[0].questions[1].askIf.question", "askIf:", "đứng sau");
  });

  it("rejects askIf referring to its own question", () => {
    const text = edit(FIXTURE, "askIf: { question: co_tuyen_truyen, value: true }", "askIf: { question: so_buoi, op: gt, value: 1 }");
    expectSingleIssue(text, "forms[0].questions[1].askIf.question", "askIf:", "chính câu hỏi");
  });

  it("rejects an askIf value of the wrong type", () => {
    const text = edit(FIXTURE, "askIf: { question: co_tuyen_truyen, value: true }", 'askIf: { question: co_tuyen_truyen, value: "có" }');
    expectSingleIssue(text, "forms[0].questions[1].askIf.value", "askIf:", "true (có) hoặc false (không)");
  });

  it("rejects an askIf comparison that does not fit the question type", () => {
    const text = edit(FIXTURE, "askIf: { question: co_tuyen_truyen, value: true }", "askIf: { question: co_tuyen_truyen, op: gt, value: true }");
    expectSingleIssue(text, "forms[0].questions[1].askIf.op", "askIf:", "eq, ne");
  });

  it("rejects an askIf value that is not a choice of the question", () => {
    const text = edit(FIXTURE, "        partLabel: được hỗ trợ\n", '        partLabel: được hỗ trợ\n        askIf: { question: hinh_thuc, value: "facebook" }\n');
    expectSingleIssue(text, "forms[0].questions[3].askIf.value", "facebook", "truc_tiep, zalo");
  });

  it("rejects an indicator referring to an unknown form", () => {
    const text = edit(FIXTURE, "    form: thang\n", "    form: thang_sai\n");
    expectSingleIssue(text, "indicators[0].form", "form: thang_sai", "thang, mot_lan");
  });

  it("rejects an indicator referring to an unknown question", () => {
    const text = edit(FIXTURE, "    question: co_tuyen_truyen\n", "    question: khong_co\n");
    expectSingleIssue(text, "indicators[0].question", "question: khong_co", "khong_co");
  });

  it.each([
    ["sum", "co_tuyen_truyen", "integer"],
    ["ratio", "so_buoi", "part_of_total"],
    ["yes_share", "nan_nhan", "yes_no"],
  ])("rejects measure %s on a question of the wrong type (%s)", (measure, question, expected) => {
    const text = edit(
      edit(FIXTURE, "    measure: yes_share\n", `    measure: ${measure}\n`),
      "    question: co_tuyen_truyen\n",
      `    question: ${question}  # indicator\n`,
    );
    expectSingleIssue(text, "indicators[0].question", "# indicator", expected);
  });

  it("rejects a share target above 100%", () => {
    const text = edit(FIXTURE, "target: { atLeast: 100 }", "target: { atLeast: 8000 }");
    expectSingleIssue(text, "indicators[0].target.atLeast", "atLeast: 8000", "8000");
  });

  it("rejects a reminder for an unknown form", () => {
    const text = edit(FIXTURE, "target: { form: thang }", "target: { form: thang_sai }");
    expectSingleIssue(text, "reminders[0].target.form", "form: thang_sai", "thang_sai");
  });

  it("rejects a reminder for an unknown milestone", () => {
    const text = edit(FIXTURE, "target: { milestone: moc }", "target: { milestone: moc_sai }");
    expectSingleIssue(text, "reminders[1].target.milestone", "milestone: moc_sai", "moc_sai");
  });

  it("rejects a milestone referring to an unknown form", () => {
    const text = edit(FIXTURE, "    date: 2023-06-28\n", "    date: 2023-06-28\n    form: khong_co\n");
    expectSingleIssue(text, "milestones[0].form", "form: khong_co", "khong_co");
  });

  it("rejects a content item whose topic is neither a value nor a campaign", () => {
    const text = edit(FIXTURE, "      topic: an_toan\n", "      topic: hanh_phuc\n");
    expectSingleIssue(text, "content.items[0].topic", "topic: hanh_phuc", "an_toan, binh_dang, nam_khong");
  });

  it("accepts a campaign key as a content topic", () => {
    const text = edit(FIXTURE, "      topic: an_toan\n", "      topic: nam_khong\n");
    expect(parsePlan(text, FILE).content.items[0]!.topic).toBe("nam_khong");
  });

  it("rejects unknown topics in a content schedule", () => {
    const text = edit(FIXTURE, "      topics: [an_toan]", "      topics: [an_toan, trach_nhiem]");
    expectSingleIssue(text, "content.schedules[0].topics[1]", "topics: [an_toan, trach_nhiem]", "trach_nhiem");
  });

  it("rejects a campaign key that clashes with a value key", () => {
    const text = edit(FIXTURE, "  - key: nam_khong\n", "  - key: an_toan  # clash\n");
    expectSingleIssue(text, "campaigns[0].key", "# clash", "giá trị gia đình");
  });

  it.each([
    ['"0 25 * * 1"', "giờ"],
    ['"0 8 * * 1 2023"', "5 phần"],
    ['"60 8 * * 1"', "phút"],
    ['"0 8 * * mon-sun2"', "thứ"],
  ])("rejects an invalid cron %s", (cron, part) => {
    const text = edit(FIXTURE, 'cron: "0 8 * * 1"', `cron: ${cron}`);
    expectSingleIssue(text, "content.schedules[0].cron", `cron: ${cron}`, part);
  });

  it("rejects a plan that starts after it ends", () => {
    const text = edit(FIXTURE, "end: 2023-12-31", "end: 2022-12-31");
    // The dates inside the plan are now outside it too; the period problem is reported on `end`.
    const error = planError(text);
    const issue = error.issues.find((i) => i.path === "end");
    expect(issue?.line).toBe(lineOf(text, "end: 2022-12-31"));
    expect(issue?.message).toContain("trước ngày bắt đầu");
    expect(error.message).toContain(`${FILE}:${issue?.line}: end: `);
  });

  it("rejects a date that does not exist", () => {
    const text = edit(FIXTURE, "    date: 2023-06-28\n", "    date: 2023-02-30\n");
    expectSingleIssue(text, "milestones[0].date", "date: 2023-02-30", "không có thật");
  });

  it("rejects a milestone outside the plan period", () => {
    const text = edit(FIXTURE, "    date: 2023-06-28\n", "    date: 2024-06-28\n");
    expectSingleIssue(text, "milestones[0].date", "date: 2024-06-28", "2023-01-01 – 2023-12-31");
  });

  it("rejects a form starting before the plan", () => {
    const text = edit(FIXTURE, "    period: monthly\n", "    period: monthly\n    from: 2022-07-01\n");
    expectSingleIssue(text, "forms[0].from", "from: 2022-07-01", "ngoài thời gian");
  });

  it("rejects a form ending after the plan", () => {
    const text = edit(FIXTURE, "    period: monthly\n", "    period: monthly\n    until: 2024-01-31\n");
    expectSingleIssue(text, "forms[0].until", "until: 2024-01-31", "ngoài thời gian");
  });

  it("rejects a form whose until is before its from", () => {
    const text = edit(FIXTURE, "    period: monthly\n", "    period: monthly\n    from: 2023-09-01\n    until: 2023-08-31\n");
    expectSingleIssue(text, "forms[0].until", "until: 2023-08-31", "2023-09-01");
  });

  it("rejects a one-off form without a due date", () => {
    const text = edit(FIXTURE, "    due: { date: 2023-07-05 }", "    due: { day: 5 }");
    expectSingleIssue(text, "forms[1].due", "due: { day: 5 }", "period: once");
  });

  it("rejects a periodic form with a due date", () => {
    const text = edit(FIXTURE, "    due: { day: 20 }", "    due: { date: 2023-07-20 }");
    expectSingleIssue(text, "forms[0].due", "due: { date: 2023-07-20 }", "monthly");
  });

  it("rejects a one-off form due outside the plan", () => {
    const text = edit(FIXTURE, "    due: { date: 2023-07-05 }", "    due: { date: 2024-07-05 }");
    expectSingleIssue(text, "forms[1].due.date", "due: { date: 2024-07-05 }", "ngoài thời gian");
  });

  it("rejects a due rule that falls before the period starts", () => {
    const text = edit(FIXTURE, "    due: { day: 20 }", "    due: { day: 20, monthOffset: -1 }");
    expectSingleIssue(text, "forms[0].due.monthOffset", "monthOffset: -1", "-1");
  });
});

describe("PlanError", () => {
  it("lists every problem, one per line, sorted by line", () => {
    let text = edit(FIXTURE, "        min: 1\n", "        min: 12\n");
    text = edit(text, "target: { form: thang }", "target: { form: thang_sai }");
    text = edit(text, "end: 2023-12-31", "end: 2023-12-30");
    text = edit(text, "      topic: an_toan\n", "      topic: hanh_phuc\n");
    const error = planError(text);
    expect(error.issues.map((i) => i.path)).toEqual([
      "forms[0].questions[1].max",
      "reminders[0].target.form",
      "content.items[0].topic",
    ]);
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(FILE);
    expect(lines[0]).toContain("3 lỗi");
    expect(lines[1]).toMatch(new RegExp(`^${FILE}:${lineOf(text, "max: 10")}: forms\\[0\\]\\.questions\\[1\\]\\.max: `));
    expect(error.name).toBe("PlanError");
  });

  it("speaks English when asked", () => {
    const text = edit(FIXTURE, "        min: 1\n", "        min: 12\n");
    try {
      parsePlan(text, FILE, { language: "en" });
      expect.unreachable();
    } catch (error) {
      expect((error as PlanError).issues[0]!.message).toBe("the minimum (min = 12) is greater than the maximum (max = 10)");
    }
  });

  it("reports a file that cannot be read", () => {
    const path = join("/nonexistent-dir", "plan.yaml");
    expect(() => loadPlanFile(path)).toThrow(PlanError);
    try {
      loadPlanFile(path);
    } catch (error) {
      expect((error as PlanError).issues).toEqual([{ file: path, path: "", message: expect.stringContaining("ENOENT") }]);
      expect((error as PlanError).message).toContain(`${path}: không đọc được`);
    }
  });
});

describe("locales/*/plan.json", () => {
  const keys = (obj: unknown, prefix = ""): string[] =>
    Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
      v && typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
    );
  const read = (lng: string) => JSON.parse(readFileSync(join(LOCALES_DIR, lng, "plan.json"), "utf8")) as unknown;

  it("Vietnamese and English have the same keys", () => {
    expect(keys(read("en")).sort()).toEqual(keys(read("vi")).sort());
  });
});
