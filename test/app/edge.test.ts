/**
 * Input at the edge and identity rules, through the app core: names and answers with NUL, lone
 * surrogates and bidi overrides are served and stored clean; messages sent as a chat are refused;
 * /dangky in a group needs the message deleted; wrong codes are throttled in the store; a report
 * is refused in another unit's group; photos and edits during an open question get a note.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Deleters } from "../../src/app/delete-message.js";
import type { DeleteOutcome } from "../../src/channels/types.js";
import { localInstant } from "../../src/domain/periods.js";
import { t } from "../../src/i18n.js";
import type { Store } from "../../src/store/database.js";
import { linkChat } from "../../src/store/people.js";
import { freshStore } from "../helpers/db.js";
import { makeHarness, texts, type Harness, type Who } from "./harness.js";

const START = localInstant(2024, 5, 10, 9, 0);
const admin: Who = { id: "admin", name: "Quản trị", chatId: "admin-private", chatType: "private" };
const lan = (chatId = "branch-group"): Who => ({ id: "lan", name: "Chị Lan", chatId });
const BRANCH = "NDI-YYE-YPHUONG-CH01";
const OTHER_BRANCH = "NDI-XTR-XKIEN-CH01";
/** The monthly report typed the way people type. */
const MONTHLY_ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua"];

let store: Store;
let cleanup: () => Promise<void>;
let h: Harness;
/** What the fake deleter answers, and the messages it was asked to delete. */
const deletion = { outcome: "deleted" as DeleteOutcome, asked: [] as string[] };
const deleters: Deleters = {
  local: {
    channel: "local",
    async deleteMessage(chatId, messageId) {
      deletion.asked.push(`${chatId}/${messageId}`);
      return deletion.outcome;
    },
  },
};

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  h = await makeHarness(store, START, { deleters });
  await h.grant(admin, "NDI", "admin");
  const tree = h.app.services.tree();
  await linkChat(store, "local", "branch-group", tree.byCode(BRANCH)!.id, null);
  await linkChat(store, "local", "other-branch-group", tree.byCode(OTHER_BRANCH)!.id, null);
});
afterAll(async () => cleanup?.());
beforeEach(async () => {
  h.clock.now = START;
  deletion.outcome = "deleted";
  deletion.asked = [];
  await store.prisma.conversation.deleteMany();
  await store.prisma.report.deleteMany();
  await store.prisma.inviteFailure.deleteMany();
});

async function newCode(unit = BRANCH): Promise<string> {
  return /\/dangky ([A-Z0-9]{8})/.exec(texts(await h.say(admin, `/moi ${unit}`)))![1]!;
}

describe("control characters at the edge", () => {
  it("a NUL in a name: she is served and her name is stored clean", async () => {
    const who: Who = { id: "nul-name", name: "Ng\u0000uyễn \u202eThị\ud800 Mai", chatId: "mai-private", chatType: "private" };
    const replies = await h.say(who, "/batdau");
    expect(texts(replies)).toContain("Nguyễn Thị Mai");
    const person = await store.prisma.person.findFirstOrThrow({ where: { externalId: "nul-name" } });
    expect(person.displayName).toBe("Nguyễn Thị Mai");
  });

  it("/batdau greets “chị Lan”, not “chị Chị Lan”, when her name carries the honorific", async () => {
    const replies = texts(await h.say({ id: "chi-lan-name", name: "Chị Lan", chatId: "chi-lan-private", chatType: "private" }, "/batdau"));
    expect(replies).toContain("em chào chị Lan!");
    expect(replies).not.toMatch(/chị chị/i);
  });

  it("a name of nothing but control characters falls back to her id", async () => {
    await h.say({ id: "only-nul", name: "\u0000\u0007", chatId: "x-private", chatType: "private" }, "/batdau");
    expect((await store.prisma.person.findFirstOrThrow({ where: { externalId: "only-nul" } })).displayName).toBe("only-nul");
  });

  it("NUL, lone surrogates and bidi overrides in answers: read as typed without them, stored clean", async () => {
    const who = lan();
    await h.say({ ...who, chatId: "lan-private", chatType: "private" }, `/dangky ${await newCode()}`);
    await h.say(who, "/baocao");
    const dirty = ["c\u0000o", "3\u202e", "4\ud8005", "1,2\u2066", "2 ho\u0000", "bo qua", "k\u0000o", "bo qua", "bo qua"];
    expect(dirty).toHaveLength(MONTHLY_ANSWERS.length);
    for (const a of dirty) expect(texts(await h.say(who, a))).not.toContain(t("bot:error.internal"));
    const state = (await store.prisma.conversation.findFirstOrThrow()).state;
    expect(JSON.stringify(state)).not.toMatch(/\\u0000|\\ud800|\\u202e/);
    expect(texts(await h.say(who, "gui"))).toMatch(/đúng hạn/);
    const report = await store.prisma.report.findFirstOrThrow();
    expect(report.answers).toMatchObject({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45, ho_dat_moi: 2 });
  });
});

