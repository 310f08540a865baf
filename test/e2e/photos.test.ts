/**
 * A photo answer end to end, through each channel's stand-in into the store and the workbook:
 * - Telegram (wired as src/main.ts wires it: real update shapes → the Telegram channel → the app
 *   → the engine → the outbox → a fake Bot API, FakeTelegram): in a group under privacy mode her
 *   photos reply to the bot's question; a photo that does not is not taken; an album (two updates
 *   with one media_group_id) is acknowledged once and counted per photo; a redelivered update
 *   counts nothing twice; an image sent as a file counts; a text gets a clear note; "xong" → the
 *   summary says "4 ảnh"; "gửi" stores the file ids of the largest sizes.
 * - Zalo (zca-js's own message classes from the stand-in's listener → ZaloSession → the app): a
 *   "chat.photo" message's attachment link is the reference, downloaded from a CDN stand-in.
 * Then the download job copies them from the stand-in of Telegram's file API (getFile, then
 * /file/bot<token>/<file_path>) and of Zalo's CDN, and the workbook of the district lists them
 * with their links and states. Runs on PGlite and on PostgreSQL.
 */
import ExcelJS from "exceljs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { type GroupMessage } from "zca-js";
import { App } from "../../src/app/app.js";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/index.js";
import { reachesApp, ZaloChatTypes, ZaloSender, ZaloSession } from "../../src/channels/zalo/index.js";
import { credentialsPath, saveCredentials } from "../../src/channels/zalo/credentials.js";
import { localInstant, parsePeriodKey } from "../../src/domain/periods.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { createLogger } from "../../src/log.js";
import { OutboxWorker, VirtualClock } from "../../src/outbox/index.js";
import { exportWorkbook } from "../../src/outputs/workbook.js";
import { PhotoDownloader } from "../../src/photos/downloader.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import type { PhotoRef } from "../../src/plan/schema.js";
import type { Store } from "../../src/store/database.js";
import { grantRole, linkChat, upsertPerson } from "../../src/store/people.js";
import { photosOf, photoKey } from "../../src/store/photos.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../src/store/units.js";
import { FLAVOURS, freshStore, tempDir } from "../helpers/db.js";
import { fakeFetch, FakeTelegram, type ApiCall, type TgUser } from "../telegram/fake-api.js";
import { BOT, HOA, LAN, TOKEN } from "../telegram/fixtures.js";
import { fakeFactory, flush, type FakeApi } from "../zalo/fake-zca.js";
import { ManualClock } from "../zalo/helpers.js";
import { SAVED } from "../zalo/session-helpers.js";
import { jpeg, PhotoSources, png } from "../photos/file-server.js";

const plan = loadPlanFile(DEFAULT_PLAN_PATH);
/** 10 May 2024, 09:00 local: the May 2024 monthly report is being collected. */
const NOW = localInstant(2024, 5, 10, 9, 0);
const DATE = Math.floor(NOW.getTime() / 1000);
const MAY = parsePeriodKey("monthly", "2024-05")!;
const BRANCH_CODE = "NDI-YYE-YPHUONG-CH01";
/** Questions 1–9 of the monthly form, answered as in the other end-to-end tests; 10 is the photos. */
const TYPED = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua"];
const WEB = "https://bot.example.org";

