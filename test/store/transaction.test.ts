/** Store transactions: everything inside commits together, or nothing does. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

describe.each(FLAVOURS)("store.sql.transaction on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    await store.sql.exec("CREATE TABLE tx_probe (n int PRIMARY KEY)");
  });
  afterEach(async () => cleanup());

  const count = async () => Number((await store.sql.query<{ c: string }>("SELECT count(*) AS c FROM tx_probe"))[0]!.c);

  it("commits every statement when the function resolves", async () => {
    const out = await store.sql.transaction(async (tx) => {
      await tx.query("INSERT INTO tx_probe VALUES ($1)", [1]);
      await tx.query("INSERT INTO tx_probe VALUES ($1)", [2]);
      return "done";
    });
    expect(out).toBe("done");
    expect(await count()).toBe(2);
  });

  it("rolls back every statement when the function throws, and the store stays usable", async () => {
    await expect(
      store.sql.transaction(async (tx) => {
        await tx.query("INSERT INTO tx_probe VALUES ($1)", [1]);
        await tx.query("INSERT INTO tx_probe VALUES ($1)", [1]); // duplicate key
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(0);
    await store.sql.transaction(async (tx) => tx.query("INSERT INTO tx_probe VALUES (3)"));
    expect(await count()).toBe(1);
  });
});

describe.each(FLAVOURS)("enqueueIn inside a transaction on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await freshStore(flavour)));
  afterEach(async () => cleanup());

  it("queues in order, skips a repeated dedupeKey, and queues nothing when the transaction fails", async () => {
    const { enqueueIn } = await import("../../src/outbox/queue.js");
    const msg = (text: string) => ({ channel: "telegram" as const, chatId: "1", text });
    const created = await store.sql.transaction((tx) =>
      enqueueIn(tx, [{ msg: msg("a") }, { msg: msg("b"), dedupeKey: "k" }, { msg: msg("c"), dedupeKey: "k" }]),
    );
    expect(created).toBe(2);
    await expect(
      store.sql.transaction(async (tx) => {
        await enqueueIn(tx, [{ msg: msg("d") }]);
        throw new Error("effects failed");
      }),
    ).rejects.toThrow("effects failed");
    const rows = await store.sql.query<{ text: string }>(`SELECT payload->>'text' AS text FROM "OutboxMessage" ORDER BY id`);
    expect(rows.map((r) => r.text)).toEqual(["a", "b"]);
  });
});
