/**
 * A stand-in for the zca-js 2.2.0 surface the Zalo channel uses: same method names, argument shapes,
 * callback events and listener events (read from node_modules/zca-js/dist: zalo.js, apis/loginQR.js,
 * apis/listen.js, apis/sendMessage.js). Message objects are built with zca-js's own GroupMessage and
 * UserMessage classes, and errors are zca-js's own ZaloApiError classes.
 */
import { EventEmitter } from "node:events";
import {
  CloseReason,
  GroupMessage,
  LoginQRCallbackEventType,
  ThreadType,
  UserMessage,
  ZaloApiError,
  ZaloApiLoginQRAborted,
  type Credentials,
  type LoginQRCallback,
  type MessageContent,
  type SendMessageResponse,
  type TGroupMessage,
  type TMessage,
} from "zca-js";
import type { ApiLike, QrLoginOptions, ZaloLike, ZaloOptions } from "../../src/channels/zalo/zca.js";

export const tick = () => new Promise<void>((r) => setImmediate(r));
export async function flush(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}

/**
 * Like zca-js's Listener: start() throws while a socket exists; stop() closes with 1000 later; after
 * 'connected' the server sends the cipher key ('cipher_key'), after which requestOldMessages works.
 * Messages sent to the account while the socket is down are not delivered (`deliver` keeps them
 * aside); requestOldMessages answers with the recent messages of that kind, missed ones included,
 * as one 'old_messages' event — like the real server, which returns the latest batch.
 */
export class FakeListener extends EventEmitter {
  running = false;
  /** Open and keyed: messages arrive. */
  open = false;
  starts: { retryOnClose: boolean }[] = [];
  stops = 0;
  /** Emit 'connected' after start (as the WebSocket's onopen would). */
  autoConnect = true;
  /** The next this-many connections are closed by the server (1006) right after opening. */
  closeRightAfterOpen = 0;
  /** Recent messages the server holds (what requestOldMessages answers with). */
  history: (UserMessage | GroupMessage)[] = [];
  /** Messages that arrived while the socket was down (never delivered live). */
  missed: (UserMessage | GroupMessage)[] = [];
  oldRequests: { type: ThreadType; lastMsgId: string | null }[] = [];

  start({ retryOnClose = false }: { retryOnClose?: boolean } = {}): void {
    if (this.running) throw new ZaloApiError("Already started");
    this.running = true;
    this.starts.push({ retryOnClose });
    if (this.autoConnect) setImmediate(() => this.running && this.connect());
  }

  /** The socket opens: 'connected', then the server's cipher key (or an immediate close, in a storm). */
  connect(): void {
    this.emit("connected");
    if (this.closeRightAfterOpen > 0) {
      this.closeRightAfterOpen--;
      this.drop(CloseReason.AbnormalClosure);
      return;
    }
    this.open = true;
    this.emit("cipher_key", "fake-cipher-key");
  }

  /** Someone writes to the account: delivered live when the socket is open, else missed. */
  deliver(message: UserMessage | GroupMessage): void {
    this.history.push(message);
    if (this.open) this.emit("message", message);
    else this.missed.push(message);
  }

  requestOldMessages(type: ThreadType, lastMsgId: string | null = null): void {
    // zca-js sends nothing when there is no socket; without the cipher key the answer cannot be read.
    if (!this.open) return;
    this.oldRequests.push({ type, lastMsgId });
    const batch = this.history.filter((m) => m.type === type).slice(-50);
    this.missed = this.missed.filter((m) => m.type !== type);
    setImmediate(() => this.emit("old_messages", batch, type));
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.open = false;
    this.stops++;
    setImmediate(() => {
      this.emit("disconnected", CloseReason.ManualClosure, "");
      this.emit("closed", CloseReason.ManualClosure, "");
    });
  }

  /** The server (or network) closes the socket. */
  drop(code: number, reason = ""): void {
    this.running = false;
    this.open = false;
    this.emit("disconnected", code, reason);
    this.emit("closed", code, reason);
  }
}

export interface SentCall {
  message: MessageContent;
  threadId: string;
  type: ThreadType;
}

let nextMsgId = 7_000_000_000_000;

const IMAGE_EXT = new Set(["jpg", "jpeg", "png", "webp"]);

