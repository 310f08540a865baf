/**
 * The 6-month and yearly drafts (/baocaotonghop) over a year of reports at every level (branches
 * monthly, communes half-yearly, districts and special units half-yearly and yearly), checked
 * figure by figure against the stored reports, read back with plain SQL; and the .docx opened as
 * the zip it is, its paragraphs read from word/document.xml.
 *
 * The answers are generated from the plan's own questions (every type), so the checks cover
 * every question of every form in the window.
 */
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueDate, formRange, localInstant, makePeriod, periodsBetween, type Period } from "../../src/domain/periods.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { formatNumber } from "../../src/domain/vi/format.js";
import { draftDocx } from "../../src/outputs/docx.js";
import { questionLabel } from "../../src/outputs/labels.js";
import { draftDocumentFromData, draftPasteText, draftText, loadDraftData } from "../../src/outputs/periodic-report.js";
import { unitPath } from "../../src/progress/index.js";
import type { AnswerValue, Answers, Form, Question } from "../../src/plan/schema.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { EXTRA_UNITS, plan } from "./fixture.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { importUnits, loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";

let store: Store;
let cleanup: () => Promise<void>;
let tree: UnitTree;

/** Mulberry32: a small seeded generator, so that the data set is the same at every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20240630);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
/** Photo answers draw from their own sequence, so that the other answers stay as they were. */
const photoRand = prng(4711);

function answerFor(q: Question, unitCode: string, period: Period, so_far: Answers): AnswerValue | undefined {
  if (q.askIf) {
    const prior = so_far[q.askIf.question];
    if (q.askIf.op === "eq" && prior !== q.askIf.value) return undefined;
    if (q.askIf.op === "includes" && !(Array.isArray(prior) && (prior as readonly unknown[]).includes(String(q.askIf.value)))) return undefined;
  }
  if (q.type === "photo") {
    const n = Math.floor(photoRand() * (q.max + 1));
    return n === 0 ? undefined : Array.from({ length: n }, (_, i) => ({ channel: "telegram", fileId: `F-${unitCode}-${period.key}-${i}`, uniqueId: `U-${unitCode}-${period.key}-${i}` }));
  }
  if (q.optional && rand() < 0.3) return undefined;
  switch (q.type) {
    case "integer":
      return int(q.min, Math.min(q.max, q.min + 9));
    case "decimal":
      return int(q.min, Math.min(q.max, q.min + 9));
    case "yes_no":
      return rand() < 0.7;
    case "part_of_total": {
      const total = int(0, 5);
      return { part: int(0, total), total };
    }
    case "single_choice":
      return q.choices[int(0, q.choices.length - 1)]!.key;
    case "multi_choice":
      return q.choices.filter(() => rand() < 0.4).map((c) => c.key).concat(q.choices[int(0, q.choices.length - 1)]!.key).filter((k, i, all) => all.indexOf(k) === i);
    case "text":
      return `${q.key} của ${unitCode} ${period.key}`;
    case "date":
      return "2024-06-10";
    default:
      return undefined;
  }
}

const YEAR = makePeriod("yearly", 2024);
const H1 = makePeriod("half_yearly", 2024, 1);

/** The periods of a form in 2024 that lie inside its range. */
function periodsOf2024(form: Form): Period[] {
  const range = formRange(form, plan);
  if (form.period === "once") return [];
  return periodsBetween(form.period, YEAR.start, new Date(YEAR.end.getTime() - 1)).filter(
    (p) => (!range.start || p.end > range.start) && (!range.end || p.start < range.end),
  );
}

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
  await importUnits(store, EXTRA_UNITS.map((u, i) => ({ ...u, line: i + 1 })));
  tree = await loadUnitTree(store);
  const rows: { planKey: string; formKey: string; periodKey: string; unitId: number; answers: Answers; submittedAt: Date }[] = [];
  for (const form of plan.forms) {
    for (const period of periodsOf2024(form)) {
      for (const unit of tree.all()) {
        if (!form.unitKinds.includes(unit.kind) || rand() < 0.15) continue;
        const answers: Answers = {};
        for (const q of form.questions) {
          const a = answerFor(q, unit.code, period, answers);
          if (a !== undefined) answers[q.key] = a;
        }
        const due = dueDate(form, period).getTime();
        const submittedAt = new Date(due + (rand() < 0.2 ? 1 : -1) * int(1, 72) * 3600_000);
        rows.push({ planKey: plan.id, formKey: form.key, periodKey: period.key, unitId: unit.id, answers, submittedAt });
      }
    }
  }
  await store.prisma.report.createMany({ data: rows });
}, 240_000);
afterAll(() => cleanup());

/** Keys of a form's periods inside the window, worked out here without the code under test. */
function keysIn(form: Form, window: Period): string[] {
  return periodsOf2024(form)
    .filter((p) => p.start >= window.start && p.end <= window.end)
    .map((p) => p.key);
}

