import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { PermanentSendError, RetryAfterError, TransientSendError, type OutboundMessage } from "../../src/channels/types.js";
import { ZaloApiError, ThreadType } from "zca-js";
import { composeText, imageSize, splitText, ZALO_TEXT_LIMIT } from "../../src/channels/zalo/outbound.js";
import { mapZaloError } from "../../src/channels/zalo/errors.js";
import { ZaloSender } from "../../src/channels/zalo/sender.js";
import type { ZaloSenderSession } from "../../src/channels/zalo/session.js";
import type { SendMessageQuote } from "../../src/channels/zalo/zca.js";
import { FakeApi } from "./fake-zca.js";

function setup(opts: { quotes?: Record<string, SendMessageQuote>; types?: Record<string, "group" | "private">; loggedIn?: boolean } = {}) {
  const api = new FakeApi("100200300", { imei: "i", userAgent: "ua", language: "vi", cookies: [] });
  const session: ZaloSenderSession = {
    api: () => (opts.loggedIn === false ? undefined : api),
    recentMessage: (id) => opts.quotes?.[id],
    knownChatType: (id) => (opts.types ?? { "g-1": "group" })[id],
  };
  const sender = new ZaloSender({ session, partDelayMs: 0 });
  return { api, sender };
}

const out = (o: Partial<OutboundMessage>): OutboundMessage => ({ channel: "zalo", chatId: "g-1", text: "", ...o });

describe("mention offsets (UTF-16 code units of the text sent)", () => {
  it("askPerson puts @Name first; an emoji and Vietnamese text before a second mention count right", () => {
    const { msg, mentions } = composeText("🌸 Nhờ chị Hoà và @Nguyễn Thị Ánh báo cáo nhé", {
      isGroup: true,
      askPerson: { id: "u-lan", name: "Lan" },
      mentions: [{ id: "u-anh", name: "Nguyễn Thị Ánh" }],
    });
    expect(msg.startsWith("@Lan ")).toBe(true);
    expect(mentions).toEqual([
      { pos: 0, uid: "u-lan", len: 4 },
      { pos: msg.indexOf("@Nguyễn"), uid: "u-anh", len: "@Nguyễn Thị Ánh".length },
    ]);
    // "@Lan " (5) + 🌸 (2 code units) + " Nhờ chị Hoà và " (16) = 23
    expect(mentions[1]!.pos).toBe(23);
    expect(msg.slice(mentions[1]!.pos, mentions[1]!.pos + mentions[1]!.len)).toBe("@Nguyễn Thị Ánh");
  });

  it("matches a name typed with combining marks (NFD) against the same name precomposed (NFC)", () => {
    const nfdText = "Chị @Hoà ơi 😀 và @Ánh".normalize("NFD");
    expect(nfdText.length).toBeGreaterThan("Chị @Hoà ơi 😀 và @Ánh".length);
    const { msg, mentions } = composeText(nfdText, {
      isGroup: true,
      mentions: [
        { id: "u-hoa", name: "Hoà" },
        { id: "u-anh", name: "Ánh".normalize("NFD") },
      ],
    });
    expect(msg).toBe("Chị @Hoà ơi 😀 và @Ánh".normalize("NFC"));
    for (const [m, name] of [[mentions[0]!, "@Hoà"], [mentions[1]!, "@Ánh"]] as const) {
      expect(msg.slice(m.pos, m.pos + m.len)).toBe(name);
    }
    expect(mentions[1]!.pos).toBe(18); // "Chị @Hoà ơi " 12 + "😀" 2 + " và " 4
  });

  it("appends @Name when the text does not name her; no mentions in private chats", () => {
    const g = composeText("Hạn báo cáo là thứ Sáu.", { isGroup: true, mentions: [{ id: "u-x", name: "Mai" }] });
    expect(g.msg).toBe("Hạn báo cáo là thứ Sáu. @Mai");
    expect(g.mentions).toEqual([{ pos: 24, uid: "u-x", len: 4 }]);
    const p = composeText("Chị nhập số hộ?", { isGroup: false, askPerson: { id: "u", name: "Lan" } });
    expect(p).toEqual({ msg: "Chị nhập số hộ?", mentions: [] });
  });
});

