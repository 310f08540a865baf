/**
 * Late summaries on a tree without the district level: after `units reorganise` removes the
 * district, the communes' half-yearly late summary goes to the province's group (their parent now),
 * and the branches' monthly one still to the commune's group. The ended district gets nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodePayload } from "../../src/outbox/index.js";
import { Scheduler } from "../../src/scheduler/index.js";
import type { Store } from "../../src/store/database.js";
import { reorganiseUnits } from "../../src/store/reorganise.js";
import { freshStore } from "../helpers/db.js";
import { linkGroup, seedPlan, storeTree, type Units, vn } from "./fixtures.js";

async function lateSummaries(store: Store) {
  const rows = await store.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
  return rows.filter((r) => (r.dedupeKey ?? "").includes("|late_summary|")).map((r) => decodePayload(r.payload));
}

describe("late summaries on a two-level tree", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let u: Units;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
    ({ units: u } = await storeTree(store));
    await linkGroup(store, u.province.id, "-100");
    await linkGroup(store, u.commune.id, "-200");
    const rows = [
      { code: u.province.code, name: u.province.name, kind: u.province.kind, parentCode: null, line: 1 },
      { code: u.commune.code, name: u.commune.name, kind: u.commune.kind, parentCode: u.province.code, line: 2 },
      ...[u.b1, u.b2, u.b3].map((b, i) => ({ code: b.code, name: b.name, kind: b.kind, parentCode: u.commune.code, line: 3 + i })),
    ];
    const map = [{ from: u.district.code, to: u.province.code, line: 1 }];
    await reorganiseUnits(store, { from: "2024-01-01", rows, treeFile: "new.yaml", map, mapFile: "map.txt" });
  });
  afterEach(async () => cleanup());

  it("the commune's late half-yearly report is summarised to the province group; the branches' to the commune group", async () => {
    let now = vn("2024-06-15 16:00").getTime();
    const s = new Scheduler({ store, plan: seedPlan, clock: { now: () => now } });
    await s.tick();
    now = vn("2024-06-15 17:05").getTime();
    await s.tick();
    const half = await lateSummaries(store);
    expect(half.map((m) => m.chatId)).toEqual(["-100"]);
    expect(half[0]!.text).toContain("Hội LHPN tỉnh Nam Định còn 1/1 đơn vị chưa gửi:");
    expect(half[0]!.text).toContain("• Hội LHPN xã Yên Phương");
    now = vn("2024-06-20 20:05").getTime();
    await s.tick();
    const monthly = (await lateSummaries(store)).slice(1);
    expect(monthly.map((m) => m.chatId)).toEqual(["-200"]);
    expect(monthly[0]!.text).toContain("Hội LHPN xã Yên Phương còn 3/3 đơn vị chưa gửi:");
  });
});