export class FakeApi implements ApiLike {
  listener = new FakeListener();
  sent: SentCall[] = [];
  /** Errors thrown by the next sendMessage calls, in order (undefined = succeed). */
  failures: (unknown | undefined)[] = [];
  /** The next sendMessage calls answer without any message id (known upstream), in order. */
  noIdReplies: boolean[] = [];
  /**
   * Non-image uploads: true = the upload-done event ('file_done' on the socket) comes at once;
   * false = it never comes by itself (call finishUploads() for a late one).
   */
  uploadDoneEvent = true;
  /** zca-js's ctx.uploadCallbacks: fileId → callback waiting for the upload-done event. */
  uploadCallbacks = new Map<string, (data: { fileUrl: string; fileId: string }) => void>();
  uploadsStarted = 0;
  /** The next this-many sendMessage calls never answer (a request without a timeout). */
  hangNext = 0;
  hung = 0;
  cookies: Record<string, unknown>[];

  constructor(
    readonly uid: string,
    readonly ctx: { imei: string; userAgent: string; language: string; cookies: Record<string, unknown>[] },
  ) {
    this.cookies = ctx.cookies;
  }

  getOwnId(): string {
    return this.uid;
  }

  getContext() {
    const cookies = this.cookies;
    return {
      imei: this.ctx.imei,
      userAgent: this.ctx.userAgent,
      language: this.ctx.language,
      uid: this.uid,
      uploadCallbacks: this.uploadCallbacks as Map<string, unknown>,
      cookie: { toJSON: () => ({ version: "tough-cookie@5.1.2", storeType: "MemoryCookieStore", cookies }) },
    };
  }

  async sendMessage(message: MessageContent | string, threadId: string, type: ThreadType = ThreadType.User): Promise<SendMessageResponse> {
    // The same checks zca-js makes before any request.
    if (!message) throw new ZaloApiError("Missing message content");
    if (!threadId) throw new ZaloApiError("Missing threadId");
    const content: MessageContent = typeof message === "string" ? { msg: message } : message;
    const attachments = content.attachments ? ([] as unknown[]).concat(content.attachments) : [];
    if (!content.msg && attachments.length === 0) throw new ZaloApiError("Missing message content");
    const total = (content.mentions ?? []).reduce((a, m) => a + m.len, 0);
    if (type === ThreadType.Group && total > content.msg.length)
      throw new ZaloApiError("Invalid mentions: total mention characters exceed message length");
    if (this.hangNext > 0) {
      this.hangNext--;
      this.hung++;
      return new Promise<SendMessageResponse>(() => undefined);
    }
    const failure = this.failures.shift();
    if (failure) {
      this.sent.push({ message: content, threadId, type });
      throw failure;
    }
    for (const a of attachments as { filename: string }[]) {
      const ext = a.filename.split(".").pop()!.toLowerCase();
      if (IMAGE_EXT.has(ext)) continue;
      // Like uploadAttachment: the chunk upload answers with a fileId, then it waits for the socket.
      this.uploadsStarted++;
      const fileId = String(nextMsgId++);
      await new Promise<void>((resolve) => {
        this.uploadCallbacks.set(fileId, () => resolve());
        if (this.uploadDoneEvent) setImmediate(() => this.finishUploads());
      });
    }
    this.sent.push({ message: content, threadId, type });
    if (this.noIdReplies.shift()) return { message: null, attachment: [] };
    if (attachments.length) return { message: null, attachment: attachments.map(() => ({ msgId: nextMsgId++ })) };
    return { message: { msgId: nextMsgId++ }, attachment: [] };
  }

  /** The socket's 'file_done' events for every pending upload (as the listener does: callback, then delete). */
  finishUploads(): void {
    for (const [fileId, cb] of [...this.uploadCallbacks]) {
      this.uploadCallbacks.delete(fileId);
      cb({ fileUrl: `https://f.zalo.example/${fileId}`, fileId });
    }
  }

  // ── builders for incoming messages (zca-js's own classes) ──
  groupMessage(groupId: string, data: Partial<TGroupMessage> & { uidFrom: string; content: TGroupMessage["content"] }): GroupMessage {
    return new GroupMessage(this.uid, { ...baseMessage(), idTo: groupId, ...data } as TGroupMessage);
  }

  userMessage(data: Partial<TMessage> & { uidFrom: string; content: TMessage["content"] }): UserMessage {
    return new UserMessage(this.uid, { ...baseMessage(), idTo: "0", ...data } as TMessage);
  }
}

function baseMessage(): Omit<TMessage, "uidFrom" | "content" | "idTo"> {
  const id = nextMsgId++;
  return {
    actionId: String(id + 1),
    msgId: String(id),
    cliMsgId: String(id + 2),
    msgType: "webchat",
    dName: "Chị Lan",
    ts: String(Date.UTC(2025, 4, 10, 2, 0, 0)),
    status: 1,
    notify: "1",
    ttl: 0,
    userId: "0",
    uin: "0",
    topOut: "0",
    topOutTimeOut: "0",
    topOutImprTimeOut: "0",
    propertyExt: undefined,
    paramsExt: { countUnread: 1, containType: 0, platformType: 1 },
    cmd: 521,
    st: 3,
    at: 5,
    realMsgId: "0",
    quote: undefined,
  };
}

