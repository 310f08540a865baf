/** /dangky (register with an invite code), /lienket (link a group to a unit), /moi (create an invite). */
import type { UnitKind } from "../domain/types.js";
import { canInvite, canOversee, type RoleName } from "../domain/permissions.js";
import { normalize } from "../domain/vi/index.js";
import { formatDate } from "../domain/vi/index.js";
import { localIsoDate, localTimeText } from "../domain/periods.js";
import { t } from "../i18n.js";
import { clearInviteFailures, inviteWaitUntil, recordInviteFailure } from "../store/invite-throttle.js";
import { createInvite, linkChat, redeemInvite, voidInvite } from "../store/people.js";
import type { Command } from "./types.js";

/** Role words an officer may type after /moi, with or without diacritics. */
const ROLE_WORDS: Record<string, RoleName> = {
  leader: "leader",
  chihoitruong: "leader",
  cht: "leader",
  baocao: "leader",
  officer: "officer",
  canbo: "officer",
  admin: "admin",
  quantri: "admin",
};

/** The role an officer typed after /moi ("chihoitruong", "cán bộ", "admin"), or undefined. */
export function parseRoleWord(text: string): RoleName | undefined {
  return ROLE_WORDS[normalize(text).replace(/[\s_-]/g, "")];
}

/**
 * The role's name in the current language; a reporter's by the level of her unit ("chi hội
 * trưởng" only for a branch, "người báo cáo của cơ sở Hội" for a commune union…).
 */
export function roleLabel(role: RoleName, kind?: UnitKind): string {
  if (role === "leader" && kind) return t(`bot:roles.leader_${kind}`);
  return t(`bot:roles.${role}`);
}

/**
 * /dangky <mã>. In a group the code has been seen by everyone: the message is deleted first (the
 * channel must be able to, Telegram with the right to delete), otherwise the code is voided and she
 * is asked to register privately (the same answer whether the code existed or not, so a group is no
 * way to test codes). Wrong codes are throttled (src/store/invite-throttle.ts).
 */
export const registerCommand: Command = {
  name: "dangky",
  async run(ctx) {
    if (!ctx.args) return ctx.reply(t("bot:register.usage"));
    const now = ctx.app.now();
    let deletedInGroup = false;
    if (ctx.msg.chatType === "group") {
      const outcome = (await ctx.app.deleteMessage?.(ctx.msg)) ?? "not_possible";
      if (outcome !== "deleted") {
        // The voiding commits with the refusal (and the update's claim).
        ctx.write(async (tx) => {
          const voided = await voidInvite(tx, ctx.args, now);
          ctx.onCommitted(() => ctx.app.log.info({ personId: ctx.person.id, chatId: ctx.msg.chatId, voided }, "invite code typed in a group; refused"));
          await ctx.reply(t("bot:register.group_refused"));
        });
        return;
      }
      deletedInGroup = true;
    }
    const wait = await inviteWaitUntil(ctx.app.store, ctx.person.id, now);
    if (wait) {
      ctx.app.log.info({ personId: ctx.person.id }, "invite code refused: too many wrong codes");
      return ctx.reply(t("bot:register.throttled", { time: `${localTimeText(wait)} ${formatDate(localIsoDate(wait))}` }));
    }
    const deletedNote = deletedInGroup ? `\n${t("bot:register.deleted_in_group")}` : "";
    // The role (or the wrong code's count) commits together with the reply and the update's claim.
    ctx.write(async (tx) => {
      const result = await redeemInvite(tx, ctx.args, ctx.person.id, now);
      if (!result.ok) {
        await recordInviteFailure(tx, ctx.person.id, now);
        await ctx.reply(t(`bot:register.${result.reason}`) + deletedNote);
        return;
      }
      await clearInviteFailures(tx, ctx.person.id);
      const unit = ctx.app.tree().byId(result.unitId);
      ctx.onCommitted(() => ctx.app.log.info({ personId: ctx.person.id, unitId: result.unitId, role: result.role }, "person registered"));
      await ctx.reply(t("bot:register.done", { unit: unit?.name ?? "?", role: roleLabel(result.role, unit?.kind) }) + deletedNote);
    });
  },
};

/** /lienket <mã đơn vị>: links the group to a unit in her subtree (not away from a unit above her). */
export const linkCommand: Command = {
  name: "lienket",
  needs: "link",
  groupOnly: true,
  async run(ctx) {
    if (!ctx.args) return ctx.reply(t("bot:link.usage"));
    const unit = ctx.app.tree().byCode(ctx.args.split(/\s+/)[0]!);
    if (!unit) return ctx.reply(t("bot:unit_unknown", { code: ctx.args }));
    if (!canOversee(ctx.grants, ctx.app.tree(), unit.id)) return ctx.reply(t("bot:denied.outside", { unit: unit.name }));
    // A group already linked to a unit above her stays with that unit.
    const current = ctx.chatUnitId === null ? undefined : ctx.app.tree().byId(ctx.chatUnitId);
    if (current && !canOversee(ctx.grants, ctx.app.tree(), current.id))
      return ctx.reply(t("bot:link.owned_above", { unit: current.name }));
    // The link and its confirmation commit together with the update's claim.
    ctx.write((tx) => linkChat(tx, ctx.msg.channel, ctx.msg.chatId, unit.id, ctx.person.id));
    ctx.onCommitted(() => ctx.app.log.info({ channel: ctx.msg.channel, chatId: ctx.msg.chatId, unit: unit.code }, "chat linked"));
    await ctx.reply(t("bot:link.done", { unit: unit.name, code: unit.code }));
  },
};

/** /moi <mã đơn vị> [vai trò]: a single-use, expiring invite code (private chat only). */
export const inviteCommand: Command = {
  name: "moi",
  needs: "invite",
  privateOnly: true,
  async run(ctx) {
    const [codeText, roleText] = ctx.args.split(/\s+/).filter(Boolean);
    if (!codeText) return ctx.reply(t("bot:invite.usage"));
    const unit = ctx.app.tree().byCode(codeText);
    if (!unit) return ctx.reply(t("bot:unit_unknown", { code: codeText }));
    const role = roleText ? parseRoleWord(roleText) : "leader";
    if (!role) return ctx.reply(t("bot:invite.bad_role", { given: roleText }));
    if (!canInvite(ctx.grants, ctx.app.tree(), unit.id, role))
      return ctx.reply(role === "admin" ? t("bot:denied.admin_only") : t("bot:denied.outside", { unit: unit.name }));
    const now = ctx.app.now();
    // The code exists only if the reply showing it is queued (one transaction with the update's claim).
    ctx.write(async (tx) => {
      const invite = await createInvite(tx, {
        unitId: unit.id,
        role,
        createdById: ctx.person.id,
        now,
        validForHours: ctx.app.inviteValidHours,
      });
      await ctx.reply(
        t("bot:invite.done", {
          code: invite.code,
          unit: unit.name,
          role: roleLabel(role, unit.kind),
          expires: `${localTimeText(invite.expiresAt)} ${formatDate(localIsoDate(invite.expiresAt))}`,
        }),
      );
    });
    ctx.onCommitted(() => ctx.app.log.info({ unit: unit.code, role, by: ctx.person.id }, "invite created"));
  },
};
