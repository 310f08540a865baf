/**
 * The data a conversation's button carries, and reading it back when tapped:
 * "r<person>.<conversation id>.<version>.<action>", e.g. "r5123456789.17.4.y" — the person asked,
 * the stored conversation (row id and version right after the prompt was saved) and the engine's
 * action. At most 64 bytes (Telegram's callback_data limit). Nothing in it is trusted: the person
 * only decides which notice someone else gets; the id and version must match the stored
 * conversation of the person who tapped, and the engine checks the action against its state.
 */
import type { OutboundChoices } from "../channels/types.js";
import type { ReplyButtons } from "../conversation/index.js";

/** Telegram's limit for callback_data, in bytes. */
export const TAP_DATA_LIMIT = 64;

const DATA = /^r([A-Za-z0-9_-]{1,24})\.(\d{1,12})\.(\d{1,10})\.([a-z]\d{0,3})$/;

/** A button's data, read back. */
export interface TapData {
  personId: string;
  conversationId: number;
  version: number;
  action: string;
}

/** The prompt's buttons with their data, or undefined when the data would not fit (an odd person id). */
export function choicesFor(buttons: ReplyButtons, prompt: { personId: string; conversationId: number; version: number }): OutboundChoices | undefined {
  const prefix = `r${prompt.personId}.${prompt.conversationId}.${prompt.version}.`;
  const rows = buttons.rows.map((row) => row.map((b) => ({ label: b.label, data: `${prefix}${b.action}` })));
  const fits = rows.every((row) => row.every((b) => DATA.test(b.data) && Buffer.byteLength(b.data) <= TAP_DATA_LIMIT));
  if (!fits) return undefined;
  return buttons.extra ? { rows, extra: true } : { rows };
}

/**
 * The stand-in id and version of button data built before the conversation is saved (the lean
 * commit, src/store/lean-commit.ts, fills in the saved row's id and version). Their widest values:
 * data that fits with them fits with the real ones.
 */
export const PROMPT_PLACEHOLDER = { conversationId: 999999999999, version: 9999999999 } as const;

/**
 * What the lean commit replaces in the payload's JSON text: `text` (the opening of a button's data
 * with the placeholder) by `prefix` + "<id>.<version>.". Both start with the JSON string's quote,
 * so only data values that begin with it match.
 */
export function promptTemplate(personId: string): { text: string; prefix: string } {
  return { text: `"r${personId}.${PROMPT_PLACEHOLDER.conversationId}.${PROMPT_PLACEHOLDER.version}.`, prefix: `"r${personId}.` };
}

/** The parts of a button's data, or null when it is not one of ours. */
export function parseTapData(data: string): TapData | null {
  if (Buffer.byteLength(data) > TAP_DATA_LIMIT) return null;
  const m = DATA.exec(data);
  if (!m) return null;
  return { personId: m[1]!, conversationId: Number(m[2]), version: Number(m[3]), action: m[4]! };
}
