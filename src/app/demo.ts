/** The local chat's demo world: a demo admin and a few group chats linked to Nam Định units. */
import type { LocalChat, LocalPerson } from "../channels/local/terminal.js";
import { daysInMonth, endOfLocalDate, localDateOf, localInstant, localTimeText, startOfLocalDate } from "../domain/periods.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Plan } from "../plan/schema.js";
import { t } from "../i18n.js";
import type { Store } from "../store/database.js";
import { grantRole, linkChat, upsertPerson } from "../store/people.js";

export const DEMO_ADMIN_ID = "quan-tri-demo";

/** Demo chats and the unit code each is linked to (skipped when the code is not in the tree); titles in locales (local:chats_demo.<id>). */
const DEMO_CHATS: (Omit<LocalChat, "title"> & { unitCode?: string })[] = [
  { id: "nhom-tinh", type: "group", unitCode: "NDI" },
  { id: "nhom-y-yen", type: "group", unitCode: "NDI-YYE" },
  { id: "nhom-yen-phuong", type: "group", unitCode: "NDI-YYE-YPHUONG-CH01" },
  { id: "rieng", type: "private" },
];

export async function setUpDemo(store: Store, tree: UnitTree): Promise<{ chats: LocalChat[]; people: LocalPerson[] }> {
  const demoAdmin: LocalPerson = { id: DEMO_ADMIN_ID, name: t("local:demo_admin") };
  const admin = await upsertPerson(store, "local", demoAdmin.id, demoAdmin.name);
  for (const root of tree.roots) await grantRole(store, admin.id, root.id, "admin");
  const chats: LocalChat[] = [];
  for (const c of DEMO_CHATS) {
    const unit = c.unitCode ? tree.byCode(c.unitCode) : undefined;
    if (c.unitCode && !unit) continue;
    if (unit) await linkChat(store, "local", c.id, unit.id, admin.id);
    chats.push({ id: c.id, title: t(`local:chats_demo.${c.id}`), type: c.type });
  }
  return { chats, people: [demoAdmin] };
}

/**
 * The local chat's clock. Plan 52/KH-BTV runs until 31/12/2025; tried on a later date, the demo
 * would have nothing to report. So when today is outside the plan, the demo clock runs from the
 * same day and time in the plan's nearest year (still ticking in real time), and `:gio` moves it.
 * Telegram and Zalo always use the real clock.
 */
export class DemoClock {
  private offsetMs = 0;

  constructor(private readonly realNow: () => Date = () => new Date()) {}

  now = (): Date => new Date(this.realNow().getTime() + this.offsetMs);

  /** Jump to `at` and keep ticking from there. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - this.realNow().getTime();
  }

  get simulated(): boolean {
    return this.offsetMs !== 0;
  }
}

/** The instant the demo should start at: now when inside the plan, else the same local day and time in the plan's nearest year. */
export function demoStart(plan: Pick<Plan, "start" | "end">, now: Date): Date {
  const start = startOfLocalDate(plan.start);
  const end = endOfLocalDate(plan.end);
  if (now >= start && now < end) return now;
  const { month, day } = localDateOf(now);
  const year = now > end ? Number(plan.end.slice(0, 4)) : Number(plan.start.slice(0, 4));
  const time = localTimeText(now).split(":").map(Number);
  const candidate = localInstant(year, month, Math.min(day, daysInMonth(year, month)), time[0], time[1]);
  if (candidate < start) return start;
  if (candidate >= end) return new Date(end.getTime() - 3600_000);
  return candidate;
}
