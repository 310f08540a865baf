import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/commands/index.js";
import { COMMAND_NAMES } from "../../src/channels/telegram/index.js";
import { parseCommand } from "../../src/app/app.js";

describe("command table", () => {
  it("offers in Telegram's menu exactly the commands the app answers", () => {
    expect([...COMMAND_NAMES].sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it("uses only names Telegram accepts (a–z, 0–9, _) and no duplicates", () => {
    const names = COMMANDS.map((c) => c.name);
    for (const n of names) expect(n).toMatch(/^[a-z0-9_]{1,32}$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it("parses commands with arguments and a bot suffix", () => {
    expect(parseCommand("/tiendo@VunDapBot Ý Yên tháng 5")).toEqual({ name: "tiendo", args: "Ý Yên tháng 5" });
    expect(parseCommand("/BAOCAO")).toEqual({ name: "baocao", args: "" });
    expect(parseCommand("tiendo")).toBeNull();
    expect(parseCommand("12/15")).toBeNull();
  });
});
