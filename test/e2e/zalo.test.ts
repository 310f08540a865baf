/**
 * End to end through Zalo, wired as src/main.ts wires it: messages from the zca-js stand-in's
 * listener → ZaloSession → (reachesApp: isForBot, else her open conversation) → the app core (claims the update id in its transaction) →
 * the conversation engine → the durable outbox → an OutboxWorker delivering through ZaloSender →
 * api.sendMessage calls recorded by the stand-in. A personal account sees all group chatter, so
 * commands are typed without a slash, answers are plain messages (her open question makes them
 * answers), and other members' chatter must stay unanswered. Runs on PGlite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { ThreadType, type GroupMessage, type UserMessage } from "zca-js";
import { App } from "../../src/app/app.js";
import { reachesApp, ZaloChatTypes, ZaloSender, ZaloSession } from "../../src/channels/zalo/index.js";
import { localInstant } from "../../src/domain/periods.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { createLogger } from "../../src/log.js";
import { outboxCounts, OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import type { Store } from "../../src/store/database.js";
import { ensureEnvAdmins } from "../../src/store/people.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { credentialsPath, saveCredentials } from "../../src/channels/zalo/credentials.js";
import { FLAVOURS, freshStore } from "../helpers/db.js";
import { fakeFactory, flush, type FakeApi, type SentCall } from "../zalo/fake-zca.js";
import { ManualClock, tempDir } from "../zalo/helpers.js";
import { SAVED } from "../zalo/session-helpers.js";

const plan = loadPlanFile(DEFAULT_PLAN_PATH);
/** 10 May 2024, 09:00 local: the May 2024 monthly report (due 20/5) is being collected. */
const NOW = localInstant(2024, 5, 10, 9, 0);
const MONTHLY_ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua"];

