import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../types.js";
import { planSend, sendsAsOne } from "./send-plan.js";
import { TEXT_LIMIT } from "./text.js";

/** What sendsAsOne stands for: planSend's call count, or true when planSend cannot plan the message. */
function byPlan(msg: OutboundMessage): boolean {
  try {
    return planSend(msg).length <= 1;
  } catch {
    return true;
  }
}

describe("sendsAsOne: the same answer as planning the calls", () => {
  const lan = { id: "7", name: "Nguyễn Thị Lan" };
  const long = (n: number) => "a ".repeat(Math.ceil(n / 2)).slice(0, n);
  const texts = [
    "",
    "   ",
    "Câu 1/9: chị trả lời giúp em ạ",
    // "ạ" written with a combining mark: one UTF-16 unit fewer once NFC-normalised.
    `${long(TEXT_LIMIT - 1)}a\u0323`,
    ...[-20, -14, -13, -12, -1, 0, 1, 2].map((d) => long(TEXT_LIMIT + d)),
  ];
  const shapes: Partial<OutboundMessage>[] = [
    {},
    { askPerson: lan },
    { askPerson: lan, replyToMessageId: "12" },
    { askPerson: lan, replyToMessageId: "not-a-number" },
    { askPerson: { id: "8", name: "x".repeat(TEXT_LIMIT) } },
    { mentions: [lan] },
    { mentions: [] },
    { file: { name: "a.png", mime: "image/png", data: new Uint8Array([1, 2, 3]) } },
    { choices: { rows: [[{ label: "Có", data: "y" }]], extra: false }, askPerson: lan },
  ];
  for (const chatId of ["-1001", "42"]) {
    for (const shape of shapes) {
      for (const text of texts) {
        const msg: OutboundMessage = { channel: "telegram", chatId, chatType: chatId === "42" ? "private" : "group", text, ...shape };
        it(`chat ${chatId}, ${JSON.stringify(Object.keys(shape))}, text of ${text.length}`, () => {
          expect(sendsAsOne(msg)).toBe(byPlan(msg));
        });
      }
    }
  }
});