export type QrStep = "expire" | "scan" | "confirm" | "decline";

const DEFAULT_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/** Like zca-js's Zalo: login(credentials) and loginQR(options, callback) with its event sequence. */
export class FakeZalo implements ZaloLike {
  static created: FakeZalo[] = [];
  logins: Credentials[] = [];
  qrRuns = 0;
  qrOptions: (QrLoginOptions | undefined)[] = [];
  apis: FakeApi[] = [];
  /** Steps the QR flow follows, consumed across retries. */
  qrScript: QrStep[] = ["scan", "confirm"];
  /** base64 PNG (no data: prefix), as zca-js hands it over. */
  qrImage = "";
  /** Called after each QRCodeGenerated, before the flow goes on (tests inspect files here). */
  afterQrShown?: () => void | Promise<void>;
  /** Decides each login(credentials): an Error is thrown, else the api is returned. */
  onLogin: (creds: Credentials, n: number) => Error | undefined = () => undefined;
  uid = "100200300";
  cookieSerial = 1;

  constructor(readonly options: ZaloOptions) {
    FakeZalo.created.push(this);
  }

  async login(credentials: Credentials): Promise<FakeApi> {
    await tick();
    this.logins.push(JSON.parse(JSON.stringify(credentials)) as Credentials);
    const failure = this.onLogin(credentials, this.logins.length);
    if (failure) throw failure;
    return this.makeApi(credentials);
  }

  private makeApi(credentials: Credentials): FakeApi {
    // Zalo refreshes cookies on use: the jar after login differs from what was given.
    const api = new FakeApi(this.uid, {
      imei: credentials.imei,
      userAgent: credentials.userAgent,
      language: credentials.language ?? "vi",
      cookies: [{ key: "zpw_sek", value: `sek-${this.cookieSerial++}`, domain: "chat.zalo.me", path: "/" }],
    });
    this.apis.push(api);
    return api;
  }

  async loginQR(options?: QrLoginOptions, callback?: LoginQRCallback): Promise<FakeApi> {
    this.qrRuns++;
    this.qrOptions.push(options);
    const userAgent = options?.userAgent ?? DEFAULT_UA;
    const cookies = await this.qrRound(callback);
    const imei = `imei-${this.qrRuns}-fake`;
    callback?.({ type: LoginQRCallbackEventType.GotLoginInfo, data: { cookie: cookies as never, imei, userAgent }, actions: null });
    await tick();
    // zca-js then logs in with those cookies (loginCookie), not recorded as a saved-credentials login.
    return this.makeApi({ imei, cookie: cookies as never, userAgent, language: options?.language ?? "vi" });
  }

  private qrRound(callback?: LoginQRCallback): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      const retry = () => resolve(this.qrRound(callback));
      const abort = () => reject(new ZaloApiLoginQRAborted());
      void (async () => {
        await tick();
        callback?.({
          type: LoginQRCallbackEventType.QRCodeGenerated,
          data: { code: "qr-code-token", image: this.qrImage, options: { enabledCheckOCR: false, enabledMultiLayer: false }, token: "tok" },
          actions: { saveToFile: async () => undefined, retry, abort },
        });
        await tick();
        await this.afterQrShown?.();
        const step = this.qrScript.shift();
        if (step === "expire") {
          callback?.({ type: LoginQRCallbackEventType.QRCodeExpired, data: null, actions: { retry, abort } });
          return;
        }
        if (step !== "scan") return; // nobody scans: hangs, like the real one
        callback?.({ type: LoginQRCallbackEventType.QRCodeScanned, data: { avatar: "", display_name: "Bot Vun Đắp" }, actions: { retry, abort } });
        await tick();
        const next = this.qrScript.shift();
        if (next === "decline") {
          callback?.({ type: LoginQRCallbackEventType.QRCodeDeclined, data: { code: "qr-code-token" }, actions: { retry, abort } });
          return;
        }
        resolve([{ key: "zpw_sek", value: "from-qr", domain: "chat.zalo.me", path: "/" }]);
      })();
    });
  }
}

export function fakeFactory(setup?: (z: FakeZalo) => void): { create: (o: ZaloOptions) => FakeZalo; last: () => FakeZalo } {
  let last: FakeZalo | undefined;
  return {
    create: (o) => {
      last = new FakeZalo(o);
      setup?.(last);
      return last;
    },
    last: () => {
      if (!last) throw new Error("no FakeZalo created");
      return last;
    },
  };
}