async function sql<T>(text: string, params: unknown[]): Promise<T[]> {
  return store.sql.query<T>(text, params);
}

/** The single row of an aggregate query. */
async function one<T>(text: string, params: unknown[]): Promise<T> {
  const rows = await sql<T>(text, params);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Every figure line of the draft, computed from the stored reports with SQL. */
async function expectedFigures(form: Form, keys: string[], path: string): Promise<{ lines: string[]; texts: string[]; received: number }> {
  const base = `FROM "Report" r JOIN "Unit" u ON u."id" = r."unitId" WHERE r."planKey" = $1 AND r."formKey" = $2 AND r."periodKey" = ANY($3) AND u."path" LIKE $4`;
  const params = [plan.id, form.key, keys, `${path}%`];
  const { n } = await one<{ n: number }>(`SELECT count(*)::int AS n ${base}`, params);
  const lines: string[] = [];
  const texts: string[] = [];
  /** Number questions folded under a choice's row (askIf includes that chosen choice). */
  const folded = new Set<string>();
  const latest = async (qp: unknown[]) =>
    (await one<{ v: number }>(
      `SELECT coalesce(sum(x), 0)::float8 AS v FROM (SELECT DISTINCT ON (r."unitId") (r."answers" ->> $5)::numeric AS x ${base} AND (r."answers" -> $5) IS NOT NULL ORDER BY r."unitId", r."periodKey" DESC) s`,
      qp,
    )).v;
  const answeredBy = async (qp: unknown[]) =>
    (await one<{ answered: number }>(`SELECT count(DISTINCT r."unitId")::int AS answered ${base} AND (r."answers" -> $5) IS NOT NULL`, qp)).answered;
  for (const q of form.questions) {
    if (folded.has(q.key)) continue;
    const label = questionLabel(form, q, "vi");
    const qp = [...params, q.key];
    const answered = await answeredBy(qp);
    if (q.type === "text") {
      const rows = await sql<{ t: string }>(`SELECT r."answers" ->> $5 AS t ${base} AND (r."answers" -> $5) IS NOT NULL`, qp);
      texts.push(...rows.map((r) => r.t));
      continue;
    }
    if (answered === 0) continue;
    if (q.type === "integer" || q.type === "decimal") {
      const unit = q.unit ? ` ${q.unit}` : "";
      if (q.aggregate === "latest") {
        lines.push(`- ${label} (số mới nhất của mỗi đơn vị): ${formatNumber(await latest(qp))}${unit}.`);
      } else {
        const { v } = await one<{ v: number }>(`SELECT coalesce(sum((r."answers" ->> $5)::numeric), 0)::float8 AS v ${base}`, qp);
        lines.push(`- ${label}: ${formatNumber(v)}${unit}.`);
      }
    } else if (q.type === "yes_no") {
      const { yes } = await one<{ yes: number }>(`SELECT count(DISTINCT r."unitId")::int AS yes ${base} AND r."answers" -> $5 = 'true'::jsonb`, qp);
      lines.push(`- ${label}: ${formatNumber(yes)}/${formatNumber(answered)} đơn vị.`);
    } else if (q.type === "part_of_total") {
      const inner = q.aggregate === "latest"
        ? `SELECT DISTINCT ON (r."unitId") r."answers" -> $5 AS a ${base} AND (r."answers" -> $5) IS NOT NULL ORDER BY r."unitId", r."periodKey" DESC`
        : `SELECT r."answers" -> $5 AS a ${base}`;
      const { p, t } = await one<{ p: number; t: number }>(
        `SELECT coalesce(sum((a ->> 'part')::numeric), 0)::float8 AS p, coalesce(sum((a ->> 'total')::numeric), 0)::float8 AS t FROM (${inner}) s`,
        qp,
      );
      if (t > 0) lines.push(`- ${label}: ${formatNumber(p)}/${formatNumber(t)} (${q.partLabel}/${q.totalLabel}).`);
    } else if (q.type === "multi_choice" || q.type === "single_choice") {
      const rows = await sql<{ k: string; c: number }>(
        `SELECT k, count(*)::int AS c FROM (SELECT DISTINCT ON (r."unitId") r."answers" -> $5 AS a ${base} AND (r."answers" -> $5) IS NOT NULL ORDER BY r."unitId", r."periodKey" DESC) s,
           LATERAL (SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(a) = 'array' THEN a ELSE jsonb_build_array(a) END) AS k) e GROUP BY k`,
        qp,
      );
      const count = new Map(rows.map((r) => [r.k, r.c]));
      // Per choice, the number questions asked for it (the models of that type, their members).
      const details = new Map<string, string[]>();
      for (const d of form.questions) {
        if (d.askIf?.question !== q.key || d.askIf.op !== "includes" || (d.type !== "integer" && d.type !== "decimal")) continue;
        const choice = String(d.askIf.value);
        const dp = [...params, d.key];
        if (!count.has(choice) || (await answeredBy(dp)) === 0) continue;
        folded.add(d.key);
        const list = details.get(choice) ?? [];
        list.push(`, ${formatNumber(await latest(dp))}${d.unit ? ` ${d.unit}` : ""}`);
        details.set(choice, list);
      }
      const chosen = q.choices.filter((c) => count.has(c.key));
      if (chosen.length === 0) continue;
      if (details.size > 0) {
        lines.push(`- ${label}, theo từng loại:`);
        for (const c of chosen) lines.push(`  + ${c.label}: ${formatNumber(count.get(c.key)!)} đơn vị${(details.get(c.key) ?? []).join("")}.`);
      } else {
        lines.push(`- ${label}: ${chosen.map((c) => `${c.label} ${formatNumber(count.get(c.key)!)} đơn vị`).join("; ")}.`);
      }
    } else if (q.type === "photo") {
      const { photos, units } = await one<{ photos: number; units: number }>(
        `SELECT coalesce(sum(jsonb_array_length(r."answers" -> $5)), 0)::int AS photos, count(DISTINCT r."unitId")::int AS units ${base} AND (r."answers" -> $5) IS NOT NULL`,
        qp,
      );
      lines.push(`- ${label}: ${formatNumber(photos)} ảnh của ${formatNumber(units)} đơn vị (danh sách và liên kết trong tệp Excel /xuat).`);
    }
  }
  return { lines, texts, received: n };
}

async function checkDraft(code: string, window: Period): Promise<string> {
  const root = tree.byCode(code)!;
  const now = new Date(window.end.getTime() + 10 * 86_400_000);
  const data = await loadDraftData(store, { plan, tree, rootId: root.id, period: window, now, lng: "vi" });
  const text = draftText(draftDocumentFromData(data, { lng: "vi" }));
  const lines = text.split("\n");
  const path = unitPath(tree, root.id);
  const kinds = new Set([...tree.subtree(root.id)].map((u) => u.kind));
  let checked = 0;
  for (const form of plan.forms) {
    if (!form.unitKinds.some((k) => kinds.has(k))) continue;
    const keys = keysIn(form, window);
    if (keys.length === 0) continue;
    const expected = await expectedFigures(form, keys, path);
    const units = [...tree.subtree(root.id)].filter((u) => form.unitKinds.includes(u.kind)).length;
    const short = form.shortTitle ?? form.title;
    const reporting = lines.find((l) => l.startsWith(`- ${short}`) && l.includes("đã nhận"));
    expect(reporting, `${code} ${form.key}`).toContain(`đã nhận ${formatNumber(expected.received)}/${formatNumber(units * keys.length)}`);
    for (const l of expected.lines) {
      expect(lines, `${code} ${form.key}`).toContain(l);
      checked++;
    }
    for (const t of expected.texts) expect(text).toContain(`“${t}”`);
  }
  expect(checked).toBeGreaterThan(10);
  expect(text).not.toMatch(/(^|[^\d])0\/0([^\d]|$)|trễ hạn 0[^\d,]/m);
  return text;
}

describe("the 6-month and yearly drafts gather every form in the window", () => {
  it("first half of 2024, province: every figure of the monthly, half-yearly forms as stored", async () => {
    const text = await checkDraft("NDI", H1);
    // The communes' and districts' own monthly forms are in it, and the models by type with members.
    expect(text).toMatch(/^- Báo cáo tháng cơ sở Hội \(6 kỳ[^)]*\): đã nhận \d+/m);
    expect(text).toMatch(/^- Báo cáo tháng huyện, thành phố \(6 kỳ[^)]*\): đã nhận \d+/m);
    expect(text).toMatch(/^- Loại mô hình đang hoạt động, theo từng loại:\n {2}\+ [^\n]+: \d+ đơn vị, \d+ mô hình, [\d.]+ thành viên\./m);
    // The targets of the whole plan, not only of the half-yearly forms.
    expect(text).toMatch(/- Chỉ tiêu 3 – .*\(từ đầu năm\): \d+\/\d+ cơ sở Hội đạt từ 5 trở lên .*: (đạt|đang thực hiện)\./);
    expect(text).toMatch(/- Chỉ tiêu 4 – .*\(từ đầu nhiệm kỳ\): .*: (đạt|đang thực hiện)\./);
    expect(text).not.toContain("chưa đạt\n- Chỉ tiêu 3");
    // Summaries in I.4, proposals in IV.
    const i4 = text.indexOf("4. Kết quả nổi bật do các đơn vị báo cáo");
    const iv = text.indexOf("IV. KIẾN NGHỊ, ĐỀ XUẤT");
    expect(i4).toBeGreaterThan(0);
    expect(text.indexOf("“tom_tat của NDI-YYE 2024-H1”")).toBeGreaterThan(i4);
    const proposal = text.indexOf("kien_nghi của NDI-YYE 2024-H1");
    if (proposal >= 0) expect(proposal).toBeGreaterThan(iv);
  });

  it("first half of 2024, a district: only its subtree", async () => {
    const text = await checkDraft("NDI-YYE", H1);
    expect(text).not.toContain("NDI-XTR");
  });

  it("year 2024, province: monthly, half-yearly and yearly forms; Chỉ tiêu 3 per commune against SQL", async () => {
    const text = await checkDraft("NDI", YEAR);
    const communes = [...tree.subtree(tree.byCode("NDI")!.id)].filter((u) => u.kind === "commune");
    const indicator = plan.indicators.find((i) => i.target.per === "commune" && i.measure === "sum")!;
    let meeting = 0;
    let total = 0;
    for (const c of communes) {
      const { v } = await one<{ v: number }>(
        `SELECT coalesce(sum((r."answers" ->> $3)::numeric), 0)::float8 AS v FROM "Report" r JOIN "Unit" u ON u."id" = r."unitId"
         WHERE r."planKey" = $1 AND r."formKey" = $2 AND r."periodKey" LIKE '2024-%' AND u."path" LIKE $4`,
        [plan.id, indicator.form, indicator.question, `${unitPath(tree, c.id)}%`],
      );
      if (v >= indicator.target.atLeast) meeting++;
      total += v;
    }
    expect(text).toContain(`${formatNumber(meeting)}/${formatNumber(communes.length)} cơ sở Hội đạt từ ${indicator.target.atLeast} trở lên`);
    expect(text).toContain(`tổng cộng ${formatNumber(total)}:`);
  });

  it("the part to paste holds the results and no document frame", async () => {
    const data = await loadDraftData(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: H1, now: localInstant(2024, 7, 5), lng: "vi" });
    const paste = draftPasteText(data, "vi");
    expect(paste).toContain("1. Công tác báo cáo");
    expect(paste).not.toContain("CỘNG HÒA");
    expect(paste).not.toContain("Nơi nhận");
  });
});

