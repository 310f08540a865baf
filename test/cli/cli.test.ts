/** The CLI as an administrator runs it: `node dist/cli/index.js …` (compiled src/cli/index.ts) in a child process. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PLAN_PATH } from "../../src/plan/load.js";
import { openStore, type Store } from "../../src/store/database.js";
import { saveReport } from "../../src/store/reports.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { createPgDatabase, FLAVOURS, tempDir, type StoreFlavour } from "../helpers/db.js";
import { runProgram } from "../store/run.js";

const CLI = "src/cli/index.ts";
const files = tempDir("vundap-cli-");
afterAll(() => files.remove());

function write(name: string, text: string): string {
  const p = join(files.dir, name);
  writeFileSync(p, text);
  return p;
}

/** The environment of a run: no inherited store settings, Vietnamese. */
const BASE_ENV = { DATABASE_URL: "", PGLITE_DIR: "", PLAN_FILE: "", UNITS_FILE: "", LANGUAGE: "vi" };

describe("cli without a store", () => {
  it("--help prints the Vietnamese usage with every command", async () => {
    const r = await runProgram([CLI, "--help"], BASE_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Cách dùng: npm run cli -- <lệnh> [tham số] [tùy chọn]");
    for (const usage of ["plan check [tệp hoặc thư mục…]", "plan extend <tệp> --until <ngày> --out <tệp>", "units import <tệp>", "progress [đơn vị] [kỳ]"]) expect(r.stdout).toContain(usage);
    expect(r.stdout).toContain("Mã thoát: 0 thành công");
  });

  it("<command> --help, English, a missing and an unknown command", async () => {
    const h = await runProgram([CLI, "units", "import", "--help"], BASE_ENV);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Cách dùng: npm run cli -- units import <tệp>");
    expect(h.stdout).toContain("Nhập tất cả hoặc không nhập gì");
    const en = await runProgram([CLI, "--help", "--lang", "en"], BASE_ENV);
    expect(en.stdout).toContain("Usage: npm run cli -- <command> [arguments] [options]");
    const none = await runProgram([CLI], BASE_ENV);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Chưa ghi lệnh cần chạy.");
    const bad = await runProgram([CLI, "units", "xoa"], BASE_ENV);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Không có lệnh "units xoa".');
  });

  it("plan check: the default plan is valid", async () => {
    const r = await runProgram([CLI, "plan", "check"], BASE_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✔ Kế hoạch hợp lệ: ${DEFAULT_PLAN_PATH}`);
    expect(r.stdout).toMatch(/10 biểu mẫu, 8 chỉ tiêu, 6 mốc thời gian/);
  });

  it("plan check: the shipped plans, which is current, which ended when", async () => {
    const r = await runProgram([CLI, "plan", "check", "--now", "2026-11-29"], BASE_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Mã vun_dap_gia_dinh_2026_2030, thời gian 01/01/2026 – 31/12/2030");
    expect(r.stdout).toContain("Bản dự thảo, chưa phải văn bản chính thức");
    expect(r.stdout).toContain("Hôm nay (29/11/2026) kế hoạch đang chạy: vun_dap_gia_dinh_2026_2030 (đến 31/12/2030).");
    expect(r.stdout).toContain("Kế hoạch đã kết thúc gần nhất: vun_dap_gia_dinh_2023_2025, ngày 31/12/2025.");
  });

  it("plan check of an ended plan alone: no current plan, which ended when, no next one", async () => {
    const r = await runProgram([CLI, "plan", "check", DEFAULT_PLAN_PATH, "--now", "2026-11-29"], BASE_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("⚠ Hôm nay (29/11/2026) không có kế hoạch nào đang chạy");
    expect(r.stdout).toContain("vun_dap_gia_dinh_2023_2025, ngày 31/12/2025");
    expect(r.stdout).toContain("Chưa có kế hoạch tiếp theo");
  });

  it("plan extend: the output passes plan check together with the plan it extends", async () => {
    const out = join(files.dir, "gia-han.yaml");
    const r = await runProgram([CLI, "plan", "extend", DEFAULT_PLAN_PATH, "--until", "2027-12-31", "--out", out], BASE_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("vun_dap_gia_dinh_2026_2027");
    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^# DỰ THẢO GIA HẠN/);
    expect(text).toContain("status: draft");
    const check = await runProgram([CLI, "plan", "check", `${DEFAULT_PLAN_PATH},${out}`, "--now", "2027-03-01"], BASE_ENV);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("kế hoạch đang chạy: vun_dap_gia_dinh_2026_2027");
  });

  it("plan check rejects cron expressions the scheduler cannot run", async () => {
    const text = readFileSync(DEFAULT_PLAN_PATH, "utf8").replace('cron: "0 8 * * 1"', 'cron: "5/10 8 * * 1"').replace('cron: "0 19 * * 4"', 'cron: "0 8 31 2 *"');
    const bad = write("cron-loi.yaml", text);
    const r = await runProgram([CLI, "plan", "check", bad], BASE_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/content\.schedules\[0\]\.cron: lịch cron “5\/10 8 \* \* 1” không hợp lệ: bộ lập lịch không chấp nhận/);
    expect(r.stderr).toMatch(/content\.schedules\[1\]\.cron: lịch cron “0 8 31 2 \*” không hợp lệ: bộ lập lịch không chấp nhận/);
  });

  it("plan check <broken file>: exit 1 and the line of the problem", async () => {
    const lines = readFileSync(DEFAULT_PLAN_PATH, "utf8").split("\n");
    const at = lines.findIndex((l) => l.trim() === "period: monthly");
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at]!.replace("monthly", "weekly");
    const broken = write("ke-hoach-loi.yaml", lines.join("\n"));
    const r = await runProgram([CLI, "plan", "check", broken], BASE_ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${broken}:${at + 1}: forms[0].period:`);
    expect(r.stderr).toContain('"weekly"');
  });
});

interface Target {
  env: Record<string, string>;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

async function target(flavour: StoreFlavour): Promise<Target> {
  if (flavour === "pglite") {
    const dir = tempDir("vundap-cli-store-");
    const pgliteDir = join(dir.dir, "pglite");
    return { env: { ...BASE_ENV, PGLITE_DIR: pgliteDir }, open: () => openStore({ pgliteDir }), drop: async () => dir.remove() };
  }
  const db = await createPgDatabase();
  return { env: { ...BASE_ENV, DATABASE_URL: db.url }, open: () => openStore({ databaseUrl: db.url, poolSize: 2 }), drop: db.drop };
}

describe.each(FLAVOURS)("cli with a store on %s", (flavour) => {
  let t: Target;
  beforeAll(async () => {
    t = await target(flavour);
  });
  afterAll(async () => t.drop());

  it("units import <bad csv>: exit 1, every error with its line, nothing written", async () => {
    const bad = write(
      `don-vi-loi-${flavour}.csv`,
      ["ma,ten,loai,cap_tren", "HT,Hội LHPN tỉnh Hà Tĩnh,tỉnh,", "HT-01,Hội LHPN huyện Kỳ Anh,huyện,HT", "HT-02,,huyện,HT", "HT-01,Trùng mã,xã,HT-01"].join("\n"),
    );
    const r = await runProgram([CLI, "units", "import", bad], t.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`✘ Tệp ${bad} có 2 lỗi; chưa nhập đơn vị nào:`);
    expect(r.stderr).toContain(`${bad}:4: Thiếu tên (name)`);
    expect(r.stderr).toContain(`${bad}:5: Mã "HT-01" bị trùng`);
    const store = await t.open();
    try {
      expect(await store.prisma.unit.count()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("units import <good csv>: counts, then an update", async () => {
    const good = write(`don-vi-${flavour}.csv`, ["code,name,kind,parent", "HT,Hội LHPN tỉnh Hà Tĩnh,province,", "HT-01,Hội LHPN huyện Kỳ Anh,district,HT"].join("\n"));
    const r = await runProgram([CLI, "units", "import", good], t.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✔ Đã nhập");
    expect(r.stdout).toContain("2 đơn vị mới, 0 đơn vị được cập nhật, 0 đơn vị không đổi; kho dữ liệu có 2 đơn vị.");
    writeFileSync(good, ["code,name,kind,parent", "HT,Hội LHPN tỉnh Hà Tĩnh,province,", "HT-01,Hội LHPN thị xã Kỳ Anh,district,HT"].join("\n"));
    const again = await runProgram([CLI, "units", "import", good], t.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 đơn vị mới, 1 đơn vị được cập nhật, 1 đơn vị không đổi");
    // Back to an empty store for the next test.
    const store = await t.open();
    try {
      await store.prisma.unit.deleteMany();
    } finally {
      await store.close();
    }
  });

  it("progress NDI-YYE: the /tiendo text, after seeding the Nam Định tree into the empty store", async () => {
    const first = await runProgram([CLI, "progress", "NDI-YYE", "--now", "2024-05-25"], t.env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("Kho dữ liệu chưa có đơn vị nào: đã nạp 19 đơn vị");
    expect(first.stdout.split("\n")).toEqual(
      expect.arrayContaining(["📊 Tiến độ báo cáo: Hội LHPN huyện Ý Yên", "Đã báo cáo: 0/1 đơn vị (0%)", "Chưa báo cáo (1): Chi hội điểm (xã Yên Phương)"]),
    );

    const store = await t.open();
    try {
      expect(await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH)).toBeNull();
      const tree = await loadUnitTree(store);
      await saveReport(store, {
        planKey: "vun_dap_gia_dinh_2023_2025",
        formKey: "chi_hoi_thang",
        periodKey: "2024-05",
        unitId: tree.byCode("NDI-YYE-YPHUONG-CH01")!.id,
        answers: { tuyen_truyen: true, so_buoi: 2, so_nguoi: 40, ho_dat_moi: 1, phat_hien_blgd: false },
        personId: null,
        submittedAt: new Date("2024-05-19T02:00:00Z"),
      });
    } finally {
      await store.close();
    }

    const r = await runProgram([CLI, "progress", "y", "yen", "thang", "5/2024", "--now", "2024-05-25T10:00+07:00"], t.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.trimEnd().split("\n")).toEqual([
      "📊 Tiến độ báo cáo: Hội LHPN huyện Ý Yên",
      "Báo cáo tháng của chi hội về hoạt động Vun đắp giá trị gia đình, tháng 5/2024",
      "Hạn nộp: 20:00 ngày 20/05/2024 (đã hết hạn)",
      "Đã báo cáo: 1/1 đơn vị (100%)",
      "Đúng hạn: 1/1 đơn vị (100%)",
      "Tất cả đơn vị đã báo cáo.",
      "",
      "Chỉ tiêu:",
      "• Tỷ lệ chi hội tổ chức tuyên truyền 4 giá trị gia đình Việt Nam trong tháng: 100% (1/1 đơn vị), chỉ tiêu 100%: đạt",
      "• Số hộ gia đình mới đạt tiêu chí “5 không, 3 sạch” hoặc “5 có, 3 sạch” của mỗi cơ sở Hội trong năm (từ đầu năm): 0/1 cơ sở Hội đạt từ 5 trở lên (0%): chưa đạt",
      "  Chưa đạt: Hội LHPN xã Yên Phương",
      "• Tỷ lệ phụ nữ, trẻ em gái bị bạo lực gia đình được phát hiện đã tiếp cận dịch vụ trợ giúp xã hội (từ đầu kế hoạch): chưa có số liệu",
    ]);

    const ambiguous = await runProgram([CLI, "progress", "nam dinh"], t.env);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('"nam dinh" khớp với nhiều đơn vị');
    expect(ambiguous.stderr).toContain("• NDI-TPND: Hội LHPN thành phố Nam Định");
    const unknown = await runProgram([CLI, "progress", "Hà Giang"], t.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Không tìm thấy đơn vị "Hà Giang".');
  });
});
