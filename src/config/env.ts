/**
 * Configuration from the environment (and a .env file), validated with zod.
 * A bad or missing value stops the start with one clear message naming the variable,
 * what was given and what is expected. Every variable is documented in .env.example.
 */
import { z } from "zod";
import { t } from "../i18n.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const idList = z
  .string()
  .regex(/^\s*([0-9A-Za-z_-]+\s*(,\s*[0-9A-Za-z_-]+\s*)*)?$/, "a comma-separated list of ids")
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const positiveInt = z.coerce.number().int().positive();

export const envSchema = z
  .object({
    /** postgres://… for PostgreSQL; absent for the embedded PGlite store in PGLITE_DIR. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "a postgres:// or postgresql:// URL, or nothing for the embedded store")
      .optional(),
    PGLITE_DIR: z.string().min(1).default("data/pglite"),
    /** Where files the bot writes go (exports, QR codes on later channels). */
    DATA_DIR: z.string().min(1).default("data"),
    /** Daily automatic backups of the embedded store (not with DATABASE_URL: use pg_dump). */
    BACKUP_DIR: z.string().min(1).default("data/backups"),
    BACKUP_KEEP: positiveInt.default(7),
    BACKUP_HOUR: z.coerce.number().int().min(0).max(23).default(2),
    PLAN_FILE: z.string().min(1).optional(),
    UNITS_FILE: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    LANGUAGE: z.enum(["vi", "en"]).default("vi"),
    CONVERSATION_TTL_HOURS: positiveInt.default(24),
    /** Longest wait for one outbox send (text), in ms; a hung request is retried later. */
    OUTBOX_SEND_TIMEOUT_MS: positiveInt.default(10_000),
    /** Longest wait for one outbox send with a file, in ms. */
    OUTBOX_FILE_SEND_TIMEOUT_MS: positiveInt.default(15_000),
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "a token from @BotFather, like 123456:ABC-DEF…")
      .optional(),
    TELEGRAM_MODE: z.enum(["polling", "webhook"]).default("polling"),
    TELEGRAM_WEBHOOK_URL: z.url().optional(),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, "16–256 characters of A–Z, a–z, 0–9, _ and -")
      .optional(),
    TELEGRAM_API_ROOT: z.url().optional(),
    /** Photos of photo answers: the largest copy kept (bytes; Telegram's getFile stops at 20 MB anyway). */
    PHOTO_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
    /** All photo copies this instance keeps under DATA_DIR/photos (bytes); beyond it only file ids are kept. */
    PHOTO_TOTAL_MAX_BYTES: positiveInt.default(2 * 1024 * 1024 * 1024),
    /** Longest wait for one photo request (getFile, the download), in ms. */
    PHOTO_DOWNLOAD_TIMEOUT_MS: positiveInt.default(30_000),
    PORT: positiveInt.max(65535).default(8080),
    /** Public base URL of the web dashboard; when set, the dashboard is served on PORT (src/web). */
    WEB_BASE_URL: z.url().regex(/^https?:\/\//, "an http:// or https:// URL").optional(),
    ADMIN_TELEGRAM_IDS: idList.default([]),
    ADMIN_ZALO_IDS: idList.default([]),
    ZALO_ENABLED: bool.default(false),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_MODE === "webhook") {
      if (!env.TELEGRAM_WEBHOOK_URL)
        ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_URL"], message: "required when TELEGRAM_MODE=webhook" });
      if (!env.TELEGRAM_WEBHOOK_SECRET)
        ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_SECRET"], message: "required when TELEGRAM_MODE=webhook" });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Variables whose values are never printed, even in error messages. */
const SECRET = new Set(["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "DATABASE_URL"]);

export class ConfigError extends Error {
  constructor(readonly variable: string, given: string | undefined, expected: string) {
    const shown = given === undefined ? t("config:missing") : SECRET.has(variable) ? t("config:hidden") : `"${given}"`;
    super(t("config:invalid", { variable, given: shown, expected }));
    this.name = "ConfigError";
  }
}

/** Validate an environment; throws ConfigError naming the first bad variable. Empty strings count as unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = source[key];
    if (v !== undefined && v.trim() !== "") cleaned[key] = v.trim();
  }
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "?");
  throw new ConfigError(variable, cleaned[variable], issue.message);
}