/** The text of each paragraph of word/document.xml, in order. */
async function docxParagraphs(bytes: Uint8Array): Promise<string[]> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file("word/document.xml")!.async("string");
  const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => unescape([...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join("")));
}

describe("the .docx", () => {
  it("is in the union's document form: name block, number, motto, place and date, sections, recipients, signature", async () => {
    const data = await loadDraftData(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: H1, now: new Date("2024-07-03T03:00:00Z"), lng: "vi" });
    const doc = draftDocumentFromData(data, { lng: "vi" });
    const bytes = await draftDocx(doc);
    expect(Buffer.from(bytes.subarray(0, 2)).toString("latin1")).toBe("PK");
    const paras = await docxParagraphs(bytes);
    const at = (s: string) => paras.indexOf(s);
    expect(at("HỘI LHPN TỈNH NAM ĐỊNH")).toBeGreaterThanOrEqual(0);
    expect(at("HỘI LHPN HUYỆN Ý YÊN")).toBe(at("HỘI LHPN TỈNH NAM ĐỊNH") + 1);
    expect(paras).toContain("Số: …/BC-…");
    expect(paras).toContain("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    expect(at("Độc lập - Tự do - Hạnh phúc")).toBe(at("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + 1);
    expect(paras).toContain("Ý Yên, ngày 03 tháng 7 năm 2024");
    expect(paras).toContain("BÁO CÁO");
    expect(paras).toContain("6 tháng đầu năm 2024");
    const sections = ["I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ CHUNG", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", "IV. KIẾN NGHỊ, ĐỀ XUẤT"].map(at);
    expect(sections.every((i) => i > at("BÁO CÁO"))).toBe(true);
    expect([...sections].sort((a, b) => a - b)).toEqual(sections);
    // Every paragraph of the text draft's sections is in the file, in the same order.
    const body = doc.sections.flatMap((s) => [s.heading, ...s.paragraphs]);
    let last = -1;
    for (const p of body) {
      const i = paras.indexOf(p, last + 1);
      expect(i, p).toBeGreaterThan(last);
      last = i;
    }
    expect(paras).toContain("Nơi nhận:");
    expect(paras).toContain("- Hội LHPN tỉnh Nam Định (để báo cáo);");
    expect(paras).toContain("- Lưu: VT.");
    expect(at("TM. BAN THƯỜNG VỤ")).toBeGreaterThan(at("Nơi nhận:"));
    expect(paras[at("TM. BAN THƯỜNG VỤ") + 1]).toBe("CHỦ TỊCH");
  });
});
