/**
 * ZaloSender: OutboundMessage → api.sendMessage. Groups get ThreadType.Group (zca-js defaults to
 * User); askPerson becomes a mention of her at the start; replyToMessageId becomes a quote when the
 * original is still in the session's recent-message memory (else the text goes without quote);
 * long texts go in order as several messages (ZALO_TEXT_LIMIT); a file goes last as an attachment
 * from its buffer with { totalSize, width, height }. If a later part fails after earlier ones went
 * out, the parts already sent are remembered so the outbox's retry does not repeat them.
 */
import { createHash } from "node:crypto";
import type { Language } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { PermanentSendError, TransientSendError, type ChannelSender, type OutboundMessage, type SendResult } from "../types.js";
import { Lru } from "./lru.js";
import { ZALO_TEXT_LIMIT, composeText, fileNameWithExtension, imageSize, mapZaloError, splitText } from "./outbound.js";
import type { ZaloSenderSession } from "./session.js";
import { ThreadType, type MessageContent, type SendMessageResponse } from "./zca.js";

export interface ZaloSenderOptions {
  session: ZaloSenderSession;
  log?: Logger;
  language?: Language;
  /** Default ZALO_TEXT_LIMIT (2000). */
  maxTextLength?: number;
  /**
   * group/private for a chat not seen since start (OutboundMessage.chatType wins, then chats seen
   * recently, then this; the default is "group").
   */
  resolveChatType?: (chatId: string) => Promise<"group" | "private" | undefined> | "group" | "private" | undefined;
  /** Pause between the parts of one message (default 800 ms), against Zalo's burst anti-spam. */
  partDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Part = MessageContent;

function responseId(res: SendMessageResponse | undefined): string | undefined {
  const id = res?.message?.msgId ?? res?.attachment?.[0]?.msgId;
  return id === undefined || id === null ? undefined : String(id);
}

export class ZaloSender implements ChannelSender {
  readonly channel = "zalo" as const;
  private readonly limit: number;
  private readonly partDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Parts already sent of messages whose later parts failed (key: fingerprint of the message). */
  private readonly partial = new Lru<string, { done: number; lastId?: string }>(500);

  constructor(private readonly opts: ZaloSenderOptions) {
    this.limit = opts.maxTextLength ?? ZALO_TEXT_LIMIT;
    this.partDelayMs = opts.partDelayMs ?? 800;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async send(out: OutboundMessage): Promise<SendResult> {
    if (out.channel !== "zalo") throw new PermanentSendError(`ZaloSender cannot send to channel ${out.channel}`);
    const api = this.opts.session.api();
    if (!api) throw new TransientSendError("Zalo is not logged in on this instance");
    const chatType =
      out.chatType ?? this.opts.session.knownChatType(out.chatId) ?? (await this.opts.resolveChatType?.(out.chatId)) ?? "group";
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
      let res: SendMessageResponse;
      try {
        res = await api.sendMessage(parts[i]!, out.chatId, type);
      } catch (err) {
        if (progress.done > 0) this.partial.set(key, progress);
        const mapped = mapZaloError(err);
        this.opts.log?.warn({ chatId: out.chatId, part: i + 1, parts: parts.length, err: mapped.message, kind: mapped.name }, "Zalo send failed");
        throw mapped;
      }
      progress.done = i + 1;
      progress.lastId = responseId(res) ?? progress.lastId;
    }
    this.partial.delete(key);
    // The last part's id: a question is at the end of a long text, and replies quote that part.
    return { messageId: progress.lastId ?? "" };
  }

  private fingerprint(out: OutboundMessage): string {
    const h = createHash("sha1");
    h.update(JSON.stringify([out.chatId, out.text, out.replyToMessageId, out.askPerson?.id, out.mentions?.map((m) => m.id), out.file?.name, out.file?.data.byteLength]));
    return h.digest("hex");
  }
}
