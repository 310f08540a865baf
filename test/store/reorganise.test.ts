/**
 * `units reorganise` on PGlite and PostgreSQL, with the shipped example
 * (prisma/seed/examples/reorganise-2025): reports on the old tree, the district level removed and
 * two communes merged from 1/7/2025, reports on the new tree; /tiendo of an old period on the old
 * tree and of a new period on the new tree; links, roles, invites and notices; bad mappings.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseUnits } from "../../src/domain/units/import.js";
import { parseUnitMap } from "../../src/domain/units/reorganise-map.js";
import { loadProgress } from "../../src/progress/index.js";
import type { Store } from "../../src/store/database.js";
import { createInvite, grantRole, linkChat, upsertPerson } from "../../src/store/people.js";
import { ReorganisationError, reorganiseUnits, type ReorganisationRequest } from "../../src/store/reorganise.js";
import { saveReport } from "../../src/store/reports.js";
import { importUnits, importUnitsFile, loadUnitTree } from "../../src/store/units.js";
import { makeHarness, plan, texts, type Harness, type Who } from "../app/harness.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

const EX = "prisma/seed/examples/reorganise-2025";
const FORM = "chi_hoi_thang";

/** A request from tree and map texts (the files the CLI would read). */
function request(treeText: string, mapText: string, from = "2025-07-01", treeFile = "after.yaml", mapFile = "map.txt"): ReorganisationRequest {
  const tree = parseUnits(treeText, treeFile);
  const map = parseUnitMap(mapText, mapFile);
  if (!tree.ok || !map.ok) throw new Error("example files do not parse");
  return { from, rows: tree.units, treeFile, map: map.entries, mapFile };
}

const exampleTree = readFileSync(`${EX}/after.yaml`, "utf8");
const exampleMap = readFileSync(`${EX}/map.txt`, "utf8");

/** Row counts of everything a reorganisation writes. */
async function snapshot(store: Store): Promise<unknown> {
  const [row] = await store.sql.query(
    `SELECT (SELECT count(*) FROM "Unit")::int AS units, (SELECT count(*) FROM "Unit" WHERE "validUntil" IS NOT NULL)::int AS ended,
            (SELECT count(*) FROM "UnitPastParent")::int AS past, (SELECT count(*) FROM "UnitReorganisation")::int AS reorgs,
            (SELECT string_agg("unitId" || ':' || "role", ',' ORDER BY "id") FROM "Role") AS roles,
            (SELECT string_agg("chatId" || ':' || "unitId", ',' ORDER BY "id") FROM "ChatLink") AS links,
            (SELECT count(*) FROM "OutboxMessage")::int AS outbox`,
  );
  return row;
}

