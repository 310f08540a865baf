/**
 * Pacing per channel. Telegram's published limits (bot FAQ): about 1 message/s per chat,
 * 20 messages/minute per group, about 30 messages/s overall. Zalo publishes none but rejects
 * bursts and identical messages as spam, so its defaults are cautious.
 */
import type { ChannelName } from "../channels/types.js";
import type { Rate } from "./rate-limit.js";

/** What to do when a Zalo chat would get the same text twice in a row within the window. */
export type IdenticalTextPolicy =
  /** Append invisible characters (U+200B) so the text differs; readers see the same text. */
  | "vary"
  /** Do not send it (status "skipped"); readers already have it. */
  | "skip"
  /** Skip scheduled broadcasts (messages with a dedupeKey), vary the rest (conversation replies). */
  | "skip-scheduled";

export interface ChannelLimits {
  /** Per chat. Kept across instances too: a chat's next message waits perMs/count after the last send. */
  perChat: Rate;
  /** Per group chat (in addition to perChat), e.g. Telegram's 20 per minute; null = none. */
  perGroup: Rate | null;
  /** Overall for the channel, per worker instance (with N instances give each 1/N). */
  global: Rate;
  /** Spread global sends evenly (perMs/count apart) rather than in bursts. */
  smoothGlobal: boolean;
  /** Which chat ids are groups (Telegram: negative ids). */
  isGroup: (chatId: string) => boolean;
  /** Same text to the same chat twice in a row within this window is avoided; 0 = off. */
  identicalTextWindowMs: number;
  identicalTextPolicy: IdenticalTextPolicy;
  /**
   * 429 answers from this many different chats within one second are taken for a channel-wide
   * limit (Telegram's 429 does not say which limit was hit): the whole channel pauses for the
   * retry_after. A RetryAfterError carrying `scope: "global"` pauses the channel at once.
   */
  globalPauseAfterChats: number;
}

export const DEFAULT_LIMITS: Record<ChannelName, ChannelLimits> = {
  telegram: {
    perChat: { count: 1, perMs: 1000 },
    perGroup: { count: 20, perMs: 60_000 },
    global: { count: 30, perMs: 1000 },
    smoothGlobal: true,
    isGroup: (chatId) => chatId.startsWith("-"),
    identicalTextWindowMs: 0,
    identicalTextPolicy: "skip-scheduled",
    globalPauseAfterChats: 3,
  },
  zalo: {
    perChat: { count: 1, perMs: 3000 },
    perGroup: { count: 10, perMs: 60_000 },
    global: { count: 2, perMs: 1000 },
    smoothGlobal: true,
    // The bot works in group chats; count every Zalo chat as a group (the cautious choice).
    isGroup: () => true,
    identicalTextWindowMs: 10 * 60_000,
    identicalTextPolicy: "skip-scheduled",
    globalPauseAfterChats: 2,
  },
  local: {
    perChat: { count: 1, perMs: 0 },
    perGroup: null,
    global: { count: 1, perMs: 0 },
    smoothGlobal: false,
    isGroup: () => false,
    identicalTextWindowMs: 0,
    identicalTextPolicy: "vary",
    globalPauseAfterChats: 1_000_000,
  },
};

export type LimitsConfig = Partial<Record<ChannelName, Partial<ChannelLimits>>>;

export function resolveLimits(channel: ChannelName, overrides?: LimitsConfig): ChannelLimits {
  return { ...DEFAULT_LIMITS[channel], ...(overrides?.[channel] ?? {}) };
}