interface Member {
  uid: string;
  name: string;
}
const ADMIN: Member = { uid: "8001000000000001", name: "Quản trị tỉnh" };
const LAN: Member = { uid: "8002000000000002", name: "Nguyễn Thị Lan" };
const HOA: Member = { uid: "8003000000000003", name: "Trần Thị Hoa" };
const MAI: Member = { uid: "8004000000000004", name: "Phạm Thị Mai" };
const BRANCH_GROUP = "5550001112223334";
const DISTRICT_GROUP = "5550009998887776";

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(FLAVOURS)("Zalo end to end on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let tmp: { dir: string; remove: () => void };
  let session: ZaloSession;
  let worker: OutboxWorker;
  let api: FakeApi;
  /** Messages the session handed to onInbound, and those that passed the filter to the app. */
  let handled: number;
  let reachedApp: string[];
  /** The session's clock (reconnects, journal retries). */
  let zclock: ManualClock;
  /** While true, the store "is down" for inbound handling: the handler fails before touching it. */
  let storeDown: boolean;
  let makeSession: () => ZaloSession;
  let factory: ReturnType<typeof fakeFactory>;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    const tree = await loadUnitTree(store);
    await ensureEnvAdmins(store, "zalo", [ADMIN.uid], tree.roots.map((r) => r.id));
    const log = createLogger("silent");
    const app = new App({ store, plan, log, now: () => NOW });
    await app.init();

    tmp = tempDir();
    await saveCredentials(credentialsPath(tmp.dir), SAVED);
    handled = 0;
    reachedApp = [];
    storeDown = false;
    zclock = new ManualClock();
    zclock.time = NOW.getTime();
    factory = fakeFactory();
    const chatTypes = new ZaloChatTypes(store);
    makeSession = () => new ZaloSession({
      dataDir: tmp.dir,
      log,
      createZalo: factory.create,
      clock: zclock,
      // As in src/main.ts (plus counting, so the test knows when a message has been dealt with).
      onInbound: async (msg) => {
        try {
          if (storeDown) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
          await chatTypes.remember(msg.chatId, msg.chatType);
          if (!(await reachesApp(store.sql, msg))) return;
          reachedApp.push(msg.text);
          await app.handleInbound(msg);
        } finally {
          handled++;
        }
      },
    });
    session = makeSession();
    expect(await session.start()).toBe("connecting");
    await flush();
    expect(session.getState()).toBe("connected");
    api = factory.last().apis.at(-1)!;
    // Virtual time for the outbox: Zalo's pacing (1 per 3 s per chat, 10 per minute per group) costs no real waiting.
    worker = new OutboxWorker({
      store,
      senders: { zalo: new ZaloSender({ session, resolveChatType: (id) => chatTypes.resolve(id) }) },
      clock: new VirtualClock(NOW),
      log,
    });
  });
  afterEach(async () => {
    await session.stop();
    tmp.remove();
    await cleanup();
  });

  const ts = () => String(NOW.getTime());
  const inGroup = (group: string, who: Member, content: string) =>
    api.groupMessage(group, { uidFrom: who.uid, dName: who.name, content, ts: ts() });
  const inPrivate = (who: Member, content: string) => api.userMessage({ uidFrom: who.uid, dName: who.name, content, ts: ts() });

  /** The listener delivers one message; wait until it is handled and the outbox drained. Returns what the bot sent. */
  async function deliver(raw: GroupMessage | UserMessage): Promise<SentCall[]> {
    const before = api.sent.length;
    const seen = handled;
    api.listener.emit("message", raw);
    await waitFor(() => handled > seen, `message ${raw.data.msgId}`);
    await worker.drain();
    return api.sent.slice(before);
  }
  const textOf = (calls: SentCall[]) => calls.map((c) => c.message.msg).join("\n---\n");
  async function inviteCode(unitCode: string, role = ""): Promise<string> {
    // In a private chat; "/moi" keeps its slash ("moi ..." is everyday Vietnamese: "mọi").
    const calls = await deliver(inPrivate(ADMIN, `/moi ${unitCode}${role ? ` ${role}` : ""}`));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ threadId: ADMIN.uid, type: ThreadType.User });
    const code = /\/dangky ([A-Z0-9]{8})/.exec(calls[0]!.message.msg)?.[1];
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    return code!;
  }
  async function conversationState(): Promise<unknown> {
    return (await store.prisma.conversation.findFirst({ where: { channel: "zalo", chatId: BRANCH_GROUP } }))?.state ?? null;
  }
  /** Her question: a group message that starts with a mention of her, with pos/len on "@Name". */
  function expectQuestionTo(call: SentCall | undefined, who: Member, quoting: string): void {
    expect(call).toBeDefined();
    expect(call!.threadId).toBe(BRANCH_GROUP);
    expect(call!.type).toBe(ThreadType.Group);
    const mentions = call!.message.mentions ?? [];
    expect(mentions).toHaveLength(1);
    const m = mentions[0]!;
    expect(m.uid).toBe(who.uid);
    expect(call!.message.msg.slice(m.pos, m.pos + m.len)).toBe(`@${who.name}`);
    expect(call!.message.quote?.msgId).toBe(quoting);
  }

  it("links, invites, registers, takes a full monthly report by plain messages, and shows it in tiendo with a chart", async () => {
    // 1. The admin links the branch group, without a slash.
    const link = inGroup(BRANCH_GROUP, ADMIN, "lienket NDI-YYE-YPHUONG-CH01");
    const linked = await deliver(link);
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({ threadId: BRANCH_GROUP, type: ThreadType.Group });
    expect(linked[0]!.message.quote?.msgId).toBe(link.data.msgId);
    expect(textOf(linked)).toContain("Chi hội điểm (xã Yên Phương)");
    const chatLink = await store.prisma.chatLink.findFirstOrThrow({ where: { channel: "zalo", chatId: BRANCH_GROUP }, include: { unit: true } });
    expect(chatLink.unit.code).toBe("NDI-YYE-YPHUONG-CH01");

    // 2. Invite; 3. she registers in a private chat with the bot account, "dangky CODE" without a slash.
    const code = await inviteCode("NDI-YYE-YPHUONG-CH01");
    const registered = await deliver(inPrivate(LAN, `dangky ${code.toLowerCase()}`));
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({ threadId: LAN.uid, type: ThreadType.User });
    expect(registered[0]!.message.mentions ?? []).toEqual([]);
    expect(textOf(registered)).toContain("chi hội trưởng");

    // 4. "baocao" in the group: the question mentions her.
    const start = inGroup(BRANCH_GROUP, LAN, "baocao");
    const opened = await deliver(start);
    expect(textOf(opened)).toMatch(/tháng 5\/2024/);
    expectQuestionTo(opened.at(-1), LAN, start.data.msgId);

    // 5. Plain answers, no quote: her open question makes them answers.
    for (const [i, answer] of MONTHLY_ANSWERS.entries()) {
      const raw = inGroup(BRANCH_GROUP, LAN, answer);
      const reply = await deliver(raw);
      expectQuestionTo(reply.at(-1), LAN, raw.data.msgId);

      if (i === 2) {
        const state = await conversationState();
        const processed = await store.prisma.processedUpdate.count();
        // Another member's chatter in the same group: not for the bot, no answer, not even recorded.
        const chatter = inGroup(BRANCH_GROUP, MAI, "moi nguoi oi hop luc 8h nhe");
        expect(await deliver(chatter)).toEqual([]);
        // Zalo delivers her answer again (same msgId): nothing happens a second time (the session
        // knows the id; after a restart the store's claim does, see the outage test below).
        const sentBefore = api.sent.length;
        const handledBefore = handled;
        api.listener.emit("message", raw);
        await flush();
        await worker.drain();
        expect(api.sent.length).toBe(sentBefore);
        expect(handled).toBe(handledBefore);
        expect(await store.prisma.processedUpdate.count()).toBe(processed);
        expect(await conversationState()).toEqual(state);
        expect(reachedApp).not.toContain("moi nguoi oi hop luc 8h nhe");
      }
    }
    expect(textOf([api.sent.at(-1)!])).toContain("45");

    // 6. "gui" stores the report, with a receipt.
    const sent = await deliver(inGroup(BRANCH_GROUP, LAN, "gui"));
    expect(textOf(sent)).toMatch(/đúng hạn/);
    const row = await store.prisma.report.findFirstOrThrow({
      where: { formKey: "chi_hoi_thang", periodKey: "2024-05" },
      include: { unit: true, submittedBy: true },
    });
    expect(row.unit.code).toBe("NDI-YYE-YPHUONG-CH01");
    expect(row.submittedBy).toMatchObject({ channel: "zalo", externalId: LAN.uid });
    expect(row.answers).toMatchObject({ tuyen_truyen: true, so_buoi: 3, so_nguoi: 45, ho_dat_moi: 2, phat_hien_blgd: false });
    expect(await store.prisma.conversation.count()).toBe(0);

    // With her conversation closed, her own chatter is ignored too.
    expect(await deliver(inGroup(BRANCH_GROUP, LAN, "cam on ca nha"))).toEqual([]);

    // 7. An officer of Ý Yên asks "tiendo" (no slash) in the district group.
    expect(textOf(await deliver(inGroup(DISTRICT_GROUP, ADMIN, "lienket NDI-YYE")))).toContain("Ý Yên");
    const officerCode = await inviteCode("NDI-YYE", "canbo");
    expect(textOf(await deliver(inPrivate(HOA, `dangky ${officerCode}`)))).toMatch(/cán bộ/);
    const progress = await deliver(inGroup(DISTRICT_GROUP, HOA, "tiendo"));
    expect(progress.every((c) => c.threadId === DISTRICT_GROUP && c.type === ThreadType.Group)).toBe(true);
    const text = progress.find((c) => c.message.msg.length > 0);
    expect(text?.message.msg).toContain("Hội LHPN huyện Ý Yên");
    expect(text?.message.msg).toMatch(/1\/1/);
    const chart = progress.find((c) => c.message.attachments !== undefined);
    expect(chart).toBeDefined();
    const [attachment] = ([] as unknown[]).concat(chart!.message.attachments) as {
      data: Buffer;
      filename: string;
      metadata: { totalSize: number; width?: number; height?: number };
    }[];
    expect(attachment!.filename).toMatch(/\.png$/);
    const png = PNG.sync.read(attachment!.data);
    expect(attachment!.metadata).toEqual({ totalSize: attachment!.data.byteLength, width: png.width, height: png.height });
    expect(png.width).toBeGreaterThan(100);

    // Every message went through the outbox and was delivered once.
    const counts = await outboxCounts(store);
    expect(counts).toMatchObject({ pending: 0, sending: 0, dead: 0, skipped: 0 });
    expect(counts.sent).toBe(await store.prisma.outboxMessage.count());
    expect(api.sent.length).toBeGreaterThanOrEqual(counts.sent);
  });

  it("a store outage and a dropped socket: journaled and missed messages are answered once, also after a restart", async () => {
    const privately = (who: Member) => api.sent.filter((c) => c.threadId === who.uid && c.type === ThreadType.User);
    // 1. The store is down when Hoa writes: the handler fails, the message waits in the journal.
    storeDown = true;
    const seen = handled;
    api.listener.deliver(inPrivate(HOA, "trogiup"));
    await waitFor(() => handled > seen, "the failed attempt");
    await worker.drain();
    expect(privately(HOA)).toHaveLength(0);
    // 2. The store is back: the journal is replayed, Hoa gets one answer.
    storeDown = false;
    zclock.advance(30_000);
    await waitFor(() => handled > seen + 1, "the replay");
    await worker.drain();
    expect(privately(HOA)).toHaveLength(1);

    // 3. The socket drops (1006); Mai writes meanwhile: not delivered until the reconnect asks for it.
    api.listener.drop(1006);
    api.listener.deliver(inPrivate(MAI, "trogiup"));
    const before = handled;
    zclock.advance(zclock.pendingTimeouts().filter((d) => d > 0)[0]!);
    await waitFor(() => handled > before, "the missed message");
    await worker.drain();
    expect(privately(MAI)).toHaveLength(1);
    expect(privately(HOA)).toHaveLength(1);
    expect(await store.prisma.zaloChat.findUnique({ where: { chatId: MAI.uid } })).toMatchObject({ chatType: "private" });

    // 4. A restart: the new session's first missed-message batch holds both again; the store's claims stop them.
    await session.stop();
    const settled = handled;
    session = makeSession();
    worker = new OutboxWorker({ store, senders: { zalo: new ZaloSender({ session }) }, clock: new VirtualClock(NOW), log: createLogger("silent") });
    await session.start();
    const next = factory.last().apis.at(-1)!;
    next.listener.history = [...api.listener.history];
    next.listener.requestOldMessages(ThreadType.User);
    await waitFor(() => handled >= settled + 2, "the replayed batch");
    await worker.drain();
    expect(next.sent).toHaveLength(0);
    expect(await store.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  });
});