describe("messages sent as a chat (anonymous admins, channels)", () => {
  const anonymous: Who = { id: "-100777", name: "Nhóm chi hội", chatId: "branch-group" };

  it("cannot redeem an invite: a note to write as herself, the code stays unused, no person is made", async () => {
    const code = await newCode();
    const replies = await h.say(anonymous, `/dangky ${code}`, { senderIsChat: true });
    expect(texts(replies)).toBe(t("bot:denied.as_chat"));
    expect((await store.prisma.invite.findUniqueOrThrow({ where: { code } })).usedAt).toBeNull();
    expect(await store.prisma.person.count({ where: { externalId: "-100777" } })).toBe(0);
  });

  it("cannot act with a role the chat's id holds from before", async () => {
    await h.grant(anonymous, BRANCH, "leader");
    expect(texts(await h.say(anonymous, "/baocao", { senderIsChat: true }))).toBe(t("bot:denied.as_chat"));
    expect(await store.prisma.conversation.count()).toBe(0);
  });

  it("group chatter sent as a channel stays unanswered", async () => {
    expect(await h.say(anonymous, "Thông báo của kênh", { senderIsChat: true })).toEqual([]);
  });
});

describe("/dangky in a group", () => {
  it("with the right to delete: the message is deleted and she is registered", async () => {
    const code = await newCode();
    const who: Who = { id: "del-ok", name: "Chị Hạnh", chatId: "branch-group" };
    const replies = await h.say(who, `/dangky ${code}`);
    expect(deletion.asked).toHaveLength(1);
    expect(texts(replies)).toContain("chi hội trưởng");
    expect(texts(replies)).toContain(t("bot:register.deleted_in_group"));
    expect((await store.prisma.invite.findUniqueOrThrow({ where: { code } })).usedAt).not.toBeNull();
  });

  it("without it: refused, told to send it privately, the code voided for everyone", async () => {
    deletion.outcome = "not_possible";
    const code = await newCode();
    const who: Who = { id: "del-no", name: "Chị Thu", chatId: "branch-group" };
    expect(texts(await h.say(who, `/dangky ${code}`))).toBe(t("bot:register.group_refused"));
    expect((await store.prisma.invite.findUniqueOrThrow({ where: { code } })).voidedAt).not.toBeNull();
    expect(await store.prisma.role.count({ where: { person: { externalId: "del-no" } } })).toBe(0);
    // Not even privately afterwards.
    expect(texts(await h.say({ ...who, chatId: "thu-private", chatType: "private" }, `/dangky ${code}`))).toBe(t("bot:register.voided"));
  });

  it("an unknown code in such a group gets the same answer (a group is no way to test codes)", async () => {
    deletion.outcome = "not_possible";
    expect(texts(await h.say({ id: "probe", name: "X", chatId: "branch-group" }, "/dangky ABCDEFGH"))).toBe(t("bot:register.group_refused"));
  });
});

