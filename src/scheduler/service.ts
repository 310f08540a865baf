/**
 * What the app's commands ask the scheduler: /nhacnho (the next deadlines and milestones for some
 * units, with who already reported) and /noidung (today's content for a group).
 */
import { currentLanguage } from "../i18n.js";
import { dueDate, formPeriods, localInstant, localDateOf, parsePeriodKey, periodLabel } from "../domain/periods.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Language } from "../i18n.js";
import type { ContentItem, Plan } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import { formName, renderContent } from "./messages.js";
import { isValidAt, listOccurrences, milestoneDue, milestonePeriodKey, reminderSendAt } from "./occurrences.js";
import { chooseContentItem, type ContentHistoryEntry } from "./rotation.js";
import { contentHistory, type OccurrenceOutcome, pausedKeys } from "./store.js";
import { DAY_MS, DEFAULT_QUIET_HOURS, durationMs, MINUTE_MS, type QuietHours } from "./time.js";

export interface UpcomingUnit {
  unitId: number;
  name: string;
  /** Whether the unit already sent the report; null for a milestone with no form to check. */
  reported: boolean | null;
}

export interface UpcomingDeadline {
  kind: "form" | "milestone";
  /** A milestone that is an event on its day (28/6), not a deadline. */
  event: boolean;
  /** The form key or milestone key. */
  key: string;
  title: string;
  periodKey: string | null;
  periodLabel: string | null;
  /** The last on-time instant. */
  dueAt: Date;
  /** Reminder rules that target it. */
  ruleKeys: string[];
  /** The next reminder for it still to go out (after quiet hours), if any rule is active. */
  nextReminderAt: Date | null;
  /** Every rule targeting it is paused. */
  paused: boolean;
  units: UpcomingUnit[];
}

/**
 * The next `limit` deadlines (forms' periods and milestones, due at or after `now`) that concern
 * any of `unitIds`, soonest first, each with the concerned units and whether they reported.
 */
export async function upcomingReminders(
  store: Store,
  plan: Plan,
  tree: UnitTree,
  unitIds: readonly number[],
  now: Date,
  limit = 5,
  opts: { quietHours?: QuietHours; lng?: Language } = {},
): Promise<UpcomingDeadline[]> {
  const qh = opts.quietHours ?? DEFAULT_QUIET_HOURS;
  const lng = opts.lng ?? currentLanguage();
  const units = unitIds.map((id) => tree.byId(id)).filter((u) => u !== undefined);
  const paused = await pausedKeys(store);
  const found: (UpcomingDeadline & { formKey: string | null })[] = [];

  const rulesFor = (target: { form: string } | { milestone: string }) =>
    plan.reminders.filter((r) =>
      "form" in target ? "form" in r.target && r.target.form === target.form : "milestone" in r.target && r.target.milestone === target.milestone,
    );
  const reminderInfo = (rules: Plan["reminders"], due: Date) => {
    const active = rules.filter((r) => !paused.has(r.key));
    let next: Date | null = null;
    for (const r of active)
      for (const b of r.before) {
        const at = reminderSendAt(new Date(due.getTime() - (MINUTE_MS - 1) - durationMs(b)), due, qh);
        if (!isValidAt(r, at)) continue;
        if (at.getTime() >= now.getTime() && (!next || at.getTime() < next.getTime())) next = at;
      }
    return { ruleKeys: rules.map((r) => r.key), nextReminderAt: next, paused: rules.length > 0 && active.length === 0 };
  };

  for (const form of plan.forms) {
    const concerned = units.filter((u) => form.unitKinds.includes(u.kind));
    if (concerned.length === 0) continue;
    const rules = rulesFor({ form: form.key });
    let n = 0;
    for (const period of formPeriods(form, plan)) {
      const due = dueDate(form, period);
      if (due.getTime() < now.getTime()) continue;
      found.push({
        kind: "form",
        event: false,
        key: form.key,
        formKey: form.key,
        title: formName(form),
        periodKey: period.key,
        periodLabel: periodLabel(period, lng),
        dueAt: due,
        ...reminderInfo(rules, due),
        units: concerned.map((u) => ({ unitId: u.id, name: u.name, reported: false })),
      });
      if (++n >= limit) break;
    }
  }
  for (const m of plan.milestones) {
    const due = milestoneDue(m);
    if (due.getTime() < now.getTime()) continue;
    const codes = m.unitCodes ? new Set(m.unitCodes.map((c) => c.toUpperCase())) : null;
    const concerned = units.filter((u) => m.unitKinds.includes(u.kind) && (!codes || codes.has(u.code.toUpperCase())));
    if (concerned.length === 0) continue;
    // An event's form is the short report after it: nothing to have sent before the day.
    const form = m.form && !m.event ? plan.forms.find((f) => f.key === m.form) : undefined;
    const periodKey = form ? milestonePeriodKey(plan, form, due) : null;
    const period = form && periodKey ? parsePeriodKey(form.period, periodKey, { form, plan }) : null;
    found.push({
      kind: "milestone",
      event: m.event,
      key: m.key,
      formKey: form?.key ?? null,
      title: m.name,
      periodKey,
      periodLabel: period ? periodLabel(period, lng) : null,
      dueAt: due,
      ...reminderInfo(rulesFor({ milestone: m.key }), due),
      units: concerned.map((u) => ({ unitId: u.id, name: u.name, reported: form ? false : null })),
    });
  }

  found.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.key.localeCompare(b.key));
  const top = found.slice(0, limit);
  const checks = top.filter((d) => d.formKey && d.periodKey);
  if (checks.length > 0) {
    const reports = await store.prisma.report.findMany({
      where: {
        OR: checks.map((d) => ({ planKey: plan.id, formKey: d.formKey!, periodKey: d.periodKey!, unitId: { in: d.units.map((u) => u.unitId) } })),
      },
      select: { formKey: true, periodKey: true, unitId: true },
    });
    const done = new Set(reports.map((r) => `${r.formKey}|${r.periodKey}|${r.unitId}`));
    for (const d of checks) for (const u of d.units) u.reported = done.has(`${d.formKey}|${d.periodKey}|${u.unitId}`);
  }
  return top.map(({ formKey: _f, ...rest }) => rest);
}

