import { describe, expect, it } from "vitest";
import { bareName } from "./address.js";

describe("bareName", () => {
  it.each([
    ["Chị Lan", "Lan"],
    ["chị Nguyễn Thị Lan", "Nguyễn Thị Lan"],
    ["Cô Hạnh", "Hạnh"],
    ["Nguyễn Thị Lan", "Nguyễn Thị Lan"],
    ["Chi", "Chi"],
    ["Chị", "Chị"],
    ["  Bà Tư ", "Tư"],
  ])("%s → %s", (name, bare) => expect(bareName(name)).toBe(bare));
});
