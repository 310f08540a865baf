import { afterEach, expect } from "vitest";
import { ZaloSession, type ZaloSessionOptions } from "../../src/channels/zalo/session.js";
import { credentialsPath, saveCredentials, type ZaloCredentials } from "../../src/channels/zalo/credentials.js";
import type { InboundMessage } from "../../src/channels/types.js";
import { fakeFactory, flush, type FakeApi, type FakeZalo } from "./fake-zca.js";
import { captureLog, ManualClock, tempDir } from "./helpers.js";

export const SAVED: ZaloCredentials = {
  imei: "saved-imei-123",
  cookie: [{ key: "zpw_sek", value: "saved", domain: "chat.zalo.me", path: "/" }],
  userAgent: "Mozilla/5.0 test",
  language: "vi",
};

export async function startSession(
  opts: { saved?: ZaloCredentials | null; setup?: (z: FakeZalo) => void; session?: Partial<ZaloSessionOptions> } = {},
) {
  const tmp = tempDir();
  if (opts.saved !== null) await saveCredentials(credentialsPath(tmp.dir), opts.saved ?? SAVED);
  const clock = new ManualClock();
  const cap = captureLog();
  const problems: string[] = [];
  const restored: string[] = [];
  const inbound: InboundMessage[] = [];
  const printed: string[] = [];
  const f = fakeFactory(opts.setup);
  const session = new ZaloSession({
    dataDir: tmp.dir,
    log: cap.log,
    createZalo: f.create,
    clock,
    print: (s) => printed.push(s),
    onSessionProblem: (t) => void problems.push(t),
    onSessionRestored: (t) => void restored.push(t),
    onInbound: async (m) => void inbound.push(m),
    ...opts.session,
  });
  const state = await session.start();
  await flush();
  const api = (): FakeApi => {
    const a = f.last().apis.at(-1);
    if (!a) throw new Error("no api yet");
    return a;
  };
  return { ...tmp, clock, cap, problems, restored, inbound, printed, f, session, state, api };
}

/**
 * For a test file whose tests each start connected sessions: registers an afterEach that stops
 * and removes them, and returns `connected`, which starts one and checks that it connected.
 */
export function connectedSessions(): (session?: Parameters<typeof startSession>[0]) => ReturnType<typeof startSession> {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  return async (session = {}) => {
    const s = await startSession(session);
    cleanups.push(s.remove, () => s.session.stop());
    expect(s.session.getState()).toBe("connected");
    return s;
  };
}

/**
 * Options for `vi.waitFor` on a session's asynchronous steps: a deadline generous for a loaded
 * machine (vitest's default is 1 s), ended as soon as the awaited state is reached.
 */
export const WAIT = { timeout: 30_000, interval: 10 };