describe("wrong invite codes", () => {
  const who: Who = { id: "guesser", name: "Người đoán", chatId: "guesser-private", chatType: "private" };

  it("after 5 wrong codes in 10 minutes she waits 15 minutes, across a restart", async () => {
    for (let i = 0; i < 5; i++) {
      expect(texts(await h.say(who, `/dangky WRONG${i}AA`))).toBe(t("bot:register.unknown"));
      h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    }
    const code = await newCode();
    const refused = texts(await h.say(who, `/dangky ${code}`));
    expect(refused).toMatch(/^Dạ, chị đã nhập sai mã mời nhiều lần liền/);
    expect(refused).toContain("09:19"); // the fifth wrong code at 09:04, plus 15 minutes
    await h.restart(); // another instance, or after a restart: the store remembers
    h.clock.now = new Date(START.getTime() + 18 * 60_000);
    expect(texts(await h.say(who, `/dangky ${code}`))).toMatch(/sai mã mời nhiều lần/);
    h.clock.now = new Date(START.getTime() + 20 * 60_000);
    expect(texts(await h.say(who, `/dangky ${code}`))).toContain("chi hội trưởng");
    expect(await store.prisma.inviteFailure.count()).toBe(0); // a right code forgets the wrong ones
  });

  it("4 wrong codes, or 5 spread over more than 10 minutes, make no wait", async () => {
    const other: Who = { ...who, id: "slow-guesser", chatId: "slow-private" };
    for (let i = 0; i < 5; i++) {
      expect(texts(await h.say(other, `/dangky WRONG${i}BB`))).toBe(t("bot:register.unknown"));
      h.clock.now = new Date(h.clock.now.getTime() + 3 * 60_000);
    }
    expect(texts(await h.say(other, `/dangky ${await newCode()}`))).toContain("chi hội trưởng");
  });
});

describe("a report in another unit's group", () => {
  it("/baocao and /sua are refused with a pointer to her own group or a private chat", async () => {
    const who = lan("other-branch-group");
    await h.say({ ...who, chatId: "lan-private", chatType: "private" }, `/dangky ${await newCode()}`);
    const refused = texts(await h.say(who, "/baocao"));
    expect(refused).toBe(t("bot:report.other_group", { group: "Chi hội điểm (xã Xuân Kiên)", unit: "Chi hội điểm (xã Yên Phương)" }));
    expect(await store.prisma.conversation.count()).toBe(0);
    expect(texts(await h.say(who, `/baocao ${BRANCH}`))).toBe(refused);
    expect(texts(await h.say(who, "/sua"))).toBe(refused);
    // Her own group and a private chat are fine.
    expect(texts(await h.say(lan(), "/baocao"))).toMatch(/Câu 1/);
    expect(texts(await h.say({ ...who, chatId: "lan-private", chatType: "private" }, "/huy"))).toBeTruthy();
  });
});

describe("photos, stickers and edits", () => {
  it("during an open question: a note, and the question still waits", async () => {
    const who = lan();
    await h.say({ ...who, chatId: "lan-private", chatType: "private" }, `/dangky ${await newCode()}`);
    await h.say(who, "/baocao");
    const before = await store.prisma.conversation.findFirstOrThrow();
    const photo = await h.say(who, "", { kind: "media", media: "photo" });
    expect(texts(photo)).toBe(t("bot:input.media_in_question", { what: "ảnh" }));
    expect(photo[0]?.askPerson?.id).toBe("lan");
    const sticker = await h.say(who, "", { kind: "media", media: "sticker" });
    expect(texts(sticker)).toContain("nhãn dán");
    const edited = await h.say(who, "ko", { kind: "edited" });
    expect(texts(edited)).toBe(t("bot:input.edited_in_question"));
    const after = await store.prisma.conversation.findFirstOrThrow();
    expect(after.state).toEqual(before.state);
    expect(texts(await h.say(who, "co"))).toMatch(/Câu 2/);
  });

  it("outside an open question: ignored in a group; in a private chat a pointer to the help", async () => {
    expect(await h.say(lan(), "", { kind: "media", media: "photo" })).toEqual([]);
    expect(await h.say(lan(), "co", { kind: "edited" })).toEqual([]);
    const priv = await h.say({ ...lan(), chatId: "lan-private", chatType: "private" }, "", { kind: "media", media: "voice" });
    expect(texts(priv)).toBe(t("bot:input.media_private", { what: "tin nhắn thoại" }));
  });
});
