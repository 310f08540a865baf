import { describe, expect, it } from "vitest";
import { askPrefix } from "./send-plan.js";

describe("askPrefix: the address before a question in a group", () => {
  it.each([
    ["Lan", "Chị Lan, "],
    ["Chị Lan", "Chị Lan, "],
    ["chị Nguyễn Thị Lan", "Chị Nguyễn Thị Lan, "],
    ["Cô Hạnh", "Chị Hạnh, "],
  ])("%s → %s (the honorific never twice), the mention on the name", (name, text) => {
    const p = askPrefix({ id: "7", name });
    expect(p.text).toBe(text);
    expect(p.entities).toEqual([expect.objectContaining({ type: "text_mention", offset: 4, length: text.length - 6 })]);
  });
});
