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
 */
import { Zalo, type Credentials, type LoginQRCallback, type Message, type MessageContent, type SendMessageResponse, type ThreadType } from "zca-js";

export type { Credentials, LoginQRCallback, LoginQRCallbackEvent, Message, MessageContent, SendMessageQuote, SendMessageResponse, Mention, TMessage, TGroupMessage } from "zca-js";
export { ThreadType, CloseReason, LoginQRCallbackEventType, ZaloApiError } from "zca-js";

export interface ListenerLike {
  on(event: "connected", fn: () => void): unknown;
  on(event: "closed", fn: (code: number, reason: string) => void): unknown;
  on(event: "error", fn: (error: unknown) => void): unknown;
  on(event: "message", fn: (message: Message) => void): unknown;
  off(event: "connected", fn: () => void): unknown;
  off(event: "closed", fn: (code: number, reason: string) => void): unknown;
  off(event: "error", fn: (error: unknown) => void): unknown;
  off(event: "message", fn: (message: Message) => void): unknown;
  start(opts?: { retryOnClose?: boolean }): void;
  stop(): void;
}

export interface ZaloContextLike {
  imei: string;
  userAgent: string;
  language: string;
  /** tough-cookie CookieJar: toJSON() → { cookies: SerializedCookie[] }. */
  cookie: { toJSON(): unknown };
}

export interface ApiLike {
  listener: ListenerLike;
  getOwnId(): string;
  getContext(): ZaloContextLike;
  sendMessage(message: MessageContent | string, threadId: string, type?: ThreadType): Promise<SendMessageResponse>;
}

export interface QrLoginOptions {
  userAgent?: string;
  language?: string;
  qrPath?: string;
}

export interface ZaloLike {
  login(credentials: Credentials): Promise<ApiLike>;
  loginQR(options?: QrLoginOptions, callback?: LoginQRCallback): Promise<ApiLike>;
}

export interface ZaloOptions {
  /** Always false: true makes zca-js query the npm registry at every login. */
  checkUpdate: false;
  /** false: the listener drops our own messages (they still carry isSelf, checked again). */
  selfListen: boolean;
  /** zca-js's own console logging; we log through pino instead. */
  logging: boolean;
}

export type CreateZalo = (opts: ZaloOptions) => ZaloLike;

export const ZALO_OPTIONS: ZaloOptions = { checkUpdate: false, selfListen: false, logging: false };

/** The real client. */
export const createRealZalo: CreateZalo = (opts) => new Zalo({ ...opts, checkUpdate: false });
