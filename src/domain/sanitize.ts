/**
 * Cleaning text that comes from outside (a person's name, a message) before it reaches the store
 * or the parsers. Pure, no I/O, linear in the length of the text.
 *
 * Removed: NUL and the other C0 controls except newline and tab, DEL and the C1 controls, lone
 * surrogate halves, bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E,
 * U+2066–U+2069, U+200E, U+200F, U+061C), the byte-order mark and zero-width space (U+FEFF,
 * U+200B), and the noncharacters U+FFFE/U+FFFF. Carriage returns and the Unicode line and
 * paragraph separators become newlines. The result is NFC-normalised (Vietnamese typed with
 * combining marks becomes the precomposed letters everyone else types).
 * Kept: newline, tab, emoji (with their zero-width joiners), every letter and mark of every script.
 */

/** Everything removed outright (see the module comment); the `u` flag makes `\p{Cs}` match only unpaired halves. */
const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|\p{Cs}/gu;
/** Line breaks written another way: CR LF, a lone CR, U+2028, U+2029. */
const LINE_BREAKS = /\r\n?|[\u2028\u2029]/g;

/** Texts sanitizeText leaves as they are, recognised without its three passes. */
const PLAIN = /^[\t\n\u0020-\u007e]*$/;

/** A message's text, cleaned (newlines and tabs kept). */
export function sanitizeText(text: string): string {
  if (typeof text !== "string") return "";
  // Printable ASCII, newlines and tabs: nothing to remove, already NFC.
  if (PLAIN.test(text)) return text;
  return text.replace(LINE_BREAKS, "\n").replace(UNWANTED, "").normalize("NFC");
}

/** The longest display name kept, in characters (Telegram allows 64 + 64; Zalo names are shorter). */
export const MAX_NAME_LENGTH = 128;

/**
 * A display name, cleaned like a text, on one line (newlines and tabs become spaces, runs of
 * white space one space), trimmed and cut to {@link MAX_NAME_LENGTH} characters. May be empty:
 * the caller falls back to another name (a username, the id).
 */
export function sanitizeName(name: string): string {
  const flat = sanitizeText(name).replace(/\s+/g, " ").trim();
  // No more UTF-16 units than the limit: no more characters either.
  if (flat.length <= MAX_NAME_LENGTH) return flat;
  const chars = [...flat];
  return chars.length > MAX_NAME_LENGTH ? chars.slice(0, MAX_NAME_LENGTH).join("").trimEnd() : flat;
}
