/**
 * `units reorganise` carries the pilot and NTM marks (src/domain/units/reorganise-marks.ts), on
 * PGlite and PostgreSQL: a merger with a pilot commune is a pilot unit; merged communes that
 * shared one NTM status keep it, differing ones lose it (and it is reported); the new tree's own
 * pilot / ntm values win; a removed level's marks are not carried to the province; the CLI's
 * summary records what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseUnits } from "../../src/domain/units/import.js";
import { parseUnitMap } from "../../src/domain/units/reorganise-map.js";
import type { Store } from "../../src/store/database.js";
import { reorganiseUnits, type ReorganisationRequest } from "../../src/store/reorganise.js";
import { importUnits } from "../../src/store/units.js";
import { grantRole, upsertPerson } from "../../src/store/people.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

const BEFORE = `
- code: P
  name: Hội LHPN tỉnh Thử
  kind: province
  children:
    - code: D1
      name: Hội LHPN huyện Một
      kind: district
      children:
        - { code: C1, name: Hội LHPN xã Một, kind: commune, pilot: true, ntm: kieu_mau }
        - { code: C2, name: Hội LHPN xã Hai, kind: commune, ntm: nang_cao }
        - { code: C3, name: Hội LHPN xã Ba, kind: commune, ntm: kieu_mau }
        - { code: C4, name: Hội LHPN xã Bốn, kind: commune, ntm: kieu_mau }
        - { code: C5, name: Hội LHPN xã Năm, kind: commune }
    - code: D2
      name: Hội LHPN huyện Hai
      kind: district
      pilot: true
      children:
        - { code: C6, name: Hội LHPN xã Sáu, kind: commune, pilot: true }
        - { code: C7, name: Hội LHPN xã Bảy, kind: commune }
        - { code: C8, name: Hội LHPN xã Tám, kind: commune, pilot: true, ntm: nang_cao }
`;

const AFTER = `
- code: P
  name: Hội LHPN tỉnh Thử
  kind: province
  children:
    - { code: M12, name: Hội LHPN xã Một Hai, kind: commune }
    - { code: C3, name: Hội LHPN xã Ba, kind: commune }
    - { code: C5, name: Hội LHPN xã Năm, kind: commune, ntm: nang_cao }
    - { code: M67, name: Hội LHPN xã Sáu Bảy, kind: commune, pilot: false }
    - { code: C8, name: Hội LHPN xã Tám, kind: commune, ntm: "không" }
`;

const MAP = `D1 -> P
D2 -> P
C1 -> M12
C2 -> M12
C4 -> C3
C6 -> M67
C7 -> M67
`;

function request(): ReorganisationRequest {
  const tree = parseUnits(AFTER, "after.yaml");
  const map = parseUnitMap(MAP, "map.txt");
  if (!tree.ok || !map.ok) throw new Error(JSON.stringify(!tree.ok ? tree.errors : !map.ok ? map.errors : null));
  return { from: "2025-07-01", rows: tree.units, treeFile: "after.yaml", map: map.entries, mapFile: "map.txt" };
}

describe.each(FLAVOURS)("units reorganise carries pilot and NTM marks on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    const before = parseUnits(BEFORE, "before.yaml");
    if (!before.ok) throw new Error(JSON.stringify(before.errors));
    await importUnits(store, before.units);
    // The reporter of commune C1, told of the move: her role is named by the commune's level.
    const hoa = await upsertPerson(store, "local", "hoa", "Chị Hoa");
    const [c1] = await store.sql.query<{ id: number }>(`SELECT "id" FROM "Unit" WHERE "code" = 'C1'`);
    await grantRole(store, hoa.id, c1!.id, "leader");
  });
  afterAll(async () => cleanup());

  const marks = async () =>
    Object.fromEntries(
      (await store.sql.query<{ code: string; pilot: boolean; ntm: string | null; ended: boolean }>(
        `SELECT "code", "pilot", "ntmStatus" AS ntm, "validUntil" IS NOT NULL AS ended FROM "Unit" ORDER BY "code"`,
      )).map((u) => [u.code, `${u.pilot ? "pilot" : "-"} ${u.ntm ?? "-"}${u.ended ? " (ended)" : ""}`]),
    );

  it("writes the merged marks and reports conflicts and dropped marks", async () => {
    const res = await reorganiseUnits(store, request());
    expect(res.kind).toBe("applied");
    expect(await marks()).toEqual({
      // Ended units keep the marks they had (earlier periods show them).
      C1: "pilot kieu_mau (ended)",
      C2: "- nang_cao (ended)",
      C4: "- kieu_mau (ended)",
      C6: "pilot - (ended)",
      C7: "- - (ended)",
      D1: "- - (ended)",
      D2: "pilot - (ended)",
      // C1 (pilot, kiểu mẫu) + C2 (nâng cao): pilot, NTM cleared (they differ).
      M12: "pilot -",
      // C3 continues (kiểu mẫu) and takes C4 (kiểu mẫu): kept.
      C3: "- kieu_mau",
      // The file's values win: ntm given for C5, pilot: false for the merger of a pilot commune, ntm cleared for C8.
      C5: "- nang_cao",
      M67: "- -",
      C8: "pilot -",
      // A removed level (the pilot district D2) passes nothing to the province.
      P: "- -",
    });
    if (res.kind !== "applied") return;
    expect(res.summary.marks).toEqual({
      pilotMerged: [{ code: "M12", from: ["C1"] }],
      ntmMerged: [{ code: "C3", ntm: "kieu_mau", from: ["C3", "C4"] }],
      ntmConflicts: [{ code: "M12", from: [{ code: "C1", ntm: "kieu_mau" }, { code: "C2", ntm: "nang_cao" }] }],
      dropped: [{ code: "D2", successor: "P", marks: { pilot: true, ntm: null } }],
    });
  });

  it("tells the commune's reporter by her level's name, never “chi hội trưởng”", async () => {
    const [notice] = await store.sql.query<{ text: string }>(`SELECT "payload" ->> 'text' AS text FROM "OutboxMessage"`);
    expect(notice?.text).toContain("Vai trò người báo cáo của cơ sở Hội của chị ở Hội LHPN xã Một nay chuyển sang Hội LHPN xã Một Hai.");
    expect(notice?.text).not.toContain("chi hội trưởng");
  });

  it("the same files again do nothing", async () => {
    const before = await marks();
    expect((await reorganiseUnits(store, request())).kind).toBe("already");
    expect(await marks()).toEqual(before);
  });
});
