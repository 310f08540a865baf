/**
 * The bot's Zalo session: login (saved credentials, else QR), cookie re-saving, and supervision of
 * zca-js's listener, which does not reconnect by itself after most closes and crashes the process
 * on an unhandled 'error'.
 *
 * - 1006 and other closes: reconnect with exponential backoff + jitter; after `reloginAfterAttempts`
 *   failed attempts the next ones log in again with the saved credentials; after
 *   `alertAfterAttempts` the admins are alerted once.
 * - 3000 (the account was opened in another Zalo Web session) and 3003 (kicked from the session):
 *   cool down (`duplicateCooldownMs`, 10 min by default) and alert instead of fighting, then log in
 *   again from the credentials file (which `zaloLoginInteractive` may have renewed meanwhile).
 * - Refused login (expired cookie, ZaloApiError at login): a clear log line, `onSessionProblem` with
 *   the command to log in again, and a watch on the credentials file: when it changes (the admin ran
 *   the command), the session logs in again by itself.
 * - Health: state changes, connects, closes and reconnect attempts are logged; `health()` gives
 *   state, reconnect attempts, last connect and last message; a "Zalo health" line every
 *   `healthLogIntervalMs`.
 */
import { currentLanguage } from "../../i18n.js";
import { mkdir, rm, stat } from "node:fs/promises";
import { t, type Language } from "../../i18n.js";
import type { Logger } from "../../log.js";
import type { InboundHandler, InboundMessage } from "../types.js";
import { backoffDelay, realClock, type Clock, type TimerHandle } from "./clock.js";
import {
  credentialsFromApi,
  credentialsPath,
  loadCredentials,
  qrPath,
  saveCredentials,
  writeOwnerOnly,
  type ZaloCredentials,
} from "./credentials.js";
import { toInbound } from "./inbound.js";
import { Lru } from "./lru.js";
import { terminalQrFromPng } from "./qr.js";
import {
  CloseReason,
  LoginQRCallbackEventType,
  ThreadType,
  ZALO_OPTIONS,
  ZaloApiError,
  createRealZalo,
  type ApiLike,
  type CreateZalo,
  type Credentials,
  type LoginQRCallbackEvent,
  type Message,
  type SendMessageQuote,
  type ZaloLike,
} from "./zca.js";

/** What admins are told to run to log the bot in again (the lead wires it into the CLI). */
export const ZALO_LOGIN_COMMAND = "npm run cli -- zalo login";

export type ZaloState =
  | "idle"
  | "logging_in"
  | "waiting_qr"
  | "connecting"
  | "connected"
  | "reconnecting"
  | "cooldown"
  | "needs_login"
  | "stopped";

export interface ZaloHealth {
  state: ZaloState;
  connected: boolean;
  ownId?: string;
  reconnectAttempts: number;
  lastConnectedAt?: string;
  lastMessageAt?: string;
  lastCloseCode?: number;
}

/** What ZaloSender needs from a session. */
export interface ZaloSenderSession {
  /** The logged-in API, when there is one on this instance. */
  api(): ApiLike | undefined;
  /** A recently received message, in the shape zca-js's `quote` wants. */
  recentMessage(msgId: string): SendMessageQuote | undefined;
  /** group/private for chats seen recently. */
  knownChatType(chatId: string): "group" | "private" | undefined;
}

export interface ZaloSessionOptions {
  /** DATA_DIR: credentials and the QR image go here. */
  dataDir: string;
  log: Logger;
  /** Every inbound text message (group and private); the app filters with isForBot. */
  onInbound?: InboundHandler;
  /** Alert for admins on another channel (Vietnamese text with the command to run). */
  onSessionProblem?: (text: string) => void | Promise<void>;
  /** Told when the session works again after a problem was reported. */
  onSessionRestored?: (text: string) => void | Promise<void>;
  /** Injection point for the zca-js client (tests pass a stand-in). */
  createZalo?: CreateZalo;
  clock?: Clock;
  language?: Language;
  /** Run the QR login at start when no credentials are saved (default true). */
  qrWhenNoCredentials?: boolean;
  /** Terminal output for the QR (default: process.stdout). */
  print?: (text: string) => void;
  /** Default 30 min. */
  cookieSaveIntervalMs?: number;
  /** Default 15 min. */
  healthLogIntervalMs?: number;
  /** Backoff: first delay about this (default 2 s), doubling up to `reconnectMaxMs` (default 5 min). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** After this many failed reconnects, log in again instead of only reopening the socket (default 5). */
  reloginAfterAttempts?: number;
  /** Alert admins when this many reconnects in a row failed (default 8). */
  alertAfterAttempts?: number;
  /** Pause after close code 3000/3003 (default 10 min). */
  duplicateCooldownMs?: number;
  /** The same kind of alert is not repeated within this time (default 6 h). */
  alertRepeatMs?: number;
  /** While a new login is needed, how often the credentials file is checked (default 1 min). */
  credentialsPollMs?: number;
  /** QR codes shown before giving up (each lives ~100 s; default 3). */
  maxQrAttempts?: number;
  /** Received messages kept for quoting (default 2000). */
  recentMessages?: number;
  loginCommand?: string;
}

