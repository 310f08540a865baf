import { describe, expect, it } from "vitest";
import { isForBot, normalizeCommand, toInbound } from "../../src/channels/zalo/inbound.js";
import type { InboundMessage } from "../../src/channels/types.js";
import { FakeApi } from "./fake-zca.js";

const BOT = "100200300";
const api = new FakeApi(BOT, { imei: "i", userAgent: "ua", language: "vi", cookies: [] });

function group(text: string, extra: Record<string, unknown> = {}): InboundMessage {
  return toInbound(api.groupMessage("g-1", { uidFrom: "u-lan", content: text, ...extra }), BOT)!;
}

describe("Zalo message → InboundMessage", () => {
  it("maps a group text message", () => {
    const raw = api.groupMessage("g-42", { uidFrom: "u-lan", dName: "Trần Thị Lan", content: "Chào cả nhà" });
    const msg = toInbound(raw, BOT)!;
    expect(msg).toMatchObject({
      channel: "zalo",
      chatId: "g-42",
      chatType: "group",
      sender: { id: "u-lan", name: "Trần Thị Lan" },
      text: "Chào cả nhà",
      messageId: raw.data.msgId,
      updateId: raw.data.msgId,
    });
    expect(msg.receivedAt.toISOString()).toBe("2025-05-10T02:00:00.000Z");
    expect(msg.replyTo).toBeUndefined();
    expect(msg.mentionsBot).toBeUndefined();
  });

  it("maps a private message: chatId is the other person (zca-js threadId)", () => {
    const msg = toInbound(api.userMessage({ uidFrom: "u-hoa", dName: "Hoa", content: "baocao" }), BOT)!;
    expect(msg).toMatchObject({ chatId: "u-hoa", chatType: "private", text: "/baocao" });
  });

  it("ignores our own messages; non-text content becomes kind \"media\" with an empty text", () => {
    // zca-js marks uidFrom "0" as self and rewrites it to our uid.
    const self = api.groupMessage("g-1", { uidFrom: "0", content: "/tiendo" });
    expect(self.isSelf).toBe(true);
    expect(toInbound(self, BOT)).toBeUndefined();
    const photo = api.groupMessage("g-1", { uidFrom: "u-lan", msgType: "chat.photo", content: { title: "", description: "", href: "https://x/y.jpg", thumb: "", childnumber: 0, action: "", params: "", type: "" } });
    expect(toInbound(photo, BOT)).toMatchObject({ kind: "media", media: "photo", text: "", chatId: "g-1" });
    const sticker = api.groupMessage("g-1", { uidFrom: "u-lan", msgType: "chat.sticker", content: { id: 1, catId: 2, type: 7 } as never });
    expect(toInbound(sticker, BOT)).toMatchObject({ kind: "media", media: "sticker" });
  });

  it("cleans names and texts: NUL, lone surrogates, bidi overrides go, NFC applies", () => {
    const msg = group("co\u0000 \ud800a\u202e", { dName: "Tra\u0302\u0300n\u0000 Thi\u0323 Lan" });
    expect(msg.text).toBe("co a");
    expect(msg.sender.name).toBe("Trần Thị Lan");
  });

  it("takes replyTo from the quote; fromBot when the quoted owner is our account", () => {
    const quote = { ownerId: BOT, cliMsgId: 1, globalMsgId: 7123456789012, cliMsgType: 1, ts: 1, msg: "Chị nhập số hộ?", attach: "", fromD: "Bot", ttl: 0 };
    const toBot = group("12", { quote });
    expect(toBot.replyTo).toEqual({ messageId: "7123456789012", fromBot: true });
    const toOther = group("12", { quote: { ...quote, ownerId: "u-hoa" } });
    expect(toOther.replyTo).toEqual({ messageId: "7123456789012", fromBot: false });
  });

  it("sets mentionsBot from data.mentions and removes the bot's mention from the text", () => {
    const content = "@Vun Đắp tiendo thang 5";
    const msg = group(content, { mentions: [{ uid: BOT, pos: 0, len: "@Vun Đắp".length, type: 0 }] });
    expect(msg.mentionsBot).toBe(true);
    expect(msg.text).toBe("/tiendo thang 5");
    const other = group("@Hoa ơi xem giúp", { mentions: [{ uid: "u-hoa", pos: 0, len: 4, type: 0 }] });
    expect(other.mentionsBot).toBeUndefined();
    expect(other.text).toBe("@Hoa ơi xem giúp");
  });
});

describe("slash-less commands", () => {
  it.each([
    ["tiendo thang 5", "/tiendo thang 5"],
    ["TIENDO", "/tiendo"],
    ["Baocao", "/baocao"],
    ["trogiup", "/trogiup"],
    ["dangky ABC123", "/dangky ABC123"],
    ["/TienDo Ý Yên", "/tiendo Ý Yên"],
    ["Tiến độ", "/tiendo"],
    ["tien do?", "/tiendo"],
    ["Báo cáo", "/baocao"],
    ["Hủy", "/huy"],
    ["huy", "/huy"],
    ["Sửa.", "/sua"],
    ["moi", "/moi"],
    ["Web", "/web"],
    ["Tiến độ".normalize("NFD"), "/tiendo"],
  ])("%s → %s", (text, want) => {
    expect(normalizeCommand(text)).toBe(want);
  });

  it.each([
    "moi nguoi oi hop luc 8h", // mọi người ơi: an ambiguous word followed by words is chatter
    "sua chua gia dinh",
    "Huy dang o dau",
    "web cua hoi dep qua", // "web" as a word of a sentence
    "hôm nay tiendo thế nào", // only at the start
    "báo cáo tháng 5 em gửi sau ạ", // phrases only as the whole message
    "/xyz",
    "",
  ])("%s is not a command", (text) => {
    expect(normalizeCommand(text)).toBeUndefined();
  });
});

describe("isForBot (a personal account sees all group chatter)", () => {
  const none = { hasOpenQuestion: false };
  it("ignores ordinary chatter", () => {
    expect(isForBot(group("Chị em nhớ họp lúc 8h nhé"), none)).toBe(false);
    expect(isForBot(group("moi nguoi oi"), none)).toBe(false);
  });
  it("accepts commands with or without slash", () => {
    expect(isForBot(group("tiendo thang 5"), none)).toBe(true);
    expect(isForBot(group("/tiendo"), none)).toBe(true);
    expect(isForBot(group("Tiến độ"), none)).toBe(true);
    // also when the app builds a message without the normalised slash
    expect(isForBot({ ...group("x"), text: "baocao" }, none)).toBe(true);
  });
  it("accepts replies to the bot and mentions of the bot, not replies to others", () => {
    const quote = { ownerId: BOT, cliMsgId: 1, globalMsgId: 1, cliMsgType: 1, ts: 1, msg: "", attach: "", fromD: "", ttl: 0 };
    expect(isForBot(group("12 hộ", { quote }), none)).toBe(true);
    expect(isForBot(group("12 hộ", { quote: { ...quote, ownerId: "u-x" } }), none)).toBe(false);
    expect(isForBot(group("@Bot ơi", { mentions: [{ uid: BOT, pos: 0, len: 4, type: 0 }] }), none)).toBe(true);
  });
  it("accepts anything from a person with an open question", () => {
    const answer = group("12");
    expect(isForBot(answer, none)).toBe(false);
    expect(isForBot(answer, { hasOpenQuestion: true })).toBe(true);
  });
  it("accepts every private message", () => {
    const msg = toInbound(api.userMessage({ uidFrom: "u-hoa", content: "chào em" }), BOT)!;
    expect(isForBot(msg, none)).toBe(true);
  });
});
