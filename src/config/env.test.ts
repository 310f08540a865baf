import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, envSchema, loadEnv } from "./env.js";

describe("loadEnv", () => {
  it("runs with nothing configured: embedded store, local chat, Vietnamese", () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PGLITE_DIR).toBe("data/pglite");
    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.LANGUAGE).toBe("vi");
    expect(env.CONVERSATION_TTL_HOURS).toBe(24);
    expect(env.ADMIN_TELEGRAM_IDS).toEqual([]);
  });

  it("treats empty values as unset", () => {
    expect(loadEnv({ DATABASE_URL: "", ADMIN_TELEGRAM_IDS: " " }).DATABASE_URL).toBeUndefined();
  });

  it("names the variable, what was given and what is expected", () => {
    try {
      loadEnv({ TELEGRAM_MODE: "push" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain("TELEGRAM_MODE");
      expect(msg).toContain('"push"');
      expect(msg).toMatch(/polling/);
    }
  });

  it("never prints a secret it rejects", () => {
    try {
      loadEnv({ TELEGRAM_BOT_TOKEN: "not-a-token-but-secret-looking" });
      expect.unreachable();
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain("TELEGRAM_BOT_TOKEN");
      expect(msg).not.toContain("secret-looking");
    }
  });

  it("requires the webhook URL and secret in webhook mode", () => {
    expect(() => loadEnv({ TELEGRAM_MODE: "webhook" })).toThrow(/TELEGRAM_WEBHOOK_URL/);
    const env = loadEnv({
      TELEGRAM_MODE: "webhook",
      TELEGRAM_WEBHOOK_URL: "https://bot.example.org/tg",
      TELEGRAM_WEBHOOK_SECRET: "abcdefghijklmnop",
    });
    expect(env.TELEGRAM_MODE).toBe("webhook");
  });

  it("parses admin id lists and rejects a non-postgres DATABASE_URL", () => {
    expect(loadEnv({ ADMIN_TELEGRAM_IDS: "123, 456" }).ADMIN_TELEGRAM_IDS).toEqual(["123", "456"]);
    expect(() => loadEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadEnv({ CONVERSATION_TTL_HOURS: "0" })).toThrow(/CONVERSATION_TTL_HOURS/);
  });

  it("has every variable documented in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    for (const key of Object.keys(envSchema.shape)) expect(example, key).toMatch(new RegExp(`^#? ?${key}=`, "m"));
  });
});
