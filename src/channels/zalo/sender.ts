/**
 * ZaloSender: OutboundMessage → api.sendMessage. Groups get ThreadType.Group and private chats
 * ThreadType.User, from the message's chatType, the chats seen recently or `resolveChatType` (the
 * store); a chat whose type is not known is set aside, never guessed. askPerson becomes a mention of
 * her at the start; replyToMessageId becomes a quote when the original is still in the session's
 * recent-message memory (else the text goes without quote); long texts go in order as several
 * messages (ZALO_TEXT_LIMIT); a file goes last as an attachment from its buffer with
 * { totalSize, width, height }. If a later part fails after earlier ones went out, the parts already
 * sent are remembered so the outbox's retry does not repeat them.
 *
 * Outcomes for the outbox worker (classified in send-policy.ts): every call is bounded
 * (timeouts.ts) well below the outbox lease; a reply without a message id is not a success.
 */
import { createHash } from "node:crypto";
import type { Language } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { PermanentSendError, type ChannelSender, type OutboundMessage, type SendResult } from "../types.js";
import { realClock, type Clock } from "./clock.js";
import { Lru } from "./lru.js";
import { ZALO_TEXT_LIMIT, composeText, fileNameWithExtension, imageSize, splitText } from "./outbound.js";
import { SendPolicy, type SendPolicyOptions } from "./send-policy.js";
import type { ZaloSenderSession } from "./session.js";
import { withTimeout, ZALO_TIMEOUTS, ZaloTimeoutError } from "./timeouts.js";
import { ThreadType, type ApiLike, type MessageContent, type SendMessageResponse } from "./zca.js";

/** Options of ZaloSender. */
export interface ZaloSenderOptions {
  session: ZaloSenderSession;
  log?: Logger;
  language?: Language;
  /** Default ZALO_TEXT_LIMIT (2000). */
  maxTextLength?: number;
  /**
   * group/private for a chat not seen since start (OutboundMessage.chatType wins, then chats seen
   * recently, then this); a chat still unknown is set aside.
   */
  resolveChatType?: (chatId: string) => Promise<"group" | "private" | undefined> | "group" | "private" | undefined;
  /** Pause between the parts of one message (default 800 ms), against Zalo's burst anti-spam. */
  partDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Timers for the time limits (default the real clock). */
  clock?: Clock;
  /** One text part's sendMessage (default ZALO_TIMEOUTS.sendMs). */
  sendTimeoutMs?: number;
  /** One file part's upload and send (default ZALO_TIMEOUTS.fileMs). */
  fileTimeoutMs?: number;
  /** Waiting for the listener to be connected (default ZALO_TIMEOUTS.readyMs). */
  readyTimeoutMs?: number;
  /** Admin alerts (rate limit, a chat that cannot receive); Vietnamese text by default. */
  onAlert?: (text: string) => void | Promise<void>;
  /** How Zalo's error codes turn into outcomes (pauses, caps). */
  policy?: Omit<SendPolicyOptions, "clock" | "log" | "language" | "onAlert">;
}

type Part = MessageContent;

function responseId(res: SendMessageResponse | undefined): string | undefined {
  const id = res?.message?.msgId ?? res?.attachment?.[0]?.msgId;
  return id === undefined || id === null || String(id) === "" || String(id) === "0" ? undefined : String(id);
}

