/** telegramDeleter: Telegram's answers to deleteMessage, as outcomes. */
import { describe, expect, it } from "vitest";
import { telegramDeleter } from "./delete.js";

const refusal = (description: string) => Object.assign(new Error(description), { error_code: 400, description });

const CASES: { why: string; answer: () => Promise<true>; expected: "deleted" | "not_possible" }[] = [
  { why: "deleted", answer: async () => true, expected: "deleted" },
  { why: "no right to delete", answer: async () => Promise.reject(refusal("Bad Request: message can't be deleted")), expected: "not_possible" },
  { why: "already gone (a redelivery after the first handling deleted it)", answer: async () => Promise.reject(refusal("Bad Request: message to delete not found")), expected: "deleted" },
  { why: "network failure", answer: async () => Promise.reject(new Error("ECONNRESET")), expected: "not_possible" },
];

describe("telegramDeleter", () => {
  it.each(CASES)("$why → $expected", async ({ answer, expected }) => {
    const deleter = telegramDeleter({ deleteMessage: answer } as never);
    expect(await deleter.deleteMessage("-1001", "42")).toBe(expected);
  });

  it("does not call Telegram with ids that are not numbers", async () => {
    let called = false;
    const deleter = telegramDeleter({ deleteMessage: async () => ((called = true), true) } as never);
    expect(await deleter.deleteMessage("g-1", "42")).toBe("not_possible");
    expect(called).toBe(false);
  });
});
