/**
 * Addressing people in Vietnamese: a display name may already carry the honorific ("Chị Lan",
 * "cô Hạnh"), and the bot's sentences put "chị" before the name, so the honorific is taken off
 * the name once ("em chào chị Lan", never "chị Chị Lan"). Pure.
 */

const HONORIFIC = /^(?:chị|cô|bà|c\.)\s+(?=\S)/iu;

/** The name without a leading honorific: "Chị Lan" → "Lan"; "Nguyễn Thị Lan" unchanged. */
export function bareName(name: string): string {
  const trimmed = name.trim();
  const bare = trimmed.replace(HONORIFIC, "").trim();
  return bare || trimmed;
}