const MIN = 60_000;

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const HTTP_FAILURE =
  /^Failed to fetch (login|server) info: ?(Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout|Too Many Requests|Request Timeout)?$|status code (5\d\d|429|408)/;

/** A login that Zalo refused (expired or invalid session), as opposed to a network failure. */
export function isLoginRefusal(err: unknown): boolean {
  return err instanceof ZaloApiError && !HTTP_FAILURE.test(err.message);
}

function quoteOf(m: Message): SendMessageQuote {
  const d = m.data;
  return {
    content: d.content,
    msgType: d.msgType,
    propertyExt: d.propertyExt,
    uidFrom: d.uidFrom,
    msgId: d.msgId,
    cliMsgId: d.cliMsgId,
    ts: d.ts,
    ttl: d.ttl,
  };
}

interface QrLoginParams {
  zalo: ZaloLike;
  dataDir: string;
  log: Logger;
  print: (text: string) => void;
  language: Language;
  maxQrAttempts: number;
  /** Receives the current QR's abort action (to give up when the session stops). */
  onAbortable?: (abort: (() => unknown) | undefined) => void;
}

/**
 * The QR flow: each QR is saved (owner-only) as DATA_DIR/zalo-qr.png and drawn in the terminal with
 * instructions; expired codes are renewed up to `maxQrAttempts`, a decline aborts; the credentials
 * from GotLoginInfo are saved, then re-saved from the logged-in API; the QR image is removed.
 */
async function runQrLogin(p: QrLoginParams): Promise<ApiLike> {
  const png = qrPath(p.dataDir);
  const credPath = credentialsPath(p.dataDir);
  const pending: Promise<unknown>[] = [];
  let shown = 0;
  let expired = 0;
  const onEvent = (event: LoginQRCallbackEvent): void => {
    try {
      p.onAbortable?.(event.actions?.abort);
      switch (event.type) {
        case LoginQRCallbackEventType.QRCodeGenerated: {
          shown++;
          const image = Buffer.from(event.data.image, "base64");
          pending.push(
            writeOwnerOnly(png, image)
              .then(() => {
                const drawn = terminalQrFromPng(image);
                p.print((drawn ?? t("zalo:qr.cannotDraw", { path: png }, p.language)) + "\n");
                const text = t("zalo:qr.instructions", { path: png }, p.language);
                p.print(text + "\n");
                p.log.info({ path: png, attempt: shown }, text);
              })
              .catch((err) => p.log.error({ err: errText(err), path: png }, "could not save the Zalo QR image")),
          );
          break;
        }
        case LoginQRCallbackEventType.QRCodeExpired: {
          expired++;
          if (expired < p.maxQrAttempts) {
            p.log.warn(t("zalo:qr.expired", { attempt: expired + 1, max: p.maxQrAttempts }, p.language));
            event.actions.retry();
          } else {
            p.log.error(t("zalo:qr.gaveUp", { max: p.maxQrAttempts }, p.language));
            event.actions.abort();
          }
          break;
        }
        case LoginQRCallbackEventType.QRCodeScanned:
          p.log.info(t("zalo:qr.scanned", { name: event.data.display_name }, p.language));
          break;
        case LoginQRCallbackEventType.QRCodeDeclined:
          p.log.warn(t("zalo:qr.declined", {}, p.language));
          event.actions.abort();
          break;
        case LoginQRCallbackEventType.GotLoginInfo:
          pending.push(
            saveCredentials(credPath, {
              imei: event.data.imei,
              cookie: event.data.cookie,
              userAgent: event.data.userAgent,
              language: "vi",
            }).catch((err) => p.log.error({ err: errText(err) }, "could not save the Zalo credentials")),
          );
          break;
      }
    } catch (err) {
      p.log.error({ err: errText(err) }, "Zalo QR login callback failed");
    }
  };
  try {
    const api = await p.zalo.loginQR({ language: "vi", qrPath: png }, onEvent);
    await Promise.allSettled(pending);
    const fresh = credentialsFromApi(api);
    if (fresh) await saveCredentials(credPath, fresh);
    return api;
  } finally {
    p.onAbortable?.(undefined);
    await Promise.allSettled(pending);
    await rm(png, { force: true });
  }
}

