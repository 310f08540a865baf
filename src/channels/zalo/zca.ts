/**
 * The part of zca-js 2.2.0 this channel uses, as structural types, so that tests can inject a
 * stand-in with the same method names, argument shapes and events (see test/zalo/fake-zca.ts).
 *
 * Relied on (read from node_modules/zca-js/dist, version pinned exactly in package.json):
 * - `new Zalo({ checkUpdate, selfListen, logging })`; `zalo.login({ imei, cookie, userAgent, language })`
 *   and `zalo.loginQR({ userAgent?, language?, qrPath? }, callback)` both resolve to an `API`.
 * - loginQR callback events (`LoginQRCallbackEventType`): QRCodeGenerated { code, image: base64 PNG
 *   without the data: prefix, token, options } with actions { saveToFile, retry, abort }; QRCodeExpired
 *   (after ~100 s; retry/abort); QRCodeScanned { avatar, display_name }; QRCodeDeclined { code }
 *   (the login hangs until retry() or abort() is called); GotLoginInfo { cookie, imei, userAgent }.
 * - `api.listener`: EventEmitter with `connected`, `closed(code, reason)`, `disconnected`, `error`,
 *   `message(UserMessage | GroupMessage)`; `start({ retryOnClose })` throws "Already started" while a
 *   socket exists; `stop()` closes with 1000. Close codes: 1000 manual, 1006 abnormal, 3000 another
 *   web session opened, 3003 kicked from the login session.
 * - `api.getOwnId()`, `api.getContext()` → { imei, cookie: tough-cookie CookieJar, userAgent, language }.
 * - `api.sendMessage({ msg, mentions: [{ pos, uid, len }], quote, attachments }, threadId, ThreadType)`
 *   → { message: { msgId } | null, attachment: { msgId }[] }; throws ZaloApiError(message, code).
 *   The reply can lack any msgId without an error (reported upstream).
 * - Every HTTP request goes through `ctx.options.polyfill` (a fetch; default global fetch) with no
 *   timeout of its own: `new Zalo({ polyfill })` is where a timeout goes (see timeouts.ts).
 * - A non-image attachment (uploadAttachment "others"/"video") registers a callback in
 *   `ctx.uploadCallbacks` (a Map keyed by fileId) and waits, with no timeout, for the listener's
 *   `file_done` control on the socket; a callback removed from that map is never called.
 * - `listener.requestOldMessages(ThreadType, lastMsgId?)` asks over the socket for recent messages
 *   (it needs the socket's cipher key, sent by the server just after open: event `cipher_key`);
 *   the answer comes as `old_messages(messages, ThreadType)`.
 */
import { Zalo, type Credentials, type LoginQRCallback, type Message, type MessageContent, type SendMessageResponse, type ThreadType } from "zca-js";

export type { Credentials, LoginQRCallback, LoginQRCallbackEvent, Message, MessageContent, SendMessageQuote, SendMessageResponse, Mention, TMessage, TGroupMessage } from "zca-js";
export { ThreadType, CloseReason, LoginQRCallbackEventType, ZaloApiError } from "zca-js";
import { fetchWithTimeout } from "./timeouts.js";

/** zca-js's Listener, as far as the session uses it. */
export interface ListenerLike {
  on(event: "connected", fn: () => void): unknown;
  on(event: "cipher_key", fn: (key: string) => void): unknown;
  on(event: "old_messages", fn: (messages: Message[], type: ThreadType) => void): unknown;
  on(event: "closed", fn: (code: number, reason: string) => void): unknown;
  on(event: "error", fn: (error: unknown) => void): unknown;
  on(event: "message", fn: (message: Message) => void): unknown;
  off(event: "connected", fn: () => void): unknown;
  off(event: "cipher_key", fn: (key: string) => void): unknown;
  off(event: "old_messages", fn: (messages: Message[], type: ThreadType) => void): unknown;
  off(event: "closed", fn: (code: number, reason: string) => void): unknown;
  off(event: "error", fn: (error: unknown) => void): unknown;
  off(event: "message", fn: (message: Message) => void): unknown;
  start(opts?: { retryOnClose?: boolean }): void;
  stop(): void;
  /** Asks the server for the recent messages of users (ThreadType.User) or groups; answered by `old_messages`. */
  requestOldMessages(type: ThreadType, lastMsgId?: string | null): void;
}

/** zca-js's context (`api.getContext()`), as far as the channel uses it. */
export interface ZaloContextLike {
  imei: string;
  userAgent: string;
  language: string;
  /** tough-cookie CookieJar: toJSON() → { cookies: SerializedCookie[] }. */
  cookie: { toJSON(): unknown };
  /** Pending non-image uploads waiting for their `file_done` event, by fileId. */
  uploadCallbacks?: Map<string, unknown>;
}

/** zca-js's API object (what a login resolves to), as far as the channel uses it. */
export interface ApiLike {
  listener: ListenerLike;
  getOwnId(): string;
  getContext(): ZaloContextLike;
  sendMessage(message: MessageContent | string, threadId: string, type?: ThreadType): Promise<SendMessageResponse>;
}

/** Options of `zalo.loginQR`. */
export interface QrLoginOptions {
  userAgent?: string;
  language?: string;
  qrPath?: string;
}

/** zca-js's Zalo client: the two ways to log in. */
export interface ZaloLike {
  login(credentials: Credentials): Promise<ApiLike>;
  loginQR(options?: QrLoginOptions, callback?: LoginQRCallback): Promise<ApiLike>;
}

/** Options the zca-js client is made with. */
export interface ZaloOptions {
  /** Always false: true makes zca-js query the npm registry at every login. */
  checkUpdate: false;
  /** false: the listener drops our own messages (they still carry isSelf, checked again). */
  selfListen: boolean;
  /** zca-js's own console logging; we log through pino instead. */
  logging: boolean;
  /** The fetch every zca-js HTTP request goes through (ours adds a timeout). */
  polyfill?: typeof fetch;
}

/** Makes a zca-js client (tests inject a stand-in). */
export type CreateZalo = (opts: ZaloOptions) => ZaloLike;

/** The options the zca-js client is made with. */
export const ZALO_OPTIONS: ZaloOptions = { checkUpdate: false, selfListen: false, logging: false };

/** The real client. */
export const createRealZalo: CreateZalo = (opts) =>
  new Zalo({ ...opts, polyfill: opts.polyfill ?? fetchWithTimeout(), checkUpdate: false });
