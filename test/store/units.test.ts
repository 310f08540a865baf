/** The unit tree in the store: import (all or nothing, updates, scale, paths), loading, finding units. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateProvince } from "../../src/domain/units/generate.js";
import { DEFAULT_UNITS_PATH, unitRowsToNodes } from "../../src/domain/units/import.js";
import { UnitTree } from "../../src/domain/units/tree.js";
import type { Store } from "../../src/store/database.js";
import { findUnit, importUnits, importUnitsFile, loadUnitTree, seedUnitsIfEmpty, UnitFileError, UnitTreeError } from "../../src/store/units.js";
import { unitPath } from "../../src/progress/index.js";
import { FLAVOURS, freshStore, tempDir } from "../helpers/db.js";

const files = tempDir("vundap-units-");
afterAll(() => files.remove());

function write(name: string, text: string): string {
  const p = join(files.dir, name);
  writeFileSync(p, text);
  return p;
}

/** Every stored path equals the chain of ancestor ids in the tree. */
async function expectPathsConsistent(store: Store, tree: UnitTree): Promise<number> {
  const rows = await store.sql.query<{ id: number; path: string }>(`SELECT "id", "path" FROM "Unit"`);
  let checked = 0;
  for (const r of rows) {
    if (r.path !== unitPath(tree, r.id)) throw new Error(`unit ${r.id}: path ${r.path}, expected ${unitPath(tree, r.id)}`);
    checked++;
  }
  return checked;
}

describe.each(FLAVOURS)("units on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
  });
  afterAll(async () => cleanup());

  it("imports the Nam Định tree, with paths, and seeds only an empty store", async () => {
    const counts = await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    expect(counts).toMatchObject({ inserted: 19, updated: 0, unchanged: 0, total: 19 });
    expect(await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH)).toBeNull();
    const tree = await loadUnitTree(store);
    expect(tree.size).toBe(19);
    expect(tree.roots.map((r) => r.code)).toEqual(["NDI"]);
    const yye = tree.byCode("NDI-YYE")!;
    expect(yye.name).toBe("Hội LHPN huyện Ý Yên");
    expect(tree.children(yye.id).map((u) => u.code)).toEqual(["NDI-YYE-YPHUONG"]);
    expect(await expectPathsConsistent(store, tree)).toBe(19);
    const [row] = await store.sql.query<{ path: string }>(`SELECT "path" FROM "Unit" WHERE "code" = 'NDI-YYE-YPHUONG-CH01'`);
    const ndi = tree.byCode("NDI")!;
    const commune = tree.byCode("NDI-YYE-YPHUONG")!;
    const branch = tree.byCode("NDI-YYE-YPHUONG-CH01")!;
    expect(row!.path).toBe(`/${ndi.id}/${yye.id}/${commune.id}/${branch.id}/`);
  });

  it("writes nothing from a file with errors, and reports every error with its line", async () => {
    const before = await store.sql.query(`SELECT "code", "name", "path" FROM "Unit" ORDER BY "code"`);
    const bad = write(
      "bad.csv",
      ["code,name,kind,parent", "NDI-NEW1,Xã Mới,xa,NDI-YYE", "NDI-NEW2,,chi hoi,NDI-NEW1", "NDI-NEW3,Chi hội 3,ho gia dinh,NDI-NEW1", "NDI-NEW4,Chi hội 4,chi hoi,NDI-KHONGCO"].join(
        "\n",
      ),
    );
    const err = await importUnitsFile(store, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnitFileError);
    const message = (err as UnitFileError).message;
    expect(message).toContain(`${bad}:3: Thiếu tên (name)`);
    expect(message).toContain(`${bad}:4: Loại đơn vị "ho gia dinh" không hợp lệ`);
    expect(message).toContain(`${bad}:5: Không tìm thấy đơn vị cấp trên "NDI-KHONGCO"`);
    expect((err as UnitFileError).errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(await store.sql.query(`SELECT "code", "name", "path" FROM "Unit" ORDER BY "code"`)).toEqual(before);
  });

  it("adds units under existing ones and updates names, kinds and parents on re-import", async () => {
    const csv = write(
      "update.csv",
      [
        "ma;ten;loai;cap_tren",
        "NDI-YYE;Hội LHPN huyện Ý Yên (cũ);huyện;NDI",
        "NDI-YYE-YTHO;Hội LHPN xã Yên Thọ;xã;NDI-YYE",
        "NDI-YYE-YTHO-CH01;Chi hội thôn Đông;chi hội;NDI-YYE-YTHO",
        // moved: the pilot branch now hangs under Yên Thọ
        "NDI-YYE-YPHUONG-CH01;Chi hội điểm (xã Yên Phương);chi hội;NDI-YYE-YTHO",
      ].join("\n"),
    );
    const counts = await importUnitsFile(store, csv);
    expect(counts).toEqual({ inserted: 2, updated: 2, unchanged: 0, total: 21 });
    const tree = await loadUnitTree(store);
    expect(tree.byCode("NDI-YYE")!.name).toBe("Hội LHPN huyện Ý Yên (cũ)");
    const ytho = tree.byCode("NDI-YYE-YTHO")!;
    expect(tree.byCode("NDI-YYE-YPHUONG-CH01")!.parentId).toBe(ytho.id);
    expect(await expectPathsConsistent(store, tree)).toBe(21);
    // The same file again changes nothing.
    expect(await importUnitsFile(store, csv)).toEqual({ inserted: 0, updated: 0, unchanged: 4, total: 21 });
    // Back to the seed's names and parents.
    expect(await importUnitsFile(store, DEFAULT_UNITS_PATH)).toMatchObject({ inserted: 0, updated: 2, unchanged: 17 });
    expect((await loadUnitTree(store)).byCode("NDI-YYE")!.name).toBe("Hội LHPN huyện Ý Yên");
  });

  it("refuses rows that would make a cycle through existing units, writing nothing", async () => {
    const before = await store.sql.query(`SELECT "code", "parentId", "path" FROM "Unit" ORDER BY "code"`);
    // NDI-YYE under its own commune: a cycle only visible with the stored tree.
    const rows = [{ code: "NDI-YYE", name: "Hội LHPN huyện Ý Yên", kind: "district" as const, parentCode: "NDI-YYE-YPHUONG", line: 2 }];
    await expect(importUnits(store, rows)).rejects.toBeInstanceOf(UnitTreeError);
    await expect(importUnits(store, [{ ...rows[0]!, parentCode: "NDI-NOWHERE" }])).rejects.toThrow(/NDI-NOWHERE/);
    expect(await store.sql.query(`SELECT "code", "parentId", "path" FROM "Unit" ORDER BY "code"`)).toEqual(before);
  });

  it("finds units by code or by name, with or without diacritics, within a subtree", async () => {
    const tree = await loadUnitTree(store);
    const code = (r: ReturnType<typeof findUnit>) => (r.kind === "found" ? r.unit.code : r.kind === "ambiguous" ? r.candidates.map((u) => u.code) : null);
    expect(code(findUnit(tree, "ndi-yye"))).toBe("NDI-YYE");
    expect(code(findUnit(tree, "Ý Yên"))).toBe("NDI-YYE");
    expect(code(findUnit(tree, "y yen"))).toBe("NDI-YYE");
    expect(code(findUnit(tree, "huyen y yen"))).toBe("NDI-YYE");
    expect(code(findUnit(tree, "hai hau"))).toBe("NDI-HHA");
    expect(code(findUnit(tree, "Hải Hậu"))).toBe("NDI-HHA");
    expect(code(findUnit(tree, "yen phuong"))).toBe("NDI-YYE-YPHUONG");
    expect(code(findUnit(tree, "xuan"))).toEqual(["NDI-XTR", "NDI-XTR-XKIEN"]);
    expect(code(findUnit(tree, "nam dinh"))).toEqual(["NDI", "NDI-TPND"]);
    expect(code(findUnit(tree, "tinh nam dinh"))).toBe("NDI");
    expect(findUnit(tree, "khong co dau ca")).toEqual({ kind: "none" });
    const xtr = tree.byCode("NDI-XTR")!;
    expect(code(findUnit(tree, "xuan", { withinId: xtr.id }))).toEqual(["NDI-XTR", "NDI-XTR-XKIEN"]);
    expect(code(findUnit(tree, "xuan kien", { withinId: xtr.id }))).toBe("NDI-XTR-XKIEN");
    expect(findUnit(tree, "y yen", { withinId: xtr.id })).toEqual({ kind: "none" });
    expect(findUnit(tree, "NDI-YYE", { withinId: xtr.id })).toEqual({ kind: "none" });
  });
});

