/**
 * A plan that passes `plan check` must run: this expands every reminder rule and content
 * schedule over the plan's whole time the way the scheduler does (same code, a small sample
 * tree with one unit of each kind) and reports each item that fails. Used by the plan loader.
 */
import type { UnitNode } from "../domain/types.js";
import { UnitTree } from "../domain/units/tree.js";
import { DEFAULT_LANGUAGE, type Language, t } from "../i18n.js";
import type { Plan } from "../plan/schema.js";
import { startOfLocalDate } from "../domain/periods.js";
import { type ItemFailure, listOccurrences } from "./occurrences.js";
import { DAY_MS } from "./time.js";

const SAMPLE: UnitNode[] = [
  { id: 1, code: "P", name: "P", kind: "province", parentId: null },
  { id: 2, code: "P-D", name: "D", kind: "district", parentId: 1 },
  { id: 3, code: "P-D-C", name: "C", kind: "commune", parentId: 2 },
  { id: 4, code: "P-D-C-B", name: "B", kind: "branch", parentId: 3 },
  { id: 5, code: "P-S", name: "S", kind: "special", parentId: 1 },
];

/** Where and what: one entry per reminder rule or content schedule the scheduler cannot expand. */
export function scheduleProblems(plan: Plan, lng: Language = DEFAULT_LANGUAGE): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  let start: number;
  let end: number;
  try {
    start = startOfLocalDate(plan.start).getTime();
    end = startOfLocalDate(plan.end).getTime() + DAY_MS;
  } catch {
    return problems; // bad plan dates are reported by the plan check
  }
  const onItemError = ({ itemKey, error }: ItemFailure): void => {
    const ri = plan.reminders.findIndex((r) => r.key === itemKey);
    const si = plan.content.schedules.findIndex((c) => c.key === itemKey);
    const path = ri >= 0 ? `reminders[${ri}]` : si >= 0 ? `content.schedules[${si}]` : itemKey;
    problems.push({ path, message: t("plan:set.wontRun", { key: itemKey, detail: error.message }, lng) });
  };
  const tree = new UnitTree(SAMPLE);
  // Reminders over the whole plan (every deadline is computed); content schedules over a few
  // weeks (their cron is parsed on first use, the same for every day).
  const reminders: Plan = { ...plan, content: { ...plan.content, schedules: [] } };
  listOccurrences(reminders, tree, new Date(start - 60 * DAY_MS), new Date(end + 60 * DAY_MS), { onItemError });
  const content: Plan = { ...plan, reminders: [] };
  listOccurrences(content, tree, new Date(start), new Date(Math.min(end, start + 21 * DAY_MS)), { onItemError });
  return problems;
}
