import { chmod, readFile, stat, utimes } from "node:fs/promises";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ZaloApiError } from "zca-js";
import { credentialsPath, qrPath, saveCredentials } from "../../src/channels/zalo/credentials.js";
import { ZALO_LOGIN_COMMAND, zaloLoginInteractive } from "../../src/channels/zalo/session.js";
import { fakeFactory, flush } from "./fake-zca.js";
import { captureLog, matrixToPng, qrLikeMatrix, tempDir } from "./helpers.js";
import { SAVED, startSession, WAIT } from "./session-helpers.js";

const QR_PNG = matrixToPng(qrLikeMatrix(25));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("QR login (no saved credentials)", () => {
  it("saves the QR as an owner-only PNG, draws it in the terminal, stores the credentials with mode 600, then reuses them without QR", async () => {
    const seen: { mode: number; bytes: Buffer }[] = [];
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const { ZaloSession } = await import("../../src/channels/zalo/session.js");
    const { ManualClock } = await import("./helpers.js");
    const f = fakeFactory((z) => {
      z.qrImage = QR_PNG.toString("base64");
      z.qrScript = ["expire", "scan", "confirm"];
      z.afterQrShown = async () => {
        // Zalo's real flow waits for the phone; the image is on disk by then.
        await vi.waitFor(() => expect(existsSync(qrPath(tmp.dir))).toBe(true), WAIT);
        seen.push({ mode: await mode(qrPath(tmp.dir)), bytes: await readFile(qrPath(tmp.dir)) });
      };
    });
    const printed: string[] = [];
    const cap = captureLog();
    const session = new ZaloSession({ dataDir: tmp.dir, log: cap.log, createZalo: f.create, clock: new ManualClock(), print: (t) => void printed.push(t) });
    cleanups.push(() => session.stop());
    await session.start();
    await flush();

    expect(f.last().options).toMatchObject({ checkUpdate: false, selfListen: false });
    expect(f.last().qrRuns).toBe(1);
    // Two QR codes (the first expired): each saved owner-only with zca-js's image bytes.
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.mode).toBe(0o600);
      expect(Buffer.compare(s.bytes, QR_PNG)).toBe(0);
    }
    const out = printed.join("");
    expect(out.match(/\x1b\[0m\n/g)!.length).toBeGreaterThanOrEqual(2 * 13); // two drawn QR codes
    expect(out).toContain(qrPath(tmp.dir));
    expect(out).toContain("quét mã");
    expect(cap.messages().some((m) => m.includes("Mã QR đã hết hạn"))).toBe(true);
    expect(cap.messages().some((m) => m.includes("Bot Vun Đắp"))).toBe(true); // scanned by
    // The QR image is removed after login; the credentials are owner-only.
    expect(existsSync(qrPath(tmp.dir))).toBe(false);
    const path = credentialsPath(tmp.dir);
    expect(await mode(path)).toBe(0o600);
    const saved = JSON.parse(await readFile(path, "utf8"));
    expect(saved).toMatchObject({ imei: "imei-1-fake", userAgent: expect.stringContaining("Mozilla"), language: "vi", uid: "100200300" });
    expect(saved.cookie).toEqual([expect.objectContaining({ key: "zpw_sek" })]);
    expect(session.getState()).toBe("connected");
    expect(f.last().apis[0]!.listener.starts).toEqual([{ retryOnClose: false }]);
    await session.stop();

    // Second start: the saved credentials are reused, no QR.
    const onDisk = JSON.parse(await readFile(path, "utf8"));
    const f2 = fakeFactory();
    const again = new ZaloSession({ dataDir: tmp.dir, log: cap.log, createZalo: f2.create, clock: new ManualClock(), print: (t) => void printed.push(t) });
    cleanups.push(() => again.stop());
    const before = printed.length;
    await again.start();
    await flush();
    expect(f2.last().qrRuns).toBe(0);
    expect(printed.length).toBe(before);
    expect(f2.last().logins).toEqual([{ imei: "imei-1-fake", cookie: onDisk.cookie, userAgent: saved.userAgent, language: "vi" }]);
    expect(again.getState()).toBe("connected");
  });

  it("gives up after maxQrAttempts expired codes and reports the problem", async () => {
    const s = await startSession({
      saved: null,
      setup: (z) => {
        z.qrImage = QR_PNG.toString("base64");
        z.qrScript = ["expire", "expire", "expire", "scan", "confirm"];
      },
    });
    cleanups.push(s.remove, () => s.session.stop());
    await flush();
    expect(s.printed.filter((p) => p.includes("quét mã")).length).toBe(3);
    expect(s.session.getState()).toBe("needs_login");
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain(ZALO_LOGIN_COMMAND);
    expect(existsSync(qrPath(s.dir))).toBe(false);
    expect(existsSync(credentialsPath(s.dir))).toBe(false);
  });

  it("aborts when the login is declined on the phone", async () => {
    const s = await startSession({ saved: null, setup: (z) => (z.qrScript = ["scan", "decline"]) });
    cleanups.push(s.remove, () => s.session.stop());
    await flush();
    expect(s.session.getState()).toBe("needs_login");
    expect(s.cap.messages().some((m) => m.includes("từ chối"))).toBe(true);
  });

  it("stop() while waiting for a scan aborts the QR flow", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const { ZaloSession } = await import("../../src/channels/zalo/session.js");
    const { ManualClock } = await import("./helpers.js");
    const f = fakeFactory((z) => {
      z.qrImage = QR_PNG.toString("base64");
      z.qrScript = []; // nobody scans
    });
    const problems: string[] = [];
    const session = new ZaloSession({ dataDir: tmp.dir, log: captureLog().log, createZalo: f.create, clock: new ManualClock(), print: () => {}, onSessionProblem: (t) => void problems.push(t) });
    const started = session.start();
    await vi.waitFor(() => expect(existsSync(qrPath(tmp.dir))).toBe(true), WAIT);
    expect(session.getState()).toBe("waiting_qr");
    await session.stop();
    expect(await started).toBe("stopped");
    expect(problems).toEqual([]);
    expect(existsSync(qrPath(tmp.dir))).toBe(false);
  });

  it("does not run the QR flow when disabled; tells what to run", async () => {
    const s = await startSession({ saved: null, session: { qrWhenNoCredentials: false } });
    cleanups.push(s.remove, () => s.session.stop());
    expect(s.f.last().qrRuns).toBe(0);
    expect(s.state).toBe("needs_login");
    expect(s.problems[0]).toContain("chưa có thông tin đăng nhập");
    expect(s.problems[0]).toContain(ZALO_LOGIN_COMMAND);
  });
});

