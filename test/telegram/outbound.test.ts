/** Outbound: channel.send through grammY with a fake fetch that records Bot API calls. */
import { describe, expect, it, vi } from "vitest";
import { createTelegramChannel, splitText, withMentions } from "../../src/channels/telegram/index.js";
import { PermanentSendError, RetryAfterError, TransientSendError, type OutboundMessage } from "../../src/channels/types.js";
import type { Store } from "../../src/store/database.js";
import { defaultAnswer, fakeFetch, type Responder } from "./fake-api.js";
import { BOT, GROUP, HOA, LAN, longVietnameseText, TOKEN } from "./fixtures.js";

// send() never touches the store
const noStore = {} as Store;

function make(responder?: Responder, extra: Partial<Parameters<typeof createTelegramChannel>[0]> = {}) {
  const api = fakeFetch(responder);
  const tg = createTelegramChannel({ token: TOKEN, botInfo: BOT, fetch: api.fetch, store: noStore, onInbound: async () => undefined, ...extra });
  return { tg, calls: api.calls };
}

const group = String(GROUP.id);
const msg = (m: Partial<OutboundMessage>): OutboundMessage => ({ channel: "telegram", chatId: group, text: "", ...m });

describe("channel.send", () => {
  it("splits a 5000-character Vietnamese text into two messages, in order, losing nothing", async () => {
    const { tg, calls } = make();
    const text = longVietnameseText(5000);
    expect(text.length).toBe(5000);
    const result = await tg.channel.send(msg({ text }));
    const sent = calls.filter((c) => c.method === "sendMessage");
    expect(sent).toHaveLength(2);
    const parts = sent.map((c) => c.payload.text as string);
    expect(parts.every((p) => p.length <= 4096 && p.length > 0)).toBe(true);
    expect(parts.join("")).toBe(text);
    expect(parts[0]!.endsWith("\n\n")).toBe(true); // cut at a paragraph break
    expect(sent.every((c) => c.payload.chat_id === GROUP.id)).toBe(true);
    expect(Number(result.messageId)).toBeGreaterThan(0);
    // the last message's id is returned
    expect(result.messageId).toBe(String(Number(result.messageId)));
  });

  it("asks one person in a group: selective force_reply and a text_mention of her at the start", async () => {
    const { tg, calls } = make();
    await tg.channel.send(msg({ text: "Số hộ đạt chuẩn tháng này là bao nhiêu?", askPerson: { id: String(LAN.id), name: "Lan" } }));
    expect(calls).toHaveLength(1);
    const p = calls[0]!.payload;
    expect(p.text).toBe("Chị Lan, Số hộ đạt chuẩn tháng này là bao nhiêu?");
    expect(p.reply_markup).toEqual({ force_reply: true, selective: true });
    expect(p.entities).toEqual([{ type: "text_mention", offset: 4, length: 3, user: { id: LAN.id, is_bot: false, first_name: "Lan" } }]);
    expect(p.reply_parameters).toBeUndefined();
  });

  it("asks one person in a group by replying to her message when there is one", async () => {
    const { tg, calls } = make();
    await tg.channel.send(msg({ text: "Chị nhập lại số nhé", replyToMessageId: "52", askPerson: { id: String(LAN.id), name: "Lan" } }));
    const p = calls[0]!.payload;
    expect(p.text).toBe("Chị nhập lại số nhé");
    expect(p.entities).toBeUndefined();
    expect(p.reply_parameters).toEqual({ message_id: 52, allow_sending_without_reply: true });
    expect(p.reply_markup).toEqual({ force_reply: true, selective: true });
  });

  it("asks in a private chat with a plain force_reply", async () => {
    const { tg, calls } = make();
    await tg.channel.send(msg({ chatId: String(LAN.id), text: "Chị cho biết số hộ?", askPerson: { id: String(LAN.id), name: "Lan" } }));
    expect(calls[0]!.payload).toMatchObject({ chat_id: LAN.id, text: "Chị cho biết số hộ?", reply_markup: { force_reply: true } });
    expect((calls[0]!.payload.reply_markup as Record<string, unknown>).selective).toBeUndefined();
  });

  it("puts the question and its force_reply on the last part of a long question", async () => {
    const { tg, calls } = make();
    await tg.channel.send(msg({ text: longVietnameseText(5000), askPerson: { id: String(HOA.id), name: "Hoa" } }));
    expect(calls).toHaveLength(2);
    expect(calls[0]!.payload.reply_markup).toBeUndefined();
    const last = calls[1]!.payload;
    expect((last.text as string).startsWith("Chị Hoa, ")).toBe(true);
    expect((last.text as string).length).toBeLessThanOrEqual(4096);
    expect(last.reply_markup).toEqual({ force_reply: true, selective: true });
    expect(last.entities).toMatchObject([{ type: "text_mention", offset: 4, length: 3, user: { id: HOA.id } }]);
  });

  it("computes mention offsets in UTF-16 code units (emoji count twice)", async () => {
    const { tg, calls } = make();
    const text = "🌸 Chúc mừng chị Hoa và chị Lan đã nộp báo cáo 👏";
    await tg.channel.send(msg({ text, mentions: [{ id: String(HOA.id), name: "Hoa" }, { id: String(LAN.id), name: "Lan" }] }));
    const entities = calls[0]!.payload.entities as Array<{ offset: number; length: number; user: { id: number } }>;
    expect(entities.map((e) => [e.offset, e.length, e.user.id])).toEqual([
      [17, 3, HOA.id],
      [28, 3, LAN.id],
    ]);
    expect(Array.from(text).indexOf("H")).toBe(16); // counting code points would be off by one
    expect(entities.map((e) => text.slice(e.offset, e.offset + e.length))).toEqual(["Hoa", "Lan"]);
  });

  it("finds names written in decomposed Unicode and appends names that are not in the text", () => {
    const decomposed = "Cảm ơn chị Hương".normalize("NFD");
    const r = withMentions(decomposed.normalize("NFC"), [{ id: "1", name: "Hương".normalize("NFD") }, { id: "2", name: "Mai" }]);
    expect(r.text).toBe("Cảm ơn chị Hương\nMai");
    expect(r.entities.map((e) => r.text.slice(e.offset, e.offset + e.length))).toEqual(["Hương", "Mai"]);
  });

  it("replies to a message with allow_sending_without_reply", async () => {
    const { tg, calls } = make();
    await tg.channel.send(msg({ text: "Đã ghi nhận", replyToMessageId: "52" }));
    expect(calls[0]!.payload).toMatchObject({ text: "Đã ghi nhận", reply_parameters: { message_id: 52, allow_sending_without_reply: true } });
  });

  it("sends a file as a document with the text as its caption", async () => {
    const { tg, calls } = make();
    const data = new TextEncoder().encode("don_vi,so_ho\nYên Tiến,12\n");
    const r = await tg.channel.send(msg({ text: "Báo cáo tháng 5", file: { name: "bao-cao-thang-5.csv", data, mime: "text/csv" } }));
    expect(calls.map((c) => c.method)).toEqual(["sendDocument"]);
    const p = calls[0]!.payload;
    expect(p["document.filename"]).toBe("bao-cao-thang-5.csv");
    expect(p.caption).toBe("Báo cáo tháng 5");
    expect(p.chat_id).toBe(group);
    expect(p["document.content"]).toBe("don_vi,so_ho\nYên Tiến,12\n");
    expect(r.messageId).toMatch(/^\d+$/);
  });

  it("maps 429 to RetryAfterError with Telegram's retry_after, without retrying itself", async () => {
    const { tg, calls } = make(() => ({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 17",
      parameters: { retry_after: 17 },
    }));
    const err = await tg.channel.send(msg({ text: "Nhắc hạn báo cáo" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).retryAfterSeconds).toBe(17);
    expect(calls).toHaveLength(1);
  });

  it("maps 403 (bot kicked) and 400 (chat not found) to PermanentSendError", async () => {
    const kicked = make(() => ({ ok: false, error_code: 403, description: "Forbidden: bot was kicked from the group chat" }));
    const err = await kicked.tg.channel.send(msg({ text: "x" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toContain("403");
    const missing = make(() => ({ ok: false, error_code: 400, description: "Bad Request: chat not found" }));
    await expect(missing.tg.channel.send(msg({ text: "x" }))).rejects.toBeInstanceOf(PermanentSendError);
  });

  it("maps network failures, unreadable answers and 5xx to TransientSendError", async () => {
    const offline = make(() => {
      throw new TypeError("fetch failed");
    });
    await expect(offline.tg.channel.send(msg({ text: "x" }))).rejects.toBeInstanceOf(TransientSendError);
    const proxy = make(() => new Response("<html>502 Bad Gateway</html>", { status: 502 }));
    await expect(proxy.tg.channel.send(msg({ text: "x" }))).rejects.toBeInstanceOf(TransientSendError);
    const down = make(() => ({ ok: false, error_code: 500, description: "Internal Server Error" }));
    await expect(down.tg.channel.send(msg({ text: "x" }))).rejects.toBeInstanceOf(TransientSendError);
    expect(offline.calls).toHaveLength(1); // no auto-retry on the send path
  });

  it("follows a group that became a supergroup while sending", async () => {
    const onChatMigrated = vi.fn(async () => undefined);
    const { tg, calls } = make(
      (call) =>
        call.payload.chat_id === GROUP.id
          ? { ok: false, error_code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", parameters: { migrate_to_chat_id: -1002233445566 } }
          : defaultAnswer(call),
      { onChatMigrated },
    );
    await tg.channel.send(msg({ text: "Nội dung tuyên truyền hôm nay" }));
    expect(calls.map((c) => c.payload.chat_id)).toEqual([GROUP.id, -1002233445566]);
    expect(onChatMigrated).toHaveBeenCalledWith(group, "-1002233445566");
  });

  it("refuses an empty message as permanent, without calling Telegram", async () => {
    const { tg, calls } = make();
    await expect(tg.channel.send(msg({ text: "  " }))).rejects.toBeInstanceOf(PermanentSendError);
    expect(calls).toEqual([]);
  });
});

describe("setCommands", () => {
  it("sets the Vietnamese menu by default and the English one for language_code en", async () => {
    const { tg, calls } = make();
    await tg.setCommands();
    expect(calls.map((c) => [c.method, c.payload.language_code])).toEqual([
      ["setMyCommands", undefined],
      ["setMyCommands", "en"],
    ]);
    const vi = calls[0]!.payload.commands as Array<{ command: string; description: string }>;
    expect(vi.map((c) => c.command)).toEqual([
      "batdau", "trogiup", "baocao", "tiendo", "nhacnho", "sua", "huy", "dangky", "lienket", "moi", "noidung",
      "xuat", "baocaotonghop", "tamdung", "tieptuc", "tinloi", "web",
    ]);
    expect(vi.find((c) => c.command === "tiendo")?.description).toBe("Xem tiến độ");
    expect(vi.find((c) => c.command === "dangky")?.description).toBe("Đăng ký bằng mã mời");
    const en = calls[1]!.payload.commands as Array<{ command: string; description: string }>;
    expect(en.find((c) => c.command === "tiendo")?.description).toBe("See progress");
  });
});

describe("auto-retry on setup calls only", () => {
  it("retries setMyCommands after a 429, while send gave up at once (above)", async () => {
    let failures = 1;
    const { tg, calls } = make((call) =>
      call.method === "setMyCommands" && failures-- > 0
        ? { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }
        : defaultAnswer(call),
    );
    await tg.setCommands();
    expect(calls.map((c) => c.method)).toEqual(["setMyCommands", "setMyCommands", "setMyCommands"]);
  });
});

describe("splitText", () => {
  it("never cuts a surrogate pair, even without any space", () => {
    const text = `a${"🌸".repeat(3000)}`; // 6001 UTF-16 units, no break opportunity; 4096 falls inside a pair
    const parts = splitText(text);
    expect(parts).toHaveLength(2);
    expect(parts.join("")).toBe(text);
    expect(parts[0]!.length).toBe(4095);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(/^[\udc00-\udfff]/.test(p)).toBe(false);
      expect(/[\ud800-\udbff]$/.test(p)).toBe(false);
    }
  });

  it("prefers a line break, then a space, and keeps short texts whole", () => {
    expect(splitText("abc")).toEqual(["abc"]);
    expect(splitText("x".repeat(4096))).toHaveLength(1);
    const lines = `${"a".repeat(3000)}\n${"b ".repeat(1000)}`;
    expect(splitText(lines)[0]).toBe(`${"a".repeat(3000)}\n`);
    const words = "Phụ nữ ".repeat(700);
    const parts = splitText(words);
    expect(parts[0]!.endsWith(" ")).toBe(true);
    expect(parts.join("")).toBe(words);
  });
});
