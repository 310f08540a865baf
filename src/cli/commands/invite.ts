/** `invite <unit> [role]`: an invite code for a unit and role, printed — how the first admins and officers get in. */
import { isRoleName } from "../../domain/permissions.js";
import { localIsoDate, localTimeText } from "../../domain/periods.js";
import { DEFAULT_UNITS_PATH } from "../../domain/units/import.js";
import { formatDate } from "../../domain/vi/index.js";
import { parseRoleWord } from "../../commands/register.js";
import { createInvite } from "../../store/people.js";
import { loadUnitTree, seedUnitsIfEmpty } from "../../store/units.js";
import { withStore } from "../store.js";
import { EXIT, type CliCommand } from "../types.js";

export const inviteCommand: CliCommand = {
  words: ["invite"],
  id: "invite",
  args: { min: 1, max: 2 },
  options: { hours: { type: "string", help: "cli:invite.hoursHelp" } },
  async run(ctx, { args, options }) {
    const [code, roleText = "admin"] = args as [string, string?];
    const role = isRoleName(roleText) ? roleText : parseRoleWord(roleText);
    if (!role) {
      ctx.err(ctx.t("cli:invite.badRole", { given: roleText }));
      return EXIT.usage;
    }
    const hours = options.hours === undefined ? 72 : Number(options.hours);
    if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 90) {
      ctx.err(ctx.t("cli:invite.badHours", { given: String(options.hours) }));
      return EXIT.usage;
    }
    return withStore(ctx, async (store, env) => {
      await seedUnitsIfEmpty(store, env.UNITS_FILE ?? DEFAULT_UNITS_PATH);
      const unit = (await loadUnitTree(store)).byCode(code);
      if (!unit) {
        ctx.err(ctx.t("cli:invite.unknownUnit", { code }));
        return EXIT.invalid;
      }
      const invite = await createInvite(store, { unitId: unit.id, role, createdById: null, now: new Date(), validForHours: hours });
      ctx.out(
        ctx.t("cli:invite.done", {
          code: invite.code,
          unit: unit.name,
          role: ctx.t(role === "leader" ? `bot:roles.leader_${unit.kind}` : `bot:roles.${role}`),
          expires: `${localTimeText(invite.expiresAt)} ${formatDate(localIsoDate(invite.expiresAt))}`,
        }),
      );
      return EXIT.ok;
    });
  },
};
