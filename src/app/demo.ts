/** The local chat's demo world: a demo admin and a few group chats linked to Nam Định units. */
import type { LocalChat, LocalPerson } from "../channels/local/terminal.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Store } from "../store/database.js";
import { grantRole, linkChat, upsertPerson } from "../store/people.js";

export const DEMO_ADMIN: LocalPerson = { id: "quan-tri-demo", name: "Quản trị (demo)" };

/** Demo chats and the unit code each is linked to (skipped when the code is not in the tree). */
const DEMO_CHATS: (LocalChat & { unitCode?: string })[] = [
  { id: "nhom-tinh", title: "Nhóm Hội LHPN tỉnh", type: "group", unitCode: "NDI" },
  { id: "nhom-y-yen", title: "Nhóm Hội LHPN huyện Ý Yên", type: "group", unitCode: "NDI-YYE" },
  { id: "nhom-yen-phuong", title: "Nhóm chi hội điểm Yên Phương", type: "group", unitCode: "NDI-YYE-YPHUONG-CH01" },
  { id: "rieng", title: "Trò chuyện riêng với Vun Đắp", type: "private" },
];

export async function setUpDemo(store: Store, tree: UnitTree): Promise<{ chats: LocalChat[]; people: LocalPerson[] }> {
  const admin = await upsertPerson(store, "local", DEMO_ADMIN.id, DEMO_ADMIN.name);
  for (const root of tree.roots) await grantRole(store, admin.id, root.id, "admin");
  const chats: LocalChat[] = [];
  for (const c of DEMO_CHATS) {
    const unit = c.unitCode ? tree.byCode(c.unitCode) : undefined;
    if (c.unitCode && !unit) continue;
    if (unit) await linkChat(store, "local", c.id, unit.id, admin.id);
    chats.push({ id: c.id, title: c.title, type: c.type });
  }
  return { chats, people: [{ ...DEMO_ADMIN }] };
}
