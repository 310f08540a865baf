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
 * - Reconnect storms (a server that accepts and closes at once): a connection counts as working
 *   only after `stableAfterMs`; one that closes sooner does not reset the backoff, and after
 *   `stormAlertAfter` such closes in a row the admins are alerted.
 * - Session expired while sending (code 102, told by the sender through `sessionExpired`): a fresh
 *   login from the saved credentials; if Zalo refuses it, the needs-login alert and credentials watch.
 * - The API is handed out only while the listener is connected (`api()`, or `ready()` which waits a
 *   bounded time), so nothing waits on a socket that is down.
 * - Missed messages: on every (re)connect, once the socket has its cipher key, the recent messages of
 *   users and groups are requested (`requestOldMessages`) and go through the same path as live ones;
 *   ids already handled are skipped here, and the app's store claim (ProcessedUpdate) catches the rest.
 * - Inbound journal (journal.ts): every message is journaled before the handler runs and marked done
 *   after it; waiting ones are replayed at start and every `journalRetryMs` while some wait.
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
import { InboundJournal, journalPath } from "./journal.js";
import { isStoreUnavailable } from "../../store/unavailable.js";
import { withTimeout, ZALO_TIMEOUTS } from "./timeouts.js";
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

/** Where the session is: logging in, connected, reconnecting, cooling down, waiting for a new login… */
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

/** What `health()` reports (also logged periodically). */
export interface ZaloHealth {
  state: ZaloState;
  connected: boolean;
  ownId?: string;
  reconnectAttempts: number;
  lastConnectedAt?: string;
  lastMessageAt?: string;
  lastCloseCode?: number;
  /** Inbound messages journaled and not yet handled (the store was down). */
  journalWaiting: number;
  /** Connections in a row that closed right after opening. */
  quickCloses: number;
}

/** What ZaloSender needs from a session. */
export interface ZaloSenderSession {
  /** The logged-in API while its listener is connected on this instance. */
  api(): ApiLike | undefined;
  /** The API once the listener is connected, waiting at most `timeoutMs`; undefined when not in time. */
  ready?(timeoutMs: number): Promise<ApiLike | undefined>;
  /** Zalo answered 102 (session expired): log in again. */
  sessionExpired?(reason: string): void;
  /** A recently received message, in the shape zca-js's `quote` wants. */
  recentMessage(msgId: string): SendMessageQuote | undefined;
  /** group/private for chats seen recently. */
  knownChatType(chatId: string): "group" | "private" | undefined;
}

/** Options of ZaloSession. */
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
  /** The inbound journal (default DATA_DIR/zalo-inbound.jsonl); false: none (tests of other parts). */
  journal?: InboundJournal | false;
  /** While journaled messages wait (handler failed: store down), replay them this often (default 30 s). */
  journalRetryMs?: number;
  /** Missed messages older than this are not handled (default 12 h). */
  oldMessagesMaxAgeMs?: number;
  /** A connection counts as working after this long (default 20 s). */
  stableAfterMs?: number;
  /** Alert admins after this many connections in a row closed before `stableAfterMs` (default 5). */
  stormAlertAfter?: number;
  /** A login with saved credentials gives up after this (default 60 s). */
  loginTimeoutMs?: number;
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
  cipherKey: () => void;
  oldMessages: (messages: Message[], type: ThreadType) => void;
}

interface Waiter {
  resolve: (api: ApiLike | undefined) => void;
  timer: TimerHandle;
}