describe("splitting long texts", () => {
  it("keeps the order, stays under the limit, cuts at line breaks and rebases mentions", () => {
    const paras = Array.from({ length: 30 }, (_, i) => `Đơn vị ${i + 1}: ${"đã báo cáo đầy đủ ".repeat(6).trimEnd()}`);
    const text = paras.join("\n") + " @Lan";
    const mention = { pos: text.length - 4, uid: "u-lan", len: 4 };
    const chunks = splitText(text, [mention], 500);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.msg.length).toBeLessThanOrEqual(500);
    expect(chunks.map((c) => c.msg).join("\n")).toBe(text);
    const last = chunks.at(-1)!;
    expect(last.mentions).toHaveLength(1);
    expect(last.msg.slice(last.mentions[0]!.pos, last.mentions[0]!.pos + 4)).toBe("@Lan");
    expect(chunks.slice(0, -1).every((c) => c.mentions.length === 0)).toBe(true);
  });

  it("never cuts a surrogate pair or a mention", () => {
    const text = "a".repeat(9) + "😀" + "b".repeat(5);
    const chunks = splitText(text, [], 10);
    expect(chunks[0]!.msg).toBe("a".repeat(9));
    expect(chunks[1]!.msg.startsWith("😀")).toBe(true);
    const t2 = "xxxxxxx@Nguyễn Thị Ánh";
    const c2 = splitText(t2, [{ pos: 7, uid: "u", len: 15 }], 16);
    expect(c2[0]!.msg).toBe("xxxxxxx");
    expect(c2[1]).toEqual({ msg: "@Nguyễn Thị Ánh", mentions: [{ pos: 0, uid: "u", len: 15 }] });
  });

  it("the sender sends a long text as ordered messages under ZALO_TEXT_LIMIT (2000)", async () => {
    const { api, sender } = setup();
    const text = Array.from({ length: 120 }, (_, i) => `Dòng ${String(i).padStart(3, "0")} ${"nội dung ".repeat(4).trimEnd()}`).join("\n");
    expect(text.length).toBeGreaterThan(ZALO_TEXT_LIMIT * 2);
    const res = await sender.send(out({ text }));
    expect(api.sent.length).toBe(Math.ceil(text.length / ZALO_TEXT_LIMIT));
    for (const s of api.sent) expect(s.message.msg.length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
    expect(api.sent.map((s) => s.message.msg).join("\n")).toBe(text);
    expect(res.messageId).not.toBe("");
  });
});

describe("ZaloSender", () => {
  it("sends to groups with ThreadType.Group and askPerson as a mention at the start", async () => {
    const { api, sender } = setup();
    await sender.send(out({ text: "Chị cho em biết số hộ đạt 5 không 3 sạch?", askPerson: { id: "u-lan", name: "Trần Thị Lan" } }));
    expect(api.sent).toHaveLength(1);
    const call = api.sent[0]!;
    expect(call.type).toBe(ThreadType.Group);
    expect(call.threadId).toBe("g-1");
    expect(call.message.msg).toBe("@Trần Thị Lan Chị cho em biết số hộ đạt 5 không 3 sạch?");
    expect(call.message.mentions).toEqual([{ pos: 0, uid: "u-lan", len: 13 }]);
  });

  it("ignores buttons: the choices stay the numbered text of the question", async () => {
    const { api, sender } = setup();
    const text = "Câu 1/9: Chi hội có tuyên truyền không chị?\nChị trả lời giúp em có hoặc không ạ.";
    await sender.send(out({ text, askPerson: { id: "u-lan", name: "Lan" }, choices: { rows: [[{ label: "Có", data: "ru-lan.1.0.y" }, { label: "Không", data: "ru-lan.1.0.n" }]] } }));
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]!.message.msg).toBe(`@Lan ${text}`);
    expect(JSON.stringify(api.sent[0])).not.toContain("ru-lan");
  });

  it("uses ThreadType.User for private chats (from chatType or chats seen), without mentions", async () => {
    const { api, sender } = setup({ types: { "u-hoa": "private" } });
    await sender.send(out({ chatId: "u-hoa", text: "Dạ em chào chị", askPerson: { id: "u-hoa", name: "Hoa" } }));
    await sender.send(out({ chatId: "u-mai", chatType: "private", text: "Dạ" }));
    expect(api.sent.map((s) => s.type)).toEqual([ThreadType.User, ThreadType.User]);
    expect(api.sent[0]!.message).toEqual({ msg: "Dạ em chào chị" });
  });

  it("quotes the original when it is in memory, and sends without quote otherwise", async () => {
    const original = api0().groupMessage("g-1", { uidFrom: "u-lan", content: "/tiendo" });
    const d = original.data;
    const quote: SendMessageQuote = { content: d.content, msgType: d.msgType, propertyExt: d.propertyExt, uidFrom: d.uidFrom, msgId: d.msgId, cliMsgId: d.cliMsgId, ts: d.ts, ttl: d.ttl };
    const { api, sender } = setup({ quotes: { [d.msgId]: quote } });
    await sender.send(out({ text: "Tiến độ tháng 5: …", replyToMessageId: d.msgId }));
    await sender.send(out({ text: "Tiến độ tháng 5: …", replyToMessageId: "unknown-id" }));
    expect(api.sent[0]!.message.quote).toEqual(quote);
    expect(api.sent[1]!.message.quote).toBeUndefined();
  });

  it("sends a file as an attachment from its buffer with size and image dimensions", async () => {
    const { api, sender } = setup();
    const png = PNG.sync.write(Object.assign(new PNG({ width: 320, height: 180 }), {}));
    const res = await sender.send(out({ text: "Biểu đồ tiến độ", file: { name: "tien-do", data: new Uint8Array(png), mime: "image/png" } }));
    expect(api.sent).toHaveLength(2);
    expect(api.sent[0]!.message.msg).toBe("Biểu đồ tiến độ");
    const att = api.sent[1]!.message.attachments as { data: Buffer; filename: string; metadata: unknown }[];
    expect(att[0]!.filename).toBe("tien-do.png");
    expect(att[0]!.metadata).toEqual({ totalSize: png.length, width: 320, height: 180 });
    expect(Buffer.compare(att[0]!.data, png)).toBe(0);
    expect(res.messageId).not.toBe("");
    const csv = new TextEncoder().encode("a,b\n1,2\n");
    await sender.send(out({ text: "", file: { name: "bao-cao.csv", data: csv, mime: "text/csv" } }));
    const att2 = api.sent[2]!.message.attachments as { filename: string; metadata: unknown }[];
    expect(att2[0]).toMatchObject({ filename: "bao-cao.csv", metadata: { totalSize: 8 } });
  });

  it("maps errors for the outbox, and does not resend parts that already went out", async () => {
    const { api, sender } = setup();
    const text = "A".repeat(1500) + "\n" + "B".repeat(1500);
    api.failures = [undefined, new ZaloApiError("Request failed with status code 502")];
    await expect(sender.send(out({ text }))).rejects.toBeInstanceOf(TransientSendError);
    expect(api.sent.map((s) => s.message.msg[0])).toEqual(["A", "B"]);
    await sender.send(out({ text }));
    expect(api.sent.map((s) => s.message.msg[0])).toEqual(["A", "B", "B"]); // the retry sends only B
  });

  it("makes the whole channel wait (no attempt counted) when this instance is not connected", async () => {
    const { sender } = setup({ loggedIn: false });
    const err = await sender.send(out({ text: "x" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterError);
    expect(err).toMatchObject({ scope: "global", retryAfterSeconds: 30 });
  });
});

