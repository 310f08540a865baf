/** `units reorganise` as an administrator runs it (child processes), with the shipped example on PGlite. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { openStore } from "../../src/store/database.js";
import { importUnitsFile, seedUnitsIfEmpty } from "../../src/store/units.js";
import { tempDir } from "../helpers/db.js";
import { runProgram } from "../store/run.js";

const CLI = "src/cli/index.ts";
const EX = "prisma/seed/examples/reorganise-2025";
const BASE_ENV = { DATABASE_URL: "", PGLITE_DIR: "", PLAN_FILE: "", UNITS_FILE: "", LANGUAGE: "vi" };
const dir = tempDir("vundap-reorg-");
/** A child process may take minutes on a machine shared by several test runs. */
const run = (args: string[], env: Record<string, string>) => runProgram(args, env, 240_000);
afterAll(() => dir.remove());

describe("units reorganise on the command line", () => {
  it("refuses a bad date and a malformed map before opening any store, with the line", async () => {
    const date = await run([CLI, "units", "reorganise", `${EX}/after.yaml`, "--map", `${EX}/map.txt`, "--from", "31/06/2025"], BASE_ENV);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain('Ngày bắt đầu "31/06/2025" không hợp lệ; ví dụ: 01/07/2025 hoặc 2025-07-01.');
    const map = join(dir.dir, "bad-map.txt");
    writeFileSync(map, "# comment\nNDI-YYE -> NDI\nNDI-XTR\n");
    const bad = await run([CLI, "units", "reorganise", `${EX}/after.yaml`, "--map", map, "--from", "01/07/2025"], BASE_ENV);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("✘ Chưa sắp xếp lại: 1 lỗi; chưa ghi gì vào kho dữ liệu:");
    expect(bad.stderr).toContain(`${map}:3: Dòng "NDI-XTR" không đúng dạng "MÃ_CŨ -> MÃ_MỚI"`);
  }, 500_000);

  it("applies the example once, says so the second time, and progress shows each period on its tree", async () => {
    const pgliteDir = join(dir.dir, "pglite");
    const store = await openStore({ pgliteDir });
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    await importUnitsFile(store, `${EX}/before.yaml`);
    await store.close();
    const env = { ...BASE_ENV, PGLITE_DIR: pgliteDir };
    const args = [CLI, "units", "reorganise", `${EX}/after.yaml`, "--map", `${EX}/map.txt`, "--from", "01/07/2025"];
    const first = await run(args, env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("✔ Đã sắp xếp lại từ ngày 2025-07-01: 9 đơn vị giữ nguyên (trong đó 3 đơn vị đổi cấp trên), 1 đơn vị mới, 12 đơn vị kết thúc");
    expect(first.stdout).toContain("  • NDI-YPHUONG-MOI là đơn vị điểm vì có đơn vị điểm sáp nhập vào: NDI-YYE-YPHUONG");
    const second = await run(args, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("đã được thực hiện lúc");
    const june = await run([CLI, "progress", "thang", "6/2025", "--now", "2025-07-25"], env);
    expect(june.code).toBe(0);
    expect(june.stdout).toContain("• Hội LHPN huyện Ý Yên: 0/2");
    const yye = await run([CLI, "progress", "NDI-YYE", "thang", "6/2025", "--now", "2025-07-25"], env);
    expect(yye.stdout).toContain("Tiến độ báo cáo: Hội LHPN huyện Ý Yên");
    const july = await run([CLI, "progress", "thang", "7/2025", "--now", "2025-07-25"], env);
    expect(july.code).toBe(0);
    // Yên Phương was a pilot commune: the merged commune is one (src/domain/units/reorganise-marks.ts).
    expect(july.stdout).toContain("• Hội LHPN xã Yên Phương mới (ví dụ) (điểm): 0/2");
    expect(july.stdout).not.toContain("huyện");
  }, 1_200_000); // six child processes on a shared machine
});