/**
 * For the CLI ("npm run cli -- zalo login"): always runs the QR login (even when credentials exist),
 * saves the credentials and returns without listening. A running bot notices the new credentials
 * file and logs in with it.
 */
export async function zaloLoginInteractive(opts: {
  dataDir: string;
  log: Logger;
  createZalo?: CreateZalo;
  print?: (text: string) => void;
  language?: Language;
  maxQrAttempts?: number;
}): Promise<{ ownId: string; credentialsPath: string }> {
  const language = opts.language ?? currentLanguage();
  const print = opts.print ?? ((s: string) => void process.stdout.write(s));
  await mkdir(opts.dataDir, { recursive: true });
  const zalo = (opts.createZalo ?? createRealZalo)(ZALO_OPTIONS);
  const api = await runQrLogin({ zalo, dataDir: opts.dataDir, log: opts.log, print, language, maxQrAttempts: opts.maxQrAttempts ?? 3 });
  const ownId = api.getOwnId();
  const path = credentialsPath(opts.dataDir);
  print(t("zalo:cli.done", { uid: ownId, path }, language) + "\n");
  return { ownId, credentialsPath: path };
}

interface Handlers {
  connected: () => void;
  closed: (code: number, reason: string) => void;
  message: (m: Message) => void;
}

export class ZaloSession implements ZaloSenderSession {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly language: Language;
  private readonly cfg: {
    cookieSaveIntervalMs: number;
    healthLogIntervalMs: number;
    reconnectBaseMs: number;
    reconnectMaxMs: number;
    reloginAfterAttempts: number;
    alertAfterAttempts: number;
    duplicateCooldownMs: number;
    alertRepeatMs: number;
    credentialsPollMs: number;
    maxQrAttempts: number;
    loginCommand: string;
  };
  private zalo?: ZaloLike;
  private current?: ApiLike;
  private handlers?: Handlers;
  private generation = 0;
  private state: ZaloState = "idle";
  private stopped = false;
  private attempts = 0;
  private timer?: TimerHandle;
  private intervals: TimerHandle[] = [];
  private poll?: TimerHandle;
  private ownUid?: string;
  private lastConnectedAt?: number;
  private lastMessageAt?: number;
  private lastCloseCode?: number;
  private problemActive = false;
  private readonly lastAlert = new Map<string, number>();
  private readonly recent: Lru<string, SendMessageQuote>;
  private readonly chatTypes = new Lru<string, "group" | "private">(5000);
  private readonly chains = new Map<string, Promise<void>>();
  private readonly errorHandler = (err: unknown) => this.onListenerError(err);
  private abortQr?: () => unknown;

  constructor(private readonly opts: ZaloSessionOptions) {
    this.log = opts.log;
    this.clock = opts.clock ?? realClock;
    this.language = opts.language ?? currentLanguage();
    this.recent = new Lru(opts.recentMessages ?? 2000);
    this.cfg = {
      cookieSaveIntervalMs: opts.cookieSaveIntervalMs ?? 30 * MIN,
      healthLogIntervalMs: opts.healthLogIntervalMs ?? 15 * MIN,
      reconnectBaseMs: opts.reconnectBaseMs ?? 2000,
      reconnectMaxMs: opts.reconnectMaxMs ?? 5 * MIN,
      reloginAfterAttempts: opts.reloginAfterAttempts ?? 5,
      alertAfterAttempts: opts.alertAfterAttempts ?? 8,
      duplicateCooldownMs: opts.duplicateCooldownMs ?? 10 * MIN,
      alertRepeatMs: opts.alertRepeatMs ?? 6 * 60 * MIN,
      credentialsPollMs: opts.credentialsPollMs ?? MIN,
      maxQrAttempts: opts.maxQrAttempts ?? 3,
      loginCommand: opts.loginCommand ?? ZALO_LOGIN_COMMAND,
    };
  }

