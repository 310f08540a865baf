/**
 * Identity and input rules through grammY with a fake fetch and the app core: /dangky in a group
 * is deleted with deleteMessage (or refused and voided when Telegram says it cannot be deleted),
 * anonymous admins (sender_chat) cannot register, channel posts forwarded into a group are
 * ignored, and edits, photos and dirty names are mapped for the app.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import type { Deleters } from "../../src/app/delete-message.js";
import { telegramDeleter } from "../../src/channels/telegram/delete.js";
import { createTelegramChannel, decideUpdate } from "../../src/channels/telegram/index.js";
import { localInstant } from "../../src/domain/periods.js";
import { t } from "../../src/i18n.js";
import type { Store } from "../../src/store/database.js";
import { createInvite } from "../../src/store/people.js";
import { makeHarness, texts, type Harness } from "../app/harness.js";
import { freshStore } from "../helpers/db.js";
import { defaultAnswer, fakeFetch, type ApiAnswer } from "./fake-api.js";
import { BOT, DATE, editedMessage, HOA, LAN, SUPERGROUP, TOKEN } from "./fixtures.js";

const START = localInstant(2024, 5, 10, 9, 0);
/** Telegram's stand-in user for anonymous group admins. */
const ANONYMOUS_BOT = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" } as const;
const CANNOT_DELETE: ApiAnswer = { ok: false, error_code: 400, description: "Bad Request: message can't be deleted" };

let store: Store;
let cleanup: () => Promise<void>;
let h: Harness;
let nextUpdate = 900_000;
const deleters: Deleters = {};
let channel: ReturnType<typeof createTelegramChannel>;
const rights = { canDelete: true };
const api = fakeFetch((call) => (call.method === "deleteMessage" && !rights.canDelete ? CANNOT_DELETE : defaultAnswer(call, BOT)));

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  h = await makeHarness(store, START, { deleters });
  const tg = createTelegramChannel({ token: TOKEN, botInfo: BOT, fetch: api.fetch, store, onInbound: (m) => h.app.handleInbound(m) });
  deleters.telegram = telegramDeleter(tg.bot.api);
  channel = tg;
});
afterAll(async () => cleanup?.());
beforeEach(() => {
  api.calls.length = 0;
  rights.canDelete = true;
});

async function code(): Promise<string> {
  const unit = h.app.services.tree().byCode("NDI-YYE-YPHUONG-CH01")!;
  return (await createInvite(store, { unitId: unit.id, role: "leader", createdById: null, now: START, validForHours: 72 })).code;
}

function groupText(text: string, extra: Record<string, unknown> = {}): Update {
  return {
    update_id: nextUpdate++,
    message: { message_id: 70 + (nextUpdate % 1000), from: HOA, chat: SUPERGROUP, date: DATE, text, ...extra },
  } as unknown as Update;
}

describe("/dangky in a Telegram group", () => {
  it("with the right to delete: deleteMessage on her message, then she is registered", async () => {
    const c = await code();
    const update = groupText(`/dangky ${c}`);
    const before = h.sent.length;
    await channel.handleUpdate(update);
    const deletes = api.calls.filter((x) => x.method === "deleteMessage");
    expect(deletes.map((x) => x.payload)).toEqual([{ chat_id: SUPERGROUP.id, message_id: update.message!.message_id }]);
    expect(texts(h.sent.slice(before))).toContain("chi hội trưởng");
    expect((await store.prisma.invite.findUniqueOrThrow({ where: { code: c } })).usedById).not.toBeNull();
  });

  it("when Telegram refuses the deletion: refused, sent to a private chat, the code voided", async () => {
    rights.canDelete = false;
    const c = await code();
    const before = h.sent.length;
    await channel.handleUpdate(groupText(`/dangky@${BOT.username} ${c}`, { from: LAN }));
    expect(api.calls.some((x) => x.method === "deleteMessage")).toBe(true);
    expect(texts(h.sent.slice(before))).toBe(t("bot:register.group_refused"));
    const invite = await store.prisma.invite.findUniqueOrThrow({ where: { code: c } });
    expect(invite.voidedAt).not.toBeNull();
    expect(invite.usedAt).toBeNull();
  });
});

describe("messages sent as a chat", () => {
  it("an anonymous admin (sender_chat = the group) cannot redeem a code; she is told to write as herself", async () => {
    const c = await code();
    const before = h.sent.length;
    await channel.handleUpdate(groupText(`/dangky ${c}`, { from: ANONYMOUS_BOT, sender_chat: { id: SUPERGROUP.id, title: SUPERGROUP.title, type: "supergroup" } }));
    expect(texts(h.sent.slice(before))).toBe(t("bot:denied.as_chat"));
    expect(api.calls.some((x) => x.method === "deleteMessage")).toBe(false);
    expect((await store.prisma.invite.findUniqueOrThrow({ where: { code: c } })).usedAt).toBeNull();
    expect(await store.prisma.person.count({ where: { externalId: String(SUPERGROUP.id) } })).toBe(0);
  });

  it("a channel post forwarded into its discussion group is ignored", () => {
    const post = groupText("/baocao", { from: { id: 777000, is_bot: false, first_name: "Telegram" }, sender_chat: { id: -1009, title: "Kênh", type: "channel" }, is_automatic_forward: true });
    expect(decideUpdate(post, BOT)).toMatchObject({ kind: "ignore" });
  });
});

describe("mapping edits, media and dirty names", () => {
  it("an edit becomes kind \"edited\"", () => {
    expect(decideUpdate(editedMessage(1), BOT)).toMatchObject({ kind: "message", message: { kind: "edited", receivedAt: new Date((DATE + 30) * 1000) } });
  });

  it.each([
    ["photo", { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }], caption: "ảnh buổi họp" }],
    ["sticker", { sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } }],
    ["voice", { voice: { file_id: "v", file_unique_id: "v", duration: 3 } }],
    ["video", { video: { file_id: "v", file_unique_id: "v", width: 1, height: 1, duration: 3 } }],
    ["document", { document: { file_id: "d", file_unique_id: "d" } }],
    ["animation", { animation: { file_id: "a", file_unique_id: "a", width: 1, height: 1, duration: 1 }, document: { file_id: "a", file_unique_id: "a" } }],
  ])("a %s becomes kind \"media\"", (media, fields) => {
    const update = { update_id: 1, message: { message_id: 5, from: LAN, chat: SUPERGROUP, date: DATE, ...fields } } as unknown as Update;
    expect(decideUpdate(update, BOT)).toMatchObject({ kind: "message", message: { kind: "media", media } });
  });

  it("service messages (a member joined) stay ignored", () => {
    const update = { update_id: 1, message: { message_id: 5, from: LAN, chat: SUPERGROUP, date: DATE, new_chat_members: [HOA] } } as unknown as Update;
    expect(decideUpdate(update, BOT)).toMatchObject({ kind: "ignore" });
  });

  it("a name and a text with NUL, lone surrogates and bidi overrides arrive clean", () => {
    const update = groupText("c\u0000o\u202e", { from: { id: 42, is_bot: false, first_name: "La\u0000n\ud800", last_name: "Nguye\u0302\u0303n \u2067" } });
    expect(decideUpdate(update, BOT)).toMatchObject({ kind: "message", message: { text: "co", sender: { id: "42", name: "Lan Nguyễn" } } });
  });

  it("a name of only control characters falls back to the username", () => {
    const update = groupText("co", { from: { id: 43, is_bot: false, first_name: "\u0000", username: "lan_nd" } });
    expect(decideUpdate(update, BOT)).toMatchObject({ message: { sender: { name: "lan_nd" } } });
  });
});