export type TodaysContentStatus = OccurrenceOutcome | "planned";

export interface TodaysContentEntry {
  scheduleKey: string;
  /** When it goes (or went) out. */
  at: Date;
  item: ContentItem | null;
  /** sent / claimed (being sent) / skipped / dropped / paused, or planned (later today: the rotation's likely pick). */
  status: TodaysContentStatus;
}

export interface TodaysContent {
  unitId: number;
  entries: TodaysContentEntry[];
  /** The item to show now: today's latest sent one, else the next planned one, else what the rotation would pick. */
  suggestion: ContentItem | null;
  /** The suggestion as the group would get it. */
  text: string | null;
}

/** Today's (local day of `now`) content for a unit's group. */
export async function todaysContent(
  store: Store,
  plan: Plan,
  tree: UnitTree,
  unitId: number,
  now: Date,
  opts: { quietHours?: QuietHours; lng?: Language } = {},
): Promise<TodaysContent> {
  const { year, month, day } = localDateOf(now);
  const dayStart = localInstant(year, month, day);
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);
  const occs = listOccurrences(plan, tree, dayStart, dayEnd, {
    units: new Set([unitId]),
    quietHours: opts.quietHours ?? DEFAULT_QUIET_HOURS,
  }).filter((o) => o.kind === "content");
  const rows = occs.length
    ? await store.prisma.scheduledOccurrence.findMany({ where: { key: { in: occs.map((o) => o.key) } } })
    : [];
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const paused = await pausedKeys(store);
  const history: ContentHistoryEntry[] = await contentHistory(store, unitId, new Date(now.getTime() - 90 * DAY_MS));
  const items = new Map(plan.content.items.map((i) => [i.key, i]));
  const entries: TodaysContentEntry[] = [];
  for (const o of occs) {
    const schedule = plan.content.schedules.find((s) => s.key === o.ruleKey);
    const row = byKey.get(o.key);
    if (row) {
      entries.push({ scheduleKey: o.ruleKey, at: o.sendAt, item: row.itemKey ? (items.get(row.itemKey) ?? null) : null, status: row.outcome as OccurrenceOutcome });
      continue;
    }
    if (paused.has(o.ruleKey)) {
      entries.push({ scheduleKey: o.ruleKey, at: o.sendAt, item: null, status: "paused" });
      continue;
    }
    const choice = chooseContentItem(plan, schedule, unitId, o.sendAt, history, paused);
    if (choice) history.push({ itemKey: choice.item.key, at: o.sendAt });
    entries.push({ scheduleKey: o.ruleKey, at: o.sendAt, item: choice?.item ?? null, status: "planned" });
  }
  const sent = entries.filter((e) => e.item && (e.status === "sent" || e.status === "claimed"));
  const planned = entries.find((e) => e.item && e.status === "planned");
  const suggestion =
    sent[sent.length - 1]?.item ?? planned?.item ?? chooseContentItem(plan, undefined, unitId, now, history, paused)?.item ?? null;
  return { unitId, entries, suggestion, text: suggestion ? renderContent(suggestion, opts.lng ?? currentLanguage()) : null };
}
