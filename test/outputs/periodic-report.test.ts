/** /baocaotonghop's draft and the /xuat and /baocaotonghop commands, on the known data set. */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCommand, exportReply, periodicReportCommand, periodicReportReply, type OutboundFile } from "../../src/commands/export.js";
import type { CommandContext } from "../../src/commands/types.js";
import type { Grant } from "../../src/domain/permissions.js";
import { makePeriod } from "../../src/domain/periods.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { createLogger } from "../../src/log.js";
import { draftDocumentFromData, draftPeriodicReport, draftReminder, draftText, loadDraftData } from "../../src/outputs/periodic-report.js";
import type { Store } from "../../src/store/database.js";
import { freshStore } from "../helpers/db.js";
import { NOW, plan, seedOutputs } from "./fixture.js";

let store: Store;
let cleanup: () => Promise<void>;
let tree: UnitTree;

const MAY = makePeriod("monthly", 2024, 5);

beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
  tree = await seedOutputs(store);
});
afterAll(() => cleanup());

describe("draftPeriodicReport", () => {
  it("drafts the monthly report of a district in the union's document form", async () => {
    const text = await draftPeriodicReport(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: MAY, now: NOW });
    const lines = text.split("\n");
    expect(lines.slice(0, 7)).toEqual([
      "HỘI LHPN TỈNH NAM ĐỊNH",
      "HỘI LHPN HUYỆN Ý YÊN",
      "Số: …/BC-…",
      "",
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc",
      "Ý Yên, ngày 28 tháng 5 năm 2024",
    ]);
    expect(lines).toContain("BÁO CÁO");
    expect(lines).toContain("Tháng 5/2024");
    expect(text).toContain(
      "Căn cứ Kế hoạch số 52/KH-BTV ngày 14/02/2023 của Ban Thường vụ Hội LHPN tỉnh Nam Định; căn cứ báo cáo của các đơn vị trực thuộc, Hội LHPN huyện Ý Yên báo cáo kết quả thực hiện tháng 5/2024 như sau:",
    );
    // I. Figures.
    expect(lines).toContain("I. KẾT QUẢ THỰC HIỆN");
    expect(lines).toContain("- Báo cáo tháng chi hội: đã nhận 4/5 báo cáo (80%), đúng hạn 3, trễ hạn 1.");
    // May is not over on the 28th: the monthly target is still being worked on.
    expect(lines).toContain("- Chỉ tiêu 1 – Tỷ lệ chi hội tổ chức tuyên truyền 4 giá trị gia đình Việt Nam trong tháng: 60% (3/5 đơn vị), mục tiêu 100%: đang thực hiện.");
    expect(lines).toContain(
      "- Chỉ tiêu 3 – Số hộ gia đình mới đạt tiêu chí “5 không, 3 sạch” hoặc “5 có, 3 sạch” của mỗi cơ sở Hội trong năm (từ đầu năm): 1/2 cơ sở Hội đạt từ 5 trở lên (50%); tổng cộng 7: đang thực hiện.",
    );
    expect(lines).toContain(
      "- Chỉ tiêu 4 – Tỷ lệ phụ nữ, trẻ em gái bị bạo lực gia đình được phát hiện đã tiếp cận dịch vụ trợ giúp xã hội (từ đầu nhiệm kỳ): 75% (3/4), mục tiêu 80%: đang thực hiện.",
    );
    // A half-yearly form says nothing about May.
    expect(text).not.toContain("Tỷ lệ cơ sở Hội tổ chức tuyên truyền");
    expect(lines).toContain("- Số buổi tuyên truyền: 6 buổi.");
    expect(lines).toContain("- Số lượt người tham gia: 120 lượt người.");
    expect(lines).toContain("- Số hộ mới đạt “5 không, 3 sạch” hoặc “5 có, 3 sạch”: 3 hộ.");
    expect(lines).toContain("- Tổ chức tuyên truyền 4 giá trị gia đình: 3/4 đơn vị.");
    // A branch's note is quoted, in its own place.
    expect(lines).toContain("- Chi hội xóm Đông Thịnh: “Xóm đông, họp ở nhà văn hóa”");
    // Missing units are not in the report (draftReminder has them).
    expect(text).not.toContain("Phú Thứ");
    expect(text).not.toMatch(/\b0\/0\b|trễ hạn 0/);
    // II–IV for the officer to write; closing.
    expect(lines).toContain("II. ĐÁNH GIÁ CHUNG");
    expect(lines).toContain("1. Ưu điểm: …");
    expect(lines).toContain("IV. KIẾN NGHỊ, ĐỀ XUẤT");
    expect(lines).toContain("Trên đây là báo cáo kết quả thực hiện tháng 5/2024 của Hội LHPN huyện Ý Yên./.");
    expect(lines).toContain("- Hội LHPN tỉnh Nam Định (để báo cáo);");
    expect(lines).toContain("TM. BAN THƯỜNG VỤ");
    // Nothing from outside the subtree (Xuân Trường's branch held 4 sessions).
    expect(text).not.toContain("Xuân Kiên");
    expect(text).not.toContain("Hải Điền");
  });

  it("leaves out what is not there, and takes another place and a date in February", async () => {
    const feb = new Date("2025-02-03T03:00:00Z");
    const opts = { plan, tree, rootId: tree.byCode("NDI-YYE-YTHO")!.id, period: MAY, now: feb };
    const text = await draftPeriodicReport(store, { ...opts, place: "Ý Yên" });
    expect(text).toContain("Ý Yên, ngày 03 tháng 02 năm 2025");
    expect(text.split("\n")).toContain("- Báo cáo tháng chi hội: đã nhận 2/2 báo cáo (100%), đúng hạn 2.");
    expect(text).not.toContain("trễ hạn");
    expect(text).not.toContain("Kiến nghị, đề xuất của các đơn vị");
    // The commune's own locality by default; every branch reported, the commune's own monthly
    // report (co_so_thang) is the one missing.
    expect(await draftPeriodicReport(store, opts)).toContain("Yên Thọ, ngày 03 tháng 02 năm 2025");
    const reminder = draftReminder(await loadDraftData(store, opts))!;
    expect(reminder.split("\n").slice(1, 3)).toEqual([
      "Báo cáo tháng cơ sở Hội tháng 5/2024 (hạn 23/05/2024): còn 1/1 đơn vị chưa gửi:",
      "- Hội LHPN xã Yên Thọ.",
    ]);
    expect(reminder).not.toContain("Báo cáo tháng chi hội");
  });

  it("makes the list of missing units its own reminder text, grouped by district", async () => {
    const data = await loadDraftData(store, { plan, tree, rootId: tree.byCode("NDI")!.id, period: MAY, now: NOW });
    const text = draftText(draftDocumentFromData(data));
    expect(text.split("\n").slice(0, 2)).toEqual(["HỘI LHPN TỈNH NAM ĐỊNH", "Số: …/BC-…"]);
    expect(text).toContain("- Số buổi tuyên truyền: 10 buổi.");
    const reminder = draftReminder(data)!;
    expect(reminder.split("\n")).toEqual([
      "Danh sách đơn vị chưa gửi báo cáo (Hội LHPN tỉnh Nam Định, tháng 5/2024)",
      expect.stringMatching(/^Báo cáo tháng chi hội tháng 5\/2024 \(hạn 20\/05\/2024\): còn \d+\/\d+ đơn vị chưa gửi:$/),
      ...reminder.split("\n").slice(2, -1),
      "Đề nghị các đồng chí phụ trách các đơn vị trên đôn đốc, hoàn thành báo cáo trong thời gian sớm nhất.",
    ]);
    expect(reminder).toContain("- Hội LHPN huyện Xuân Trường (");
    expect(reminder).toMatch(/- Hội LHPN huyện Ý Yên \(1 đơn vị\): Chi hội thôn Phú Thứ\./);
  });

  it("has an English version", async () => {
    const text = await draftPeriodicReport(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: MAY, now: NOW, lng: "en" });
    expect(text).toContain("I. RESULTS");
    expect(text).toContain("IV. PROPOSALS");
  });
});