describe.each(FLAVOURS)("a large tree on %s", (flavour) => {
  it("imports 20,000 generated units with correct paths", async () => {
    const { store, cleanup } = await freshStore(flavour);
    try {
      const rows = generateProvince({ code: "P01", districts: 40, communesPerDistrict: [18, 26], branchesPerCommune: [18, 24], specials: 4, seed: 20 });
      expect(rows.length).toBeGreaterThanOrEqual(20_000);
      const counts = await importUnits(store, rows);
      expect(counts).toEqual({ inserted: rows.length, updated: 0, unchanged: 0, total: rows.length });
      const tree = await loadUnitTree(store);
      expect(tree.size).toBe(rows.length);
      // Same shape as the rows say.
      const expected = new UnitTree(unitRowsToNodes(rows));
      for (const code of ["P01", "P01-D07", "P01-D07-C03", "P01-D40-C01-B01"]) {
        const a = tree.byCode(code)!;
        const b = expected.byCode(code)!;
        expect(tree.ancestors(a.id).map((u) => u.code)).toEqual(expected.ancestors(b.id).map((u) => u.code));
        expect(tree.children(a.id).length).toBe(expected.children(b.id).length);
      }
      expect(await expectPathsConsistent(store, tree)).toBe(rows.length);
      // A subtree by path prefix is the tree's subtree.
      const d07 = tree.byCode("P01-D07")!;
      const [n] = await store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Unit" WHERE "path" LIKE $1`, [`${unitPath(tree, d07.id)}%`]);
      expect(n!.n).toBe([...tree.subtree(d07.id)].length);
    } finally {
      await cleanup();
    }
  });
});
