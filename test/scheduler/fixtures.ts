/** Shared fixtures for scheduler tests: the seed plan, a small plan, a small unit tree. */
import { UnitTree } from "../../src/domain/units/tree.js";
import type { UnitNode } from "../../src/domain/types.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import { type Plan, type PlanInput, planSchema } from "../../src/plan/schema.js";
import type { Store } from "../../src/store/database.js";

export const seedPlan: Plan = loadPlanFile(DEFAULT_PLAN_PATH);

/** A local (Asia/Ho_Chi_Minh) wall-clock time as an instant. */
export function vn(text: string): Date {
  return new Date(`${text.replace(" ", "T")}:00+07:00`);
}

/** A small valid plan; pieces can be replaced. */
export function smallPlan(over: Partial<PlanInput> = {}): Plan {
  const base: PlanInput = {
    id: "thu_nghiem",
    title: "Kế hoạch thử",
    reference: "KH thử",
    organisation: "Hội LHPN tỉnh",
    place: "Nam Định",
    start: "2024-01-01",
    end: "2025-12-31",
    values: [{ key: "an_toan", name: "An toàn", description: "An toàn" }],
    forms: [
      {
        key: "chi_hoi_thang",
        title: "Báo cáo tháng chi hội",
        period: "monthly",
        due: { day: 20, time: "20:00" },
        unitKinds: ["branch"],
        questions: [{ key: "tuyen_truyen", text: "Có tuyên truyền không?", type: "yes_no" }],
      },
    ],
    reminders: [{ key: "nhac_thang", target: { form: "chi_hoi_thang" }, before: ["3d", "1d"] }],
    content: {
      items: Array.from({ length: 6 }, (_, i) => ({ key: `bai_${i + 1}`, topic: "an_toan", title: `Bài ${i + 1}`, text: `Nội dung bài ${i + 1}.` })),
      schedules: [{ key: "toi_22h", cron: "0 22 * * *", unitKinds: ["branch"], noRepeatDays: 3 }],
    },
    ...over,
  };
  return planSchema.parse(base);
}

export interface Units {
  province: UnitNode;
  district: UnitNode;
  commune: UnitNode;
  b1: UnitNode;
  b2: UnitNode;
  b3: UnitNode;
}

const SHAPE = [
  { key: "province", code: "NDI", name: "Hội LHPN tỉnh Nam Định", kind: "province", parent: null },
  { key: "district", code: "NDI-YYE", name: "Hội LHPN huyện Ý Yên", kind: "district", parent: "province" },
  { key: "commune", code: "NDI-YYE-YPHUONG", name: "Hội LHPN xã Yên Phương", kind: "commune", parent: "district" },
  { key: "b1", code: "NDI-YYE-YPHUONG-CH01", name: "Chi hội thôn Đông", kind: "branch", parent: "commune" },
  { key: "b2", code: "NDI-YYE-YPHUONG-CH02", name: "Chi hội thôn Đoài", kind: "branch", parent: "commune" },
  { key: "b3", code: "NDI-YYE-YPHUONG-CH03", name: "Chi hội thôn Trung", kind: "branch", parent: "commune" },
] as const;

/** The same small tree, without a store (ids 1…6). */
export function memoryTree(): { tree: UnitTree; units: Units } {
  const units = {} as Record<string, UnitNode>;
  SHAPE.forEach((s, i) => {
    units[s.key] = { id: i + 1, code: s.code, name: s.name, kind: s.kind, parentId: s.parent ? units[s.parent]!.id : null };
  });
  return { tree: new UnitTree(Object.values(units)), units: units as unknown as Units };
}

/** Inserts the small tree into the store. */
export async function storeTree(store: Store): Promise<{ tree: UnitTree; units: Units }> {
  const units = {} as Record<string, UnitNode>;
  for (const s of SHAPE) {
    const parent = s.parent ? units[s.parent]! : null;
    const row = await store.prisma.unit.create({
      data: { code: s.code, name: s.name, kind: s.kind, parentId: parent?.id ?? null, path: "/" },
    });
    units[s.key] = { id: row.id, code: s.code, name: s.name, kind: s.kind, parentId: parent?.id ?? null };
  }
  return { tree: new UnitTree(Object.values(units)), units: units as unknown as Units };
}

export async function linkGroup(store: Store, unitId: number, chatId: string, channel = "telegram"): Promise<void> {
  await store.prisma.chatLink.create({ data: { channel, chatId, unitId } });
}

export async function addLeader(store: Store, unitId: number, externalId: string, name: string, channel = "telegram"): Promise<void> {
  const person = await store.prisma.person.create({ data: { channel, externalId, displayName: name } });
  await store.prisma.role.create({ data: { personId: person.id, unitId, role: "leader" } });
}

/** A report of the seed plan's form (or of `planKey`'s). */
export async function addReport(store: Store, formKey: string, periodKey: string, unitId: number, at: Date, planKey = seedPlan.id): Promise<void> {
  await store.prisma.report.create({ data: { planKey, formKey, periodKey, unitId, answers: {}, submittedAt: at } });
}
