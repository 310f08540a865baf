/**
 * Occurrences: what the scheduler should send, when, to which unit. Pure: computed from the plan,
 * the unit tree and a time window; no clock, no store.
 *
 * - reminder: for each reminder rule, `before` each deadline — each period's dueDate of the
 *   target form (to units of the form's unitKinds), or the milestone's date and time (to units of
 *   its unitKinds, and only unitCodes when given). The nominal time is the deadline minute minus
 *   the duration (a 20:00 deadline with "3d" → 20:00 three days before).
 * - late_summary: right after each deadline of a rule with lateSummaryToParent, one per parent
 *   unit of the units that owe the report (the handler lists the late children then).
 * - content: each content schedule's cron times within the plan's dates, to units of its
 *   unitKinds (the item is chosen when it is sent: see rotation.ts).
 *
 * Quiet hours (default 21:00–07:00 local): a nominal time inside them moves to their end (07:00).
 * A reminder moved past its own deadline that way goes out just before the quiet hours instead.
 *
 * Key: `ruleKey|kind|unitId|dueAt ISO`, plus `|before` for reminders (a rule reminds several
 * times before the same deadline). For content, dueAt is the cron time.
 */
import { currentPeriod, dueDate, formPeriods, localInstant, oncePeriod, startOfLocalDate } from "../domain/periods.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { UnitKind, UnitNode } from "../domain/types.js";
import type { Form, Milestone, Plan } from "../plan/schema.js";
import {
  afterQuiet,
  beforeQuiet,
  cronTimes,
  DAY_MS,
  DEFAULT_QUIET_HOURS,
  durationMs,
  HOUR_MS,
  MINUTE_MS,
  type QuietHours,
  quietLengthMs,
} from "./time.js";

export type OccurrenceKind = "reminder" | "late_summary" | "content";

export interface OccurrenceData {
  /** The plan the rule belongs to (absent on occurrences claimed before plans had keys). */
  planId?: string;
  formKey?: string;
  periodKey?: string;
  milestoneKey?: string;
  /** Reminders: the rule's duration ("3d"). */
  before?: string;
  /** Content: the schedule key (also the ruleKey). */
  scheduleKey?: string;
}

export interface Occurrence {
  key: string;
  /** The reminder rule key, or the content schedule key. */
  ruleKey: string;
  kind: OccurrenceKind;
  /** The recipient unit (late summary: the parent unit). */
  unitId: number;
  /** The deadline (its last on-time instant), or the content's cron time. */
  dueAt: Date;
  /** When it would go out without quiet hours. */
  nominalAt: Date;
  /** When it goes out. */
  sendAt: Date;
  data: OccurrenceData;
}

export interface OccurrenceOptions {
  quietHours?: QuietHours;
  /** Late summaries go out this long after the deadline (default 0: the next minute). */
  lateSummaryDelayMs?: number;
  /** Only occurrences for these recipient units (e.g. the units with a linked group). */
  units?: ReadonlySet<number>;
  /**
   * Called when one reminder rule or content schedule cannot be expanded (a bad cron, a date
   * the calendar does not have): that item is skipped and the others are listed. Without it
   * the error is thrown.
   */
  onItemError?: (failure: ItemFailure) => void;
}

/** A plan item the scheduler could not expand. */
export interface ItemFailure {
  planId: string;
  /** The reminder rule or content schedule key. */
  itemKey: string;
  error: Error;
}

/** Is the local date of `at` within an item's validFrom / validUntil (inclusive)? */
export function isValidAt(item: { validFrom?: string | undefined; validUntil?: string | undefined }, at: Date): boolean {
  if (item.validFrom === undefined && item.validUntil === undefined) return true;
  const day = new Date(at.getTime() + 7 * HOUR_MS).toISOString().slice(0, 10);
  return (item.validFrom === undefined || day >= item.validFrom) && (item.validUntil === undefined || day <= item.validUntil);
}

export function occurrenceKey(ruleKey: string, kind: OccurrenceKind, unitId: number, dueAt: Date, before?: string): string {
  const base = `${ruleKey}|${kind}|${unitId}|${dueAt.toISOString()}`;
  return before ? `${base}|${before}` : base;
}

/** The deadline of a milestone: the last on-time instant of its local date and time. */
export function milestoneDue(m: Pick<Milestone, "date" | "time">): Date {
  const [y, mo, d] = m.date.split("-").map(Number) as [number, number, number];
  const [hh, mm] = (m.time ?? "23:59").split(":").map(Number) as [number, number];
  return new Date(localInstant(y, mo, d, hh, mm).getTime() + MINUTE_MS - 1);
}

/** The start of the deadline's minute (dueAt is its last millisecond). */
function deadlineMinute(due: Date): number {
  return due.getTime() - (MINUTE_MS - 1);
}

