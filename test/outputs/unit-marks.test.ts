/**
 * Pilot and new-countryside marks from the units file: parsed, stored, loaded with the tree, and
 * shown in /tiendo's per-unit lines and in the draft periodic report.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePeriod } from "../../src/domain/periods.js";
import { renderProgressText } from "../../src/domain/progress-text.js";
import { DEFAULT_UNITS_PATH, parseUnits } from "../../src/domain/units/import.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { draftPeriodicReport } from "../../src/outputs/periodic-report.js";
import { loadProgress } from "../../src/progress/index.js";
import type { Store } from "../../src/store/database.js";
import { importUnits, loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { freshStore } from "../helpers/db.js";
import { NOW, plan } from "./fixture.js";

let store: Store;
let cleanup: () => Promise<void>;
let tree: UnitTree;

const CSV = [
  "code,name,kind,parent,pilot,ntm",
  "NDI-YYE-YTHO,Hội LHPN xã Yên Thọ,commune,NDI-YYE,,kiểu mẫu",
  "NDI-YYE-YTHO-CH01,Chi hội xóm Bắc Sơn,branch,NDI-YYE-YTHO,,",
  "NDI-YYE-YPHUONG-CH02,Chi hội xóm Đông Thịnh,branch,NDI-YYE-YPHUONG,không,nang_cao",
].join("\n");

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
  const parsed = parseUnits(CSV, "marks.csv", undefined, new Set(["NDI-YYE", "NDI-YYE-YPHUONG"]));
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("\n"));
  await importUnits(store, parsed.units);
  tree = await loadUnitTree(store);
}, 240_000);
afterAll(() => cleanup());

describe("pilot and NTM marks", () => {
  it("are read from the units files and kept with the tree", () => {
    expect(tree.byCode("NDI-YYE-YPHUONG")).toMatchObject({ pilot: true });
    expect(tree.byCode("NDI-XTR-XKIEN-CH01")).toMatchObject({ pilot: true });
    expect(tree.byCode("NDI-YYE-YTHO")).toMatchObject({ ntm: "kieu_mau" });
    expect(tree.byCode("NDI-YYE-YTHO")!.pilot).toBeUndefined();
    expect(tree.byCode("NDI-YYE-YPHUONG-CH02")).toMatchObject({ ntm: "nang_cao" });
    expect(tree.byCode("NDI-YYE-YTHO-CH01")).toEqual(expect.not.objectContaining({ pilot: true }));
  });

  it("refuses a value it cannot read, naming the line", () => {
    const bad = parseUnits("code,name,kind,parent,ntm\nNDI-X,Hội LHPN xã X,commune,NDI-YYE,rất cao", "bad.csv", undefined, new Set(["NDI-YYE"]));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]!.message).toContain("nông thôn mới (ntm)");
  });

  it("show in /tiendo's per-unit lines and in the draft", async () => {
    const progress = await loadProgress(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: makePeriod("monthly", 2024, 5), now: NOW });
    const text = renderProgressText(progress);
    expect(text).toContain("• Hội LHPN xã Yên Phương (điểm):");
    expect(text).toContain("• Hội LHPN xã Yên Thọ (NTM kiểu mẫu):");
    const draft = await draftPeriodicReport(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: makePeriod("half_yearly", 2024, 1), now: NOW });
    expect(draft).toMatch(/\n4\. Đơn vị điểm, địa bàn nông thôn mới\n- Đơn vị điểm \(2\): Hội LHPN xã Yên Phương, Chi hội điểm \(xã Yên Phương\)\.\n/);
    expect(draft).toContain("- Địa bàn NTM nâng cao (1): Chi hội xóm Đông Thịnh.");
    expect(draft).toContain("- Địa bàn NTM kiểu mẫu (1): Hội LHPN xã Yên Thọ.");
  });
});
