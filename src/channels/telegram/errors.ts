/** grammY errors → the channel-neutral send errors the outbox understands. */
import { GrammyError, HttpError } from "grammy";
import { PermanentSendError, RetryAfterError, TransientSendError } from "../types.js";

/**
 * 429 → RetryAfterError(retry_after); network failures (HttpError, including unreadable answers)
 * and 5xx → TransientSendError; 401 and 404 (a wrong or revoked token: the operator must fix the
 * configuration, the message itself is fine) → TransientSendError; any other 4xx (403 bot
 * kicked / blocked, 400 chat not found, ...) → PermanentSendError. Other errors are returned as is.
 */
export function mapSendError(err: unknown): unknown {
  if (err instanceof GrammyError) {
    const what = `telegram ${err.method}: ${err.error_code} ${err.description}`;
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after;
      return new RetryAfterError(typeof seconds === "number" && seconds > 0 ? seconds : 1, what);
    }
    if (err.error_code >= 500 || err.error_code === 401 || err.error_code === 404) {
      return new TransientSendError(what, { cause: err });
    }
    return new PermanentSendError(what, { cause: err });
  }
  if (err instanceof HttpError) return new TransientSendError(`telegram: ${err.message}`, { cause: err });
  return err;
}

/** The new chat id when a send failed because the group was upgraded to a supergroup. */
export function migratedTo(err: unknown): string | undefined {
  if (err instanceof GrammyError && err.parameters.migrate_to_chat_id !== undefined) {
    return String(err.parameters.migrate_to_chat_id);
  }
  return undefined;
}