describe("saved credentials", () => {
  it("re-saves the cookie jar periodically and at shutdown, keeping mode 600", async () => {
    const s = await startSession({ session: { cookieSaveIntervalMs: 30 * 60_000 } });
    cleanups.push(s.remove);
    const path = credentialsPath(s.dir);
    const read = async () => JSON.parse(await readFile(path, "utf8"));
    expect((await read()).cookie[0].value).toMatch(/^sek-/); // saved right after login
    s.api().cookies = [{ key: "zpw_sek", value: "rotated-1", domain: "chat.zalo.me", path: "/" }];
    await chmod(path, 0o644);
    s.clock.advance(30 * 60_000 - 1);
    await flush();
    expect((await read()).cookie[0].value).not.toBe("rotated-1");
    s.clock.advance(1);
    await vi.waitFor(async () => expect((await read()).cookie[0].value).toBe("rotated-1"), WAIT);
    expect(await mode(path)).toBe(0o600);
    s.api().cookies = [{ key: "zpw_sek", value: "at-shutdown", domain: "chat.zalo.me", path: "/" }];
    await s.session.stop();
    expect((await read()).cookie[0].value).toBe("at-shutdown");
    expect(s.session.getState()).toBe("stopped");
  });

  it("fixes a credentials file readable by others when reading it", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    await saveCredentials(credentialsPath(tmp.dir), SAVED);
    await chmod(credentialsPath(tmp.dir), 0o644);
    const { loadCredentials } = await import("../../src/channels/zalo/credentials.js");
    const cap = captureLog();
    const creds = await loadCredentials(credentialsPath(tmp.dir), cap.log);
    expect(creds).toMatchObject({ imei: SAVED.imei, userAgent: SAVED.userAgent });
    expect(await mode(credentialsPath(tmp.dir))).toBe(0o600);
    expect(cap.lines.some((l) => l.level === 40)).toBe(true);
  });

  it("an expired session: clear log line, onSessionProblem with the command, then logs in again when the file changes", async () => {
    const s = await startSession({
      setup: (z) => (z.onLogin = (_c, n) => (n === 1 ? new ZaloApiError("The session key was improperly submitted or has reached its timeout.", 102) : undefined)),
      session: { credentialsPollMs: 60_000 },
    });
    cleanups.push(s.remove, () => s.session.stop());
    expect(s.state).toBe("needs_login");
    expect(s.session.api()).toBeUndefined();
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain("npm run cli -- zalo login");
    expect(s.problems[0]).toContain("session key");
    const errorLine = s.cap.lines.find((l) => l.level === 50);
    expect(String(errorLine?.msg)).toContain(ZALO_LOGIN_COMMAND);
    await vi.waitFor(() => expect(s.clock.timerCount()).toBe(3), WAIT); // cookie save, health log, file watch
    // Nothing changes while the file is the same.
    s.clock.advance(60_000);
    await flush();
    expect(s.f.last().logins).toHaveLength(1);
    // The admin logs in again (the CLI writes a new file).
    await saveCredentials(credentialsPath(s.dir), { ...SAVED, cookie: [{ key: "zpw_sek", value: "renewed" }] });
    const later = new Date(Date.now() + 5000);
    await utimes(credentialsPath(s.dir), later, later);
    s.clock.advance(60_000);
    await vi.waitFor(() => expect(s.session.getState()).toBe("connected"), WAIT);
    expect(s.f.last().logins).toHaveLength(2);
    expect(s.f.last().logins[1]!.cookie).toEqual([{ key: "zpw_sek", value: "renewed" }]);
    expect(s.session.getState()).toBe("connected");
    expect(s.restored).toHaveLength(0); // told only once the connection held (stableAfterMs)
    s.clock.advance(20_000);
    await flush();
    expect(s.restored).toHaveLength(1);
  });

  it("a network failure at login is retried with backoff, not reported as an expired session", async () => {
    const s = await startSession({ setup: (z) => (z.onLogin = (_c, n) => (n === 1 ? new TypeError("fetch failed") : undefined)) });
    cleanups.push(s.remove, () => s.session.stop());
    expect(s.state).toBe("reconnecting");
    expect(s.problems).toHaveLength(0);
    s.clock.advance(s.clock.pendingTimeouts()[0]!);
    await vi.waitFor(() => expect(s.session.getState()).toBe("connected"), WAIT);
    expect(s.f.last().logins).toHaveLength(2);
  });
});

describe("zaloLoginInteractive (for the CLI)", () => {
  it("runs the QR flow even with saved credentials, replaces them, and does not listen", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    await saveCredentials(credentialsPath(tmp.dir), SAVED);
    const f = fakeFactory((z) => (z.qrImage = QR_PNG.toString("base64")));
    const printed: string[] = [];
    const res = await zaloLoginInteractive({ dataDir: tmp.dir, log: captureLog().log, createZalo: f.create, print: (t) => void printed.push(t) });
    expect(res).toEqual({ ownId: "100200300", credentialsPath: credentialsPath(tmp.dir) });
    expect(f.last().qrRuns).toBe(1);
    expect(f.last().options.checkUpdate).toBe(false);
    const saved = JSON.parse(await readFile(credentialsPath(tmp.dir), "utf8"));
    expect(saved.imei).toBe("imei-1-fake");
    expect(await mode(credentialsPath(tmp.dir))).toBe(0o600);
    expect(f.last().apis[0]!.listener.starts).toHaveLength(0);
    expect(printed.at(-1)).toContain("Đã đăng nhập Zalo");
  });
});
