/**
 * outboxRowsOf (the rows the lean commit writes itself): each message split into its parts, each
 * part's payload the JSON of encodePayload — what enqueue stores for the same message.
 */
import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../src/channels/types.js";
import { decodePayload, encodePayload, outboxRowsOf } from "../../src/outbox/queue.js";
import { splitIntoParts } from "../../src/outbox/parts.js";

const lan = { id: "7", name: "Nguyễn Thị Lan" };
const MESSAGES: OutboundMessage[] = [
  { channel: "telegram", chatId: "-1001", chatType: "group", text: "Câu 2/9: …", replyToMessageId: "5", askPerson: lan },
  {
    channel: "telegram",
    chatId: "-1001",
    chatType: "group",
    text: "Có hoặc Không",
    askPerson: lan,
    choices: { rows: [[{ label: "Có", data: "r7.999999999999.9999999999.y" }, { label: "Không", data: "r7.999999999999.9999999999.n" }]] },
  },
  { channel: "telegram", chatId: "42", chatType: "private", text: `${"Dòng dài ạ. ".repeat(500)}`, askPerson: lan, mentions: [lan] },
  { channel: "telegram", chatId: "42", chatType: "private", text: "tệp", file: { name: "a.xlsx", mime: "application/octet-stream", data: new Uint8Array([1, 2, 3]) } },
  { channel: "zalo", chatId: "5550001112223334", chatType: "group", text: "Câu 1/9", askPerson: lan },
];

describe("outboxRowsOf", () => {
  it("gives each part's channel, chat and encodePayload as JSON, in order", () => {
    const expected = MESSAGES.flatMap((m) => splitIntoParts(m)).map((p) => ({ channel: p.channel, chatId: p.chatId, payload: JSON.stringify(encodePayload(p)) }));
    expect(expected.length).toBeGreaterThan(MESSAGES.length); // the long text is split
    expect(outboxRowsOf(MESSAGES)).toEqual(expected);
  });

  it("reads back as the parts sent", () => {
    const parts = MESSAGES.flatMap((m) => splitIntoParts(m));
    expect(outboxRowsOf(MESSAGES).map((r) => decodePayload(JSON.parse(r.payload)))).toEqual(parts);
  });
});
