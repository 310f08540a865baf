/**
 * Saved Zalo login: { imei, cookie, userAgent, language } in DATA_DIR/zalo-credentials.json.
 * Whoever holds this file can use the bot's Zalo account, so it is written owner-only (0600): the
 * mode is set at creation, re-applied before the atomic rename, and checked (and fixed) after every
 * write and at every read.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Logger } from "../../log.js";
import type { ApiLike } from "./zca.js";

export const CREDENTIALS_FILE = "zalo-credentials.json";
export const QR_FILE = "zalo-qr.png";
export const OWNER_ONLY = 0o600;

export interface ZaloCredentials {
  imei: string;
  /** tough-cookie serialized cookies (what zca-js's Credentials.cookie accepts). */
  cookie: unknown[];
  userAgent: string;
  language: string;
  /** Our account id, when known (informational). */
  uid?: string;
  savedAt?: string;
}

export function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE);
}

export function qrPath(dataDir: string): string {
  return join(dataDir, QR_FILE);
}

/** Sets the file to 0600 when it is anything else; returns true when it had to fix it. */
export async function ensureOwnerOnly(path: string): Promise<boolean> {
  if (process.platform === "win32") return false;
  const mode = (await stat(path)).mode & 0o777;
  if (mode === OWNER_ONLY) return false;
  await chmod(path, OWNER_ONLY);
  const after = (await stat(path)).mode & 0o777;
  if (after !== OWNER_ONLY) throw new Error(`cannot make ${path} owner-only (mode ${after.toString(8)})`);
  return true;
}

/** Writes a file owner-only, atomically (temporary file + rename). */
export async function writeOwnerOnly(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, data, { mode: OWNER_ONLY });
    await chmod(tmp, OWNER_ONLY);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await ensureOwnerOnly(path);
}

export async function saveCredentials(path: string, creds: ZaloCredentials): Promise<void> {
  const body: ZaloCredentials = { ...creds, savedAt: new Date().toISOString() };
  await writeOwnerOnly(path, JSON.stringify(body, null, 2) + "\n");
}

function isCredentials(v: unknown): v is ZaloCredentials {
  if (!v || typeof v !== "object") return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.imei === "string" &&
    c.imei.length > 0 &&
    Array.isArray(c.cookie) &&
    c.cookie.length > 0 &&
    typeof c.userAgent === "string" &&
    c.userAgent.length > 0
  );
}

/** The saved credentials, or undefined when there are none (or the file is unusable: logged). */
export async function loadCredentials(path: string, log?: Logger): Promise<ZaloCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if (await ensureOwnerOnly(path)) log?.warn({ path }, "Zalo credentials file was readable by others; set it to 0600");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    log?.error({ path }, "Zalo credentials file is not valid JSON; ignoring it");
    return undefined;
  }
  if (!isCredentials(parsed)) {
    log?.error({ path }, "Zalo credentials file lacks imei, cookie or userAgent; ignoring it");
    return undefined;
  }
  return { ...parsed, language: typeof parsed.language === "string" && parsed.language ? parsed.language : "vi" };
}

/** Credentials from a logged-in API: the cookie jar as it is now (Zalo refreshes cookies on use). */
export function credentialsFromApi(api: ApiLike): ZaloCredentials | undefined {
  const ctx = api.getContext();
  const jar = ctx.cookie.toJSON() as { cookies?: unknown } | undefined;
  const cookies = jar?.cookies;
  if (!Array.isArray(cookies) || cookies.length === 0 || !ctx.imei || !ctx.userAgent) return undefined;
  let uid: string | undefined;
  try {
    uid = api.getOwnId();
  } catch {
    uid = undefined;
  }
  return { imei: ctx.imei, cookie: cookies, userAgent: ctx.userAgent, language: ctx.language || "vi", uid };
}