/** When a reminder with this nominal time goes out (quiet hours, and never after its deadline). */
export function reminderSendAt(nominal: Date, due: Date, qh: QuietHours = DEFAULT_QUIET_HOURS): Date {
  const moved = afterQuiet(nominal, qh);
  if (moved.getTime() <= due.getTime()) return moved;
  return beforeQuiet(nominal, qh);
}

export function lateSummarySendAt(due: Date, qh: QuietHours = DEFAULT_QUIET_HOURS, delayMs = 0): Date {
  return afterQuiet(new Date(due.getTime() + 1 + delayMs), qh);
}

class UnitIndex {
  private readonly byKind = new Map<UnitKind, UnitNode[]>();

  constructor(
    readonly tree: UnitTree,
    private readonly only?: ReadonlySet<number>,
  ) {
    for (const u of tree.all()) {
      let list = this.byKind.get(u.kind);
      if (!list) this.byKind.set(u.kind, (list = []));
      list.push(u);
    }
    for (const list of this.byKind.values()) list.sort((a, b) => a.id - b.id);
  }

  /** Units of these kinds (all of them, whether or not they are recipients). */
  ofKinds(kinds: readonly UnitKind[], codes?: readonly string[]): UnitNode[] {
    const codeSet = codes ? new Set(codes.map((c) => c.toUpperCase())) : null;
    const out: UnitNode[] = [];
    for (const k of kinds) for (const u of this.byKind.get(k) ?? []) if (!codeSet || codeSet.has(u.code.toUpperCase())) out.push(u);
    return out.sort((a, b) => a.id - b.id);
  }

  recipient(id: number): boolean {
    return !this.only || this.only.has(id);
  }

  /** Distinct parents of these units, by id. */
  parentsOf(units: readonly UnitNode[]): number[] {
    const ids = new Set<number>();
    for (const u of units) if (u.parentId !== null && this.tree.byId(u.parentId)) ids.add(u.parentId);
    return [...ids].sort((a, b) => a - b);
  }
}

/**
 * Every occurrence whose sendAt lies in [from, to), sorted by sendAt then key.
 */