function api0() {
  return new FakeApi("100200300", { imei: "i", userAgent: "ua", language: "vi", cookies: [] });
}

describe("error mapping", () => {
  it.each([
    [new ZaloApiError("Vượt quá số request cho phép", 221), RetryAfterError, 60],
    [new ZaloApiError("Không thể nhận tin nhắn từ bạn.", 123), RetryAfterError, 120],
    [new ZaloApiError("Request failed with status code 429"), RetryAfterError, 60],
    [new ZaloApiError("Request failed with status code 502"), TransientSendError, undefined],
    [new ZaloApiError("Retry limit", -69), TransientSendError, undefined],
    [new ZaloApiError("The session key was improperly submitted or has reached its timeout.", 102), TransientSendError, undefined],
    [new TypeError("fetch failed"), TransientSendError, undefined],
    [new ZaloApiError("Bạn chưa thể gửi tin nhắn đến người này vì người này chặn không nhận tin nhắn từ người lạ.", 122), PermanentSendError, undefined],
    [new ZaloApiError("Invalid mentions: total mention characters exceed message length"), PermanentSendError, undefined],
    [new ZaloApiError("Request failed with status code 400"), PermanentSendError, undefined],
  ])("%s → %o", (err, kind, retryAfter) => {
    const mapped = mapZaloError(err);
    expect(mapped).toBeInstanceOf(kind);
    if (retryAfter !== undefined) expect((mapped as RetryAfterError).retryAfterSeconds).toBe(retryAfter);
  });
});

describe("imageSize", () => {
  it("reads PNG and JPEG headers", () => {
    const png = PNG.sync.write(new PNG({ width: 33, height: 17 }));
    expect(imageSize(png)).toEqual({ width: 33, height: 17 });
    // Minimal JPEG: SOI, APP0 (len 16), SOF0 with height 480 and width 640.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Array(14).fill(0), 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(imageSize(jpeg)).toEqual({ width: 640, height: 480 });
    expect(imageSize(Buffer.from("plain text"))).toBeUndefined();
  });
});
