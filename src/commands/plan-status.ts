/**
 * What a command says when no plan covers today: which plan ended and when, the next one when
 * it is known, and who can load a new plan. Used by /baocao, /nhacnho and a pasted report.
 */
import { formatDate, vietnamToday } from "../domain/vi/index.js";
import { t } from "../i18n.js";
import { planStatus } from "../plan/calendar.js";
import type { AppServices } from "./types.js";

/** The explanation for a day no plan covers (sentences in locales/<lng>/bot.json, plan.*). */
export function noCurrentPlanText(app: Pick<AppServices, "plans" | "now">): string {
  const status = planStatus(app.plans, vietnamToday(app.now()));
  const lines: string[] = [];
  if (status.ended) lines.push(t("bot:plan.ended", { title: status.ended.title, end: formatDate(status.ended.end) }));
  if (status.next) {
    const key = status.ended ? "bot:plan.next" : "bot:plan.not_started";
    lines.push(t(key, { title: status.next.title, start: formatDate(status.next.start) }));
  } else {
    lines.push(t("bot:plan.who_loads"));
  }
  return lines.join("\n");
}