/** The bot's Zalo session: login, listener supervision, inbound messages (see the file's comment). */
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
    journalRetryMs: number;
    oldMessagesMaxAgeMs: number;
    stableAfterMs: number;
    stormAlertAfter: number;
    loginTimeoutMs: number;
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
  /**
   * Chats with a message that failed for a store outage and waits in the journal: their later
   * messages wait there too (journaled, not handled) until a replay takes them all again in order.
   */
  private readonly heldChats = new Set<string>();
  private readonly errorHandler = (err: unknown) => this.onListenerError(err);
  private abortQr?: () => unknown;
  private readonly journal?: InboundJournal;
  private journalTimer?: TimerHandle;
  private stableTimer?: TimerHandle;
  /** Message ids handed to the handler and finished, or in flight. */
  private readonly handledIds = new Lru<string, true>(5000);
  private readonly inFlight = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private connectedAt?: number;
  private attemptsBeforeConnect = 0;
  private quickCloses = 0;
  private relogging = false;

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
      journalRetryMs: opts.journalRetryMs ?? 30_000,
      oldMessagesMaxAgeMs: opts.oldMessagesMaxAgeMs ?? 12 * 60 * MIN,
      stableAfterMs: opts.stableAfterMs ?? 20_000,
      stormAlertAfter: opts.stormAlertAfter ?? 5,
      loginTimeoutMs: opts.loginTimeoutMs ?? ZALO_TIMEOUTS.loginMs,
    };
    if (opts.journal !== false) this.journal = opts.journal ?? new InboundJournal({ path: journalPath(opts.dataDir), log: opts.log });
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
    if (this.journal) {
      const waiting = this.journal.open();
      if (waiting.length) this.log.info({ count: waiting.length }, "Zalo: replaying journaled messages");
      this.replayJournal();
    }
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
    this.clearStableTimer();
    if (this.journalTimer !== undefined) this.clock.clearTimeout(this.journalTimer);
    this.journalTimer = undefined;
    this.releaseWaiters(undefined);
    for (const h of this.intervals) this.clock.clearInterval(h);
    this.intervals = [];
    if (this.poll !== undefined) this.clock.clearInterval(this.poll);
    this.poll = undefined;
    if (this.current) await this.saveCookies("shutdown");
    this.dropApi();
    this.setState("stopped");
  }

  /** The API, only while the listener is connected (not while reconnecting, cooling down or logging in). */
  api(): ApiLike | undefined {
    return this.stopped || this.state !== "connected" ? undefined : this.current;
  }

  /**
   * The API once the listener is connected: at once when it is, after waiting at most `timeoutMs`
   * while it (re)connects or logs in, undefined when not in time or when it cannot come soon
   * (cooling down, needs a new login, stopped).
   */
  ready(timeoutMs: number = ZALO_TIMEOUTS.readyMs): Promise<ApiLike | undefined> {
    const now = this.api();
    if (now) return Promise.resolve(now);
    const soon: ZaloState[] = ["connecting", "reconnecting", "logging_in"];
    if (this.stopped || !soon.includes(this.state)) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const w: Waiter = {
        resolve,
        timer: this.clock.setTimeout(() => {
          this.waiters.delete(w);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  /**
   * Told by the sender that Zalo answered 102 (the session key expired): log in again from the saved
   * credentials; if Zalo refuses, the admins are alerted to log in by QR (needs_login).
   */
  sessionExpired(reason: string): void {
    if (this.stopped || this.relogging) return;
    if (this.state === "logging_in" || this.state === "needs_login" || this.state === "cooldown" || this.state === "waiting_qr") return;
    this.log.warn({ reason }, "Zalo session expired (102); logging in again from the saved credentials");
    this.clearTimer();
    this.clearStableTimer();
    this.dropApi();
    this.setState("logging_in");
    this.attempts = 0;
    this.relogging = true;
    void this.relogin().finally(() => (this.relogging = false));
  }

  /** Hands every journaled message not yet handled (nor in flight) to the handler again. */
  replayJournal(): void {
    if (!this.journal || this.stopped) return;
    this.heldChats.clear();
    for (const msg of this.journal.pending()) this.accept(msg, true);
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
      journalWaiting: this.journal?.size ?? 0,
      quickCloses: this.quickCloses,
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
      api = await withTimeout(
        this.zalo.login({
          imei: creds.imei,
          cookie: creds.cookie as Credentials["cookie"],
          userAgent: creds.userAgent,
          language: creds.language,
        }),
        this.cfg.loginTimeoutMs,
        "login",
        this.clock,
      );
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
        if (gen === this.generation) this.onMessage(m, "live");
      },
      cipherKey: () => {
        if (gen === this.generation) this.requestMissed(api);
      },
      oldMessages: (messages, type) => {
        if (gen === this.generation) this.onOldMessages(messages, type);
      },
    };
    const l = api.listener;
    // The 'error' handler stays attached for the listener's whole life, even after we drop it.
    l.on("error", this.errorHandler);
    l.on("connected", h.connected);
    l.on("closed", h.closed);
    l.on("message", h.message);
    l.on("cipher_key", h.cipherKey);
    l.on("old_messages", h.oldMessages);
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
      l.off("cipher_key", h.cipherKey);
      l.off("old_messages", h.oldMessages);
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

  private clearStableTimer(): void {
    if (this.stableTimer !== undefined) this.clock.clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
  }

  private releaseWaiters(api: ApiLike | undefined): void {
    for (const w of this.waiters) {
      this.clock.clearTimeout(w.timer);
      w.resolve(api);
    }
    this.waiters.clear();
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
    this.attemptsBeforeConnect = Math.max(after, this.attemptsBeforeConnect);
    this.attempts = 0;
    this.lastConnectedAt = this.connectedAt = this.clock.now();
    this.setState("connected");
    this.log.info({ ownId: this.ownUid, afterAttempts: after }, "Zalo listener connected");
    this.releaseWaiters(this.current);
    // The connection counts as working (backoff reset, admins told) only if it stays open a while.
    this.clearStableTimer();
    this.stableTimer = this.clock.setTimeout(() => {
      this.stableTimer = undefined;
      if (this.stopped || this.state !== "connected") return;
      this.attemptsBeforeConnect = 0;
      this.quickCloses = 0;
      this.onStable();
    }, this.cfg.stableAfterMs);
  }

  private onStable(): void {
    if (!this.problemActive) return;
    this.problemActive = false;
    const text = t("zalo:restored", {}, this.language);
    if (this.opts.onSessionRestored)
      Promise.resolve()
        .then(() => this.opts.onSessionRestored!(text))
        .catch((err) => this.log.error({ err: errText(err) }, "onSessionRestored failed"));
  }

  /** Asks for the messages sent while the socket was down (users and groups). */
  private requestMissed(api: ApiLike): void {
    try {
      api.listener.requestOldMessages(ThreadType.User);
      api.listener.requestOldMessages(ThreadType.Group);
      this.log.debug("Zalo: asked for missed messages");
    } catch (err) {
      this.log.warn({ err: errText(err) }, "Zalo: could not ask for missed messages");
    }
  }

  private onOldMessages(messages: Message[], type: ThreadType): void {
    const cutoff = this.clock.now() - this.cfg.oldMessagesMaxAgeMs;
    const sorted = [...messages].sort((a, b) => Number(a.data.ts) - Number(b.data.ts));
    let tooOld = 0;
    for (const m of sorted) {
      const ts = Number(m.data.ts);
      if (Number.isFinite(ts) && ts > 0 && ts < cutoff) {
        tooOld++;
        continue;
      }
      this.onMessage(m, "old");
    }
    this.log.info({ type: type === ThreadType.Group ? "group" : "user", count: messages.length, tooOld }, "Zalo: missed messages received");
  }

  private onClosed(code: number, reason: string): void {
    if (this.stopped) return;
    this.lastCloseCode = code;
    this.clearStableTimer();
    if (this.connectedAt !== undefined && this.clock.now() - this.connectedAt < this.cfg.stableAfterMs) {
      // Closed right after opening: keep the backoff growing instead of starting over.
      this.attempts = this.attemptsBeforeConnect;
      this.quickCloses++;
      if (this.quickCloses === this.cfg.stormAlertAfter) {
        const text = t("zalo:problem.storm", { count: this.quickCloses, command: this.cfg.loginCommand }, this.language);
        this.log.error({ quickCloses: this.quickCloses }, text);
        this.alert("storm", text);
      }
    }
    this.connectedAt = undefined;
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

  private onMessage(m: Message, source: "live" | "old"): void {
    if (source === "live") this.lastMessageAt = this.clock.now();
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
    if (inbound) this.accept(inbound, false);
  }

  /**
   * Hands a message to the handler once: skipped when its id was handled or is in flight; journaled
   * before, marked done after; a failure leaves it in the journal for a later replay.
   */
  private accept(msg: InboundMessage, fromJournal: boolean): void {
    const handler = this.opts.onInbound;
    if (!handler) return;
    const id = msg.messageId;
    if (this.inFlight.has(id)) return;
    if (!fromJournal && this.handledIds.has(id)) return;
    if (!fromJournal) this.journal?.add(msg);
    this.inFlight.add(id);
    // One chat's messages are handled in order; different chats in parallel. After a failure the
    // chat's later messages are not handled before the failed one (they wait in the journal too).
    const prev = this.chains.get(msg.chatId) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        if (this.heldChats.has(msg.chatId) && this.journal) return false;
        await handler(msg);
        return true;
      })
      .then(
        (handled) => {
          if (!handled) return;
          this.handledIds.set(id, true);
          this.journal?.done(id);
        },
        (err) => {
          this.log.error({ err: errText(err), chatId: msg.chatId, messageId: id }, "Zalo inbound handler failed");
          // A store outage passes: hold the chat so that nothing overtakes the message. Any other
          // failure (a bug) would hold it forever: the chat goes on, the message is retried.
          if (this.journal && isStoreUnavailable(err)) this.heldChats.add(msg.chatId);
          this.scheduleJournalReplay();
        },
      )
      .finally(() => this.inFlight.delete(id));
    this.chains.set(msg.chatId, next);
    void next.then(() => {
      if (this.chains.get(msg.chatId) === next) this.chains.delete(msg.chatId);
    });
  }

  /** While journaled messages wait (the store is down), try them again later. */
  private scheduleJournalReplay(): void {
    if (!this.journal || this.stopped || this.journalTimer !== undefined) return;
    this.journalTimer = this.clock.setTimeout(() => {
      this.journalTimer = undefined;
      this.replayJournal();
    }, this.cfg.journalRetryMs);
  }
}
