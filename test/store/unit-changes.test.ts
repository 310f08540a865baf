/**
 * A running bot on PostgreSQL follows unit-tree changes committed by another process (the CLI's
 * `units import` / `units reorganise`, or another instance): it reloads its tree when they commit,
 * and not for a change that was rolled back or changed nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { followUnitChanges } from "../../src/store/unit-changes.js";
import type { WakeSource } from "../../src/store/listen.js";
import { importUnits, loadUnitTree, UnitTreeError } from "../../src/store/units.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { createPgDatabase } from "../helpers/db.js";

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting for the condition");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("unit-tree changes across processes (PostgreSQL)", () => {
  let url: string;
  let drop: () => Promise<void>;
  let bot: Store;
  let cli: Store;
  let follow: WakeSource;
  let tree: UnitTree;
  let reloads: number;

  beforeEach(async () => {
    ({ url, drop } = await createPgDatabase("vundap_units", { migrated: true }));
    bot = await openStore({ databaseUrl: url, poolSize: 2, migrate: false });
    cli = await openStore({ databaseUrl: url, poolSize: 2, migrate: false });
    await importUnits(cli, [{ code: "P", name: "Tỉnh", kind: "province", parentCode: null, line: 2 }]);
    tree = await loadUnitTree(bot);
    reloads = 0;
    follow = followUnitChanges(url, async () => {
      tree = await loadUnitTree(bot);
      reloads++;
    });
    await follow.ready;
    await until(() => reloads === 1); // the reload when the listening connection comes up
  });

  afterEach(async () => {
    await follow.close();
    await cli.close();
    await bot.close();
    await drop();
  });

  it("reloads after an import commits; not after one that failed or changed nothing", async () => {
    expect(tree.byCode("P-X1")).toBeUndefined();
    await importUnits(cli, [{ code: "P-X1", name: "Xã Một", kind: "commune", parentCode: "P", line: 2 }]);
    await until(() => tree.byCode("P-X1") !== undefined);
    expect(reloads).toBe(2);

    // An import refused inside its transaction (unknown parent) and one that changes nothing.
    const refused = await importUnits(cli, [{ code: "P-X2", name: "Xã Hai", kind: "commune", parentCode: "NOPE", line: 2 }]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnitTreeError);
    await importUnits(cli, [{ code: "P-X1", name: "Xã Một", kind: "commune", parentCode: "P", line: 2 }]);
    // A later real change still arrives, and is the only further reload.
    await importUnits(cli, [{ code: "P-X3", name: "Xã Ba", kind: "commune", parentCode: "P", line: 2 }]);
    await until(() => tree.byCode("P-X3") !== undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(reloads).toBe(3);
    expect(tree.byCode("P-X2")).toBeUndefined();
  });
});
