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
  /** For `kind: "tap"`: the data of the tapped button and the id of the channel's tap (Telegram callback query). */
  tap?: { data: string; id: string };
  /** True when the message mentions the bot (@botname, or a Zalo mention of the bot account). */
  mentionsBot?: boolean;
  /** The channel's delivery id (Telegram update_id), for de-duplication. */
  updateId?: string;
  receivedAt: Date;
  /**
   * What arrived: a new text message (the default when absent), an edit of an earlier message
   * (`text` is the edited text; the app does not take it as input), or a message without text the
   * app cannot read (a photo, a sticker…; `text` is its caption or ""), or a tap on a button of a
   * bot message (`tap` says which; `messageId` is the bot message that carries the buttons; `text`
   * is "").
   */
  kind?: InboundKind;
  /** For `kind: "media"`: what was sent. */
  media?: MediaKind;
  /**
   * For `kind: "media"`, when it is a photo (or an image sent as a file): the channel's reference
   * to it, which a photo question takes as its answer (conversation/engine.ts handlePhoto).
   */
  photo?: InboundPhoto;
  /**
   * True when the message was sent in the name of a chat, not of a person (Telegram
   * `sender_chat`: an anonymous group admin, a channel). `sender` is then the chat: it can
   * register for nothing and act with no role.
   */
  senderIsChat?: boolean;
}

/** A photo as a channel delivers it (see {@link InboundMessage.photo}). */
export interface InboundPhoto {
  /** Telegram file_id; for Zalo the attachment's URL. */
  fileId: string;
  /** The same file in every delivery: Telegram file_unique_id; for Zalo the message id. */
  uniqueId: string;
  size?: number;
  mime?: string;
  /** The album it came in (Telegram media_group_id), when any. */
  group?: string;
}

/** See {@link InboundMessage.kind}. */
export type InboundKind = "text" | "edited" | "media" | "tap";

/** The kinds of non-text messages the app names in its note (anything else is "other"). */
export const MEDIA_KINDS = ["photo", "sticker", "voice", "audio", "video", "video_note", "animation", "document", "location", "contact", "other"] as const;
/** See {@link MEDIA_KINDS}. */
export type MediaKind = (typeof MEDIA_KINDS)[number];

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
  /**
   * The answers she may tap instead of typing (OutboundChoices). Telegram shows them as an
   * inline keyboard under the message (on the last part of a long one); Zalo and the terminal
   * ignore them (the text numbers the choices and says what to type).
   */
  choices?: OutboundChoices;
}

/** Buttons under a message: rows of labels, each with the data the channel hands back when tapped. */
export interface OutboundChoices {
  rows: OutboundChoice[][];
  /**
   * Typing is the main way to answer (only "Bỏ qua" under a number question): where a message can
   * either ask for a typed reply or show buttons (Telegram groups: force_reply or an inline
   * keyboard), it asks for the typed reply.
   */
  extra?: boolean;
}

/** One button: its label and its data (at most 64 bytes of UTF-8; the app checks it when tapped). */
export interface OutboundChoice {
  label: string;
  data: string;
}

/**
 * What the app says back about an inbound tap, for the channel to finish it: a short notice shown
 * to the person who tapped (Telegram answerCallbackQuery text), and what becomes of the buttons of
 * the tapped message — `null`: removed (answered, or old), a value: replaced (a tick), absent:
 * left as they are (someone else's question).
 */
export interface TapOutcome {
  notice?: string;
  choices?: OutboundChoices | null;
}

export interface OutboundFile {
  name: string;
  data: Uint8Array;
  mime: string;
}

export interface SendResult {
  messageId: string;
}

/**
 * Errors a channel's send() throws, so the outbox knows what to do:
 * - RetryAfterError(s)                          → this chat waits s seconds (429 for one chat);
 * - RetryAfterError(s, message, "global")       → the whole channel waits s seconds (on every
 *   instance sharing the store);
 * - TransientSendError                          → this chat is retried later with backoff
 *   (network, 5xx, timeouts), set aside after the worker's maxAttempts;
 * - PermanentSendError                          → set aside now (an admin may retry it).
 * Any other error counts as transient.
 */
export class RetryAfterError extends Error {
  override name = "RetryAfterError";
  constructor(
    readonly retryAfterSeconds: number,
    message = `rate limited, retry after ${retryAfterSeconds}s`,
    /** "chat": only this chat waits; "global": the whole channel waits. */
    readonly scope: "chat" | "global" = "chat",
  ) {
    super(message);
  }
}
/** A failure worth retrying later (network, 5xx, timeout). */
export class TransientSendError extends Error {
  override name = "TransientSendError";
}
/** A failure retrying cannot fix (blocked, kicked, bad request): the message is set aside. */
export class PermanentSendError extends Error {
  override name = "PermanentSendError";
}

/** What the outbox hands a sender with each message. */
export interface SendOptions {
  /**
   * Aborted when the send's time is up (the outbox's per-send timeout) or its claim was lost. A
   * sender passes it to its network calls; the outbox stops waiting at that moment anyway and
   * counts the send as failed (TransientSendError), so a sender that ignores it only risks that
   * the message is delivered late and then once more by the retry.
   */
  signal?: AbortSignal;
}

/** Delivers one queued message (one part of a long text) on one channel. */
export interface ChannelSender {
  readonly channel: ChannelName;
  send(msg: OutboundMessage, opts?: SendOptions): Promise<SendResult>;
}

/** What came of asking a channel to delete a message. */
export type DeleteOutcome = "deleted" | "not_possible";

/**
 * Deleting a message someone sent in a chat (an invite code typed in a group). Telegram: the Bot
 * API's deleteMessage, which needs the bot to be an admin with the right to delete messages in
 * groups. Channels that cannot delete (Zalo, local) have no deleter: "not_possible".
 */
export interface MessageDeleter {
  readonly channel: ChannelName;
  /** "deleted", or "not_possible" (no right, message too old, already gone, channel failure). Never throws. */
  deleteMessage(chatId: string, messageId: string): Promise<DeleteOutcome>;
}

/**
 * What a channel calls for every inbound message (the app core implements it). For a tap it
 * resolves the TapOutcome (absent: nothing to say, leave the buttons).
 */
export type InboundHandler = (msg: InboundMessage) => Promise<TapOutcome | void>;