function context(grants: Grant[], args: string, chatUnitCode: string | null = null) {
  const replies: string[] = [];
  const files: { file: OutboundFile; caption?: string }[] = [];
  const ctx = {
    app: {
      store,
      plan,
      plans: [plan],
      currentPlan: () => plan,
      log: createLogger("silent"),
      now: () => NOW,
      tree: () => tree,
      reloadTree: async () => undefined,
      conversationTtlHours: 24,
      inviteValidHours: 72,
    },
    msg: { channel: "local", chatId: "g1", chatType: "group", sender: { id: "u1", name: "Chị Lan" }, text: `/xuat ${args}`, messageId: "m1", receivedAt: NOW },
    person: { id: 1, channel: "local", externalId: "u1", displayName: "Chị Lan" },
    grants,
    args,
    chatUnitId: chatUnitCode ? tree.byCode(chatUnitCode)!.id : null,
    reply: async (text: string) => void replies.push(text),
    message: (text: string) => ({ channel: "local", chatId: "g1", text }),
    conversation: null,
    reportExists: async () => {
      throw new Error("/xuat and /baocaotonghop ask for no report");
    },
    sendFile: async (file: OutboundFile, caption?: string) => void files.push({ file, caption }),
    write: () => {
      throw new Error("/xuat and /baocaotonghop write nothing");
    },
    onCommitted: () => undefined,
  } satisfies CommandContext & { sendFile: unknown };
  return { ctx, replies, files };
}