/** The workbook's photo sheet and the form sheet's photo cell, as a reader of the file sees them. */
async function readWorkbook(data: Uint8Array): Promise<{ rows: { code: string; n: number; link: string | null; status: string }[]; cells: string[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(data) as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet("Ảnh minh chứng");
  if (!sheet) throw new Error(`no photo sheet among ${wb.worksheets.map((w) => w.name).join(", ")}`);
  const rows: { code: string; n: number; link: string | null; status: string }[] = [];
  sheet.eachRow((row, i) => {
    if (i < 5) return;
    const link = row.getCell(7).value as { hyperlink?: string } | string | null;
    rows.push({
      code: String(row.getCell(2).value),
      n: Number(row.getCell(6).value),
      link: typeof link === "object" && link?.hyperlink ? link.hyperlink : null,
      status: String(row.getCell(8).value),
    });
  });
  const form = wb.worksheets[0]!;
  const header = form.getRow(6).values as unknown[];
  const col = header.findIndex((v) => v === "Ảnh minh chứng");
  const cells: string[] = [];
  form.eachRow((row, i) => {
    if (i > 6 && row.getCell(col).value) cells.push(String(row.getCell(col).value));
  });
  return { rows, cells };
}

describe.each(FLAVOURS)("photo answers end to end on %s", (flavour) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let sources: PhotoSources;
  let dataDir: { dir: string; remove: () => void };
  let app: App;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(flavour));
    await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
    sources = await new PhotoSources(TOKEN).listen();
    dataDir = tempDir();
    app = new App({ store, plan, log: createLogger("silent"), now: () => NOW });
    await app.init();
  });
  afterEach(async () => {
    await sources.close();
    dataDir.remove();
    await cleanup();
  });

  const downloader = () =>
    new PhotoDownloader({ store, log: createLogger("silent"), dataDir: dataDir.dir, telegram: { apiRoot: sources.root, token: TOKEN },
      // The CDN stand-in is on loopback over http (in production only https on Zalo's CDN).
      zaloUrlAllowed: (u: URL) => u.hostname === "127.0.0.1", timeoutMs: 10_000 });
  async function workbook() {
    const tree = await loadUnitTree(store);
    const out = await exportWorkbook(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: MAY, now: NOW, photoBaseUrl: WEB });
    return readWorkbook(out.data);
  }
  const photoRows = async () => Number((await store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PhotoFile"`))[0]!.n);
  async function reportPhotos(): Promise<PhotoRef[]> {
    const tree = await loadUnitTree(store);
    const r = await store.prisma.report.findFirstOrThrow({ where: { unitId: tree.byCode(BRANCH_CODE)!.id, periodKey: "2024-05" } });
    return (r.answers as Record<string, unknown>).anh_minh_chung as PhotoRef[];
  }

  describe("Telegram", () => {
    const GROUP = { id: -1001555000333, title: "Chi hội điểm Yên Phương", type: "supergroup" } as const;
    const BOT_USER = { id: BOT.id, is_bot: true, first_name: BOT.first_name, username: BOT.username };
    let tg: TelegramChannel;
    let telegram: FakeTelegram;
    let calls: ApiCall[];
    let worker: OutboxWorker;
    let nextUpdate = 790_000_000;
    let nextMessage = 900;

    beforeEach(async () => {
      const tree = await loadUnitTree(store);
      const branch = tree.byCode(BRANCH_CODE)!;
      for (const u of [LAN, HOA]) {
        const person = await upsertPerson(store, "telegram", String(u.id), u.first_name);
        await grantRole(store, person.id, branch.id, "leader");
      }
      await linkChat(store, "telegram", String(GROUP.id), branch.id, null);
      telegram = new FakeTelegram(BOT);
      const fake = fakeFetch((call) => telegram.answer(call));
      calls = fake.calls;
      const log = createLogger("silent");
      tg = createTelegramChannel({ token: TOKEN, botInfo: BOT, fetch: fake.fetch, store, log, onInbound: (msg) => app.handleInbound(msg) });
      worker = new OutboxWorker({ store, senders: { telegram: tg.channel }, clock: new VirtualClock(NOW), log });
    });
    afterEach(async () => {
      await tg.stop();
    });

    async function deliver(update: Update): Promise<ApiCall[]> {
      const before = calls.length;
      await tg.handleUpdate(update);
      await worker.drain();
      return calls.slice(before).filter((c) => c.method === "sendMessage");
    }
    const lastBot = () => [...telegram.messages.values()].filter((m) => m.chatId === GROUP.id).at(-1)!;
    const replyTo = (id: number) => ({ message_id: id, from: BOT_USER, chat: GROUP, date: DATE - 5, text: "…" });
    function message(from: TgUser, fields: Record<string, unknown>, reply?: number): Update {
      const m: Record<string, unknown> = { message_id: nextMessage++, from, chat: GROUP, date: DATE, ...fields };
      if (reply !== undefined) m.reply_to_message = replyTo(reply);
      return { update_id: nextUpdate++, message: m } as unknown as Update;
    }
    const text = (body: string, reply?: number) =>
      message(LAN, { text: body, ...(body.startsWith("/") ? { entities: [{ offset: 0, length: body.split(" ")[0]!.length, type: "bot_command" }] } : {}) }, reply);
    /** A photo as Telegram sends it: several sizes, smallest first, each its own file_id; the largest is the one kept. */
    function photo(n: number, reply?: number, album?: string): Update {
      for (const [size, w] of [["s", 90], ["m", 320], ["x", 1280]] as const) {
        sources.telegram.set(`PHOTO-${n}-${size}`, { bytes: jpeg(w * 10 + n), uniqueId: `Uniq${n}${size}` });
      }
      const sizes = [["s", 90, 67], ["m", 320, 240], ["x", 1280, 960]].map(([size, w, h]) => ({
        file_id: `PHOTO-${n}-${size}`,
        file_unique_id: `Uniq${n}${size}`,
        width: w,
        height: h,
        file_size: Number(w) * 10 + n,
      }));
      return message(LAN, { photo: sizes, ...(album ? { media_group_id: album } : {}) }, reply);
    }

    it("photos replying to the question, an album, a redelivery, an image file → the report, the copies and the workbook's links", async () => {
      await deliver(text("/baocao@VunDapBot"));
      for (const answer of TYPED) await deliver(text(answer, lastBot().messageId));
      const q10 = lastBot();
      expect(q10.text).toMatch(/^Câu 10\/10: .*ảnh minh chứng/m);
      expect(q10.text).toMatch(/bằng ảnh \(bấm 📎 rồi chọn ảnh, tối đa 5 ảnh\)/);
      const asked = calls.filter((c) => c.method === "sendMessage").at(-1)!;
      // In a group the photo question asks for a reply (privacy mode: her photo must reply to it).
      expect(asked.payload.reply_markup).toEqual({ force_reply: true, selective: true });

      // A photo that does not reply to the bot (seen only by a bot that is admin): not taken.
      const stray = await deliver(photo(1));
      expect(stray).toEqual([]);

      // Her first photo, replying to the question.
      const first = await deliver(photo(2, q10.messageId));
      expect(first.map((c) => String(c.payload.text))).toEqual([expect.stringMatching(/đã nhận 1 ảnh/)]);

      // An album of two, replying to the bot: two updates, one acknowledgement.
      const album1 = photo(3, lastBot().messageId, "13570000000000001");
      const album2 = photo(4, lastBot().messageId, "13570000000000001");
      const a1 = await deliver(album1);
      const a2 = await deliver(album2);
      expect(a1.map((c) => String(c.payload.text))).toEqual([expect.stringMatching(/đã nhận các ảnh/)]);
      expect(a2).toEqual([]);
      // Telegram delivers an update again: nothing happens, nothing is counted twice.
      expect(await deliver(album1)).toEqual([]);
      expect(await deliver(album1)).toEqual([]);

      // An image sent as a file (a document with an image type) counts too.
      sources.telegram.set("DOC-5", { bytes: png(4000), uniqueId: "UniqDoc5" });
      const doc = await deliver(
        message(LAN, { document: { file_id: "DOC-5", file_unique_id: "UniqDoc5", file_name: "hop-chi-hoi.png", mime_type: "image/png", file_size: 4000 } }, lastBot().messageId),
      );
      expect(doc.map((c) => String(c.payload.text))).toEqual([expect.stringMatching(/đã nhận 4 ảnh/)]);
      // Another member's photo replying to the bot is not hers to give.
      expect(await deliver(message(HOA, { photo: [{ file_id: "HOA-1", file_unique_id: "UHoa", width: 10, height: 10 }] }, lastBot().messageId))).toEqual([]);

      // A text instead of a photo: a clear note; the photos stay.
      const note = await deliver(text("ảnh em gửi rồi mà", lastBot().messageId));
      expect(String(note[0]!.payload.text)).toMatch(/câu này em cần ảnh chị chụp/);

      const summary = await deliver(text("Xong", lastBot().messageId));
      expect(String(summary[0]!.payload.text)).toMatch(/10\. Ảnh minh chứng: 4 ảnh/);
      const receipt = await deliver(text("gui", lastBot().messageId));
      expect(String(receipt[0]!.payload.text)).toMatch(/em đã nhận/);

      const refs = await reportPhotos();
      expect(refs.map((r) => r.fileId)).toEqual(["PHOTO-2-x", "PHOTO-3-x", "PHOTO-4-x", "DOC-5"]);
      expect(refs.every((r) => r.channel === "telegram")).toBe(true);
      expect(await photoRows()).toBe(4);

      // Not downloaded yet: the workbook says so, with links already.
      const before = await workbook();
      expect(before.cells).toEqual(["4 ảnh"]);
      expect(before.rows.map((r) => r.status)).toEqual(["Đang tải về", "Đang tải về", "Đang tải về", "Đang tải về"]);

      expect(await downloader().runOnce()).toEqual({ done: 4, retried: 0, failed: 0 });
      const rows = await photosOf(store, refs);
      for (const ref of refs) {
        const row = rows.get(photoKey(ref))!;
        expect(row.status).toBe("done");
        expect(existsSync(join(dataDir.dir, row.path!))).toBe(true);
      }
      expect(rows.get("telegram|UniqDoc5")!.path).toMatch(/\.png$/);

      const after = await workbook();
      expect(after.rows).toEqual(
        refs.map((ref, i) => ({ code: BRANCH_CODE, n: i + 1, link: `${WEB}/web/anh/${rows.get(photoKey(ref))!.id}`, status: "Đã lưu" })),
      );
    });

    it("in a private chat: an album, then “Xong” tapped under the first acknowledgement still works", async () => {
      const me = { id: LAN.id, first_name: LAN.first_name, type: "private" };
      const inPrivate = (fields: Record<string, unknown>): Update =>
        ({ update_id: nextUpdate++, message: { message_id: nextMessage++, from: LAN, chat: me, date: DATE, ...fields } }) as unknown as Update;
      const say = async (body: string) => {
        await tg.handleUpdate(inPrivate({ text: body, ...(body.startsWith("/") ? { entities: [{ offset: 0, length: body.length, type: "bot_command" }] } : {}) }));
        await worker.drain();
      };
      const lastHere = () => [...telegram.messages.values()].filter((m) => m.chatId === LAN.id).at(-1)!;
      await say("/baocao");
      for (const answer of TYPED) await say(answer);
      expect(telegram.keyboardOf(LAN.id, lastHere().messageId).flat().map((b) => b.text)).toEqual(["Xong", "Bỏ qua"]);
      const sizes = (n: number) => {
        sources.telegram.set(`PRIV-${n}`, { bytes: jpeg(2000 + n), uniqueId: `UPriv${n}` });
        return [{ file_id: `PRIV-${n}`, file_unique_id: `UPriv${n}`, width: 800, height: 600 }];
      };
      for (const n of [1, 2, 3]) {
        await tg.handleUpdate(inPrivate({ photo: sizes(n), media_group_id: "999000111" }));
        await worker.drain();
      }
      const ack = lastHere();
      expect(ack.text).toMatch(/đã nhận các ảnh/);
      // Two more photos of the album came after this message (no new buttons): its Xong still counts.
      await tg.handleUpdate(telegram.tap(LAN, me, ack.messageId, "Xong"));
      await worker.drain();
      expect(lastHere().text).toMatch(/✓ Câu 10: 3 ảnh[\s\S]*xem lại/);
      expect(telegram.unansweredQueries).toBe(0);
    });

    it("at the maximum the question ends by itself; photos of the album beyond it are not kept", async () => {
      await deliver(text("/baocao@VunDapBot"));
      for (const answer of TYPED) await deliver(text(answer, lastBot().messageId));
      const q10 = lastBot().messageId;
      const replies: ApiCall[][] = [];
      for (let n = 1; n <= 7; n++) replies.push(await deliver(photo(n, q10, "24680000000000002")));
      expect(String(replies[4]![0]!.payload.text)).toMatch(/đủ 5 ảnh[\s\S]*xem lại/);
      expect(replies.filter((r) => r.length > 0)).toHaveLength(2);
      await deliver(text("gui", lastBot().messageId));
      expect((await reportPhotos()).map((r) => r.fileId)).toEqual([1, 2, 3, 4, 5].map((n) => `PHOTO-${n}-x`));
      expect(await photoRows()).toBe(5);
    });
  });

  describe("Zalo", () => {
    const GROUP_ID = "5550001112223399";
    const LAN_Z = { uid: "8002000000000002", name: "Nguyễn Thị Lan" };
    let session: ZaloSession;
    let api: FakeApi;
    let worker: OutboxWorker;
    let handled = 0;
    let zaloDir: { dir: string; remove: () => void };

    beforeEach(async () => {
      const tree = await loadUnitTree(store);
      const person = await upsertPerson(store, "zalo", LAN_Z.uid, LAN_Z.name);
      await grantRole(store, person.id, tree.byCode(BRANCH_CODE)!.id, "leader");
      await linkChat(store, "zalo", GROUP_ID, tree.byCode(BRANCH_CODE)!.id, null);
      zaloDir = tempDir();
      await saveCredentials(credentialsPath(zaloDir.dir), SAVED);
      const clock = new ManualClock();
      clock.time = NOW.getTime();
      const factory = fakeFactory();
      const chatTypes = new ZaloChatTypes(store);
      const log = createLogger("silent");
      session = new ZaloSession({
        dataDir: zaloDir.dir,
        log,
        createZalo: factory.create,
        clock,
        // As in src/main.ts.
        onInbound: async (msg) => {
          try {
            await chatTypes.remember(msg.chatId, msg.chatType);
            if (!(await reachesApp(store.sql, msg))) return;
            await app.handleInbound(msg);
          } finally {
            handled++;
          }
        },
      });
      expect(await session.start()).toBe("connecting");
      await flush();
      api = factory.last().apis.at(-1)!;
      worker = new OutboxWorker({ store, senders: { zalo: new ZaloSender({ session, resolveChatType: (id) => chatTypes.resolve(id) }) }, clock: new VirtualClock(NOW), log });
    });
    afterEach(async () => {
      await session.stop();
      zaloDir.remove();
    });

    async function deliver(raw: GroupMessage): Promise<string[]> {
      const before = api.sent.length;
      const seen = handled;
      api.listener.emit("message", raw);
      for (const start = Date.now(); handled <= seen; await new Promise((r) => setTimeout(r, 2))) {
        if (Date.now() - start > 10_000) throw new Error("timed out");
      }
      await worker.drain();
      return api.sent.slice(before).map((s) => String((s.message as { msg?: string })?.msg ?? s.message));
    }
    const say = (content: string) => api.groupMessage(GROUP_ID, { uidFrom: LAN_Z.uid, dName: LAN_Z.name, content, ts: String(NOW.getTime()) });
    /** A photo as zca-js 2.2.0 delivers it: msgType "chat.photo", an attachment whose params hold the hd link. */
    function photo(name: string): GroupMessage {
      sources.zalo.set(name, { bytes: jpeg(3000), uniqueId: name });
      const url = sources.zaloUrl(name);
      return api.groupMessage(GROUP_ID, {
        uidFrom: LAN_Z.uid,
        dName: LAN_Z.name,
        msgType: "chat.photo",
        ts: String(NOW.getTime()),
        content: { title: "", description: "", href: `${url}-small`, thumb: `${url}-thumb`, childnumber: 0, action: "recommened.link", params: JSON.stringify({ width: 1280, height: 960, hd: url }), type: "" },
      });
    }

    it("a chat.photo message answers the photo question; its link is downloaded; an expired one keeps its reference", async () => {
      await deliver(say("bao cao"));
      for (const answer of TYPED) await deliver(say(answer));
      const p1 = photo("zimg1");
      expect((await deliver(p1)).join("\n")).toMatch(/đã nhận 1 ảnh/);
      expect((await deliver(photo("zimg2"))).join("\n")).toMatch(/đã nhận 2 ảnh/);
      // Zalo may hand the same message again after a reconnect (old messages): counted once (the
      // session drops a message id it has seen; the app's claim would too).
      const sentBefore = api.sent.length;
      api.listener.emit("message", p1);
      await flush(50);
      await worker.drain();
      expect(api.sent.length).toBe(sentBefore);
      expect((await deliver(say("xong"))).join("\n")).toMatch(/Ảnh minh chứng: 2 ảnh/);
      expect((await deliver(say("gui"))).join("\n")).toMatch(/em đã nhận/);

      const refs = await reportPhotos();
      expect(refs.map((r) => r.fileId)).toEqual([sources.zaloUrl("zimg1"), sources.zaloUrl("zimg2")]);
      expect(refs.every((r) => r.channel === "zalo")).toBe(true);

      // The second link expires before the job gets to it.
      sources.zalo.get("zimg2")!.expired = true;
      expect(await downloader().runOnce()).toEqual({ done: 1, retried: 0, failed: 1 });
      const book = await workbook();
      expect(book.cells).toEqual(["2 ảnh"]);
      expect(book.rows.map((r) => r.status)).toEqual(["Đã lưu", "Không lưu được bản sao (liên kết đã hết hạn)"]);
      expect(book.rows.every((r) => r.link?.startsWith(`${WEB}/web/anh/`))).toBe(true);
    });
  });
});
