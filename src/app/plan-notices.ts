/**
 * Telling people that the plans need attention: at start-up (and every hour while running) when
 * no plan covers today — a warning in the log and a message to the province admins through the
 * outbox, once per plan end (dedupeKey); and when the scheduler had to skip a plan item (a bad
 * cron, an impossible date) — a message to the admins once per plan item and problem.
 */
import type { ChannelName } from "../channels/types.js";
import { formatDate, vietnamToday } from "../domain/vi/index.js";
import { currentLanguage, type Language, t } from "../i18n.js";
import type { Logger } from "../log.js";
import { enqueue } from "../outbox/queue.js";
import { planStatus, type PlanStatus } from "../plan/calendar.js";
import type { Plan } from "../plan/schema.js";
import type { ItemFailure } from "../scheduler/occurrences.js";
import type { Store } from "../store/database.js";

/** The admins of the root units (province admins), one private chat each. */
async function provinceAdmins(store: Store): Promise<{ channel: ChannelName; externalId: string }[]> {
  const rows = await store.prisma.role.findMany({
    where: { role: "admin", unit: { parentId: null } },
    select: { person: { select: { channel: true, externalId: true } } },
    orderBy: { id: "asc" },
  });
  const seen = new Set<string>();
  const out: { channel: ChannelName; externalId: string }[] = [];
  for (const r of rows) {
    const k = `${r.person.channel}|${r.person.externalId}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ channel: r.person.channel as ChannelName, externalId: r.person.externalId });
  }
  return out;
}

/** Queue `text` to every province admin, at most once per `dedupeKey` and admin; returns how many were queued. */
export async function notifyAdmins(store: Store, text: string, dedupeKey: string): Promise<number> {
  let n = 0;
  for (const a of await provinceAdmins(store)) {
    const res = await enqueue(
      store,
      { channel: a.channel, chatId: a.externalId, chatType: "private", text },
      { dedupeKey: `${dedupeKey}|${a.channel}:${a.externalId}` },
    );
    if (res.created) n++;
  }
  return n;
}

/**
 * When no plan covers today: a log warning and (once per plan end) a message to the admins.
 * Returns where today stands among the plans.
 */
export async function warnIfNoCurrentPlan(
  store: Store,
  plans: readonly Plan[],
  now: Date,
  log: Logger,
  lng: Language = currentLanguage(),
): Promise<PlanStatus> {
  const status = planStatus(plans, vietnamToday(now));
  if (status.current) return status;
  const { ended, next } = status;
  log.warn(
    { ended: ended ? { id: ended.id, end: ended.end } : null, next: next ? { id: next.id, start: next.start } : null },
    "no plan covers today: no reports are asked and no reminders are sent",
  );
  if (!ended) return status; // before the first plan: nothing has stopped
  const text = next
    ? t("bot:plan_notice.gap", { title: ended.title, id: ended.id, end: formatDate(ended.end), next: next.title, start: formatDate(next.start) }, lng)
    : t("bot:plan_notice.ended", { title: ended.title, id: ended.id, end: formatDate(ended.end) }, lng);
  await notifyAdmins(store, text, `plan-ended:${ended.id}:${ended.end}`);
  return status;
}

/** The admins' notice of a plan item the scheduler skipped (once per plan, item and problem). */
export async function notifyItemFailure(store: Store, failure: ItemFailure, lng: Language = currentLanguage()): Promise<number> {
  const text = t("bot:plan_notice.item_failed", { item: failure.itemKey, plan: failure.planId, detail: failure.error.message }, lng);
  return notifyAdmins(store, text, `plan-item-failed:${failure.planId}:${failure.itemKey}:${failure.error.message.slice(0, 80)}`);
}