/** The Zalo channel's sender for the outbox. */
export class ZaloSender implements ChannelSender {
  readonly channel = "zalo" as const;
  private readonly limit: number;
  private readonly partDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;
  private readonly sendTimeoutMs: number;
  private readonly fileTimeoutMs: number;
  private readonly readyTimeoutMs: number;
  /** Parts already sent of messages whose later parts failed (key: fingerprint of the message). */
  private readonly partial = new Lru<string, { done: number; lastId?: string }>(500);
  /** Error codes → outcomes, pauses and caps. */
  readonly policy: SendPolicy;
  /** Non-image uploads one at a time, so that a timed-out one's pending callbacks are known. */
  private uploads: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ZaloSenderOptions) {
    this.limit = opts.maxTextLength ?? ZALO_TEXT_LIMIT;
    this.partDelayMs = opts.partDelayMs ?? 800;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.clock = opts.clock ?? realClock;
    this.sendTimeoutMs = opts.sendTimeoutMs ?? ZALO_TIMEOUTS.sendMs;
    this.fileTimeoutMs = opts.fileTimeoutMs ?? ZALO_TIMEOUTS.fileMs;
    this.readyTimeoutMs = opts.readyTimeoutMs ?? ZALO_TIMEOUTS.readyMs;
    this.policy = new SendPolicy({ ...opts.policy, clock: this.clock, log: opts.log, language: opts.language, onAlert: opts.onAlert });
  }

  async send(out: OutboundMessage): Promise<SendResult> {
    if (out.channel !== "zalo") throw new PermanentSendError(`ZaloSender cannot send to channel ${out.channel}`);
    this.policy.before(out.chatId);
    const chatType =
      out.chatType ?? this.opts.session.knownChatType(out.chatId) ?? (await this.opts.resolveChatType?.(out.chatId));
    if (!chatType) throw new PermanentSendError(`Zalo chat ${out.chatId}: group or private chat is not known (never seen, not linked); not sent`);
    const api = this.opts.session.api() ?? (await this.opts.session.ready?.(this.readyTimeoutMs));
    if (!api) throw this.policy.notConnected();
    const isGroup = chatType === "group";
    const type = isGroup ? ThreadType.Group : ThreadType.User;

    const parts: Part[] = [];
    if (out.text.trim().length) {
      const composed = composeText(out.text, { isGroup, askPerson: out.askPerson, mentions: out.mentions, language: this.opts.language });
      for (const chunk of splitText(composed.msg, composed.mentions, this.limit)) {
        parts.push(chunk.mentions.length ? { msg: chunk.msg, mentions: chunk.mentions } : { msg: chunk.msg });
      }
    }
    if (out.replyToMessageId && parts[0]) {
      const quote = this.opts.session.recentMessage(out.replyToMessageId);
      if (quote) parts[0].quote = quote;
      else this.opts.log?.debug({ messageId: out.replyToMessageId }, "Zalo: quoted message not in memory; sending without quote");
    }
    if (out.file) {
      const data = Buffer.from(out.file.data.buffer, out.file.data.byteOffset, out.file.data.byteLength);
      const size = out.file.mime.startsWith("image/") ? imageSize(data) : undefined;
      parts.push({
        msg: "",
        attachments: [
          { data, filename: fileNameWithExtension(out.file.name, out.file.mime), metadata: { totalSize: data.byteLength, ...size } },
        ],
      });
    }
    if (parts.length === 0) throw new PermanentSendError("empty Zalo message (no text, no file)");

    const key = this.fingerprint(out);
    const progress = this.partial.get(key) ?? { done: 0 };
    for (let i = progress.done; i < parts.length; i++) {
      if (i > progress.done && this.partDelayMs > 0) await this.sleep(this.partDelayMs);
      let id: string | undefined;
      try {
        id = responseId(await this.sendPart(api, parts[i]!, out.chatId, type));
        if (id === undefined) throw this.policy.noMessageId(key, out.chatId);
      } catch (err) {
        if (progress.done > 0) this.partial.set(key, progress);
        const mapped = this.policy.classify(err, out.chatId);
        if (mapped.expired) this.opts.session.sessionExpired?.(mapped.error.message);
        this.opts.log?.warn(
          { chatId: out.chatId, part: i + 1, parts: parts.length, err: mapped.error.message, kind: mapped.error.name },
          "Zalo send failed",
        );
        throw mapped.error;
      }
      progress.done = i + 1;
      progress.lastId = id;
    }
    this.partial.delete(key);
    this.policy.succeeded(key, out.chatId);
    // The last part's id: a question is at the end of a long text, and replies quote that part.
    return { messageId: progress.lastId! };
  }

  /** One sendMessage, bounded; a non-image upload that times out has its pending upload-done callbacks removed. */
  private sendPart(api: ApiLike, part: Part, chatId: string, type: ThreadType): Promise<SendMessageResponse> {
    const hasFile = part.attachments !== undefined && ([] as unknown[]).concat(part.attachments).length > 0;
    if (!hasFile) return withTimeout(api.sendMessage(part, chatId, type), this.sendTimeoutMs, "send", this.clock);
    // The limit covers waiting for an earlier upload too, so a queue of files never outlasts it.
    const deadline = this.clock.now() + this.fileTimeoutMs;
    const run = async (): Promise<SendMessageResponse> => {
      const left = deadline - this.clock.now();
      if (left <= 0) throw new ZaloTimeoutError("file upload (waiting for an earlier upload)", this.fileTimeoutMs);
      const callbacks = api.getContext().uploadCallbacks;
      const before = new Set(callbacks?.keys() ?? []);
      return withTimeout(api.sendMessage(part, chatId, type), left, "file upload", this.clock, () => {
        // zca-js would otherwise send the file when a late upload-done event arrives, and the retry would send it again.
        for (const k of [...(callbacks?.keys() ?? [])]) if (!before.has(k)) callbacks!.delete(k);
      });
    };
    const next = this.uploads.then(run, run);
    this.uploads = next.catch(() => undefined);
    return next;
  }

  private fingerprint(out: OutboundMessage): string {
    const h = createHash("sha1");
    h.update(JSON.stringify([out.chatId, out.text, out.replyToMessageId, out.askPerson?.id, out.mentions?.map((m) => m.id), out.file?.name, out.file?.data.byteLength]));
    return h.digest("hex");
  }
}
