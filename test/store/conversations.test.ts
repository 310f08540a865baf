/** Conversation state: saved per (channel, chat, person), and a save based on a stale read is refused. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { deleteConversation, loadConversation, saveConversation } from "../../src/store/conversations.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";

const key = { channel: "telegram", chatId: "-1001", personKey: "42" };
const later = new Date("2030-01-01T00:00:00Z");

describe.each(FLAVOURS)("conversations on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await freshStore(flavour)));
  afterEach(async () => cleanup());

  it("round-trips the state and the expiry instant exactly", async () => {
    await saveConversation(store, key, { q: "so_buoi", answers: { a: 1 } }, later);
    const loaded = await loadConversation<{ q: string }>(store, key);
    expect(loaded?.state).toEqual({ q: "so_buoi", answers: { a: 1 } });
    expect(loaded?.expiresAt.toISOString()).toBe(later.toISOString());
    expect(await loadConversation(store, { ...key, personKey: "43" })).toBeNull();
  });

  it("refuses the second of two saves based on the same read", async () => {
    await saveConversation(store, key, { step: 1 }, later);
    const a = (await loadConversation(store, key))!;
    const b = (await loadConversation(store, key))!;
    expect(await saveConversation(store, key, { step: "a" }, later, a.version)).toBe(true);
    expect(await saveConversation(store, key, { step: "b" }, later, b.version)).toBe(false);
    expect((await loadConversation(store, key))?.state).toEqual({ step: "a" });
    // Ending it on the stale read is refused too; on the fresh one it works.
    expect(await deleteConversation(store, key, b.version)).toBe(false);
    const fresh = (await loadConversation(store, key))!;
    expect(await deleteConversation(store, key, fresh.version)).toBe(true);
    expect(await loadConversation(store, key)).toBeNull();
  });
});
