import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UnitTree } from "./tree.js";
import { formatUnitImportErrors, parseUnits, unitRowsToNodes, type UnitRow } from "./import.js";

const FILE = join(import.meta.dirname, "..", "..", "..", "prisma", "seed", "units-nam-dinh.yaml");

function load(): UnitRow[] {
  const res = parseUnits(readFileSync(FILE, "utf8"), "units-nam-dinh.yaml");
  if (!res.ok) throw new Error(formatUnitImportErrors(res.errors));
  return res.units;
}

describe("prisma/seed/units-nam-dinh.yaml", () => {
  const units = load();
  const byKind = (k: string) => units.filter((u) => u.kind === k);
  const parents = (k: string) => Object.fromEntries(byKind(k).map((u) => [u.code, u.parentCode]));

  it("has the province as the only root", () => {
    expect(byKind("province")).toEqual([
      { code: "NDI", name: "Hội LHPN tỉnh Nam Định", kind: "province", parentCode: null, line: expect.any(Number) },
    ]);
    expect(units[0]!.code).toBe("NDI");
    expect(units).toHaveLength(1 + 10 + 2 + 2 + 4);
  });

  it("has the 10 district-level units of 2023 under the province", () => {
    expect(parents("district")).toEqual({
      "NDI-TPND": "NDI", "NDI-MLO": "NDI", "NDI-VBA": "NDI", "NDI-YYE": "NDI", "NDI-NHU": "NDI",
      "NDI-NTR": "NDI", "NDI-TNI": "NDI", "NDI-XTR": "NDI", "NDI-GTH": "NDI", "NDI-HHA": "NDI",
    });
    const names = byKind("district").map((u) => u.name);
    expect(names).toContain("Hội LHPN thành phố Nam Định");
    expect(names).toContain("Hội LHPN huyện Ý Yên");
    expect(names.filter((n) => n.startsWith("Hội LHPN huyện "))).toHaveLength(9);
  });

  it("has the 2 pilot communes and their pilot branches", () => {
    expect(parents("commune")).toEqual({ "NDI-XTR-XKIEN": "NDI-XTR", "NDI-YYE-YPHUONG": "NDI-YYE" });
    expect(parents("branch")).toEqual({ "NDI-XTR-XKIEN-CH01": "NDI-XTR-XKIEN", "NDI-YYE-YPHUONG-CH01": "NDI-YYE-YPHUONG" });
    expect(units.find((u) => u.code === "NDI-XTR-XKIEN")!.name).toBe("Hội LHPN xã Xuân Kiên");
    expect(units.find((u) => u.code === "NDI-YYE-YPHUONG")!.name).toBe("Hội LHPN xã Yên Phương");
    expect(units.find((u) => u.code === "NDI-XTR-XKIEN-CH01")!.name).toContain("Xuân Kiên");
  });

  it("has the 4 special units directly under the province", () => {
    expect(parents("special")).toEqual({ "NDI-CA": "NDI", "NDI-QS": "NDI", "NDI-BP": "NDI", "NDI-LDLD": "NDI" });
  });

  it("builds a tree whose pilot branch lies within Xuân Trường", () => {
    const tree = new UnitTree(unitRowsToNodes(units));
    const branch = tree.byCode("ndi-xtr-xkien-ch01")!;
    expect(tree.ancestors(branch.id).map((u) => u.code)).toEqual(["NDI-XTR-XKIEN", "NDI-XTR", "NDI"]);
    expect(tree.isWithin(branch.id, tree.byCode("NDI-YYE")!.id)).toBe(false);
  });
});
