import { describe, expect, it } from "vitest";
import type { UnitKind } from "../types.js";
import { UnitTree } from "./tree.js";
import { generateCountry, generateProvince, nationalScale, provinceScale } from "./generate.js";
import { isValidUnitCode, unitRowsToNodes, type UnitRow } from "./import.js";

function countKinds(rows: readonly UnitRow[]): Record<UnitKind, number> {
  const out: Record<UnitKind, number> = { province: 0, district: 0, commune: 0, branch: 0, special: 0 };
  for (const r of rows) out[r.kind]++;
  return out;
}

const PARENT_KIND: Record<UnitKind, readonly (UnitKind | null)[]> = {
  province: [null],
  special: ["province"],
  district: ["province"],
  commune: ["district", "province"],
  branch: ["commune"],
};

/** Unique valid codes, every parent earlier in the list and of a plausible kind, lines = positions. */
function expectWellFormed(rows: readonly UnitRow[], threeLevel: boolean): void {
  const seen = new Map<string, UnitRow>();
  rows.forEach((r, i) => {
    if (!isValidUnitCode(r.code)) throw new Error(`bad code ${r.code}`);
    if (seen.has(r.code)) throw new Error(`duplicate ${r.code}`);
    if (r.line !== i + 1) throw new Error(`line ${r.line} at ${i}`);
    const parent = r.parentCode === null ? null : seen.get(r.parentCode);
    if (parent === undefined) throw new Error(`parent of ${r.code} not before it`);
    const pk = parent?.kind ?? null;
    if (!PARENT_KIND[r.kind].includes(pk)) throw new Error(`${r.kind} ${r.code} under ${pk}`);
    if (r.kind === "commune" && pk !== (threeLevel ? "province" : "district")) throw new Error(`commune ${r.code} under ${pk}`);
    if (!r.name.trim()) throw new Error(`empty name ${r.code}`);
    seen.set(r.code, r);
  });
}

describe("generateProvince", () => {
  const opts = { code: "hn", districts: 3, communesPerDistrict: [2, 4] as const, branchesPerCommune: [1, 3] as const, specials: 2, seed: 7 };

  it("is deterministic for a seed and differs between seeds", () => {
    expect(generateProvince(opts)).toEqual(generateProvince(opts));
    expect(generateProvince({ ...opts, seed: 8 })).not.toEqual(generateProvince(opts));
  });

  it("respects the shape, upper-cases the code and uses Vietnamese names", () => {
    const rows = generateProvince({ ...opts, name: "Hội LHPN tỉnh Thử" });
    expectWellFormed(rows, false);
    const k = countKinds(rows);
    expect(k.province).toBe(1);
    expect(k.special).toBe(2);
    expect(k.district).toBe(3);
    expect(k.commune).toBeGreaterThanOrEqual(6);
    expect(k.commune).toBeLessThanOrEqual(12);
    expect(k.branch).toBeGreaterThanOrEqual(k.commune);
    expect(k.branch).toBeLessThanOrEqual(3 * k.commune);
    expect(rows[0]).toMatchObject({ code: "HN", name: "Hội LHPN tỉnh Thử", parentCode: null });
    for (const r of rows) {
      if (r.kind === "district") expect(r.name).toMatch(/^Hội LHPN (huyện|thị xã|thành phố) \p{L}+ \p{L}+$/u);
      if (r.kind === "commune") expect(r.name).toMatch(/^Hội LHPN (xã|phường|thị trấn) \p{L}+ \p{L}+$/u);
      if (r.kind === "branch") expect(r.name).toMatch(/^Chi hội (thôn \p{L}+ \p{L}+|xóm \d+|tổ dân phố \d+)$/u);
    }
  });

  it("supports three levels (no districts)", () => {
    const rows = generateProvince({ ...opts, threeLevel: true, communesPerProvince: [5, 5] });
    expectWellFormed(rows, true);
    expect(countKinds(rows)).toMatchObject({ province: 1, district: 0, commune: 5, special: 2 });
  });

  it("honours exact ranges", () => {
    const rows = generateProvince({ ...opts, communesPerDistrict: [4, 4], branchesPerCommune: [3, 3], specials: 0 });
    expect(countKinds(rows)).toEqual({ province: 1, district: 3, commune: 12, branch: 36, special: 0 });
  });
});

describe("generateCountry and presets", () => {
  it("generateCountry: several roots with distinct names, deterministic", () => {
    const o = { provinces: 5, districts: 2, communesPerDistrict: [1, 2] as const, branchesPerCommune: [1, 2] as const, specials: 1, seed: 3 };
    const rows = generateCountry(o);
    expectWellFormed(rows, false);
    const provinces = rows.filter((r) => r.kind === "province");
    expect(provinces.map((p) => p.code)).toEqual(["P01", "P02", "P03", "P04", "P05"]);
    expect(new Set(provinces.map((p) => p.name)).size).toBe(5);
    expect(generateCountry(o)).toEqual(rows);
  });

  it("provinceScale is about 2,500 units and builds a UnitTree", () => {
    const rows = provinceScale(42);
    expect(rows.length).toBeGreaterThanOrEqual(2000);
    expect(rows.length).toBeLessThanOrEqual(3000);
    expectWellFormed(rows, false);
    expect(countKinds(rows)).toMatchObject({ province: 1, district: 10, special: 4 });
    const tree = new UnitTree(unitRowsToNodes(rows));
    expect(tree.size).toBe(rows.length);
    expect(tree.roots.map((r) => r.code)).toEqual(["P01"]);
    expect(tree.subtreeOfKinds(tree.roots[0]!.id, ["branch"])).toHaveLength(countKinds(rows).branch);
    expect(provinceScale(42)).toEqual(rows);
    expect(provinceScale(43)).not.toEqual(rows);
  });

  it("provinceScale(seed, true) has three levels", () => {
    const rows = provinceScale(1, true);
    expectWellFormed(rows, true);
    expect(countKinds(rows).district).toBe(0);
  });

  // Timing is for benchmarks (bench:progress builds this tree), not for unit tests.
  it("nationalScale is about 100,000 units, valid, deterministic", () => {
    const rows = nationalScale(2025);
    expect(rows.length).toBeGreaterThanOrEqual(90_000);
    expect(rows.length).toBeLessThanOrEqual(110_000);
    expectWellFormed(rows, true);
    const k = countKinds(rows);
    expect(k).toMatchObject({ province: 34, district: 0, special: 34 * 4 });
    expect(k.commune).toBeGreaterThan(34 * 70 - 1);
    expect(k.commune).toBeLessThan(34 * 126 + 1);
    const tree = new UnitTree(unitRowsToNodes(rows));
    expect(tree.size).toBe(rows.length);
    expect(tree.roots).toHaveLength(34);
    const again = nationalScale(2025);
    expect(again.length).toBe(rows.length);
    expect(again[again.length - 1]).toEqual(rows[rows.length - 1]);
  });
});
