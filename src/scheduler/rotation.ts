/**
 * Content rotation: which item a group gets next. Pure and deterministic given the history of
 * items already sent to that unit.
 *
 * Candidates: the plan's items (only the schedule's topics, when it names some), minus paused
 * items and items outside their validFrom / validUntil at the time of sending. Among those not sent to the unit within the schedule's noRepeatDays, the one sent
 * longest ago wins (never-sent items first); ties go by plan order, rotated by the unit id so
 * that neighbouring groups do not all get the same item on the same day. When every candidate
 * was sent within the window (too few items), the least recently sent one is repeated and the
 * choice says so.
 */
import type { ContentItem, Plan } from "../plan/schema.js";
import { isValidAt } from "./occurrences.js";
import { DAY_MS } from "./time.js";

export interface ContentHistoryEntry {
  itemKey: string;
  at: Date;
}

export interface ContentChoice {
  item: ContentItem;
  /** True when the item was sent to this unit within noRepeatDays (nothing else was left). */
  repeat: boolean;
}

type Schedule = Plan["content"]["schedules"][number];

/** The items a schedule may send (at `at`, when given: only items valid on that day). */
export function contentCandidates(
  plan: Plan,
  schedule: Pick<Schedule, "topics"> | undefined,
  paused: ReadonlySet<string> = new Set(),
  at?: Date,
): ContentItem[] {
  const topics = schedule?.topics ? new Set(schedule.topics) : null;
  return plan.content.items.filter(
    (i) => !paused.has(i.key) && (!topics || topics.has(i.topic)) && (at === undefined || isValidAt(i, at)),
  );
}

/** The item a unit gets at `at` (null when no item is left to send). */
export function chooseContentItem(
  plan: Plan,
  schedule: Pick<Schedule, "topics" | "noRepeatDays"> | undefined,
  unitId: number,
  at: Date,
  history: readonly ContentHistoryEntry[],
  paused: ReadonlySet<string> = new Set(),
): ContentChoice | null {
  const candidates = contentCandidates(plan, schedule, paused, at);
  const n = candidates.length;
  if (n === 0) return null;
  const last = new Map<string, number>();
  for (const h of history) {
    const t = h.at.getTime();
    if (t >= at.getTime()) continue;
    if ((last.get(h.itemKey) ?? -Infinity) < t) last.set(h.itemKey, t);
  }
  const windowMs = (schedule?.noRepeatDays ?? 30) * DAY_MS;
  const offset = ((unitId % n) + n) % n;
  const ranked = candidates
    .map((item, i) => ({ item, lastAt: last.get(item.key) ?? -Infinity, order: (i - offset + n) % n }))
    .sort((a, b) => a.lastAt - b.lastAt || a.order - b.order);
  const best = ranked[0]!;
  return { item: best.item, repeat: best.lastAt !== -Infinity && at.getTime() - best.lastAt < windowMs };
}
