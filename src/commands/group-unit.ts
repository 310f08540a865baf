/**
 * A report belongs in its own unit's group: a leader's /baocao, /sua or pasted report in a group
 * linked to another unit (where that unit's members would see it, and its reminders run) is refused
 * with a pointer to her own group or a private chat. Unlinked groups and private chats are fine.
 */
import type { UnitNode } from "../domain/types.js";
import { t } from "../i18n.js";
import type { CommandContext } from "./types.js";

/** The refusal to send when `unit`'s report is started in a group linked to another unit, or null. */
export function otherUnitsGroupNote(ctx: CommandContext, unit: UnitNode): string | null {
  if (ctx.msg.chatType !== "group" || ctx.chatUnitId === null || ctx.chatUnitId === unit.id) return null;
  const group = ctx.app.tree().byId(ctx.chatUnitId);
  return t("bot:report.other_group", { group: group?.name ?? ctx.msg.chatTitle ?? "", unit: unit.name });
}