  get credentialsPath(): string {
    return credentialsPath(this.opts.dataDir);
  }

  /**
   * Logs in (saved credentials, else the QR flow unless disabled) and starts the listener. Never
   * throws for Zalo problems: they end in state "needs_login" with an alert. Resolves with the state.
   */
  async start(): Promise<ZaloState> {
    if (this.state !== "idle" && this.state !== "stopped") return this.state;
    this.stopped = false;
    this.attempts = 0;
    this.zalo = (this.opts.createZalo ?? createRealZalo)(ZALO_OPTIONS);
    await mkdir(this.opts.dataDir, { recursive: true });
    this.startHousekeeping();
    const creds = await this.readCredentials();
    if (creds) {
      await this.loginWith(creds);
    } else if (this.opts.qrWhenNoCredentials ?? true) {
      this.setState("waiting_qr");
      try {
        const api = await runQrLogin({
          zalo: this.zalo,
          dataDir: this.opts.dataDir,
          log: this.log,
          print: this.opts.print ?? ((s) => void process.stdout.write(s)),
          language: this.language,
          maxQrAttempts: this.cfg.maxQrAttempts,
          onAbortable: (abort) => (this.abortQr = abort),
        });
        if (!this.stopped) {
          this.adopt(api);
          this.startListener();
        }
      } catch (err) {
        if (!this.stopped) this.needsLogin(errText(err));
      }
    } else {
      this.needsLogin(t("zalo:problem.noCredentialsReason", {}, this.language));
    }
    return this.state;
  }

