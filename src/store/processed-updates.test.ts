import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshStore, FLAVOURS } from "../../test/helpers/db.js";
import type { Store } from "./database.js";
import { markUpdateProcessed, pruneProcessedUpdates } from "./processed-updates.js";

describe.each(FLAVOURS)("processed updates (%s)", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(flavour));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it("is true the first time and false afterwards, per channel", async () => {
    expect(await markUpdateProcessed(store, "telegram", "100")).toBe(true);
    expect(await markUpdateProcessed(store, "telegram", "100")).toBe(false);
    expect(await markUpdateProcessed(store, "zalo", "100")).toBe(true);
    expect(await markUpdateProcessed(store, "telegram", "101")).toBe(true);
  });

  it("lets exactly one of many concurrent claims win", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => markUpdateProcessed(store, "telegram", "race-1")));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("prunes only claims older than the cut-off", async () => {
    await markUpdateProcessed(store, "telegram", "old-1");
    await store.prisma.processedUpdate.update({
      where: { channel_updateId: { channel: "telegram", updateId: "old-1" } },
      data: { createdAt: new Date(Date.now() - 10 * 86_400_000) },
    });
    const deleted = await pruneProcessedUpdates(store, new Date(Date.now() - 3 * 86_400_000));
    expect(deleted).toBe(1);
    // the pruned id can be claimed again; a recent one is still remembered
    expect(await markUpdateProcessed(store, "telegram", "old-1")).toBe(true);
    expect(await markUpdateProcessed(store, "telegram", "100")).toBe(false);
  });
});