export function listOccurrences(plan: Plan, tree: UnitTree, from: Date, to: Date, opts: OccurrenceOptions = {}): Occurrence[] {
  const qh = opts.quietHours ?? DEFAULT_QUIET_HOURS;
  const lateDelay = opts.lateSummaryDelayMs ?? 0;
  const idx = new UnitIndex(tree, opts.units);
  const forms = new Map(plan.forms.map((f) => [f.key, f]));
  const milestones = new Map(plan.milestones.map((m) => [m.key, m]));
  const out: Occurrence[] = [];
  const f0 = from.getTime();
  const t0 = to.getTime();
  const inWindow = (d: Date) => d.getTime() >= f0 && d.getTime() < t0;
  // Quiet hours move a time by at most their length, a late summary by its delay.
  const slack = quietLengthMs(qh) + lateDelay + HOUR_MS;

  let valid: (at: Date) => boolean = () => true;
  const push = (o: Omit<Occurrence, "key">) => {
    if (!valid(o.sendAt)) return;
    out.push({ ...o, data: { ...o.data, planId: plan.id }, key: occurrenceKey(o.ruleKey, o.kind, o.unitId, o.dueAt, o.data.before) });
  };
  /** Runs one item; a failure skips it when the caller asked for that. */
  const guarded = (itemKey: string, run: () => void): void => {
    const before = out.length;
    try {
      run();
    } catch (err) {
      if (!opts.onItemError) throw err;
      out.length = before;
      opts.onItemError({ planId: plan.id, itemKey, error: err instanceof Error ? err : new Error(String(err)) });
    }
  };

  const deadline = (
    ruleKey: string,
    befores: { text: string; ms: number }[],
    due: Date,
    recipients: UnitNode[],
    late: UnitNode[] | null,
    data: OccurrenceData,
  ) => {
    for (const b of befores) {
      const nominal = new Date(deadlineMinute(due) - b.ms);
      const sendAt = reminderSendAt(nominal, due, qh);
      if (!inWindow(sendAt)) continue;
      for (const u of recipients) {
        if (!idx.recipient(u.id)) continue;
        push({ ruleKey, kind: "reminder", unitId: u.id, dueAt: due, nominalAt: nominal, sendAt, data: { ...data, before: b.text } });
      }
    }
    if (late) {
      const nominal = new Date(due.getTime() + 1 + lateDelay);
      const sendAt = lateSummarySendAt(due, qh, lateDelay);
      if (inWindow(sendAt)) {
        for (const parentId of idx.parentsOf(late)) {
          if (!idx.recipient(parentId)) continue;
          push({ ruleKey, kind: "late_summary", unitId: parentId, dueAt: due, nominalAt: nominal, sendAt, data });
        }
      }
    }
  };

  for (const rule of plan.reminders) guarded(rule.key, () => {
    valid = (at) => isValidAt(rule, at);
    const befores = rule.before.map((text) => ({ text, ms: durationMs(text) }));
    const maxBefore = Math.max(...befores.map((b) => b.ms));
    const relevant = (due: Date) => due.getTime() + slack >= f0 && due.getTime() - maxBefore - slack < t0;
    if ("form" in rule.target) {
      const form = forms.get(rule.target.form);
      if (!form) return;
      const units = idx.ofKinds(form.unitKinds);
      for (const period of formPeriods(form, plan)) {
        const due = dueDate(form, period);
        if (!relevant(due)) continue;
        deadline(rule.key, befores, due, units, rule.lateSummaryToParent ? units : null, {
          formKey: form.key,
          periodKey: period.key,
        });
      }
    } else {
      const m = milestones.get(rule.target.milestone);
      if (!m) return;
      const due = milestoneDue(m);
      if (!relevant(due)) return;
      const units = idx.ofKinds(m.unitKinds, m.unitCodes);
      const form = m.form ? forms.get(m.form) : undefined;
      const data: OccurrenceData = { milestoneKey: m.key };
      if (form) {
        data.formKey = form.key;
        data.periodKey = milestonePeriodKey(plan, form, due);
      }
      // An event (28/6) is not a deadline: no late summary; its follow-up form has its own reminders.
      deadline(rule.key, befores, due, units, rule.lateSummaryToParent && form && !m.event ? units : null, data);
    }
  });

  // Content, within the plan's dates.
  const planStart = startOfLocalDate(plan.start).getTime();
  const planEnd = startOfLocalDate(plan.end).getTime() + DAY_MS;
  valid = () => true; // content items carry their own dates (rotation.ts)
  for (const schedule of plan.content.schedules) guarded(schedule.key, () => {
    const lo = new Date(Math.max(f0 - slack, planStart));
    const hi = new Date(Math.min(t0, planEnd));
    if (hi.getTime() <= lo.getTime()) return;
    const units = idx.ofKinds(schedule.unitKinds);
    for (const at of cronTimes(schedule.cron, lo, hi)) {
      const sendAt = afterQuiet(at, qh);
      if (!inWindow(sendAt)) continue;
      for (const u of units) {
        if (!idx.recipient(u.id)) continue;
        push({ ruleKey: schedule.key, kind: "content", unitId: u.id, dueAt: at, nominalAt: at, sendAt, data: { scheduleKey: schedule.key } });
      }
    }
  });

  return out.sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The period of `form` a milestone at `due` checks. */
export function milestonePeriodKey(plan: Plan, form: Form, due: Date): string {
  return form.period === "once" ? oncePeriod({ form, plan }).key : currentPeriod(form, due, plan).key;
}

// ---------------------------------------------------------------------------------------------
// After downtime

export interface StalenessOptions {
  /** Content older than this is not sent late (default 12 h); nor is content of an earlier day. */
  contentStaleMs?: number;
  /** A late summary older than this is not sent late (default 12 h). */
  lateSummaryStaleMs?: number;
}

/**
 * Why a due occurrence should no longer be sent at `now` (null: send it). A reminder is stale
 * once its deadline passed; content once older than the staleness or from an earlier local day;
 * a late summary once older than its staleness.
 */
export function staleReason(occ: Occurrence, now: Date, opts: StalenessOptions = {}): string | null {
  const age = now.getTime() - occ.sendAt.getTime();
  switch (occ.kind) {
    case "reminder":
      return now.getTime() > occ.dueAt.getTime() ? "deadline passed" : null;
    case "late_summary":
      return age > (opts.lateSummaryStaleMs ?? 12 * HOUR_MS) ? "too old" : null;
    case "content": {
      if (age > (opts.contentStaleMs ?? 12 * HOUR_MS)) return "too old";
      const day = (d: Date) => new Date(d.getTime() + 7 * HOUR_MS).toISOString().slice(0, 10);
      return day(occ.sendAt) !== day(now) ? "not today" : null;
    }
  }
}

/**
 * When several occurrences are due at once (after downtime), keep only the latest reminder per
 * (rule, unit, deadline) and the latest content per unit; the others are superseded.
 */
export function supersede(due: readonly Occurrence[]): { keep: Occurrence[]; superseded: Occurrence[] } {
  const latest = new Map<string, Occurrence>();
  const groupOf = (o: Occurrence) =>
    o.kind === "reminder" ? `r|${o.ruleKey}|${o.unitId}|${o.dueAt.getTime()}` : o.kind === "content" ? `c|${o.unitId}` : `k|${o.key}`;
  for (const o of due) {
    const g = groupOf(o);
    const cur = latest.get(g);
    if (!cur || o.sendAt.getTime() > cur.sendAt.getTime() || (o.sendAt.getTime() === cur.sendAt.getTime() && o.key > cur.key)) latest.set(g, o);
  }
  const keep: Occurrence[] = [];
  const superseded: Occurrence[] = [];
  for (const o of due) (latest.get(groupOf(o)) === o ? keep : superseded).push(o);
  return { keep, superseded };
}