  /** Stops listening, saves the cookie jar, clears every timer. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.abortQr?.();
    } catch {
      // the QR flow may already be over
    }
    this.abortQr = undefined;
    this.clearTimer();
    for (const h of this.intervals) this.clock.clearInterval(h);
    this.intervals = [];
    if (this.poll !== undefined) this.clock.clearInterval(this.poll);
    this.poll = undefined;
    if (this.current) await this.saveCookies("shutdown");
    this.dropApi();
    this.setState("stopped");
  }

  api(): ApiLike | undefined {
    return this.stopped || this.state === "needs_login" ? undefined : this.current;
  }

  ownId(): string | undefined {
    return this.ownUid;
  }

  getState(): ZaloState {
    return this.state;
  }

  recentMessage(msgId: string): SendMessageQuote | undefined {
    return this.recent.get(msgId);
  }

  knownChatType(chatId: string): "group" | "private" | undefined {
    return this.chatTypes.get(chatId);
  }

  health(): ZaloHealth {
    const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
      state: this.state,
      connected: this.state === "connected",
      ownId: this.ownUid,
      reconnectAttempts: this.attempts,
      lastConnectedAt: iso(this.lastConnectedAt),
      lastMessageAt: iso(this.lastMessageAt),
      lastCloseCode: this.lastCloseCode,
    };
  }

  /** Saves the current cookie jar now (also done periodically and at stop). */
  async saveCookies(why = "periodic"): Promise<boolean> {
    if (!this.current) return false;
    try {
      const creds = credentialsFromApi(this.current);
      if (!creds) {
        this.log.warn({ why }, "Zalo: no cookies to save");
        return false;
      }
      await saveCredentials(this.credentialsPath, creds);
      this.log.debug({ why }, "Zalo cookies saved");
      return true;
    } catch (err) {
      this.log.error({ err: errText(err), why }, "Zalo: could not save the cookies");
      return false;
    }
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  private setState(state: ZaloState): void {
    if (this.state === state) return;
    this.log.info({ from: this.state, to: state }, "Zalo session state");
    this.state = state;
  }

  private async readCredentials(): Promise<ZaloCredentials | undefined> {
    try {
      return await loadCredentials(this.credentialsPath, this.log);
    } catch (err) {
      this.log.error({ err: errText(err) }, "Zalo: cannot read the credentials file");
      return undefined;
    }
  }

  private startHousekeeping(): void {
    this.intervals.push(
      this.clock.setInterval(() => {
        if (this.current && this.state !== "needs_login") void this.saveCookies();
      }, this.cfg.cookieSaveIntervalMs),
      this.clock.setInterval(() => this.log.info(this.health(), "Zalo health"), this.cfg.healthLogIntervalMs),
    );
  }

  private async loginWith(creds: ZaloCredentials): Promise<boolean> {
    if (!this.zalo || this.stopped) return false;
    this.setState("logging_in");
    let api: ApiLike;
    try {
      api = await this.zalo.login({
        imei: creds.imei,
        cookie: creds.cookie as Credentials["cookie"],
        userAgent: creds.userAgent,
        language: creds.language,
      });
    } catch (err) {
      if (this.stopped) return false;
      if (isLoginRefusal(err)) this.needsLogin(errText(err));
      else {
        this.log.warn({ err: errText(err) }, "Zalo login failed (network?); will retry");
        this.scheduleReconnect();
      }
      return false;
    }
    if (this.stopped) return false;
    this.adopt(api);
    await this.saveCookies("login");
    this.startListener();
    return true;
  }

  private async relogin(): Promise<void> {
    if (this.stopped) return;
    const creds = await this.readCredentials();
    if (!creds) {
      this.needsLogin(t("zalo:problem.noCredentialsReason", {}, this.language));
      return;
    }
    await this.loginWith(creds);
  }

  private adopt(api: ApiLike): void {
    this.dropApi();
    const gen = ++this.generation;
    const h: Handlers = {
      connected: () => {
        if (gen === this.generation) this.onConnected();
      },
      closed: (code, reason) => {
        if (gen === this.generation) this.onClosed(code, reason);
      },
      message: (m) => {
        if (gen === this.generation) this.onMessage(m);
      },
    };
    const l = api.listener;
    // The 'error' handler stays attached for the listener's whole life, even after we drop it.
    l.on("error", this.errorHandler);
    l.on("connected", h.connected);
    l.on("closed", h.closed);
    l.on("message", h.message);
    this.current = api;
    this.handlers = h;
    try {
      this.ownUid = String(api.getOwnId());
    } catch {
      this.ownUid = undefined;
    }
  }

  private dropApi(): void {
    const api = this.current;
    const h = this.handlers;
    this.current = undefined;
    this.handlers = undefined;
    this.generation++;
    if (!api) return;
    const l = api.listener;
    if (h) {
      l.off("connected", h.connected);
      l.off("closed", h.closed);
      l.off("message", h.message);
    }
    try {
      l.stop();
    } catch (err) {
      this.log.debug({ err: errText(err) }, "Zalo listener stop failed");
    }
  }

  private startListener(): void {
    if (!this.current || this.stopped) return;
    this.setState(this.attempts > 0 ? "reconnecting" : "connecting");
    try {
      this.current.listener.start({ retryOnClose: false });
    } catch (err) {
      if (/already started/i.test(errText(err))) return;
      this.log.warn({ err: errText(err) }, "Zalo listener did not start");
      this.scheduleReconnect();
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setTimer(ms: number, fn: () => void): void {
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) fn();
    }, ms);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.attempts++;
    const delayMs = backoffDelay(this.attempts, this.cfg.reconnectBaseMs, this.cfg.reconnectMaxMs, () => this.clock.random());
    this.setState("reconnecting");
    this.log.warn({ attempt: this.attempts, delayMs }, "Zalo: reconnecting after a delay");
    if (this.attempts === this.cfg.alertAfterAttempts) {
      this.alert("unreachable", t("zalo:problem.unreachable", { attempts: this.attempts, command: this.cfg.loginCommand }, this.language));
    }
    this.setTimer(delayMs, () => {
      if (!this.current || this.attempts > this.cfg.reloginAfterAttempts) void this.relogin();
      else this.startListener();
    });
  }

  private coolDown(kind: "duplicate" | "kicked"): void {
    const minutes = Math.max(1, Math.round(this.cfg.duplicateCooldownMs / MIN));
    this.setState("cooldown");
    const text = t(`zalo:problem.${kind}`, { minutes, command: this.cfg.loginCommand }, this.language);
    this.log.error({ code: this.lastCloseCode, cooldownMs: this.cfg.duplicateCooldownMs }, text);
    this.alert(kind, text);
    this.setTimer(this.cfg.duplicateCooldownMs, () => void this.relogin());
  }