describe("/xuat and /baocaotonghop", () => {
  const officer = (code: string): Grant[] => [{ role: "officer", unitId: tree.byCode(code)!.id }];

  it("/xuat sends the officer's subtree as a workbook with a caption", async () => {
    const { ctx, files, replies } = context(officer("NDI-YYE"), "thang 5/2024");
    await exportCommand.run(ctx);
    expect(replies).toEqual([]);
    expect(files).toHaveLength(1);
    const { file, caption } = files[0]!;
    expect(file.name).toBe("vun-dap_NDI-YYE_2024-05.xlsx");
    expect(file.mime).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(caption).toBe("Dạ, em gửi chị bảng tổng hợp Hội LHPN huyện Ý Yên, tháng 5/2024 (đã báo cáo 4/5 đơn vị).");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.data) as never);
    const codes: string[] = [];
    wb.getWorksheet("Báo cáo tháng chi hội")!.getColumn(2).eachCell((c, r) => void (r > 6 && c.value && codes.push(String(c.value))));
    expect(codes).toHaveLength(5);
    expect(codes.every((c) => c.startsWith("NDI-YYE-"))).toBe(true);
  });

  it("/xuat uses the chat's unit when she oversees it, and a named unit inside her subtree", async () => {
    const inChat = await exportReply(context(officer("NDI"), "thang 5/2024", "NDI-YYE").ctx, "thang 5/2024");
    expect(inChat.file?.name).toBe("vun-dap_NDI-YYE_2024-05.xlsx");
    const named = await exportReply(context(officer("NDI"), "").ctx, "Xuân Trường tháng 5/2024");
    expect(named.file?.name).toBe("vun-dap_NDI-XTR_2024-05.xlsx");
  });

  it("refuses a unit outside her subtree, and tells when the channel cannot send files", async () => {
    const outside = await exportReply(context(officer("NDI-YYE"), "").ctx, "NDI-XTR");
    expect(outside.file).toBeNull();
    expect(outside.text).toMatch(/không (tìm thấy|thuộc)/);
    const { ctx, replies } = context(officer("NDI-YYE"), "");
    const noFiles: CommandContext = { ...ctx };
    delete (noFiles as { sendFile?: unknown }).sendFile;
    await exportCommand.run(noFiles);
    expect(replies).toEqual(["Dạ, kênh chat này chưa gửi được tệp. Chị dùng Telegram hoặc nhờ quản trị xuất bảng giúp ạ."]);
    const nobody = context([], "");
    await exportCommand.run(nobody.ctx);
    expect(nobody.replies).toEqual(["Dạ, em chưa thấy đơn vị nào chị phụ trách ạ."]);
  });

  it("/baocaotonghop replies with the draft, sends it as a .docx and the missing units as their own text", async () => {
    const { ctx, replies, files } = context(officer("NDI-YYE"), "thang 5");
    await periodicReportCommand.run(ctx);
    expect(replies).toHaveLength(2);
    expect(replies[0]).toContain("HỘI LHPN HUYỆN Ý YÊN");
    expect(replies[0]).toContain("Ý Yên, ngày 28 tháng 5 năm 2024");
    expect(replies[1]).toContain("Chi hội thôn Phú Thứ");
    expect(files).toHaveLength(1);
    expect(files[0]!.file.name).toBe("bao-cao_NDI-YYE_2024-05.docx");
    expect(files[0]!.file.mime).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(files[0]!.caption).toBe("Dạ, em gửi chị bản dự thảo báo cáo tháng 5/2024 của Hội LHPN huyện Ý Yên (tệp Word) để chị chỉnh sửa, ký ban hành ạ.");
    // "đoạn": only the part to paste into the union's report, no file.
    const paste = context(officer("NDI-YYE"), "thang 5 đoạn");
    await periodicReportCommand.run(paste.ctx);
    expect(paste.files).toEqual([]);
    expect(paste.replies[0]!.split("\n")[0]).toMatch(/^KẾT QUẢ THỰC HIỆN KẾ HOẠCH CHỈ ĐẠO ĐIỂM .* \(tháng 5\/2024\)$/);
    expect(paste.replies[0]).toContain("- Số buổi tuyên truyền: 6 buổi.");
    expect(paste.replies[0]).not.toContain("TM. BAN THƯỜNG VỤ");
    expect((await periodicReportReply(context(officer("NDI-YYE"), "").ctx, "Xuân Trường")).text).toMatch(/không (tìm thấy|thuộc)/);
    expect(exportCommand.needs).toBe("view");
    expect(periodicReportCommand.needs).toBe("view");
    expect(periodicReportCommand.name).toBe("baocaotonghop");
    expect(exportCommand.name).toBe("xuat");
  });
});
