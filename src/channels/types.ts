/**
 * The one inbound and one outbound message shape every channel (Telegram, Zalo, local terminal)
 * converts to and from. The app core and the conversation engine only ever see these.
 */
export type ChannelName = "telegram" | "zalo" | "local";

export interface InboundMessage {
  channel: ChannelName;
  /** The chat (group or private) as the channel names it, as a string. */
  chatId: string;
  chatType: "private" | "group";
  chatTitle?: string;
  sender: { id: string; name: string };
  /** Plain text; for commands the leading "/cmd" (or "cmd" on Zalo) is kept. */
  text: string;
  messageId: string;
  /** The message this one replies to / quotes, when any. */
  replyTo?: { messageId: string; fromBot: boolean };
  /** True when the message mentions the bot (@botname, or a Zalo mention of the bot account). */
  mentionsBot?: boolean;
  /** The channel's delivery id (Telegram update_id), for de-duplication. */
  updateId?: string;
  receivedAt: Date;
}

export interface OutboundMessage {
  channel: ChannelName;
  chatId: string;
  /** Group or private chat, when the sender knows it (Zalo needs it: ThreadType.Group vs User). */
  chatType?: "private" | "group";
  text: string;
  /** Quote / reply to this message. */
  replyToMessageId?: string;
  /**
   * A question put to one person: in groups the channel asks that person only for a reply
   * (Telegram: selective force_reply; Zalo: a mention of her).
   */
  askPerson?: { id: string; name: string };
  /** People to mention in the text (Zalo needs offsets; Telegram uses text mentions). */
  mentions?: { id: string; name: string }[];
  /** A file to send with or instead of text (the text is its caption). */
  file?: OutboundFile;
}

export interface OutboundFile {
  name: string;
  data: Uint8Array;
  mime: string;
}

export interface SendResult {
  messageId: string;
}

/** Errors a channel's send() throws, so the outbox knows what to do. */
export class RetryAfterError extends Error {
  override name = "RetryAfterError";
  constructor(readonly retryAfterSeconds: number, message = `rate limited, retry after ${retryAfterSeconds}s`) {
    super(message);
  }
}
export class TransientSendError extends Error {
  override name = "TransientSendError";
}
export class PermanentSendError extends Error {
  override name = "PermanentSendError";
}

export interface ChannelSender {
  readonly channel: ChannelName;
  send(msg: OutboundMessage): Promise<SendResult>;
}

/** What a channel calls for every inbound message (the app core implements it). */
export type InboundHandler = (msg: InboundMessage) => Promise<void>;
