/**
 * Which plan applies on a day when several are loaded: the one whose dates cover the day (plans
 * may not overlap, see set.ts), else none — then the one that ended last and the next one say
 * why. Pure; days are local dates "YYYY-MM-DD" (the plans' time zone).
 */
import type { Plan } from "./schema.js";

/** Where a day stands among the loaded plans. */
export interface PlanStatus {
  /** The plan covering the day, or null. */
  current: Plan | null;
  /** The latest plan that ended before the day. */
  ended: Plan | null;
  /** The earliest plan that starts after the day. */
  next: Plan | null;
}

/** The plans sorted by start date (then id). */
export function sortPlans(plans: readonly Plan[]): Plan[] {
  return [...plans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The current, last ended and next plan on `day`. */
export function planStatus(plans: readonly Plan[], day: string): PlanStatus {
  const sorted = sortPlans(plans);
  const current = sorted.find((p) => p.start <= day && day <= p.end) ?? null;
  const ended = [...sorted].reverse().find((p) => p.end < day) ?? null;
  const next = sorted.find((p) => p.start > day) ?? null;
  return { current, ended, next };
}

/** The plan covering `day`, or null. */
export function planOn(plans: readonly Plan[], day: string): Plan | null {
  return planStatus(plans, day).current;
}

/**
 * The plan a command uses when none is named: the one covering `day`, else the one that ended
 * last (its reports can still be looked at), else the next one.
 */
export function defaultPlan(plans: readonly Plan[], day: string): Plan {
  const s = planStatus(plans, day);
  const plan = s.current ?? s.ended ?? s.next;
  if (!plan) throw new Error("No plan loaded");
  return plan;
}

/** The plan with this id (case-insensitive), or null. */
export function planById(plans: readonly Plan[], id: string): Plan | null {
  const wanted = id.trim().toLowerCase();
  return plans.find((p) => p.id.toLowerCase() === wanted) ?? null;
}

