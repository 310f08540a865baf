/**
 * The one cleaning step every channel applies to an inbound message (Telegram, Zalo, local), and
 * the app applies again as a safety net: text, sender name and chat title lose control
 * characters, lone surrogates and bidi overrides and are NFC-normalised (src/domain/sanitize.ts).
 */
import { sanitizeName, sanitizeText } from "../domain/sanitize.js";
import type { InboundMessage } from "./types.js";

/**
 * The message with its text, sender name and chat title cleaned. A name that is empty once
 * cleaned (only control characters) becomes `fallbackName`, or the sender's id.
 */
export function sanitizeInbound(msg: InboundMessage, fallbackName?: string): InboundMessage {
  const text = sanitizeText(msg.text);
  const name = sanitizeName(msg.sender.name) || sanitizeName(fallbackName ?? "") || sanitizeName(msg.sender.id);
  const out: InboundMessage = {
    ...msg,
    chatId: sanitizeName(msg.chatId),
    text,
    sender: { ...msg.sender, id: sanitizeName(msg.sender.id), name },
  };
  if (msg.chatTitle !== undefined) out.chatTitle = sanitizeName(msg.chatTitle);
  return out;
}
