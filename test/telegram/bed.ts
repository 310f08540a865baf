/**
 * The set-up shared by the tests against a local Bot API server (concurrency, server, polling):
 * one PGlite store per file, and after each test the channels it opened stopped, the HTTP servers
 * it started closed and its Bot API server closed.
 */
import type { Server } from "node:http";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { TelegramChannel } from "../../src/channels/telegram/index.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { LocalBotApi } from "./fake-api.js";
import { BOT } from "./fixtures.js";

/** What a test file gets from {@link localBotApiBed}. */
export interface LocalBotApiBed {
  /** The file's store (opened before its first test). */
  readonly store: Store;
  /** Channels a test opened: stopped after it. */
  readonly open: TelegramChannel[];
  /** HTTP servers a test started: closed after it. */
  readonly servers: Server[];
  /** Starts the test's Bot API server (getUpdates waits `pollWaitMs` when there is nothing); closed after the test. */
  listen(pollWaitMs?: number): Promise<LocalBotApi>;
}

/** Registers the file's hooks (see the file comment); call once at the top of a test file. */
export function localBotApiBed(): LocalBotApiBed {
  let store: Store | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let api: LocalBotApi | undefined;
  const open: TelegramChannel[] = [];
  const servers: Server[] = [];
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore("pglite"));
  });
  afterAll(async () => {
    await cleanup?.();
  });
  afterEach(async () => {
    for (const tg of open.splice(0)) await tg.stop();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    await api?.close();
    api = undefined;
  });
  return {
    get store() {
      if (!store) throw new Error("the store opens before the file's first test");
      return store;
    },
    open,
    servers,
    async listen(pollWaitMs) {
      api = await new LocalBotApi(BOT, pollWaitMs).listen();
      return api;
    },
  };
}
