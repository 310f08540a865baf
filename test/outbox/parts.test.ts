/** Long messages become parts at enqueue, by each channel's own split rules (pure, no store). */
import { describe, expect, it } from "vitest";
import { planSend, TEXT_LIMIT } from "../../src/channels/telegram/index.js";
import { ZALO_TEXT_LIMIT } from "../../src/channels/zalo/outbound.js";
import type { OutboundMessage } from "../../src/channels/types.js";
import { splitIntoParts } from "../../src/outbox/parts.js";

const para = (word: string, n: number) => Array.from({ length: n }, (_, i) => `${word} ${i}.`).join(" ");

describe("splitIntoParts", () => {
  it("a message that fits stays one part, unchanged", () => {
    const msg: OutboundMessage = { channel: "telegram", chatId: "-1", text: "Dạ, em chào chị.", replyToMessageId: "5" };
    expect(splitIntoParts(msg)).toEqual([msg]);
  });

  it("Telegram: parts of at most 4096 units, each one Bot API call; reply on the first, the question on the last", () => {
    const text = `${para("Một", 500)}\n\n${para("Hai", 500)}`;
    const msg: OutboundMessage = {
      channel: "telegram",
      chatId: "-100",
      text,
      askPerson: { id: "42", name: "Lan" },
    };
    const parts = splitIntoParts(msg);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.text).join("")).toBe(text);
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(TEXT_LIMIT);
      expect(planSend(p)).toHaveLength(1); // each part is exactly one message at Telegram
    }
    expect(parts.slice(0, -1).every((p) => p.askPerson === undefined)).toBe(true);
    expect(parts.at(-1)!.askPerson).toEqual({ id: "42", name: "Lan" });
    // the same calls as the message sent whole
    expect(parts.flatMap((p) => planSend(p))).toEqual(planSend(msg));
  });

  it("Telegram: a file with a long text goes first, alone, then the text parts", () => {
    const text = para("Ba", 1200);
    const file = { name: "tien-do.png", mime: "image/png", data: new Uint8Array([1, 2, 3]) };
    const parts = splitIntoParts({ channel: "telegram", chatId: "-7", text, file, replyToMessageId: "9" });
    expect(parts[0]).toMatchObject({ text: "", file, replyToMessageId: "9" });
    expect(parts.slice(1).map((p) => p.text).join("")).toBe(text);
    expect(parts.slice(1).every((p) => p.file === undefined && p.replyToMessageId === undefined)).toBe(true);
  });

  it("Zalo: parts within ZALO_TEXT_LIMIT after the mention; the question's mention on the first; a file last", () => {
    const text = `${para("Bốn", 300)}\n\n${para("Năm", 300)}`;
    const file = { name: "bao-cao.xlsx", mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: new Uint8Array([1]) };
    const parts = splitIntoParts({ channel: "zalo", chatId: "g1", chatType: "group", text, askPerson: { id: "u1", name: "Hoa" }, file });
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[0]!.askPerson).toEqual({ id: "u1", name: "Hoa" });
    expect(parts.slice(1).every((p) => p.askPerson === undefined)).toBe(true);
    for (const p of parts) expect(p.text.length + " @Hoa".length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
    expect(parts.at(-1)).toMatchObject({ text: "", file });
    expect(parts.slice(0, -1).map((p) => p.text).join(" ").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
  });
});