describe.each(FLAVOURS)("units reorganise on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;
  const admin: Who = { id: "admin", name: "Quản trị", chatId: "g-tinh" };
  const hoa: Who = { id: "hoa", name: "Chị Hoa", chatId: "g-yphuong" };
  const mai: Who = { id: "mai", name: "Chị Mai", chatId: "g-yye" };
  const lan: Who = { id: "lan", name: "Chị Lan", chatId: "g-ch01" };
  const id = (code: string) => h.app.services.tree().byCode(code)!.id;
  let oldIds: Record<string, number> = {};

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    h = await makeHarness(store, new Date("2025-06-25T03:00:00Z"));
    await importUnitsFile(store, `${EX}/before.yaml`);
    await h.app.reloadTree();
    oldIds = Object.fromEntries(["NDI", "NDI-YYE", "NDI-YYE-YPHUONG", "NDI-YYE-YLOI", "NDI-YYE-YPHUONG-CH01", "NDI-YYE-YLOI-CH01", "NDI-XTR-XKIEN"].map((c) => [c, id(c)]));
    await h.grant(admin, "NDI", "admin");
    await h.grant(hoa, "NDI-YYE-YPHUONG", "officer");
    await h.grant(hoa, "NDI-YYE-YLOI", "officer"); // two roles moved: still one notice
    await h.grant(mai, "NDI-YYE", "officer");
    await h.grant(lan, "NDI-YYE-YPHUONG-CH01", "leader"); // a branch that continues: not told
    await linkChat(store, "local", "g-tinh", id("NDI"), null);
    await linkChat(store, "local", "g-yphuong", id("NDI-YYE-YPHUONG"), null);
    await linkChat(store, "local", "g-yye", id("NDI-YYE"), null);
    await createInvite(store, { unitId: id("NDI-YYE-YLOI"), role: "leader", createdById: null, now: h.clock.now, validForHours: 72 });
    // June 2025, on the old tree: two of the three branches report.
    for (const code of ["NDI-YYE-YPHUONG-CH01", "NDI-YYE-YLOI-CH01"]) {
      await saveReport(store, { planKey: plan.id, formKey: FORM, periodKey: "2025-06", unitId: id(code), answers: {}, personId: null, submittedAt: new Date("2025-06-10T03:00:00Z") });
    }
  });
  afterAll(async () => cleanup());

  it("a bad mapping (unknown code, unmapped unit, chain, continuing unit) changes nothing and names every line", async () => {
    const before = await snapshot(store);
    const badMap = [
      "# a comment",
      "NDI-TPND -> NDI",
      "NDI-KHONG-CO -> NDI", // line 3: unknown old code
      "NDI-YYE-YPHUONG -> NDI-YYE-YLOI", // line 4: a chain (the target is itself mapped)
      "NDI-YYE-YLOI -> NDI-YPHUONG-MOI",
      "NDI-XTR-XKIEN -> NDI", // line 6: continues in the new tree
      "NDI-MLO -> NDI-NOWHERE", // line 7: not in the new tree
    ].join("\n");
    const err = await reorganiseUnits(store, request(exampleTree, badMap)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReorganisationError);
    const lines = (err as ReorganisationError).errors.map((e) => `${e.file}:${e.line}`);
    expect(lines).toEqual(expect.arrayContaining(["map.txt:3", "map.txt:4", "map.txt:6", "map.txt:7", "map.txt:0"]));
    const message = (err as ReorganisationError).message;
    expect(message).toContain('map.txt:3: Không có đơn vị "NDI-KHONG-CO" trong cây hiện tại');
    expect(message).toContain('map.txt:4: "NDI-YYE-YPHUONG" được ánh xạ sang "NDI-YYE-YLOI", nhưng "NDI-YYE-YLOI" lại được ánh xạ sang "NDI-YPHUONG-MOI" ở dòng 5');
    expect(message).toContain('map.txt: Đơn vị "NDI-VBA" (Hội LHPN huyện Vụ Bản) không có trong cây mới after.yaml và chưa được ánh xạ');
    // A cycle in the new tree is the tree file's error, with its line.
    const cyclic = parseUnits("- {code: A, name: A, kind: commune, parent: B}\n- {code: B, name: B, kind: commune, parent: A}\n", "cycle.yaml");
    expect(cyclic.ok).toBe(false);
    expect(await snapshot(store)).toEqual(before);
  });

  it("applies the example: the new tree from 1/7/2025, links, roles, invites moved, each person told once", async () => {
    const res = await reorganiseUnits(store, request(exampleTree, exampleMap));
    expect(res.kind).toBe("applied");
    if (res.kind !== "applied") return;
    expect(res.summary).toMatchObject({ from: "2025-07-01", added: 1, ended: 12, moved: 3, roles: 3, links: 2, invites: 1, notices: 2 });
    await h.app.reloadTree();
    const tree = h.app.services.tree();
    // Continuing units keep their ids; the communes hang under the province; the districts are gone.
    expect(tree.byCode("NDI-YYE-YPHUONG-CH01")!.id).toBe(oldIds["NDI-YYE-YPHUONG-CH01"]);
    expect(tree.byCode("NDI-XTR-XKIEN")!.parentId).toBe(oldIds.NDI);
    expect(tree.byCode("NDI-YYE")).toBeUndefined();
    expect(tree.byCode("NDI-YYE-YPHUONG")).toBeUndefined();
    const merged = tree.byCode("NDI-YPHUONG-MOI")!;
    expect(tree.children(merged.id).map((u) => u.code).sort()).toEqual(["NDI-YYE-YLOI-CH01", "NDI-YYE-YPHUONG-CH01"]);
    // The old tree is still a query away.
    const june = await loadUnitTree(store, { at: "2025-06-30" });
    expect(june.date).toEqual({ at: "2025-06-30", historic: true });
    expect(june.byCode("NDI-YYE-YPHUONG")!.parentId).toBe(oldIds["NDI-YYE"]);
    expect(june.byCode("NDI-YPHUONG-MOI")).toBeUndefined();
    expect(june.byCode("NDI-XTR-XKIEN")!.parentId).toBe(june.byCode("NDI-XTR")!.id);

    const links = await store.sql.query<{ chatId: string; unitId: number }>(`SELECT "chatId", "unitId" FROM "ChatLink" ORDER BY "chatId"`);
    expect(links).toEqual([
      { chatId: "g-tinh", unitId: oldIds.NDI },
      { chatId: "g-yphuong", unitId: merged.id },
      { chatId: "g-yye", unitId: oldIds.NDI },
    ]);
    const roles = await store.sql.query<{ externalId: string; code: string; role: string }>(
      `SELECT p."externalId", u."code", r."role" FROM "Role" r JOIN "Person" p ON p."id" = r."personId" JOIN "Unit" u ON u."id" = r."unitId" ORDER BY 1, 2`,
    );
    expect(roles).toEqual([
      { externalId: "admin", code: "NDI", role: "admin" },
      { externalId: "hoa", code: "NDI-YPHUONG-MOI", role: "officer" },
      { externalId: "lan", code: "NDI-YYE-YPHUONG-CH01", role: "leader" },
      { externalId: "mai", code: "NDI", role: "officer" },
    ]);
    const [invite] = await store.sql.query<{ unitId: number }>(`SELECT "unitId" FROM "Invite"`);
    expect(invite!.unitId).toBe(merged.id);

    const notices = await store.sql.query<{ chatId: string; payload: { text: string; chatType: string } }>(
      `SELECT "chatId", "payload" FROM "OutboxMessage" WHERE "dedupeKey" LIKE 'reorganise|%' ORDER BY "chatId"`,
    );
    expect(notices.map((n) => n.chatId)).toEqual(["hoa", "mai"]);
    expect(notices[0]!.payload.chatType).toBe("private");
    expect(notices[0]!.payload.text).toContain("Em xin báo chị: từ ngày 01/07/2025, Hội LHPN đã sắp xếp lại các đơn vị ạ.");
    expect(notices[0]!.payload.text).toContain("• Vai trò cán bộ");
    expect(notices[0]!.payload.text).toContain("ở Hội LHPN xã Yên Phương nay chuyển sang Hội LHPN xã Yên Phương mới (ví dụ).");
    expect(notices[0]!.payload.text).toContain("ở Hội LHPN xã Yên Lợi (ví dụ) nay chuyển sang Hội LHPN xã Yên Phương mới (ví dụ).");
  });

  it("the same reorganisation a second time does nothing: no second notice", async () => {
    const before = await snapshot(store);
    const again = await reorganiseUnits(store, request(exampleTree, exampleMap));
    expect(again.kind).toBe("already");
    expect(await snapshot(store)).toEqual(before);
    // Another reorganisation on or before the latest day is refused.
    const earlier = await reorganiseUnits(store, request(exampleTree.replace("Hội LHPN tỉnh Nam Định", "Hội LHPN tỉnh Nam Định (mới)"), "", "2025-06-01")).catch(
      (e: unknown) => e,
    );
    expect((earlier as ReorganisationError).message).toContain("phải sau ngày của lần sắp xếp lại gần nhất (2025-07-01)");
    expect(await snapshot(store)).toEqual(before);
    // `units import` cannot bring an ended unit back nor hang a unit under it.
    await expect(importUnits(store, [{ code: "NDI-YYE-MOI", name: "Xã mới", kind: "commune", parentCode: "NDI-YYE", line: 1 }])).rejects.toThrow(
      'Đơn vị "NDI-YYE" đã kết thúc khi sắp xếp lại cây đơn vị',
    );
    expect(await snapshot(store)).toEqual(before);
  });

  it("/tiendo of June 2025 shows the tree with districts; July 2025 the two-level tree, with the right counts", async () => {
    // July 2025, on the new tree: one branch reports.
    await saveReport(store, { planKey: plan.id, formKey: FORM, periodKey: "2025-07", unitId: id("NDI-XTR-XKIEN-CH01"), answers: {}, personId: null, submittedAt: new Date("2025-07-10T03:00:00Z") });
    h.clock.now = new Date("2025-07-25T03:00:00Z");
    const june = texts(await h.say(admin, "/tiendo tháng 6/2025"));
    expect(june).toContain("Đã báo cáo: 2/3 đơn vị");
    expect(june).toContain("huyện Ý Yên");
    expect(june).not.toContain("Yên Phương mới");
    const july = texts(await h.say(admin, "/tiendo tháng 7/2025"));
    expect(july).toContain("Đã báo cáo: 1/3 đơn vị");
    expect(july).toContain("Yên Phương mới");
    expect(july).not.toContain("huyện Ý Yên");
    // A district that ended can still be named for a period before it ended.
    const yyeJune = texts(await h.say(admin, "/tiendo Ý Yên tháng 6/2025"));
    expect(yyeJune).toContain("Tiến độ báo cáo: Hội LHPN huyện Ý Yên");
    expect(yyeJune).toContain("Đã báo cáo: 2/2 đơn vị");
    expect(texts(await h.say(hoa, "/tiendo Ý Yên tháng 6/2025"))).not.toContain("Tiến độ báo cáo");
    // The officer of the merged commune: June shows both communes it was made of, July the new one.
    const hoaJune = texts(await h.say(hoa, "/tiendo tháng 6/2025"));
    expect(hoaJune).toContain("Tiến độ báo cáo: Hội LHPN xã Yên Lợi (ví dụ)");
    expect(hoaJune).toContain("Tiến độ báo cáo: Hội LHPN xã Yên Phương\n");
    expect(hoaJune.match(/Đã báo cáo: 1\/1 đơn vị/g)).toHaveLength(2);
    const hoaJuly = texts(await h.say(hoa, "/tiendo tháng 7/2025"));
    expect(hoaJuly).toContain("Tiến độ báo cáo: Hội LHPN xã Yên Phương mới (ví dụ)");
    expect(hoaJuly).toContain("Đã báo cáo: 0/2 đơn vị");
  });

  it("the cached and the direct progress agree on the old tree", async () => {
    const june = await loadUnitTree(store, { at: "2025-06-30" });
    const form = plan.forms.find((f) => f.key === FORM)!;
    const period = { kind: "monthly" as const, key: "2025-06", start: new Date("2025-05-31T17:00:00Z"), end: new Date("2025-06-30T17:00:00Z"), year: 2025, index: 6 };
    for (const code of ["NDI", "NDI-YYE"]) {
      const opts = { plan, tree: june, rootId: june.byCode(code)!.id, form, period, now: h.clock.now };
      const cached = await loadProgress(store, opts);
      const direct = await loadProgress(store, { ...opts, cache: false });
      expect(direct.received).toBe(2);
      expect(cached).toEqual(direct);
    }
  });
});
