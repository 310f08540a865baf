/**
 * What a failed Zalo send means for the outbox (kept apart from outbound.ts, whose text splitting
 * the outbox uses, so that zca-js loads only when Zalo is on).
 */
import { PermanentSendError, RetryAfterError, TransientSendError } from "../types.js";
import { ZaloApiError } from "./zca.js";

/**
 * zca-js / Zalo errors → what the outbox should do, without memory (ZaloSender goes through
 * SendPolicy in send-policy.ts first, which escalates 221 pauses, caps 123 per chat and handles 102):
 * - ZaloApiError 221 ("Vượt quá số request cho phép") or HTTP 429 → RetryAfterError(60 s) with
 *   `scope: "global"` (the whole channel waits);
 * - 123 ("Không thể nhận tin nhắn từ bạn": Zalo's anti-spam, also for identical messages close
 *   together) → RetryAfterError(120 s) for that chat;
 * - HTTP 5xx/408, HTTP 401/403 and 102 (session key timed out: the session supervisor logs in again),
 *   negative codes (server-side, e.g. -69 "Retry limit"), and errors that are not ZaloApiError (network:
 *   fetch failed, ECONNRESET, timeouts) → TransientSendError;
 * - every other ZaloApiError (122 the person blocks strangers, bad parameters, missing content,
 *   invalid mentions, too many / too large files, unsupported quote) → PermanentSendError.
 */
export function mapZaloError(err: unknown): Error {
  if (err instanceof RetryAfterError || err instanceof TransientSendError || err instanceof PermanentSendError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ZaloApiError)) return new TransientSendError(`Zalo send failed: ${text}`);
  const code = err.code;
  const http = /status code (\d{3})/.exec(text);
  const status = http ? Number(http[1]) : undefined;
  const what = `Zalo send failed${code !== null ? ` (code ${code})` : ""}: ${text}`;
  if (code === 221 || status === 429) return Object.assign(new RetryAfterError(60, what), { scope: "global" as const });
  if (code === 123) return new RetryAfterError(120, what);
  if (status !== undefined) {
    if (status >= 500 || status === 408 || status === 401 || status === 403) return new TransientSendError(what);
    return new PermanentSendError(what);
  }
  if (code === 102 || (code !== null && code < 0)) return new TransientSendError(what);
  return new PermanentSendError(what);
}