  private needsLogin(reason: string): void {
    this.clearTimer();
    this.dropApi();
    this.setState("needs_login");
    const text = t("zalo:problem.expired", { reason, command: this.cfg.loginCommand }, this.language);
    this.log.error({ reason, credentials: this.credentialsPath }, text);
    this.alert("session", text);
    void this.watchCredentials();
  }

  /** While a new login is needed: when the credentials file changes, log in with it. */
  private async watchCredentials(): Promise<void> {
    if (this.poll !== undefined) return;
    const mtime = async () => {
      try {
        return (await stat(this.credentialsPath)).mtimeMs;
      } catch {
        return 0;
      }
    };
    const seen = await mtime();
    if (this.stopped || this.poll !== undefined) return;
    this.poll = this.clock.setInterval(() => {
      void mtime().then((now) => {
        if (this.stopped || this.state !== "needs_login" || now === 0 || now === seen) return;
        if (this.poll !== undefined) this.clock.clearInterval(this.poll);
        this.poll = undefined;
        this.log.info("Zalo credentials file changed; logging in again");
        this.attempts = 0;
        void this.relogin();
      });
    }, this.cfg.credentialsPollMs);
  }

  private alert(kind: string, text: string): void {
    const last = this.lastAlert.get(kind);
    const now = this.clock.now();
    if (last !== undefined && now - last < this.cfg.alertRepeatMs) return;
    this.lastAlert.set(kind, now);
    this.problemActive = true;
    if (!this.opts.onSessionProblem) return;
    Promise.resolve()
      .then(() => this.opts.onSessionProblem!(text))
      .catch((err) => this.log.error({ err: errText(err) }, "onSessionProblem failed"));
  }

  private onConnected(): void {
    const after = this.attempts;
    this.attempts = 0;
    this.lastConnectedAt = this.clock.now();
    this.setState("connected");
    this.log.info({ ownId: this.ownUid, afterAttempts: after }, "Zalo listener connected");
    if (this.problemActive) {
      this.problemActive = false;
      const text = t("zalo:restored", {}, this.language);
      if (this.opts.onSessionRestored)
        Promise.resolve()
          .then(() => this.opts.onSessionRestored!(text))
          .catch((err) => this.log.error({ err: errText(err) }, "onSessionRestored failed"));
    }
  }

  private onClosed(code: number, reason: string): void {
    if (this.stopped) return;
    this.lastCloseCode = code;
    this.log.warn({ code, reason, attempts: this.attempts }, "Zalo listener closed");
    if (code === CloseReason.DuplicateConnection) this.coolDown("duplicate");
    else if (code === CloseReason.KickConnection) this.coolDown("kicked");
    else this.scheduleReconnect();
  }

  private onListenerError(err: unknown): void {
    // ws error events are plain Event objects; keep the log line short.
    const text = err instanceof Error ? err.message : (err as { message?: string })?.message ?? String(err);
    this.log.warn({ err: text, state: this.state }, "Zalo listener error");
  }

  private onMessage(m: Message): void {
    this.lastMessageAt = this.clock.now();
    let inbound: InboundMessage | undefined;
    try {
      if (m.isSelf) return;
      this.recent.set(String(m.data.msgId), quoteOf(m));
      this.chatTypes.set(String(m.threadId), m.type === ThreadType.Group ? "group" : "private");
      inbound = toInbound(m, this.ownUid ?? "", () => this.clock.now());
    } catch (err) {
      this.log.error({ err: errText(err) }, "Zalo: could not read a message");
      return;
    }
    const handler = this.opts.onInbound;
    if (!inbound || !handler) return;
    const msg = inbound;
    // One chat's messages are handled in order; different chats in parallel.
    const prev = this.chains.get(msg.chatId) ?? Promise.resolve();
    const next = prev
      .then(() => handler(msg))
      .catch((err) => this.log.error({ err: errText(err), chatId: msg.chatId, messageId: msg.messageId }, "Zalo inbound handler failed"));
    this.chains.set(msg.chatId, next);
    void next.then(() => {
      if (this.chains.get(msg.chatId) === next) this.chains.delete(msg.chatId);
    });
  }
}
