/** /baocaotonghop's draft and the /xuat and /baocaotonghop commands, on the known data set. */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCommand, exportReply, periodicReportCommand, periodicReportReply, type OutboundFile } from "../../src/commands/export.js";
import type { CommandContext } from "../../src/commands/types.js";
import type { Grant } from "../../src/domain/permissions.js";
import { makePeriod } from "../../src/domain/periods.js";
import type { UnitTree } from "../../src/domain/units/tree.js";
import { createLogger } from "../../src/log.js";
import { draftPeriodicReport } from "../../src/outputs/periodic-report.js";
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
  it("drafts the monthly report of a district in the formal style", async () => {
    const text = await draftPeriodicReport(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: MAY, now: NOW });
    const lines = text.split("\n");
    expect(lines.slice(0, 5)).toEqual(["HỘI LHPN TỈNH NAM ĐỊNH", "HỘI LHPN HUYỆN Ý YÊN", "Số: …/BC-…", "", "Nam Định, ngày 28 tháng 5 năm 2024"]);
    expect(lines).toContain("BÁO CÁO");
    expect(lines).toContain("Tháng 5/2024");
    expect(text).toContain(
      "Thực hiện Kế hoạch số 52/KH-BTV ngày 14/02/2023 của Ban Thường vụ Hội LHPN tỉnh Nam Định, Hội LHPN huyện Ý Yên báo cáo kết quả thực hiện tháng 5/2024 như sau:",
    );
    // I. Figures.
    expect(lines).toContain("I. KẾT QUẢ THỰC HIỆN");
    expect(lines).toContain(
      "- Báo cáo tháng chi hội: có 5 đơn vị phải báo cáo; đã báo cáo 4/5 đơn vị (80%), trong đó đúng hạn 3/5 đơn vị (60%), trễ hạn 1 đơn vị; chưa báo cáo 1 đơn vị.",
    );
    expect(lines).toContain("- Tỷ lệ chi hội tổ chức tuyên truyền 4 giá trị gia đình Việt Nam trong tháng: 60% (3/5 đơn vị), chỉ tiêu 100%: chưa đạt.");
    expect(lines).toContain(
      "- Số hộ gia đình mới đạt tiêu chí “5 không, 3 sạch” hoặc “5 có, 3 sạch” của mỗi cơ sở Hội trong năm (từ đầu năm): 1/2 cơ sở Hội đạt từ 5 trở lên (50%): chưa đạt.",
    );
    expect(lines).toContain(
      "- Tỷ lệ phụ nữ, trẻ em gái bị bạo lực gia đình được phát hiện đã tiếp cận dịch vụ trợ giúp xã hội (từ đầu kế hoạch): 75% (3/4), chỉ tiêu 80%: chưa đạt.",
    );
    expect(lines).toContain("- Số buổi tuyên truyền: 6 buổi.");
    expect(lines).toContain("- Số lượt người tham gia: 120 lượt người.");
    expect(lines).toContain("- Số hộ mới đạt “5 không, 3 sạch” hoặc “5 có, 3 sạch”: 3 hộ.");
    expect(lines).toContain("- Tổ chức tuyên truyền 4 giá trị gia đình: 3/4 đơn vị.");
    // II. Missing and late units.
    expect(lines).toContain("II. ĐƠN VỊ CHƯA BÁO CÁO");
    expect(lines).toContain("Còn 1/5 đơn vị chưa báo cáo:");
    expect(lines).toContain("- Hội LHPN xã Yên Phương (1 đơn vị): Chi hội thôn Phú Thứ.");
    expect(lines).toContain("- Đơn vị báo cáo trễ hạn (1): Chi hội xóm Đông Thịnh.");
    expect(text).toContain("đồng chí");
    // III. For the officer to write; closing.
    expect(lines).toContain("III. ĐÁNH GIÁ, KIẾN NGHỊ");
    expect(lines).toContain("1. Ưu điểm: …");
    expect(lines).toContain("3. Kiến nghị, đề xuất: …");
    expect(lines).toContain("Trên đây là báo cáo kết quả thực hiện tháng 5/2024 của Hội LHPN huyện Ý Yên./.");
    expect(lines).toContain("- Hội LHPN tỉnh Nam Định (để báo cáo);");
    // Nothing from outside the subtree (Xuân Trường's branch held 4 sessions).
    expect(text).not.toContain("Xuân Kiên");
    expect(text).not.toContain("Hải Điền");
  });

  it("says so when every unit reported on time, and takes another place and a date in February", async () => {
    const feb = new Date("2025-02-03T03:00:00Z");
    const text = await draftPeriodicReport(store, {
      plan,
      tree,
      rootId: tree.byCode("NDI-YYE-YTHO")!.id,
      period: MAY,
      now: feb,
      place: "Ý Yên",
    });
    expect(text).toContain("Ý Yên, ngày 03 tháng 02 năm 2025");
    expect(text.split("\n")).toContain("Tất cả các đơn vị đã báo cáo đúng hạn.");
    expect(text).toContain("đã báo cáo 2/2 đơn vị (100%), trong đó đúng hạn 2/2 đơn vị (100%)");
    expect(text).not.toContain("Còn ");
  });

  it("groups a province's missing units by district", async () => {
    const text = await draftPeriodicReport(store, { plan, tree, rootId: tree.byCode("NDI")!.id, period: MAY, now: NOW });
    expect(text.split("\n").slice(0, 2)).toEqual(["HỘI LHPN TỈNH NAM ĐỊNH", "Số: …/BC-…"]);
    expect(text).toContain("- Hội LHPN huyện Xuân Trường (1 đơn vị): Chi hội xóm Hải Điền.");
    expect(text).toContain("- Hội LHPN huyện Ý Yên (1 đơn vị): Chi hội thôn Phú Thứ.");
    expect(text).toContain("- Số buổi tuyên truyền: 10 buổi.");
  });

  it("has an English version", async () => {
    const text = await draftPeriodicReport(store, { plan, tree, rootId: tree.byCode("NDI-YYE")!.id, period: MAY, now: NOW, lng: "en" });
    expect(text).toContain("I. RESULTS");
    expect(text).toContain("II. UNITS THAT HAVE NOT REPORTED");
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

  it("/baocaotonghop replies with the draft of her unit", async () => {
    const { ctx, replies } = context(officer("NDI-YYE"), "thang 5");
    await periodicReportCommand.run(ctx);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("HỘI LHPN HUYỆN Ý YÊN");
    expect(replies[0]).toContain("Nam Định, ngày 28 tháng 5 năm 2024");
    expect(await periodicReportReply(context(officer("NDI-YYE"), "").ctx, "Xuân Trường")).toMatch(/không (tìm thấy|thuộc)/);
    expect(exportCommand.needs).toBe("view");
    expect(periodicReportCommand.needs).toBe("view");
    expect(periodicReportCommand.name).toBe("baocaotonghop");
    expect(exportCommand.name).toBe("xuat");
  });
});
